"""Rasa's event-type lookup, remembered.

Rasa 3.6 turns every stored event back into an object by its type name
(``Event.resolve_by_type``), and finds the class each time by walking every subclass of
``Event`` and asking ``inspect.isabstract`` of each. The Rasa server does this for every
event of a conversation at every message (the tracker is rebuilt from the database):
under 10 concurrent conversations, 17 % of reading a conversation (py-spy). A type name
always names the same class, so each one found is remembered; what is not found goes to
Rasa's own lookup, which answers (or raises) exactly as before.

Imported for its effect by ``rasa_components/__init__.py``.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Event

_rasa_resolve = Event.resolve_by_type
_known: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: Any = None) -> type[Event] | None:
    """``Event.resolve_by_type``, from memory for a type already found."""
    found = _known.get(type_name)
    if found is not None:
        return found
    found = _rasa_resolve(type_name, default)
    if found is not None and getattr(found, "type_name", None) == type_name:
        _known[type_name] = found
    return found


Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
