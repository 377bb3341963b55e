"""The web chat page on 8080 (contract §1): the demo municipal page, the widget, its texts.

A small standard-library HTTP server, started by ``kotobotti serve`` beside the two
Rasa processes. It serves a fixed list of paths and nothing else (no directory
listing, no path from the request ever reaches the file system):

- ``/``: the demo municipal page (``web/index.html``), its ``<html lang>`` from
  ``?lang=xx`` (the widget's first language hint);
- ``/widget.js``, ``/widget.css``, ``/demo.css``: the widget (and the page's style), built by
  ``make install`` into ``web/dist/``, the Rasa server's port written into the script;
- ``/i18n/<lang>.json``: the widget's texts in one language (``bot/widget_texts.py``).

Every answer carries security headers; the script, its style sheet and its texts may
be loaded by any page (a municipality's site), the demo page may be framed by none.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from bot.i18n import DEFAULT_LANGUAGE, LOCALES_DIR, languages, normalise_language
from bot.widget_texts import bundle, direction

WEB = LOCALES_DIR.parent / "web"
DIST = WEB / "dist"
BUILT = ("widget.js", "widget.css", "demo.css")
CONFIG_PLACEHOLDER = '"__KOTOBOTTI_CONFIG__"'
_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d+)?$")

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cache-Control": "no-cache",
}
# The widget's files are meant to be loaded by other sites' pages.
SHARED_HEADERS = {"Cross-Origin-Resource-Policy": "cross-origin", "Access-Control-Allow-Origin": "*"}


@dataclass(frozen=True)
class Site:
    """What the server needs to know: where Rasa's socket.io listens, as the browser sees it."""

    rasa_port: int
    rasa_url: str | None = None  # a full URL when Rasa is not on the page's host

    def config(self) -> dict[str, object]:
        return {"rasaPort": self.rasa_port, "rasaUrl": self.rasa_url}


def page(language: str, rasa_origins: str) -> tuple[bytes, dict[str, str]]:
    """The demo municipal page in ``language``, and its Content-Security-Policy."""
    texts = bundle(language)["page"]
    links = "\n".join(
        f'      <li><a href="/?lang={code}" hreflang="{code}" lang="{code}" dir="{direction(code)}">'
        f"{html.escape(item['name'])}</a></li>"
        for code, item in ((entry["code"], entry) for entry in bundle(language)["languages"])
    )
    values = {
        "lang": language,
        "dir": direction(language),
        **{key: html.escape(text) for key, text in texts.items()},
        "language_links": links,
    }
    body = (WEB / "index.html").read_text("utf-8")
    for key, value in values.items():
        body = body.replace("{{" + key + "}}", value)
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self' {rasa_origins}; frame-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    return body.encode("utf-8"), {"Content-Security-Policy": csp, "X-Frame-Options": "DENY"}


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD on the fixed paths; 404 for anything else, 405 for other methods."""

    site: Site  # set on the subclass made by ``server()``
    server_version = "kotobotti-widget"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: request lines would carry nothing useful and ``?lang`` needs no log."""

    def do_HEAD(self) -> None:  # http.server's naming
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _refuse(self) -> None:
        self._send(
            HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed\n", "text/plain", {"Allow": "GET, HEAD"}
        )

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse

    def _answer(self, head: bool) -> None:
        url = urlsplit(self.path)
        route = url.path
        if route == "/":
            asked = parse_qs(url.query).get("lang", [""])[0]
            language = normalise_language(asked) or DEFAULT_LANGUAGE
            body, headers = page(language, self._rasa_origins())
            self._send(HTTPStatus.OK, body, "text/html; charset=utf-8", headers, head)
        elif route == "/widget.js":
            script = (DIST / "widget.js").read_text("utf-8")
            script = script.replace(CONFIG_PLACEHOLDER, json.dumps(self.site.config()), 1)
            self._send(
                HTTPStatus.OK, script.encode("utf-8"), "text/javascript; charset=utf-8", SHARED_HEADERS, head
            )
        elif route in ("/widget.css", "/demo.css"):
            css = (DIST / route.lstrip("/")).read_bytes()
            self._send(HTTPStatus.OK, css, "text/css; charset=utf-8", SHARED_HEADERS, head)
        elif (match := re.fullmatch(r"/i18n/([a-z]{2})\.json", route)) and match[1] in languages():
            body = json.dumps(bundle(match[1]), ensure_ascii=False).encode("utf-8")
            self._send(HTTPStatus.OK, body, "application/json; charset=utf-8", SHARED_HEADERS, head)
        elif route == "/favicon.ico":  # browsers ask for it; the page has none
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", {}, head)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", {}, head)

    def _rasa_origins(self) -> str:
        """Where the page's widget may connect: Rasa on the host the browser used, or its URL."""
        if self.site.rasa_url:
            origin = urlsplit(self.site.rasa_url)
            socket = "wss" if origin.scheme == "https" else "ws"
            return f"{origin.scheme}://{origin.netloc} {socket}://{origin.netloc}"
        host = self.headers.get("Host", "localhost")
        if not _HOST.match(host):
            host = "localhost"
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return f"http://{name}:{self.site.rasa_port} ws://{name}:{self.site.rasa_port}"

    def _send(
        self, status: HTTPStatus, body: bytes, kind: str, headers: dict[str, str], head: bool = False
    ) -> None:
        self.send_response(status)
        for name, value in {**COMMON_HEADERS, "Content-Type": kind, **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


def server(port: int, site: Site, host: str = "") -> ThreadingHTTPServer:
    """The HTTP server, bound but not yet serving. Missing build: a clear error now."""
    for name in BUILT:
        if not (DIST / name).exists():
            raise FileNotFoundError(f"{DIST / name} is missing: run `make install` (it builds the widget)")
    handler = type("SiteHandler", (Handler,), {"site": site})
    httpd = ThreadingHTTPServer((host, port), handler)
    httpd.daemon_threads = True
    return httpd


@contextlib.contextmanager
def serving(port: int, site: Site, host: str = "") -> Iterator[ThreadingHTTPServer]:
    """The widget's server in a background thread until the block ends."""
    httpd = server(port, site, host)
    thread = threading.Thread(target=httpd.serve_forever, name="widget-server", daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
