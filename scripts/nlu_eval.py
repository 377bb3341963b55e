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
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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


def read_facts(text: str, language: str, asked: str | None) -> dict[str, object]:
    """The facts the assistant takes from one message, as the form's validation reads it."""
    from bot.conversation import State, reading, translator

    state = State(slots={"requested_slot": asked, "language": language}, intent=None, text=text)
    heard = reading.read(state, translator(language))
    facts: dict[str, object] = dict(heard.values)
    if "age" in facts:
        facts["age"] = int(facts["age"])
    if heard.dont_know:
        facts["dont_know"] = True
    return facts


def value_accuracy(folder: Path) -> dict[str, dict]:
    """Per language: labelled facts understood, wrong values (a different value, or a
    fact the message does not state), and misses (asked again: safe but slower)."""
    by_language: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("*.yml")):  # a language may have several files
        data = yaml.safe_load(path.read_text("utf-8"))
        examples = data.get("messages") or data.get("examples") or []
        by_language.setdefault(data["language"], []).extend(examples)
    report = {}
    for language, examples in by_language.items():
        right = wrong = missed = total = 0
        errors = []
        for example in examples:
            if "facts" in example:
                expected = dict(example["facts"] or {})
            else:  # the development set labels the facts at the top level
                expected = {k: v for k, v in example.items() if k not in ("text", "asked")}
            got = read_facts(str(example["text"]), language, example.get("asked"))
            for slot, value in expected.items():
                total += 1
                if got.get(slot) == value:
                    right += 1
                elif slot in got:
                    wrong += 1
                    errors.append(("wrong", example["text"], slot, value, got[slot]))
                else:
                    missed += 1
                    errors.append(("missed", example["text"], slot, value, None))
            for slot in set(got) - set(expected):
                wrong += 1
                errors.append(("extra", example["text"], slot, None, got[slot]))
        report[language] = {
            "values": total,
            "accuracy": round(right / total, 3) if total else None,
            "wrong": round(wrong / total, 3) if total else None,
            "missed": round(missed / total, 3) if total else None,
            "errors": errors,
        }
    return report



def heldout_intents(model: Path, folder: Path) -> dict[str, dict]:
    """Intent accuracy on the held-out messages (tests/data/heldout/)."""
    test = {}
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        test[data["language"]] = [(str(m["text"]), m["intent"]) for m in data["messages"] if m.get("intent")]
    return intent_accuracy(model, test)


def print_development_set(dev: dict[str, dict]) -> int:
    """The development set's figures per language and every error, nothing held out."""
    for language, report in sorted(dev.items()):
        print(f"{language:4} values {report['accuracy']} wrong {report['wrong']} n {report['values']}")
    for language, report in sorted(dev.items()):
        for kind, text, slot, expected, got in report["errors"]:
            print(f"{language} {kind:6} {slot}: expected {expected!r}, got {got!r}: {text}")
    total = sum(r["values"] for r in dev.values())
    right = sum(r["accuracy"] * r["values"] for r in dev.values())
    wrong = sum(r["wrong"] * r["values"] for r in dev.values())
    print(f"all  values {right / total:.3f} wrong {wrong / total:.3f} n {total}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the full report (with errors) as JSON")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml", help="the NLU config to evaluate")
    parser.add_argument("--values-only", action="store_true", help="skip the intents (no training)")
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="the development set's values alone, with its errors (held-out set unseen)",
    )
    args = parser.parse_args()
    heldout = ROOT / "tests" / "data" / "heldout"
    if args.dev_only:
        return print_development_set(value_accuracy(ROOT / "tests" / "data" / "slots"))
    intents: dict[str, dict] = {}
    if not args.values_only:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            train, split = split_nlu(ROOT / "data" / "nlu")
            model = train_model(train, Path(tmp), args.config)
            print(f"NLU training on 80 %: {time.perf_counter() - started:.1f} s")
            dev_intents = intent_accuracy(model, split)
            (Path(tmp) / "full").mkdir()
            model_full = train_model(full_nlu(), Path(tmp) / "full", args.config)
            intents = heldout_intents(model_full, heldout)
        dev_n = sum(r["held_out"] for r in dev_intents.values())
        dev_accuracy = sum(r["accuracy"] * r["held_out"] for r in dev_intents.values()) / dev_n
        print(f"intents on the 20 % split of data/nlu (development): {dev_accuracy:.3f}")
    dev = value_accuracy(ROOT / "tests" / "data" / "slots")
    values = value_accuracy(heldout)
    print("held-out set (tests/data/heldout), and the development set (tests/data/slots)")
    header = ("language", "intent", "fallbk", "n", "values", "wrong", "n", "dev")
    widths = (7, 7, 4, 7, 6, 4, 6)
    print(f"{header[0]:8} " + " ".join(f"{h:>{w}}" for h, w in zip(header[1:], widths, strict=True)))
    for language in sorted(values):
        i, v, d = intents.get(language, {}), values[language], dev.get(language, {})
        print(
            f"{language:8} {i.get('accuracy', '-'):>7} {i.get('fallback', '-'):>7} "
            f"{i.get('held_out', '-'):>4} "
            f"{v['accuracy']:>7} {v['wrong']:>6} {v['values']:>4} {d.get('accuracy', '-'):>6}"
        )

    def pooled(reports: dict[str, dict], key: str, weight: str) -> float:
        total = sum(r[weight] for r in reports.values() if r.get(key) is not None)
        return sum(r[key] * r[weight] for r in reports.values() if r.get(key) is not None) / total

    n_values = sum(r["values"] for r in values.values())
    line = f"{'all':8} "
    if intents:
        n_int = sum(r["held_out"] for r in intents.values())
        line += f"{pooled(intents, 'accuracy', 'held_out'):>7.3f} "
        line += f"{pooled(intents, 'fallback', 'held_out'):>7.3f} "
        line += f"{n_int:>4} "
    else:
        line += f"{'-':>7} {'-':>7} {'-':>4} "
    line += f"{pooled(values, 'accuracy', 'values'):>7.3f} {pooled(values, 'wrong', 'values'):>6.3f} "
    line += f"{n_values:>4} "
    line += f"{pooled(dev, 'accuracy', 'values'):>6.3f}"
    print(line)
    if args.out:
        report = {"intents": intents, "values": values, "dev": dev}
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    return 0


def full_nlu() -> dict[str, list[dict]]:
    """Every language's NLU data, as the assistant is trained (for the held-out intents)."""
    train: dict[str, list[dict]] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        blocks = yaml.safe_load(path.read_text("utf-8"))["nlu"]
        train[path.stem] = [b for b in blocks if "intent" in b]
    return train


if __name__ == "__main__":
    sys.exit(main())
