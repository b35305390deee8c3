"""Rasa's calls to the action server, made cheaper and failing politely.

Three changes to `RemoteAction`, each keeping Rasa's behaviour:
- **Validation.** Rasa checks every action-server response against a JSON schema whose
  events are a `oneOf` over 23 event kinds, so each event is tried against every kind:
  about 2 ms a message here. The kinds differ by their `event` name, so each event is
  checked only against its own kind; that accepts exactly what `oneOf` accepts. Anything
  rejected is checked again the stock way, so errors read exactly as before.
- **Kept-alive connection.** Rasa opens a new HTTP session, and so a new connection, for
  every call to the action server. Here one session per endpoint is kept open for the
  server's lifetime (`close_sessions` closes them when the server stops); a connection the
  action server dropped, say because it restarted, is retried once on a fresh one.
- **Failures.** When the action server is down or a custom action fails, Rasa logs the
  error and the user hears nothing. Here the user is told (`utter_actions_unavailable`)
  and can simply ask again; the conversation is kept. A hung action server (one that
  accepts the connection and never answers) made every question wait for Rasa's 300 s
  timeout: a call now waits at most ACTION_TIMEOUT_SECONDS (10), then the user gets the
  same reply (and scripts/run.sh replaces an action server that stops answering).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Callable
from typing import Any

import aiohttp
from jsonschema import exceptions, validators
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

UTTER_ACTIONS_UNAVAILABLE = "utter_actions_unavailable"
# Our actions answer in milliseconds; a call that takes this long will not answer.
DEFAULT_ACTION_TIMEOUT_SECONDS = 10.0


def action_timeout() -> float:
    """Seconds a call to the action server may take (ACTION_TIMEOUT_SECONDS, 10)."""
    return float(os.environ.get("ACTION_TIMEOUT_SECONDS") or DEFAULT_ACTION_TIMEOUT_SECONDS)


_stock_run = RemoteAction.run
_stock_init = RemoteAction.__init__


# --- Validation ------------------------------------------------------------------------------


def _validator(schema: dict[str, Any]) -> Any:
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@functools.lru_cache(maxsize=1)
def _full_validator() -> Any:
    return _validator(RemoteAction.action_response_format_spec())


@functools.lru_cache(maxsize=1)
def _split_validators() -> tuple[Any, dict[str, Any]]:
    """The response schema without the per-event `oneOf`, and one validator per event
    kind: the common event properties together with that kind's own."""
    schema = RemoteAction.action_response_format_spec()
    items = schema["properties"]["events"]["items"]
    common = {key: value for key, value in items.items() if key != "oneOf"}
    outer = {
        **schema,
        "properties": {
            **schema["properties"],
            "events": {**schema["properties"]["events"], "items": common},
        },
    }
    kinds = {
        kind["properties"]["event"]["const"]: _validator({"allOf": [common, kind]})
        for kind in items["oneOf"]
    }
    return _validator(outer), kinds


def is_valid_action_response(result: Any) -> bool:
    """Whether `result` matches Rasa's action response schema (same verdict as the
    schema's own validator, checking each event only against its own kind)."""
    outer, kinds = _split_validators()
    if not outer.is_valid(result):
        return False
    for event in result.get("events") or []:
        kind = kinds.get(event.get("event"))
        if kind is None or not kind.is_valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if is_valid_action_response(result):
        return True
    error = exceptions.best_match(_full_validator().iter_errors(result))
    if error is None:  # cannot happen if the two agree; never reject what Rasa accepts
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response "
        "from the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


# --- Kept-alive connection -------------------------------------------------------------------

_sessions: dict[tuple[str, int], aiohttp.ClientSession] = {}


class _Open:
    """`async with` on a kept session: the session, left open afterwards."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class KeptAliveEndpointConfig(EndpointConfig):
    """An endpoint whose requests share one session (and its connections)."""

    @classmethod
    def of(cls, endpoint: EndpointConfig) -> KeptAliveEndpointConfig:
        return cls(
            endpoint.url,
            endpoint.params,
            endpoint.headers,
            endpoint.basic_auth,
            endpoint.token,
            endpoint.token_name,
            endpoint.cafile,
            **endpoint.kwargs,
        )

    def session(self) -> Any:
        key = (str(self.url), id(asyncio.get_running_loop()))
        session = _sessions.get(key)
        if session is None or session.closed:
            session = _sessions[key] = super().session()
        return _Open(session)

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["timeout"] = aiohttp.ClientTimeout(total=action_timeout())
        try:
            return await super().request(*args, **kwargs)
        except aiohttp.ServerDisconnectedError:
            # The kept connection was closed by the other side (e.g. a restart): once more
            # on a new connection. Actions return events and have no side effects.
            return await super().request(*args, **kwargs)


async def close_sessions() -> None:
    """Close the kept sessions (when the server stops)."""
    while _sessions:
        _, session = _sessions.popitem()
        await session.close()


_kept: dict[int, tuple[EndpointConfig, KeptAliveEndpointConfig]] = {}


def _kept_alive(endpoint: EndpointConfig) -> KeptAliveEndpointConfig:
    """The kept-alive twin of an endpoint (Rasa passes the same one to every action)."""
    known = _kept.get(id(endpoint))
    if known is None or known[0] is not endpoint:
        known = _kept[id(endpoint)] = (endpoint, KeptAliveEndpointConfig.of(endpoint))
    return known[1]


def _init_kept_alive(self: RemoteAction, name: str, action_endpoint: Any) -> None:
    if action_endpoint is not None and not isinstance(action_endpoint, KeptAliveEndpointConfig):
        action_endpoint = _kept_alive(action_endpoint)
    _stock_init(self, name, action_endpoint)


# --- Failures -------------------------------------------------------------------------------


async def _run_or_apologise(
    self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list[Any]:
    try:
        return list(await _stock_run(self, output_channel, nlg, tracker, domain))
    except ActionExecutionRejection:
        raise  # lets another policy pick an action; not a failure
    except (RasaException, exceptions.ValidationError, asyncio.TimeoutError):
        logger.exception("Custom action %s failed; telling the user", self.name())
        draft = await nlg.generate(UTTER_ACTIONS_UNAVAILABLE, tracker, output_channel.name())
        return [create_bot_utterance(draft)] if draft else []


def apply() -> None:
    patches: dict[str, Callable[..., Any]] = {
        "__init__": _init_kept_alive,
        "_validate_action_result": _validate_action_result,
        "run": _run_or_apologise,
    }
    for name, function in patches.items():
        setattr(RemoteAction, name, function)
