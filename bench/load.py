"""Conversations over the REST channel at a given concurrency: each message's latency.

A conversation is a list of steps: ``Say`` what a person types, or ``Tap`` a button of
the bot's last answer (found by its payload, as a client can only send payloads it was
offered). Every conversation ends with a check (``Script.reached``), so a run where the
assistant stopped reaching its answer fails instead of looking fast.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=180)


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Tap:
    """The button whose payload contains ``payload`` (e.g. ``'"permit_type": "work"'``)."""

    payload: str


Step = Say | Tap


@dataclass(frozen=True)
class Script:
    name: str
    language: str
    steps: tuple[Step, ...]
    # Whether the conversation reached what it is for, from all the bot's replies.
    reached: Callable[[list[dict]], bool]


class ConversationFailed(RuntimeError):
    """A conversation did not go where its script says (a button missing, no answer)."""


def _buttons(replies: list[dict]) -> list[dict]:
    return [b for reply in replies for b in reply.get("buttons") or []]


def message_for(step: Step, last: list[dict], script: str) -> str:
    """What the client sends for a step, given the bot's last replies."""
    if isinstance(step, Say):
        return step.text
    for button in _buttons(last):
        if step.payload in button.get("payload", ""):
            return button["payload"]
    offered = [b.get("payload") for b in _buttons(last)]
    raise ConversationFailed(f"{script}: no button with {step.payload!r} among {offered}")


async def converse(session: aiohttp.ClientSession, base: str, sender: str, script: Script) -> list[float]:
    """One whole conversation; the latency of each message in seconds."""
    url = f"{base}/webhooks/rest/webhook"
    latencies, everything, last = [], [], []
    for step in script.steps:
        body = {
            "sender": sender,
            "message": message_for(step, last, script.name),
            "metadata": {"language": script.language},
        }
        started = time.perf_counter()
        async with session.post(url, json=body) as response:
            if response.status != 200:
                raise ConversationFailed(f"{script.name}: HTTP {response.status}")
            last = await response.json()
        latencies.append(time.perf_counter() - started)
        everything += last
    if not script.reached(everything):
        raise ConversationFailed(f"{script.name}: did not reach its end ({len(everything)} replies)")
    return latencies


_senders = itertools.count()


async def one_round(
    base: str, scripts: Sequence[Script], concurrency: int, prefix: str, conversations: int | None = None
) -> tuple[list[float], float]:
    """``conversations`` whole conversations (default ``concurrency``; scripts taken in
    turn), ``concurrency`` of them at a time, each next one starting as one ends:
    latencies and wall seconds."""
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency + 5)

    async def one(i: int) -> list[float]:
        async with gate:
            return await converse(session, base, f"{prefix}-{next(_senders)}", scripts[i % len(scripts)])

    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:
        started = time.perf_counter()
        results = await asyncio.gather(*(one(i) for i in range(conversations or concurrency)))
        seconds = time.perf_counter() - started
    return [t for r in results for t in r], seconds


def run_round(
    base: str, scripts: Sequence[Script], concurrency: int, prefix: str, conversations: int | None = None
) -> tuple[list[float], float]:
    return asyncio.run(one_round(base, scripts, concurrency, prefix, conversations))


async def _first_answer(base: str, message: str, language: str, deadline: float) -> None:
    url = f"{base}/webhooks/rest/webhook"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        while time.monotonic() < deadline:
            body = {
                "sender": f"cold-{next(_senders)}",
                "message": message,
                "metadata": {"language": language},
            }
            try:
                async with session.post(url, json=body) as response:
                    if response.status == 200 and await response.json():
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError(f"{base} gave no answer in time")


def wait_first_answer(base: str, message: str, language: str, timeout: float = 600) -> None:
    """Returns when the server answers ``message`` with at least one reply (each try a new sender)."""
    asyncio.run(_first_answer(base, message, language, time.monotonic() + timeout))
