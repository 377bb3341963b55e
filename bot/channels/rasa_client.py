"""The Rasa server's REST channel (contract §1) as seen from a bridge: one message in, replies out.

Only what cannot have reached the assistant is retried (the connection failed, or a
proxy answered 502/503/504): a message Rasa may already have handled is not sent twice.
When Rasa stays unreachable the caller gets ``RasaUnavailable`` and tells the person to
try again shortly. Nothing here logs a sender, a text or metadata.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import httpx

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/webhooks/rest/webhook"
RETRY_STATUSES = frozenset({502, 503, 504})


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, unreachable, timed out, or an error status)."""


class RasaRefused(RuntimeError):
    """Rasa answered 4xx: the bridge sent something the channel does not accept."""


class RasaClient:
    """An HTTP client for one Rasa server, shared by every chat."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 60.0,
        backoff: Sequence[float] = (0.5, 1.0, 2.0, 4.0),
    ) -> None:
        self.url = base_url.rstrip("/") + WEBHOOK_PATH
        self.backoff = tuple(backoff)
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=5.0))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, sender: str, message: str, metadata: dict[str, Any] | None = None) -> list[dict]:
        """The assistant's replies to one message."""
        body = {"sender": sender, "message": message, "metadata": metadata or {}}
        for attempt in range(len(self.backoff) + 1):
            try:
                response = await self._client.post(self.url, json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                problem = type(exc).__name__
            except httpx.HTTPError as exc:  # read timeout, broken connection: maybe handled
                raise RasaUnavailable(type(exc).__name__) from None
            else:
                if response.status_code in RETRY_STATUSES:
                    problem = f"HTTP {response.status_code}"
                elif 400 <= response.status_code < 500:
                    raise RasaRefused(f"HTTP {response.status_code}")
                elif response.status_code != 200:
                    raise RasaUnavailable(f"HTTP {response.status_code}")
                else:
                    try:
                        replies = response.json()
                    except ValueError:
                        raise RasaUnavailable("the answer is not JSON") from None
                    if not isinstance(replies, list):
                        raise RasaUnavailable("the answer is not a list")
                    return [r for r in replies if isinstance(r, dict)]
            if attempt < len(self.backoff):
                log.warning(
                    "Rasa not reachable (%s), retry %d in %.1f s", problem, attempt + 1, self.backoff[attempt]
                )
                await asyncio.sleep(self.backoff[attempt])
        raise RasaUnavailable(problem)
