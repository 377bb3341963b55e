"""Validate action server responses with a JSON-schema validator built once.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on
every action call, and that first checks the schema itself against its metaschema:
under 10 concurrent conversations this was the largest cost in the Rasa server
(py-spy: 27 % of its CPU with jsonschema 3.2, 73 % with 4.17). The schema never
changes, so it is checked once here and the same validator is reused; what is
accepted and refused, and the error raised, are exactly as before
(tests/test_action_validation.py).

Imported for its effect by ``rasa_components/__init__.py``: the Rasa server imports the
package when it loads the model (the tokenizer in config.yml lives here).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, without re-checking the schema each time."""
    error = exceptions.best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
