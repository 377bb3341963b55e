"""bot.rasa_cli: Rasa's command line with TensorFlow loaded only when used.

Each check runs in a fresh interpreter: whether a module was imported is process state.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from bot.serve import ROOT


def python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def test_rasa_server_code_imports_without_executing_tensorflow():
    out = python(
        """
        from bot import rasa_cli
        rasa_cli.install()
        import rasa.__main__, rasa.core.run, rasa.core.agent, rasa.model_training
        import rasa.core.policies.memoization, rasa.core.policies.rule_policy
        import rasa.nlu.classifiers.logistic_regression_classifier
        import rasa_components.sentence_features, rasa_components.tracker_store
        print(rasa_cli.loaded("tensorflow"), rasa_cli.loaded("rasa.utils.train_utils"))
        """
    )
    assert out == "False False"


def test_a_lazy_module_is_the_real_one_on_first_use():
    out = python(
        """
        from bot import rasa_cli
        rasa_cli.install()
        import sys
        import rasa.nlu.extractors.extractor
        train_utils = sys.modules["rasa.utils.train_utils"]
        assert not rasa_cli.loaded("tensorflow") and not rasa_cli.loaded("rasa.utils.train_utils")
        # A TensorFlow component (DIET) still imports and works: TensorFlow loads then.
        from rasa.nlu.classifiers.diet_classifier import DIETClassifier
        import tensorflow as tf
        print(rasa_cli.loaded("tensorflow"), int(tf.reduce_sum(tf.constant([1, 2, 3]))),
              callable(train_utils.rank_and_mask), DIETClassifier.__name__)
        """
    )
    assert out == "True 6 True DIETClassifier"
