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
