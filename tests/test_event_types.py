"""The remembered event-type lookup (rasa_components/event_types.py) answers as Rasa's does."""

from __future__ import annotations

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from rasa_components import event_types


def test_every_event_type_resolves_to_rasas_class_and_unknown_ones_still_fail():
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is event_types._rasa_resolve(cls.type_name)
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert "no_such_event" not in event_types._known


def test_a_known_type_is_not_looked_up_again(monkeypatch):
    Event.resolve_by_type("user"), Event.resolve_by_type("action")

    def walked(*_: object) -> list:
        raise AssertionError("the subclasses were walked again")

    monkeypatch.setattr(rasa.shared.utils.common, "all_subclasses", walked)
    assert Event.resolve_by_type("user") is UserUttered
    event = Event.from_parameters({"event": "action", "name": "action_listen"})
    assert isinstance(event, ActionExecuted)
