"""The Rasa server's check of action server responses accepts and refuses as before."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import rasa_components  # noqa: F401 - installs the validator
from rasa_components.action_validation import validate_action_result

GOOD = {
    "events": [{"event": "slot", "name": "language", "value": "fi", "timestamp": None}],
    "responses": [{"text": "Hei", "buttons": [{"title": "Kyllä", "payload": "/affirm"}]}],
}


def test_installed_on_remote_action():
    assert RemoteAction._validate_action_result is validate_action_result


def test_accepts_what_jsonschema_accepts():
    assert validate_action_result(None, GOOD) is True
    jsonschema.validate(GOOD, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize(
    "bad",
    [
        {"events": "not a list"},
        {"events": [{"no_event_key": 1}]},
        {"responses": "text"},
    ],
)
def test_refuses_what_jsonschema_refuses(bad):
    with pytest.raises(jsonschema.ValidationError) as ours:
        validate_action_result(None, bad)
    with pytest.raises(jsonschema.ValidationError) as theirs:
        jsonschema.validate(bad, RemoteAction.action_response_format_spec())
    assert ours.value.message.startswith(theirs.value.message)
