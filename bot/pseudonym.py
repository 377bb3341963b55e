"""Channel ids (a Telegram chat id, ...) as pseudonyms, before they reach Rasa (contract §6).

A keyed hash (HMAC-SHA-256): the same chat always gets the same pseudonym, so its
conversation continues, but the pseudonym cannot be turned back into the chat id
without the key, and the tracker store, logs and reports never hold the real id. The
key is ``KOTOBOTTI_ID_SECRET`` or, when that is unset, a random key generated once into
``var/id_secret`` (readable by the owner only), so a restart keeps every pseudonym.
The storage issue defines the variable; this is the one place that reads it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

SECRET_VARIABLE = "KOTOBOTTI_ID_SECRET"
SECRET_FILE = Path(__file__).resolve().parent.parent / "var" / "id_secret"


@lru_cache(maxsize=4)
def _secret(from_env: str | None, path: Path) -> bytes:
    if from_env:
        return from_env.encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created exclusively with mode 0600: two processes starting together keep one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def secret() -> bytes:
    """The pseudonymisation key (environment first, else the generated file)."""
    return _secret(os.environ.get(SECRET_VARIABLE), SECRET_FILE)


def pseudonym(channel: str, raw_id: object) -> str:
    """``channel``'s id ``raw_id`` as a stable pseudonym: 32 hex digits, no way back without the key."""
    message = f"{channel}:{raw_id}".encode()
    return hmac.new(secret(), message, hashlib.sha256).hexdigest()[:32]
