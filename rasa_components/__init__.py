"""Rasa graph components of our own (adapters: only what Rasa's pipeline needs).

Importing the package also installs the one-time action-response validator
(action_validation.py): the Rasa server imports this package when it loads the model.
"""

from rasa_components import action_validation  # noqa: F401 - imported for its effect
