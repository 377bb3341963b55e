"""A fake Telegram Bot API and a fake Rasa REST channel, real HTTP servers on free ports.

python-telegram-bot talks to ``FakeBotApi`` through its ``base_url``, so the real
library sends real requests (form-encoded, as to api.telegram.org); the fake records
every call, answers like Telegram, hands out queued updates to ``getUpdates``, and can
be told to fail a method (429 with ``retry_after``, 502) a number of times.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.channels.telegram import Bridge, Settings
from bot.channels.telegram_format import plain
from bot.serve import free_port

TOKEN = "123456:TEST-token"
BOT_ID = 999
BOT_USERNAME = "kotobotti_test_bot"
_JSON_PARAMS = {"reply_markup", "link_preview_options", "commands", "scope", "allowed_updates"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeBotApi:
    """Telegram's Bot API as far as the bridge uses it."""

    calls: list[Call] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    faults: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    port: int = 0
    _changed: asyncio.Condition | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _update_ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- what the test does ------------------------------------------------------------------
    async def push(self, update: dict) -> None:
        """Queue an update (its update_id is filled in)."""
        update = {"update_id": next(self._update_ids), **update}
        self.updates.append(update)
        await self._notify()

    def fail(self, method: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": f"fake failure {status}"}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
            body["description"] = f"Too Many Requests: retry after {retry_after}"
        self.faults.setdefault(method, []).extend([(status, body)] * times)

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """sendMessage calls that succeeded, optionally of one chat."""
        return [
            c.params
            for c in self.calls
            if c.method == "sendMessage"
            and c.params.get("_ok")
            and (chat_id is None or c.params["chat_id"] == chat_id)
        ]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 60) -> None:
        """Until ``condition()`` holds (checked after every call the bridge makes)."""
        assert self._changed is not None

        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(condition)

        await asyncio.wait_for(wait(), timeout)

    async def wait_sent(self, count: int, chat_id: int | None = None, timeout: float = 60) -> list[dict]:
        await self.wait_for(lambda: len(self.sent(chat_id)) >= count, timeout)
        return self.sent(chat_id)

    # -- the server ----------------------------------------------------------------------------
    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            params[key] = json.loads(value) if key in _JSON_PARAMS and isinstance(value, str) else value
        if "chat_id" in params:
            params["chat_id"] = int(params["chat_id"])
        call = Call(method, params)
        self.calls.append(call)
        try:
            faults = self.faults.get(method)
            if faults:
                status, body = faults.pop(0)
                return web.json_response(body, status=status)
            if method == "getUpdates":
                return await self._get_updates(params)
            params["_ok"] = True
            return web.json_response({"ok": True, "result": self._result(method, params)})
        finally:
            await self._notify()

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 2)
        while True:
            ready = [u for u in self.updates if u["update_id"] >= offset]
            if ready or time.monotonic() >= deadline:
                return web.json_response({"ok": True, "result": ready[:100]})
            assert self._changed is not None
            async with self._changed:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), max(0.01, deadline - time.monotonic()))

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        me = {"id": BOT_ID, "is_bot": True, "first_name": "Kotobotti", "username": BOT_USERNAME}
        if method == "getMe":
            return {
                **me,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method in ("sendMessage", "editMessageText"):
            message_id = int(params["message_id"]) if method == "editMessageText" else next(self._ids)
            message = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": params["chat_id"], "type": "private"},
                "from": me,
                "text": plain(params.get("text", "")),
            }
            if isinstance(params.get("reply_markup"), dict):
                message["reply_markup"] = params["reply_markup"]
            params["message"] = message
            return message
        return True

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeBotApi]:
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        runner = web.AppRunner(app)
        await runner.setup()
        self.port = free_port()
        site = web.TCPSite(runner, "127.0.0.1", self.port)
        await site.start()
        try:
            yield self
        finally:
            await runner.cleanup()


Brain = Callable[[dict[str, Any]], Awaitable[list[dict] | tuple[int, Any]]]


@dataclass
class FakeRasa:
    """Rasa's REST channel: records each request and answers with ``brain(request)``."""

    brain: Brain
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        answer = await self.brain(body)
        if isinstance(answer, tuple):
            return web.json_response(answer[1], status=answer[0])
        return web.json_response(answer)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeRasa]:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._handle)
        runner = web.AppRunner(app)
        await runner.setup()
        self.port = free_port()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        try:
            yield self
        finally:
            await runner.cleanup()


def bridge_for(api: FakeBotApi, rasa_url: str, **settings: Any) -> Bridge:
    """The real bridge, pointed at the fakes, with short backoffs (the waits are not the test)."""
    return Bridge(
        Settings(token=TOKEN, rasa_url=rasa_url, api_url=f"{api.url}/bot", **settings),
        rasa_backoff=(0.01, 0.02),
        send_backoff=(0.01, 0.02, 0.04),
    )


# -- updates as Telegram sends them ----------------------------------------------------------------
def _user(chat_id: int, language: str | None) -> dict:
    user = {
        "id": chat_id,
        "is_bot": False,
        "first_name": "Ann",
        "last_name": "Example",
        "username": "ann_example",
    }
    if language:
        user["language_code"] = language
    return user


def _message(chat_id: int, language: str | None, chat_type: str = "private", **content: Any) -> dict:
    chat = {"id": chat_id, "type": chat_type}
    chat.update({"first_name": "Ann"} if chat_type == "private" else {"title": "Neighbours"})
    return {
        "message_id": 10_000 + abs(chat_id) % 1000,
        "date": int(time.time()),
        "chat": chat,
        "from": _user(abs(chat_id), language),
        **content,
    }


def text(chat_id: int, words: str, language: str | None = "en", chat_type: str = "private") -> dict:
    content: dict[str, Any] = {"text": words}
    if words.startswith("/"):
        command = words.split()[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": _message(chat_id, language, chat_type, **content)}


def content(chat_id: int, kind: str, language: str | None = "en") -> dict:
    """A message that is not text: sticker, photo, voice, document, location."""
    file = {"file_id": "f1", "file_unique_id": "u1"}
    bodies = {
        "sticker": {
            "sticker": {
                **file,
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        "photo": {"photo": [{**file, "width": 90, "height": 90}]},
        "voice": {"voice": {**file, "duration": 3}},
        "document": {"document": {**file, "file_name": "passport.pdf"}},
        "location": {"location": {"latitude": 60.17, "longitude": 24.94}},
    }
    return {"message": _message(chat_id, language, **bodies[kind])}


def edited(chat_id: int, words: str, language: str | None = "en") -> dict:
    return {"edited_message": {**_message(chat_id, language, text=words), "edit_date": int(time.time())}}


def tap(chat_id: int, sent: dict, data: str, language: str | None = "en") -> dict:
    """A tap on button ``data`` of the message the bridge sent (``sent`` is its sendMessage)."""
    return {
        "callback_query": {
            "id": f"cb{time.monotonic_ns()}",
            "from": _user(chat_id, language),
            "chat_instance": "ci",
            "data": data,
            "message": sent["message"],
        }
    }


def buttons(sent: dict) -> list[tuple[str, str]]:
    """(title, callback data) of a sent message's inline keyboard."""
    rows = (sent.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(b["text"], b["callback_data"]) for row in rows for b in row]
