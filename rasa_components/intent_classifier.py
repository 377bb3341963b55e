"""Rasa's ``LogisticRegressionClassifier``, cheaper to score a message with and to train.

- Scoring in place: scikit-learn scores a message as ``X @ coef_.T``. Its ``coef_`` is
  C-ordered (intents × features, about 17 × 28 000), so ``coef_.T`` is not contiguous
  and scipy's sparse product copies all of it for every message (4.2 ms of the Rasa
  server's event loop, 9 % of its time under load before this). Here the weights are
  stored once in the other order and ``coef_`` is a transposed view of them.
- A message's row: Rasa builds it by combining *all* of the message's features, the
  per-token ones included (a deep copy and a sparse stack per featurizer), and then
  stacks the result with an empty matrix; this classifier reads only the sentence
  features. ``sentence_row`` puts just those side by side: 0.10 ms for a message's
  three featurizers instead of Rasa's 0.59 ms (py-spy under load: 5.6 % of the event
  loop went to Rasa's way).
- Training on one thread: the fit's sparse products gain nothing from a second BLAS
  thread on 2 cores (14.9 s wall on one thread, 16.5 s on two, twice the CPU).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits


def without_copies(clf: Any) -> None:
    """Make ``clf.coef_.T`` contiguous (``clf.coef_`` a view of it); a no-op before fitting."""
    coef = getattr(clf, "coef_", None)
    if coef is not None and not coef.T.flags["C_CONTIGUOUS"]:
        clf.coef_ = np.ascontiguousarray(coef.T).T


def sentence_row(message: Message) -> scipy.sparse.csr_matrix:
    """The message's sentence features as one row: the sparse ones in pipeline order, then
    the dense ones (the columns Rasa's ``LogisticRegressionClassifier`` would build)."""
    sentence = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
    parts = [f.features for f in sentence if f.is_sparse()]
    dense = [f.features for f in sentence if f.is_dense()]
    if dense:
        parts.append(scipy.sparse.csr_matrix(np.concatenate(dense, axis=-1)))
    if not parts:
        return scipy.sparse.csr_matrix((1, 0))
    if any(p.shape[0] != 1 for p in parts):
        return scipy.sparse.hstack(parts, format="csr")
    # One row each: their columns side by side, without scipy's general block stacking.
    coos = [scipy.sparse.coo_matrix(p) for p in parts]
    offsets = np.cumsum([0] + [c.shape[1] for c in coos])
    cols = np.concatenate([c.col + offset for c, offset in zip(coos, offsets, strict=False)])
    data = np.concatenate([c.data for c in coos])
    return scipy.sparse.csr_matrix((data, cols, np.array([0, len(data)])), shape=(1, int(offsets[-1])))


def sentence_matrix(messages: list[Message]) -> scipy.sparse.csr_matrix:
    """One row per message (``sentence_row``)."""
    return scipy.sparse.vstack([sentence_row(m) for m in messages], format="csr")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class InPlaceLogisticRegression(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` whose weights are laid out for one message at a time."""

    def _create_X(self, messages: list[Message]) -> scipy.sparse.csr_matrix:
        return sentence_matrix(messages)

    def train(self, training_data: TrainingData) -> Resource:
        with threadpool_limits(limits=1), warnings.catch_warnings():
            # Stopping at config.yml's max_iter before lbfgs converges is deliberate (see there).
            warnings.simplefilter("ignore", ConvergenceWarning)
            resource = super().train(training_data)
        without_copies(self.clf)
        return resource

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> InPlaceLogisticRegression:
        component = super().load(*args, **kwargs)
        without_copies(component.clf)
        return component


__all__ = ["InPlaceLogisticRegression", "sentence_matrix"]
