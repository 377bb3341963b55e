"""The intent classifier's weights laid out for scoring in place (rasa_components/intent_classifier.py)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from rasa_components.intent_classifier import without_copies


def test_scores_are_unchanged_and_the_product_reads_the_weights_in_place():
    rng = np.random.default_rng(7)
    X = sp.random(60, 500, density=0.05, format="csr", random_state=7)
    y = rng.integers(0, 4, size=60)
    clf = LogisticRegression(max_iter=200).fit(X, y)
    one = X[:1]
    before = clf.predict_proba(one)
    assert not clf.coef_.T.flags["C_CONTIGUOUS"], "scikit-learn's own layout needs the copy"
    without_copies(clf)
    assert clf.coef_.T.flags["C_CONTIGUOUS"]
    assert np.allclose(clf.predict_proba(one), before)
    without_copies(LogisticRegression())  # not fitted yet: nothing to lay out


def test_a_row_holds_the_sentence_features_rasa_would_give_the_classifier():
    """The same columns as Rasa's own ``_create_X``: every featurizer's sparse sentence
    features in pipeline order, then the dense ones; per-token features are left out."""
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    from rasa_components.intent_classifier import sentence_matrix

    def message(seed: int, with_dense: bool) -> Message:
        rng = np.random.default_rng(seed)
        m = Message(data={TEXT: "olen työtön"})
        for origin, width in (("words", 7), ("chars", 11)):
            m.add_features(
                Features(
                    sp.random(2, width, density=0.5, format="coo", random_state=seed),
                    FEATURE_TYPE_SEQUENCE,
                    TEXT,
                    origin,
                )
            )
            m.add_features(
                Features(sp.coo_matrix(rng.random((1, width))), FEATURE_TYPE_SENTENCE, TEXT, origin)
            )
        if with_dense:
            m.add_features(Features(rng.random((1, 5)), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
        return m

    for with_dense in (False, True):
        messages = [message(seed, with_dense) for seed in range(3)]
        ours = sentence_matrix(messages)
        rasas = LogisticRegressionClassifier._create_X(object(), messages)
        assert ours.shape == rasas.shape == (3, 18 + 5 * with_dense)
        assert np.array_equal(ours.toarray(), rasas.toarray())
