"""End to end: the curated bad input (tests/bad_inputs.py) through REST, socket.io and the
Telegram bridge, against the real Rasa and action servers.

Each entry is typed in a conversation of its own that has reached the age question, in
the entry's language. Every one must get a reply in that language (the channel's own
"empty" or "too long" where the entry says so), never a 5xx or an error event; the turn
ends listening without Rasa's loop breaker; and afterwards no slot of contract §2 holds
a value the contract does not allow (the tracker, read through the HTTP API). The
servers' log must hold no traceback at the end.

Marked slow: it starts Rasa (about half a minute). `make test` runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import serve
from bot.channels import telegram_format as fmt
from bot.channels import texts as channel_texts
from bot.facts import FACTS
from bot.i18n import languages, translator
from bot.pseudonym import pseudonym
from tests.bad_inputs import (
    BAD,
    EMPTY,
    REST_RAW,
    SOCKET_ONLY,
    Bad,
    contract_problems,
    loop_problems,
    rest_body,
    written_in,
)
from tests.e2e.conftest import TOKEN, own_database, tracker
from tests.telegram_fakes import FakeBotApi, bridge_for, buttons, tap, text

pytestmark = pytest.mark.slow

# Up to the age question: every fact before it given as a button would give it.
TO_THE_AGE_QUESTION = ("/greet", "/affirm", '/inform{"permit_type": "work", "municipality": "Espoo"}')


@dataclass(frozen=True)
class Up:
    base: str
    log: Path


@pytest.fixture(scope="module")
def up(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-input")
    ports = serve.Ports(rasa=serve.free_port(), actions=serve.free_port())
    env = {**own_database(folder), serve.TOKEN_VARIABLE: TOKEN}
    with serve.running(ports=ports, env=env, log=folder / "servers.log") as servers:
        yield Up(servers.base, folder / "servers.log")


def post(base: str, body: bytes) -> tuple[int, Any]:
    """One REST request: (status, the JSON answer, or the raw text if it is not JSON)."""
    request = urllib.request.Request(
        f"{base}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def rest(base: str, sender: str, message: str, language: str | None = None) -> list[dict]:
    body = {"sender": sender, "message": message, "metadata": {"language": language} if language else {}}
    status, replies = post(base, json.dumps(body).encode())
    assert status == 200, (status, replies)
    return replies


def user_turns(events: list[dict]) -> int:
    return sum(e["event"] == "user" for e in events)


def check_after(base: str, sender: str, channel: str, bad: Bad, said: list[str]) -> None:
    """What must hold after ``bad`` was answered with ``said`` (the reply texts)."""
    state = tracker(base, sender, channel)
    slots = state["slots"]
    assert said, f"{bad}: no reply"
    assert not contract_problems(slots), f"{bad}: {contract_problems(slots)}"
    assert not loop_problems(state["events"]), f"{bad}: {loop_problems(state['events'])}"
    for slot, value in bad.expect.items():
        assert slots[slot] == value, f"{bad}: {slot} is {slots[slot]!r}, not {value!r}"
    language = bad.expect.get("language", bad.language)
    assert slots["language"] == language, f"{bad}: the conversation switched to {slots['language']}"
    for words in said:
        assert written_in(words, language), f"{bad}: not in {language}: {words[:200]!r}"
    trouble = translator(language)(channel_texts.TRY_AGAIN)
    assert trouble not in said, f"{bad}: the assistant failed (the channel said to try again)"
    if bad.answer:
        assert said == [translator(language)(bad.answer)], f"{bad}: {said}"


# -- REST ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", BAD, ids=str)
def test_rest(up, bad):
    sender = f"bad-rest-{bad.id}"
    for message in TO_THE_AGE_QUESTION:
        rest(up.base, sender, message, bad.language)
    assert tracker(up.base, sender)["slots"]["requested_slot"] == "age"
    replies = rest(up.base, sender, bad.text)
    assert all(r["recipient_id"] == sender for r in replies)
    check_after(up.base, sender, "rest", bad, [r["text"] for r in replies if r.get("text")])


@pytest.mark.parametrize("name, body, status", REST_RAW, ids=[r[0] for r in REST_RAW])
def test_rest_bodies_json_cannot_describe(up, name, body, status):
    """Lone surrogates escaped in JSON, bytes that are not UTF-8, nesting deeper than any
    parser's stack, NaN, a byte-order mark, UTF-16: a reply or a 400 with its reason."""
    sender = f"bad-raw-{name}"
    got, answer = post(up.base, rest_body(body, sender))
    assert got == status, (got, answer)
    if status != 200:
        assert answer["error"] == "bad_request" and answer["message"], answer
        return
    assert answer and all(r.get("text") for r in answer), answer
    slots = tracker(up.base, sender)["slots"]
    assert not contract_problems(slots) and slots["language"], slots


# -- socket.io ---------------------------------------------------------------------------------------
class Socket:
    """python-socketio's client in one widget conversation (its own session id)."""

    def __init__(self, base: str) -> None:
        import socketio

        self.base = base
        self.client = socketio.AsyncClient()
        self.answers: list[dict] = []
        self.errors: list[Any] = []
        self.session = f"badsock{uuid.uuid4().hex}"
        self.client.on("bot_uttered", self.answers.append)
        self.client.on("error", self.errors.append)

    async def __aenter__(self) -> Socket:
        confirmed = asyncio.Event()
        self.client.on("session_confirm", lambda _id: confirmed.set())
        await self.client.connect(self.base, transports=["polling"])  # the widget uses websocket
        await self.client.emit("session_request", {"session_id": self.session})
        await asyncio.wait_for(confirmed.wait(), 30)
        return self

    async def __aexit__(self, *exc: object) -> None:
        # Long polling: a clean disconnect waits for the pending poll (25 s); not needed here.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.client.disconnect(), 1)
        http = getattr(self.client.eio, "http", None)
        if http is not None and not http.closed:
            await http.close()

    async def _events(self) -> list[dict]:
        def read() -> list[dict]:
            try:
                return tracker(self.base, self.session, "socketio")["events"]
            except urllib.error.HTTPError:
                return []

        return await asyncio.to_thread(read)

    async def say(self, message: Any, language: str, reaches_rasa: bool = True) -> list[dict]:
        """Send one message; the answers to it, once the assistant has finished its turn."""
        before, turns = len(self.answers), user_turns(await self._events())
        data = {"message": message, "session_id": self.session, "metadata": {"language": language}}
        await self.client.emit("user_uttered", data)
        for _ in range(1200):
            assert not self.errors, self.errors
            if reaches_rasa:
                events = await self._events()
                if user_turns(events) > turns and events[-1].get("name") == "action_listen":
                    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
                    expected = sum(e["event"] == "bot" for e in events[last_user:])
                    if len(self.answers) - before >= expected:
                        return self.answers[before:]
            elif len(self.answers) > before:
                await asyncio.sleep(0.2)  # anything more would be one answer too many
                return self.answers[before:]
            await asyncio.sleep(0.05)
        raise AssertionError("no answer within a minute")


async def socket_turn(base: str, message: Any, language: str, reaches_rasa: bool) -> tuple[str, list[dict]]:
    """A new widget conversation to the age question, then ``message``: its answers."""
    async with Socket(base) as socket:
        for setup in TO_THE_AGE_QUESTION:
            await socket.say(setup, language)
        return socket.session, await socket.say(message, language, reaches_rasa)


def test_socketio(up):
    """Every entry, and what only a socket carries (a binary attachment, read as UTF-8
    with U+FFFD for what is not; lone surrogates, U+FFFD), each in a widget conversation
    of its own, six at a time; every problem reported with its entry."""
    failures: dict[str, str] = {}
    entries = [(bad, bad.text) for bad in BAD] + [
        (Bad(name, "", answer=EMPTY if message in (b"", "") else None), message)
        for name, message in SOCKET_ONLY
    ]

    async def one(bad: Bad, message: Any, limit: asyncio.Semaphore) -> None:
        async with limit:
            try:
                session, answers = await socket_turn(up.base, message, bad.language, bad.answer is None)
                language = bad.expect.get("language", bad.language)
                tags = {a.get("metadata", {}).get("language") for a in answers if a.get("text")}
                assert tags <= {language}, f"{bad}: messages tagged {tags}"
                said = [a["text"] for a in answers if a.get("text")]
                await asyncio.to_thread(check_after, up.base, session, "socketio", bad, said)
            except AssertionError as failed:
                failures[bad.id] = str(failed)

    async def main() -> None:
        limit = asyncio.Semaphore(6)
        await asyncio.gather(*(one(bad, message, limit) for bad, message in entries))

    asyncio.run(main())
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())


def test_socketio_invalid_utf8_in_the_transport_is_refused_and_the_server_goes_on(up):
    """Bytes that are not UTF-8 in an engine.io long-polling packet (what a broken client or
    proxy sends): never a 5xx (engine.io drops the packet, and the log says so in one
    line: the last test checks there is no traceback), and the server answers on."""
    base = f"{up.base}/socket.io/?EIO=4&transport=polling"
    with urllib.request.urlopen(base, timeout=30) as response:
        handshake = response.read().decode()
    sid = json.loads(handshake[handshake.index("{") :])["sid"]
    url = f"{base}&sid={sid}"
    for packet in (b"40", b'42["user_uttered",{"message":"\xff\xfe\xc3\x28"}]', b"4\xff\xfe", b"\xc0\xaf"):
        request = urllib.request.Request(url, packet, {"Content-Type": "text/plain;charset=UTF-8"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status < 500, (packet, status)
    session, answers = asyncio.run(socket_turn(up.base, "34", "fi", reaches_rasa=True))
    assert answers and tracker(up.base, session, "socketio")["slots"]["age"] == 34.0


# -- Telegram ------------------------------------------------------------------------------------------
def shown(message: dict) -> str:
    """A message the bridge sent, as the person reads it (its HTML as text)."""
    return html.unescape(fmt.plain(message["text"]))


async def waiting(api: FakeBotApi, chat: int, slot: str) -> None:
    """Until the bridge has sent the question for ``slot`` to ``chat``."""
    question = {translator(code)(FACTS[slot].question) for code in languages()}
    await api.wait_for(lambda: any(shown(m) in question for m in api.sent(chat)), timeout=120)


def test_telegram(up):
    """Every entry in a chat of its own, all chats at once (the bridge handles chats in
    parallel, and the checks are the same)."""
    failures: dict[str, str] = {}

    async def one(api: FakeBotApi, chat: int, bad: Bad, limit: asyncio.Semaphore) -> None:
        async with limit:
            await api.push(text(chat, "/start", bad.language))
            await api.wait_for(lambda: any(buttons(m) for m in api.sent(chat)), timeout=120)
            consent = next(m for m in api.sent(chat) if buttons(m))
            await api.push(tap(chat, consent, "/affirm", bad.language))
            await waiting(api, chat, "permit_type")
            await api.push(text(chat, TO_THE_AGE_QUESTION[2], bad.language))
            await waiting(api, chat, "age")
            # The bridge talks to Rasa's REST channel as the chat's pseudonym.
            sender = pseudonym("telegram", chat)
            turns = user_turns(await asyncio.to_thread(lambda: tracker(up.base, sender)["events"]))
            before = len(api.sent(chat))
            await api.push(text(chat, bad.text, bad.language))
            await api.wait_sent(before + 1, chat, timeout=120)
            if bad.answer is None:
                for _ in range(1200):
                    events = await asyncio.to_thread(lambda: tracker(up.base, sender)["events"])
                    if user_turns(events) > turns and events[-1].get("name") == "action_listen":
                        break
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # the rest of this turn's messages
            said = [shown(m) for m in api.sent(chat)[before:]]
            if bad.text == "":  # Telegram sends no empty text; an update without one is "text only"
                bad = Bad(bad.id, "", bad.language, answer=channel_texts.TEXT_ONLY)
            try:
                await asyncio.to_thread(check_after, up.base, sender, "rest", bad, said)
            except AssertionError as failed:
                failures[bad.id] = str(failed)

    async def main() -> None:
        async with FakeBotApi().running() as api, bridge_for(api, up.base).serving(poll_timeout=1):
            limit = asyncio.Semaphore(6)
            first = 7000 + uuid.uuid4().int % 10**9  # chats no earlier run has used
            await asyncio.gather(*(one(api, first + i, bad, limit) for i, bad in enumerate(BAD)))

    asyncio.run(main())
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())


# -- and nothing crashed ------------------------------------------------------------------------------
def test_the_servers_logged_no_traceback(up):
    """Runs last in this module: whatever the entries above did, neither server failed."""
    log = up.log.read_text("utf-8", errors="replace")
    assert "Traceback" not in log, log[log.index("Traceback") - 2000 : log.index("Traceback") + 3000]
