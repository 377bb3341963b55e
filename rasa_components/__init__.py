"""Rasa graph components of our own (adapters: only what Rasa's pipeline needs).

Importing the package also installs two fixes of Rasa's hot paths: the one-time
action-response validator (action_validation.py) and the remembered event-type lookup
(event_types.py). The Rasa server imports this package when it loads the model.
"""

from rasa_components import action_validation, event_types  # noqa: F401 - imported for their effect
