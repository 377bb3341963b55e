"""What a sentence means, by the sentence model: one small classifier per kind of fact.

The lexicons (``bot/lexicon/``) know exact words; they cannot follow negation ("I never
signed up with the employment services"), paraphrase or word order. Here each kind of
fact (permit type, work situation, yes/no/"I don't know", each optional fact) has a
logistic regression over the sentence model's vectors, trained on the example
sentences of ``bot/meanings/<lang>.yml``, with a ``none`` class for sentences that say
nothing about it. ``bot/understanding.py`` combines these probabilities with the
lexicons; this module only scores.

Training takes seconds and is cached under ``var/cache/`` keyed by the examples and the
model, so a server starts without re-embedding thousands of sentences.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot import embedding
from bot.facts import EMPLOYMENT_STATUSES, PERMIT_TYPES, YES_NO_FACTS

NONE = "none"
# The section of a meanings file whose sentences state several facts at once.
COMBINED = "combined"
ANSWER_VALUES = ("yes", "no", "dont_know")
# Each kind of fact the model reads, and the values it may give.
ATTRIBUTES: dict[str, tuple[Any, ...]] = {
    "permit_type": PERMIT_TYPES,
    "employment_status": EMPLOYMENT_STATUSES,
    "answer": ANSWER_VALUES,
    **{fact: (True, False) for fact in YES_NO_FACTS},
}
ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(os.environ.get("KOTOBOTTI_CACHE_DIR", ROOT / "var" / "cache"))
# Regularisation of the classifiers (sklearn's C), chosen on tests/data/slots (the
# development set), never on the held-out set.
REGULARISATION = 10.0


class MeaningsError(ValueError):
    """A meanings file names a fact or value that does not exist, or a non-text example."""


@dataclass(frozen=True)
class Example:
    """One sentence and every fact it states: ``facts`` maps an attribute to its value.

    A sentence says nothing (``none``) about every attribute it does not name, so
    "I came to my husband, he has refugee status" can teach the permit reader
    ``family`` and the family-tie reader ``True`` at once, without telling either the
    opposite.
    """

    facts: tuple[tuple[str, Any], ...]
    text: str
    language: str

    def label(self, attribute: str) -> Any:
        return dict(self.facts).get(attribute, NONE)


def _checked(language: str, attribute: str, value: Any) -> None:
    if attribute not in ATTRIBUTES:
        raise MeaningsError(f"{language}.yml: unknown fact {attribute!r}; known: {', '.join(ATTRIBUTES)}")
    if value not in ATTRIBUTES[attribute]:
        raise MeaningsError(f"{language}.yml: {attribute} has no value {value!r}")


def _sentence(language: str, text: Any, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise MeaningsError(f"{language}.yml: {where}: {text!r} is not a sentence")
    return text.strip()


def parse_meanings(language: str, data: dict[str, Any]) -> list[Example]:
    """The examples of one language's file, checked: unknown names are errors, not skips.

    ``<attribute>: {<value>: [sentences]}`` states one fact per sentence; ``combined:``
    is a list of ``{text: ..., facts: {attribute: value, ...}}`` for sentences that state
    several; ``none:`` lists sentences that state no fact at all.
    """
    examples: list[Example] = []
    for attribute, block in data.items():
        if attribute == "language":
            if block != language:
                raise MeaningsError(f"{language}.yml says language {block!r}")
        elif attribute == NONE:
            examples += [Example((), _sentence(language, t, NONE), language) for t in block or []]
        elif attribute == COMBINED:
            for item in block or []:
                if not isinstance(item, dict) or not isinstance(item.get("facts"), dict) or not item["facts"]:
                    raise MeaningsError(f"{language}.yml: {COMBINED}: {item!r} needs text and facts")
                for name, value in item["facts"].items():
                    _checked(language, name, value)
                text = _sentence(language, item.get("text"), COMBINED)
                examples.append(Example(tuple(item["facts"].items()), text, language))
        elif attribute in ATTRIBUTES and isinstance(block, dict):
            for value, texts in block.items():
                _checked(language, attribute, value)
                where = f"{attribute}.{value}"
                facts = ((attribute, value),)
                examples += [Example(facts, _sentence(language, t, where), language) for t in texts or []]
        else:
            raise MeaningsError(f"{language}.yml: unknown fact {attribute!r}; known: {', '.join(ATTRIBUTES)}")
    return examples


def load_examples() -> list[Example]:
    folder = resources.files("bot.meanings")
    examples: list[Example] = []
    for f in sorted(folder.iterdir(), key=lambda p: p.name):
        if f.name.endswith(".yml"):
            examples += parse_meanings(f.name[:-4], yaml.safe_load(f.read_text("utf-8")) or {})
    return examples


@dataclass(frozen=True)
class Classifier:
    """A softmax over ``classes`` (the values and ``none``): probabilities = softmax(W x + b)."""

    classes: tuple[Any, ...]
    weights: np.ndarray
    bias: np.ndarray

    def probabilities(self, vector: np.ndarray) -> dict[Any, float]:
        logits = self.weights @ vector + self.bias
        logits = np.exp(logits - logits.max())
        probs = logits / logits.sum()
        return {c: float(p) for c, p in zip(self.classes, probs, strict=True)}


def _train(vectors: np.ndarray, labels: list[Any]) -> Classifier:
    from sklearn.linear_model import LogisticRegression

    names = [json.dumps(label) for label in labels]  # True, "yes" and "none" stay apart
    model = LogisticRegression(C=REGULARISATION, max_iter=3000, class_weight="balanced")
    model.fit(vectors, names)
    classes = tuple(json.loads(c) for c in model.classes_)
    return Classifier(classes, model.coef_.astype(np.float32), model.intercept_.astype(np.float32))


def _fingerprint(examples: list[Example]) -> str:
    digest = hashlib.sha256(f"{embedding.MODEL_SHA256}|{REGULARISATION}".encode())
    for e in examples:
        digest.update(f"{e.facts!r}|{e.text}\n".encode())
    return digest.hexdigest()[:16]


def train(examples: list[Example]) -> dict[str, Classifier]:
    """One classifier per attribute; the other attributes' examples are its ``none``."""
    vectors = embedding.embed_training([e.text for e in examples], CACHE_DIR)
    classifiers = {}
    for attribute in ATTRIBUTES:
        labels = [e.label(attribute) for e in examples]
        classifiers[attribute] = _train(vectors, labels)
    return classifiers


def _save(path: Path, classifiers: dict[str, Classifier]) -> None:
    arrays: dict[str, np.ndarray] = {}
    for name, c in classifiers.items():
        arrays[f"{name}.weights"], arrays[f"{name}.bias"] = c.weights, c.bias
        arrays[f"{name}.classes"] = np.array([json.dumps(x) for x in c.classes])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def _load(path: Path) -> dict[str, Classifier]:
    with np.load(path) as data:
        return {
            name: Classifier(
                tuple(json.loads(x) for x in data[f"{name}.classes"]),
                data[f"{name}.weights"],
                data[f"{name}.bias"],
            )
            for name in ATTRIBUTES
        }


@lru_cache(maxsize=1)
def classifiers() -> dict[str, Classifier]:
    """The trained classifiers, from the cache when the examples and model are unchanged."""
    examples = load_examples()
    path = CACHE_DIR / f"meanings-{_fingerprint(examples)}.npz"
    if path.exists():
        try:
            return _load(path)
        except (OSError, KeyError, ValueError):
            pass  # a cache from another version: train again
    trained = train(examples)
    with contextlib.suppress(OSError):  # a read-only checkout still works, training at each start
        _save(path, trained)
    return trained


def scores(vector: np.ndarray) -> dict[str, dict[Any, float]]:
    """For each attribute, the probability of each value and of ``none``."""
    return {name: c.probabilities(vector) for name, c in classifiers().items()}


# Where the Rasa pipeline leaves the scores in the parse result, for the action server.
MEANING_KEY = "kotobotti_meaning"


def encode_meaning(scores: dict[str, dict[Any, float]]) -> dict[str, list[list[Any]]]:
    """JSON-safe scores: value/probability pairs keep True apart from "true"."""
    return {name: [[value, round(p, 4)] for value, p in probs.items()] for name, probs in scores.items()}


def decode_meaning(encoded: Any) -> dict[str, dict[Any, float]] | None:
    """The scores again, or None for anything that is not what encode_meaning wrote."""
    if not isinstance(encoded, dict):
        return None
    try:
        return {name: {value: float(p) for value, p in pairs} for name, pairs in encoded.items()}
    except (TypeError, ValueError):
        return None


def warm() -> None:
    """Load (or train) the classifiers and the model now, not on the first message."""
    classifiers()
    embedding.embed_one("hello")
