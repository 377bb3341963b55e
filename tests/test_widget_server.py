"""The web chat page's server (contract §1, 8080): fixed paths only, security headers,
the demo page's language from ?lang, the widget's texts complete in every language.

A real server on a free port, real HTTP requests; no Rasa needed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot import serve, widget_server
from bot.conversation.turns import payload
from bot.i18n import languages, translator
from bot.widget_texts import ANSWER, FORGET_PAYLOAD, LABELS, PAGE, bundle, direction

RASA_PORT = 5999


@pytest.fixture(scope="module")
def base():
    port = serve.free_port()
    with widget_server.serving(port, widget_server.Site(RASA_PORT), "127.0.0.1"):
        yield f"http://127.0.0.1:{port}"


def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers={"Host": "localhost:8080"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.parametrize("language", ["ar", "fa", "fi", "zh"])
def test_the_demo_page_takes_its_language_from_the_query(base, language):
    status, headers, body = get(f"{base}/?lang={language}")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert f'<html lang="{language}" dir="{direction(language)}">' in page
    assert bundle(language)["page"]["page_heading"] in page
    assert '<script src="/widget.js" defer></script>' in page
    assert "{{" not in page


@pytest.mark.parametrize("asked", ["xx", '"><script>alert(1)</script>', "", "EN-gb"])
def test_an_unknown_language_gives_the_english_page(base, asked):
    _, _, body = get(f"{base}/?lang={urllib.request.quote(asked)}")
    page = body.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "alert(1)" not in page


def test_right_to_left_languages_come_from_cldr():
    assert {code for code in languages() if direction(code) == "rtl"} == {"ar", "fa"}


def test_every_answer_has_security_headers(base):
    for path in ("/", "/widget.js", "/widget.css", "/i18n/en.json", "/nothing"):
        _, headers, _ = get(base + path)
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "no-referrer", path
        assert "camera=()" in headers["Permissions-Policy"], path
    _, headers, _ = get(base + "/")
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    # The page's widget may talk to Rasa on the host the browser used, and nowhere else.
    assert f"ws://localhost:{RASA_PORT}" in csp and f"http://localhost:{RASA_PORT}" in csp
    assert "unsafe-inline" not in csp and "*" not in csp
    assert headers["X-Frame-Options"] == "DENY"


def test_the_widget_may_be_loaded_by_any_page(base):
    for path in ("/widget.js", "/widget.css", "/i18n/fi.json"):
        _, headers, _ = get(base + path)
        assert headers["Access-Control-Allow-Origin"] == "*", path
        assert headers["Cross-Origin-Resource-Policy"] == "cross-origin", path


def test_the_script_knows_where_rasa_listens(base):
    status, headers, body = get(base + "/widget.js")
    script = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert widget_server.CONFIG_PLACEHOLDER not in script
    assert json.dumps({"rasaPort": RASA_PORT, "rasaUrl": None}) in script


@pytest.mark.parametrize(
    "path",
    [
        "/web/index.html",
        "/index.html",
        "/dist/widget.js",
        "/../bot/serve.py",
        "/%2e%2e/pyproject.toml",
        "/i18n/xx.json",
        "/i18n/../../pyproject.toml",
        "/i18n/EN.json",
        "/widget.js/",
        "/package.json",
    ],
)
def test_nothing_else_is_served(base, path):
    status, _, body = get(base + path)
    assert status == 404 and body == b"not found\n"


def test_only_get_and_head(base):
    status, headers, _ = get(base + "/", method="POST")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
    status, _, body = get(base + "/widget.js", method="HEAD")
    assert status == 200 and body == b""


@pytest.mark.parametrize("language", languages())
def test_the_widget_texts_are_complete_in_every_language(base, language):
    status, _, body = get(f"{base}/i18n/{language}.json")
    texts = json.loads(body)
    assert status == 200 and texts["language"] == language and texts["dir"] == direction(language)
    for group, source in (("labels", LABELS), ("page", PAGE), ("answer", ANSWER)):
        assert set(texts[group]) == set(source)
        assert all(value.strip() for value in texts[group].values()), group
    # In the language itself (tests/test_catalogs.py checks every entry is translated).
    assert texts["labels"]["send"] == translator(language)("Send")
    assert [entry["code"] for entry in texts["languages"]] == list(languages())
    assert texts["payloads"]["forget"] == FORGET_PAYLOAD


def test_the_language_menu_chooses_like_the_assistants_buttons():
    """The menu sends the payload of the assistant's own language buttons (bot/conversation/texts.py)."""
    menu = {entry["code"]: entry["payload"] for entry in bundle("en")["languages"]}
    assert menu == {code: payload("choose_language", language=code) for code in languages()}
