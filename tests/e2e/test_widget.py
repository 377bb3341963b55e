"""The web widget in a real browser (issue 12): headless Chromium (Debian's) driven by
playwright-core, against the real Rasa and action servers and the widget's own server.

Each test runs one scenario of ``widget_browser.mjs`` with node; the conversation texts
come from here, from the catalogs and the REST conversations, so nothing is typed twice.
Screenshots land in ``var/artifacts/widget/`` (looked at by a person, kept out of git).
Marked slow: it starts Rasa.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import serve, storage, widget_server
from bot.conversation import texts
from bot.facts import FACTS
from bot.i18n import native_name, translator
from bot.pseudonym import pseudonym
from bot.widget_texts import LABELS, direction
from tests.e2e.conftest import TOKEN, own_database, tracker
from tests.e2e.test_rest_conversations import CONVERSATIONS

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "widget_browser.mjs"
ARTIFACTS = serve.ROOT / "var" / "artifacts" / "widget"
YEARS = 1.5  # the answer the REST conversations type as /inform{"years_since_first_permit": 1.5}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The demo page on a free port, its widget talking to Rasa on another free port."""
    if not shutil.which("node"):
        pytest.fail("node is missing: install Node.js (Debian: nodejs) and run `make install`")
    ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
    web = serve.free_port()
    # The test reads trackers through the API.
    env = {**own_database(tmp_path_factory.mktemp("db")), serve.TOKEN_VARIABLE: TOKEN}
    site = widget_server.Site(ports.rasa)
    with serve.running(ports=ports, env=env) as servers, widget_server.serving(web, site, "127.0.0.1"):
        yield Page(f"http://127.0.0.1:{web}/", servers.base, env[storage.DB_URL_VARIABLE])


@dataclass(frozen=True)
class Page:
    url: str
    rasa: str
    database: str


def browse(scenario: str, url: str, tmp_path: Path, steps: list[dict] | None = None, **expect: object) -> str:
    """Runs one scenario; what it printed on stdout."""
    spec = {
        "scenario": scenario,
        "page": url,
        "artifacts": str(ARTIFACTS),
        "steps": steps or [],
        "expect": expect,
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
    done = subprocess.run(["node", str(SCRIPT), str(path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:] or done.stdout[-4000:]
    return done.stdout


def question(language: str, slot: str) -> str:
    return translator(language)(FACTS[slot].question)


def years_button(language: str) -> str:
    """The title of the "1–2 years ago" button, in the language (from the facts table)."""
    choice = next(c for c in FACTS["years_since_first_permit"].choices if c.value == YEARS)
    return translator(language)(choice.label)


def to_the_cards(language: str) -> list[dict]:
    """The REST conversation of ``language`` as a person does it in the widget: the widget
    greets for them, the consent is the button, the last answer a button too."""
    _ = translator(language)
    messages = CONVERSATIONS[language][0]
    years = '/inform{"years_since_first_permit": 1.5'
    years_at = next(i for i, m in enumerate(messages) if m.startswith(years))
    consent, facts, after = messages[1], messages[2:years_at], messages[years_at + 1 :]
    steps: list[dict] = (
        [{"click": _("Yes, let's start"), "expect": ""}]
        if language == "en"
        else [{"say": consent, "expect": ""}]
    )
    steps += [{"say": message, "expect": ""} for message in facts]
    steps[-1]["expect"] = question(language, "years_since_first_permit")
    steps.append({"click": years_button(language), "expect": ""})
    # Facts asked after the years (the municipality of residence, for temporary protection),
    # typed as the REST conversation types them.
    steps += [{"say": message, "expect": ""} for message in after]
    return steps


def welcome(language: str) -> str:
    return texts.welcome(translator(language))[0].text


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_conversation_to_the_cards(page, tmp_path, language):
    _ = translator(language)
    provider = CONVERSATIONS[language][2][1]
    browse(
        "conversation",
        f"{page.url}?lang={language}",
        tmp_path,
        to_the_cards(language),
        language=language,
        dir=direction(language),
        welcome=welcome(language),
        provider=provider,
        why_prefix=_("Why: {reason}").split("{reason}")[0].strip(),
        phone=language == "en",  # Koto-Espoo has a number on file; Espoo's employment services none
    )


def test_the_conversation_survives_a_reload(page, tmp_path):
    _ = translator("en")
    browse(
        "reload",
        f"{page.url}?lang=en",
        tmp_path,
        [{"click": _("Yes, let's start"), "expect": question("en", "permit_type")}],
        welcome=welcome("en"),
        draft="a draft I have not sent",
        # Answered after the reload: the server still knows the consent, so it asks the next fact.
        next={"say": "I have temporary protection", "expect": question("en", "municipality")},
    )


def test_a_lost_connection_loses_nothing(page, tmp_path):
    _ = translator("en")
    browse(
        "reconnect",
        f"{page.url}?lang=en",
        tmp_path,
        welcome=welcome("en"),
        reconnecting=_(LABELS["reconnecting"]).split("…")[0],
        say="yes",
        answer=question("en", "permit_type"),
    )


def test_typed_markup_is_shown_as_text(page, tmp_path):
    browse("markup", f"{page.url}?lang=en", tmp_path, welcome=welcome("en"))


def test_keyboard_only(page, tmp_path):
    _ = translator("en")
    browse(
        "keyboard",
        f"{page.url}?lang=en",
        tmp_path,
        welcome=welcome("en"),
        choice=_("Yes, let's start"),
        after_choice=question("en", "permit_type"),
    )


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_accessibility_violations(page, tmp_path, language):
    browse(
        "axe",
        f"{page.url}?lang={language}",
        tmp_path,
        to_the_cards(language),
        language=language,
        welcome=welcome(language),
    )


def test_the_language_menu(page, tmp_path):
    fi = translator("fi")
    browse(
        "language",
        f"{page.url}?lang=en",
        tmp_path,
        welcome=welcome("en"),
        language="fi",
        dir="ltr",
        first="en",
        send=fi("Send"),
        announcement=fi(
            "I will continue in {language}. You can change the language at any time.",
            language=native_name("fi"),
        ),
    )


def test_the_delete_button_asks_rasa_to_forget(page, tmp_path):
    _ = translator("en")
    shown = browse(
        "forget",
        f"{page.url}?lang=en",
        tmp_path,
        [{"click": _("Yes, let's start"), "expect": question("en", "permit_type")}],
        welcome=welcome("en"),
        deleted=_("Your conversation was deleted. You can start a new one at any time."),
        next={"say": "hello", "expect": welcome("en")},
    )
    ids = json.loads(shown.strip().splitlines()[-1])
    # In the database: no event of the old conversation, and one audit row (day, channel; no id).
    engine = sa.create_engine(page.database)
    with engine.connect() as connection:
        old_id = pseudonym("socketio", ids["old"])
        query = sa.text("SELECT type_name FROM events WHERE sender_id = :s")
        left = connection.execute(query, {"s": old_id}).scalars().all()
        audit = connection.execute(sa.text("SELECT channel, count FROM kotobotti_deletions")).all()
    engine.dispose()
    assert set(left) <= {"action", "session_started"}, "only what Rasa writes after the restart is stored"
    assert [tuple(row) for row in audit] == [("socketio", 1)]
    old = tracker(page.rasa, ids["old"], "socketio")
    # The tracker API shows what came after the last restart: nothing the person said.
    assert not [e for e in old["events"] if e["event"] == "user"], "Rasa still holds the old answers"
    assert old["slots"]["stage"] is None, "the old conversation still has its consent"
    assert tracker(page.rasa, ids["new"], "socketio")["slots"]["stage"] == "consent_pending"


def test_socketio_refuses_malformed_events_and_still_answers(page):
    """A client other than the widget: a clear error event for a malformed message, and a
    well-formed one still gets its answer (python-socketio's client, long polling)."""
    import asyncio

    import socketio

    async def talk() -> tuple[list, list]:
        client = socketio.AsyncClient()
        errors: list = []
        answers: list = []
        client.on("error", errors.append)
        client.on("bot_uttered", answers.append)
        confirmed = asyncio.Event()
        client.on("session_confirm", lambda _id: confirmed.set())
        await client.connect(page.rasa, transports=["polling"])
        session = "e2e-socketio-malformed"
        await client.emit("session_request", {"session_id": session})
        await asyncio.wait_for(confirmed.wait(), 30)
        for bad in (["hello"], {"message": ["x"], "session_id": session}, {"message": "hi", "session_id": 5}):
            await client.emit("user_uttered", bad)
        await client.emit(
            "user_uttered", {"message": "/greet", "session_id": session, "metadata": {"language": "fi"}}
        )
        for _ in range(600):
            if len(errors) >= 3 and answers:
                break
            await asyncio.sleep(0.1)
        await client.disconnect()
        return errors, answers

    errors, answers = asyncio.run(talk())
    assert len(errors) == 3 and all("error" in e for e in errors), errors
    assert answers[0]["text"] == welcome("fi") and answers[0]["metadata"] == {"language": "fi"}
