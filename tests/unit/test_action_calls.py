"""The fixes to Rasa's custom-action calls: action-server responses are checked exactly as
Rasa checks them, and a failing custom action gets an apology instead of silence."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from rasa_patches import action_calls
from rasa_patches.action_calls import (
    UTTER_ACTIONS_UNAVAILABLE,
    KeptAliveEndpointConfig,
    _full_validator,
    _run_or_apologise,
    _validate_action_result,
    is_valid_action_response,
)

with warnings.catch_warnings():
    # Rasa 3.6 warns "Slot auto-fill has been removed" on every domain it loads.
    warnings.simplefilter("ignore", UserWarning)
    DOMAIN = Domain.load(Path(__file__).resolve().parents[2] / "domain.yml")
APOLOGY = DOMAIN.responses[UTTER_ACTIONS_UNAVAILABLE][0]["text"]
EXPLANATION = (
    ". Failed to validate Action server response from API, make sure your response from the "
    "Action endpoint is valid. For more information about the format visit "
    f"{DOCS_BASE_URL}/custom-actions"
)
ACTION = RemoteAction("action_answer", None)


@pytest.fixture(autouse=True)
def _fixes(rasa_fixes: None) -> None:
    """Rasa's RemoteAction with the fixes, as the launcher applies them."""


VALID = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]}


def _run(domain: Domain = DOMAIN) -> tuple[list[Event], CollectingOutputChannel]:
    """Run ACTION as Rasa's processor does; returns its events and the output channel."""
    channel = CollectingOutputChannel()
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker("unit-test", domain.slots)
    events = asyncio.run(_run_or_apologise(ACTION, channel, nlg, tracker, domain))
    return events, channel


def _original_run_raising(error: Exception) -> Any:
    async def run(*args: Any) -> list[Event]:
        raise error

    return run


# --- Validation of action-server responses ----------------------------------------------


@pytest.mark.parametrize(
    "result",
    [VALID, {}, {"events": [], "responses": []}],
    ids=["slot-and-text", "empty", "empty-lists"],
)
def test_a_valid_action_server_response_passes(result: dict[str, Any]) -> None:
    assert _validate_action_result(ACTION, result) is True


@pytest.mark.parametrize(
    "result",
    [
        pytest.param({"events": "slot"}, id="events-not-a-list"),
        pytest.param({"events": [{"name": "x", "value": 1}]}, id="event-without-type"),
        pytest.param({"events": [{"event": "slot", "name": "x"}]}, id="slot-without-value"),
        pytest.param({"responses": "hi"}, id="responses-not-a-list"),
        pytest.param({"responses": ["hi"]}, id="response-not-an-object"),
        pytest.param([VALID], id="not-an-object"),
    ],
)
def test_an_invalid_response_raises_rasas_error_with_rasas_explanation(result: Any) -> None:
    with pytest.raises(jsonschema.ValidationError) as stock:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())

    with pytest.raises(jsonschema.ValidationError) as fixed:
        _validate_action_result(ACTION, result)

    assert fixed.value.message == stock.value.message + EXPLANATION


def test_the_schema_validator_is_built_once() -> None:
    assert _full_validator() is _full_validator()


def _every_kind_of_event() -> list[dict[str, Any]]:
    """One event of each kind Rasa knows, as an action server would send it."""
    from rasa.shared.core import events as rasa_events

    made = [
        rasa_events.UserUttered("hi", {"name": "greet", "confidence": 1.0}),
        rasa_events.ActionExecuted("action_listen"),
        rasa_events.SlotSet("last_entry", "calcium"),
        rasa_events.EntitiesAdded([{"entity": "nutrient", "value": "calcium"}]),
        rasa_events.BotUttered("Hello", {"buttons": []}),
        rasa_events.SessionStarted(),
        rasa_events.Restarted(),
        rasa_events.AllSlotsReset(),
        rasa_events.ActionReverted(),
        rasa_events.UserUtteranceReverted(),
        rasa_events.FollowupAction("action_answer"),
        rasa_events.ConversationPaused(),
        rasa_events.ConversationResumed(),
        rasa_events.ActiveLoop("a_form"),
        rasa_events.LoopInterrupted(True),
        rasa_events.ActionExecutionRejected("action_answer"),
        rasa_events.ReminderCancelled(name="r"),
    ]
    return [event.as_dict() for event in made]


@pytest.mark.parametrize("event", _every_kind_of_event(), ids=lambda e: e["event"])
def test_each_kind_of_event_gets_the_same_verdict_as_the_full_schema(
    event: dict[str, Any],
) -> None:
    variants = [
        event,
        {**event, "timestamp": "yesterday"},  # wrong type in the part all kinds share
        {**event, "event": "no_such_event"},
        {key: value for key, value in event.items() if key != "event"},
        # each of its own fields with a value of another type
        *[{**event, key: 12345} for key in event if key != "event"],
        *[{**event, key: "text"} for key in event if key != "event"],
    ]
    for variant in variants:
        response = {"events": [variant], "responses": []}
        assert is_valid_action_response(response) == _full_validator().is_valid(response), variant


def test_applying_the_fixes_installs_them_on_rasas_remote_action() -> None:
    assert RemoteAction._validate_action_result is _validate_action_result
    assert RemoteAction.run is _run_or_apologise
    from rasa.utils.endpoints import EndpointConfig

    endpoint = EndpointConfig("http://127.0.0.1:5055/webhook")
    action = RemoteAction("action_answer", endpoint)
    assert isinstance(action.action_endpoint, KeptAliveEndpointConfig)
    assert action.action_endpoint.url == endpoint.url
    assert RemoteAction("action_tell_more", endpoint).action_endpoint is action.action_endpoint
    # The wrapped run is Rasa's own, not the wrapper (which would recurse).
    assert action_calls._stock_run is not _run_or_apologise


# --- A custom action that fails ---------------------------------------------------------


def test_the_domain_has_the_apology() -> None:
    assert APOLOGY


@pytest.mark.parametrize(
    "error",
    [
        RasaException("Failed to execute custom action 'action_answer'"),
        RasaException("Couldn't connect to the server at 'http://localhost:5055/webhook'"),
        jsonschema.ValidationError("'events' is not of type 'array'"),
    ],
    ids=["server-error", "server-down", "invalid-response"],
)
def test_a_failing_custom_action_is_answered_with_the_apology(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    monkeypatch.setattr(action_calls, "_stock_run", _original_run_raising(error))

    events, _ = _run()

    assert len(events) == 1
    assert isinstance(events[0], BotUttered)
    assert events[0].text == APOLOGY


def test_without_an_action_server_configured_the_user_hears_the_apology() -> None:
    # No monkeypatch: Rasa's own RemoteAction.run, as the launcher patches it, with no endpoint.
    channel = CollectingOutputChannel()
    tracker = DialogueStateTracker("unit-test", DOMAIN.slots)
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)

    events = asyncio.run(ACTION.run(channel, nlg, tracker, DOMAIN))

    assert [event.text for event in events] == [APOLOGY]


def test_a_rejected_action_is_raised_again_for_other_policies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rejection = ActionExecutionRejection("action_answer", "not now")
    monkeypatch.setattr(action_calls, "_stock_run", _original_run_raising(rejection))

    with pytest.raises(ActionExecutionRejection) as raised:
        _run()

    assert raised.value is rejection


def test_a_successful_action_returns_its_events_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    produced = [BotUttered("Calcium: 1,000 mg a day."), SlotSet("last_entry", "calcium")]

    async def run(*args: Any) -> tuple[Event, ...]:
        return tuple(produced)

    monkeypatch.setattr(action_calls, "_stock_run", run)

    events, channel = _run()

    assert events == produced
    assert channel.messages == []


def test_without_the_apology_in_the_domain_a_failure_gives_no_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(action_calls, "_stock_run", _original_run_raising(RasaException()))

    events, _ = _run(Domain.empty())

    assert events == []


# --- The kept-alive connection ----------------------------------------------------------


def test_a_dropped_kept_connection_is_retried_once_on_a_new_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import aiohttp
    from rasa.utils.endpoints import EndpointConfig

    calls: list[dict[str, Any]] = []

    async def request(self: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) == 1:
            raise aiohttp.ServerDisconnectedError()
        return {"events": [], "responses": []}

    monkeypatch.setattr(EndpointConfig, "request", request)
    endpoint = KeptAliveEndpointConfig("http://127.0.0.1:5055/webhook")

    result = asyncio.run(endpoint.request(json={"next_action": "action_answer"}, method="post"))

    assert result == {"events": [], "responses": []}
    timeout = aiohttp.ClientTimeout(total=10.0)  # ACTION_TIMEOUT_SECONDS, not Rasa's 300 s
    sent = {"json": {"next_action": "action_answer"}, "method": "post", "timeout": timeout}
    assert calls == [sent] * 2


def test_a_call_waits_at_most_the_action_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    import aiohttp
    from rasa.utils.endpoints import EndpointConfig

    calls: list[dict[str, Any]] = []

    async def request(self: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return {}

    monkeypatch.setattr(EndpointConfig, "request", request)
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "2.5")
    endpoint = KeptAliveEndpointConfig("http://127.0.0.1:5055/webhook")

    asyncio.run(endpoint.request(json={}, method="post", timeout=300))

    assert calls[0]["timeout"] == aiohttp.ClientTimeout(total=2.5)


def test_a_server_that_stays_away_is_an_error_after_one_retry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import aiohttp
    from rasa.utils.endpoints import EndpointConfig

    calls = 0

    async def request(self: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        raise aiohttp.ServerDisconnectedError()

    monkeypatch.setattr(EndpointConfig, "request", request)

    with pytest.raises(aiohttp.ServerDisconnectedError):
        asyncio.run(KeptAliveEndpointConfig("http://127.0.0.1:5055/webhook").request())
    assert calls == 2


def test_requests_share_one_session_per_endpoint_and_it_is_closed_at_the_end() -> None:
    endpoint = KeptAliveEndpointConfig("http://127.0.0.1:5055/webhook")

    async def sessions() -> tuple[Any, Any]:
        async with endpoint.session() as first, endpoint.session() as second:
            pass
        assert not first.closed  # leaving `async with` keeps it open
        await action_calls.close_sessions()
        return first, second

    first, second = asyncio.run(sessions())
    assert first is second
    assert first.closed
