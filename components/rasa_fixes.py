"""Fixes to Rasa 3.6 internals, applied when the model's pipeline imports `components`.

Each fix keeps Rasa's behaviour and only removes a measured cost (BENCHMARKS.md).

- Rasa validates every action-server response with `jsonschema.validate`, which
  re-checks the (constant) schema itself on every call: about 80% of a message's
  time in a py-spy profile. A validator built once checks the same schema.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = exceptions.best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response "
        "from the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
