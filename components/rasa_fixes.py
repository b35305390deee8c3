"""Fixes to Rasa 3.6 internals, applied when the model's pipeline imports `components`.

Each fix keeps Rasa's behaviour and only removes a measured cost (BENCHMARKS.md).

- Rasa validates every action-server response with `jsonschema.validate`, which
  re-checks the (constant) schema itself on every call: about 80% of a message's
  time in a py-spy profile. A validator built once checks the same schema.
- When the action server is down or a custom action fails, Rasa logs the error and
  the user hears nothing. Here the user is told (`utter_actions_unavailable`) and
  can simply ask again; the conversation is kept.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

UTTER_ACTIONS_UNAVAILABLE = "utter_actions_unavailable"
_original_run = RemoteAction.run


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


async def _run_or_apologise(
    self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list[Any]:
    try:
        return list(await _original_run(self, output_channel, nlg, tracker, domain))
    except ActionExecutionRejection:
        raise  # lets another policy pick an action; not a failure
    except (RasaException, exceptions.ValidationError):
        logger.exception("Custom action %s failed; telling the user", self.name())
        draft = await nlg.generate(UTTER_ACTIONS_UNAVAILABLE, tracker, output_channel.name())
        return [create_bot_utterance(draft)] if draft else []


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction.run = _run_or_apologise
