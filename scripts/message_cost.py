"""What one typed message costs the understanding, before and after the sentence model.

"Before" is the lexicons alone (the model's meaning given as empty); "after" is what
the servers do now: the Rasa server embeds the message once and scores it
(``rasa_components/sentence_features.py``), and the action server reads the values
with those scores. Messages: the development set (tests/data/slots), every language.

Usage: .venv/bin/python scripts/message_cost.py   (about a minute; run it alone)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def messages() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "tests" / "data" / "slots").glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        found += [(data["language"], str(e["text"])) for e in data.get("examples") or []]
    return found


def timed(run, items) -> list[float]:
    times = []
    for item in items:
        started = time.perf_counter()
        run(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    from bot import embedding, semantic, understanding

    items = messages()
    semantic.warm()
    understanding.understand("warm up", "en")
    embed = timed(lambda m: embedding.embed_one(m[1]), items)
    meanings = {m: semantic.scores(embedding.embed_one(m[1])) for m in items}
    score = timed(lambda m: semantic.scores(embedding.embed_one(m[1])), items[:50])
    before = timed(lambda m: understanding.understand(understanding.Utterance(m[1], m[0], {}), m[0]), items)
    after = timed(
        lambda m: understanding.understand(understanding.Utterance(m[1], m[0], meanings[m]), m[0]), items
    )
    print(f"{len(items)} messages, 13 languages (tests/data/slots)")
    print(f"{'step':52} {'median ms':>10} {'p95 ms':>8}")
    for name, values in (
        ("embedding (Rasa server, once per typed message)", embed),
        ("embedding + scoring every fact (Rasa server)", score),
        ("reading the values, lexicons alone (before)", before),
        ("reading the values, lexicons + scores (after)", after),
    ):
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"{name:52} {statistics.median(values):>10.1f} {p95:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
