"""What scrubbing one message for the opt-in log costs, and how much it replaces.

Only messages not understood, after the person's yes, are scrubbed (``bot/scrub.py``,
in the action server), so this is not on every message's path. Messages: the
development set (``tests/data/slots``, 13 languages). The first call collects the known
words (seconds) or reads them from ``var/cache/``: both are timed.

Usage: .venv/bin/python scripts/scrub_cost.py   (under a minute; run it alone)
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.message_cost import messages, timed  # noqa: E402


def main() -> int:
    from bot import scrub

    started = time.perf_counter()
    scrub.known_words()
    first = time.perf_counter() - started
    items = messages()
    scrub.scrub("warm up Voikko and the registry: Espoossa")
    times = timed(lambda m: scrub.scrub(m[1]), items)
    replaced: Counter[str] = Counter()
    for _, text in items:
        kept = scrub.scrub(text)
        for placeholder in scrub.PLACEHOLDERS:
            replaced[placeholder] += kept.count(placeholder)
    print(f"{len(items)} messages, 13 languages (tests/data/slots)")
    print(f"known words: {len(scrub.known_words())}, ready in {first:.2f} s (cached in var/cache/)")
    print(
        f"scrub per message: median {statistics.median(times):.2f} ms, "
        f"p95 {statistics.quantiles(times, n=20)[18]:.2f} ms, max {max(times):.1f} ms"
    )
    print("placeholders written: " + ", ".join(f"{p} {n}" for p, n in replaced.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
