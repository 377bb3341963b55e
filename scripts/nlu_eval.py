"""NLU evaluation on held-out examples: intent accuracy and slot accuracy per language.

Intents: every language's examples are split per intent, 80 % to train and 20 % held
out (fixed seed); an NLU model is trained on the 80 % with the project's config.yml and
asked for the held-out 20 %.
Slots: tests/data/slots/<lang>.yml are messages written apart from the training data
and the lexicons, each labelled with the facts it states; bot.understanding (the code
the form uses) reads them, and every labelled value counts once.

Usage: .venv/bin/python scripts/nlu_eval.py [--out report.json]   (about a minute)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import understanding  # noqa: E402

HELD_OUT = 0.2
SEED = 20251


def split_nlu(folder: Path) -> tuple[dict[str, list[dict]], dict[str, list[tuple[str, str]]]]:
    """language -> training blocks (Rasa YAML nlu entries), language -> held-out (text, intent)."""
    rng = random.Random(SEED)
    train: dict[str, list[dict]] = {}
    test: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        language = path.stem
        blocks = yaml.safe_load(path.read_text("utf-8"))["nlu"]
        train[language], test[language] = [], []
        for block in blocks:
            if "intent" not in block:
                continue
            examples = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
            rng.shuffle(examples)
            cut = max(1, int(len(examples) * HELD_OUT))
            held, kept = examples[:cut], examples[cut:]
            train[language].append({"intent": block["intent"], "examples": "".join(f"- {e}\n" for e in kept)})
            test[language] += [(_plain(e), block["intent"]) for e in held]
    return train, test


def _plain(example: str) -> str:
    """An annotated example as typed: "[suomeksi]{...}" -> "suomeksi"."""
    import re

    return re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", example)


def train_model(train: dict[str, list[dict]], folder: Path, config: Path) -> Path:
    data = folder / "data"
    data.mkdir()
    for language, blocks in train.items():
        (data / f"{language}.yml").write_text(
            yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False), "utf-8"
        )
    out = folder / "models"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(data),
            "--out",
            str(out),
            "--fixed-model-name",
            "eval",
            "--quiet",
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return out / "eval.tar.gz"


async def predict(model: Path, texts: list[str]) -> list[tuple[str, str]]:
    """(what the assistant acts on, the classifier's best intent) for each text; the
    first is ``nlu_fallback`` when the classifier is unsure."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [i["name"] for i in parsed.get("intent_ranking", []) if i["name"] != "nlu_fallback"]
        results.append((parsed["intent"]["name"], ranking[0] if ranking else parsed["intent"]["name"]))
    return results


def intent_accuracy(model: Path, test: dict[str, list[tuple[str, str]]]) -> dict[str, dict]:
    """Per language: the classifier's accuracy, how often the assistant falls back
    (asks again instead of acting), and how often it acts on a wrong intent."""
    report = {}
    for language, pairs in sorted(test.items()):
        predicted = asyncio.run(predict(model, [t for t, _ in pairs]))
        n = len(pairs)
        right = sum(best == e for (_, best), (_, e) in zip(predicted, pairs, strict=True))
        fallback = sum(acted == "nlu_fallback" for acted, _ in predicted)
        wrong = sum(
            acted not in (e, "nlu_fallback") for (acted, _), (_, e) in zip(predicted, pairs, strict=True)
        )
        errors = [(t, e, best) for (_, best), (t, e) in zip(predicted, pairs, strict=True) if best != e]
        report[language] = {
            "held_out": n,
            "accuracy": round(right / n, 3),
            "fallback": round(fallback / n, 3),
            "acted_wrongly": round(wrong / n, 3),
            "errors": errors,
        }
    return report


def slot_accuracy() -> dict[str, dict]:
    report = {}
    for path in sorted((ROOT / "tests" / "data" / "slots").glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        language = data["language"]
        per_slot: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        misses = []
        for example in data["examples"]:
            heard = understanding.understand(str(example["text"]), language)
            got = {
                "permit_type": heard.permit_type,
                "municipality": heard.municipality,
                "age": heard.age,
                "employment_status": heard.employment_status,
            }
            for slot in got:
                if slot in example:
                    per_slot[slot][1] += 1
                    if got[slot] == example[slot]:
                        per_slot[slot][0] += 1
                    else:
                        misses.append((example["text"], slot, example[slot], got[slot]))
        right = sum(c for c, _ in per_slot.values())
        total = sum(n for _, n in per_slot.values())
        report[language] = {
            "values": total,
            "accuracy": round(right / total, 3) if total else None,
            "per_slot": {s: round(c / n, 3) for s, (c, n) in sorted(per_slot.items())},
            "errors": misses,
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the full report (with errors) as JSON")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml", help="the NLU config to evaluate")
    args = parser.parse_args()
    train, test = split_nlu(ROOT / "data" / "nlu")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        model = train_model(train, Path(tmp), args.config)
        print(f"NLU training on 80 %: {time.perf_counter() - started:.1f} s")
        intents = intent_accuracy(model, test)
    slots = slot_accuracy()
    print(f"{'language':8} {'intent':>7} {'fallbk':>7} {'wrong':>7} {'n':>4} {'slots':>7} {'n':>4}")
    for language in sorted(set(intents) | set(slots)):
        i, s = intents.get(language, {}), slots.get(language, {})
        print(
            f"{language:8} {i.get('accuracy', '-'):>7} {i.get('fallback', '-'):>7} "
            f"{i.get('acted_wrongly', '-'):>7} {i.get('held_out', '-'):>4} "
            f"{s.get('accuracy', '-'):>7} {s.get('values', '-'):>4}"
        )

    def pooled(reports: dict[str, dict], key: str, weight: str) -> float:
        total = sum(r[weight] for r in reports.values() if r.get(key) is not None)
        return sum(r[key] * r[weight] for r in reports.values() if r.get(key) is not None) / total

    n_intents = sum(r["held_out"] for r in intents.values())
    n_slots = sum(r["values"] for r in slots.values())
    acc, fallback = pooled(intents, "accuracy", "held_out"), pooled(intents, "fallback", "held_out")
    wrong, slot_acc = pooled(intents, "acted_wrongly", "held_out"), pooled(slots, "accuracy", "values")
    print(f"{'all':8} {acc:>7.3f} {fallback:>7.3f} {wrong:>7.3f} {n_intents:>4}", end=" ")
    print(f"{slot_acc:>7.3f} {n_slots:>4}")
    if args.out:
        args.out.write_text(json.dumps({"intents": intents, "slots": slots}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
