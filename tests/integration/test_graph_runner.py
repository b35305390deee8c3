"""The trained model's graphs give the same results without dask's scheduler
(rasa_patches/graph_runner.py), and events are read back as the same classes
(rasa_patches/event_types.py)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.exceptions import GraphRunError
from rasa.engine.loader import load_predict_graph_runner
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_patches import graph_runner
from scripts.servers import ROOT

MODEL = ROOT / "models" / "osteo-hair-faq.tar.gz"
QUESTIONS = [
    "does osteoporosis cause hair loss?",
    "can fosamax make my hair fall out",
    "what about steroids",
    "",
    "does minoxidil work?",
    "🦴🦴",
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, DaskGraphRunner]]:
    assert MODEL.exists(), "train the model first (make train)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metadata, runner = load_predict_graph_runner(
            tmp_path_factory.mktemp("model"), MODEL, LocalModelStorage, DaskGraphRunner
        )
    assert isinstance(runner, DaskGraphRunner)
    yield metadata, runner


def new_conversation() -> DialogueStateTracker:
    tracker = DialogueStateTracker("graph-test", [])
    for event in [ActionExecuted("action_session_start"), SessionStarted()]:
        tracker.update(event)
    tracker.update(ActionExecuted("action_listen"))
    return tracker


def parse(runner: DaskGraphRunner, run: Any, text: str, target: str) -> dict[str, Any]:
    message = UserMessage(text, sender_id="graph-test")
    tracker = DialogueStateTracker("graph-test", [])
    [parsed] = run(
        runner, {PLACEHOLDER_MESSAGE: [message], PLACEHOLDER_TRACKER: tracker}, [target]
    )[target]
    return {key: parsed.get(key) for key in ("intent", "intent_ranking", "entities", "text")}


@pytest.mark.parametrize("text", QUESTIONS)
def test_the_nlu_graph_parses_as_with_dask(loaded: tuple[Any, DaskGraphRunner], text: str) -> None:
    metadata, runner = loaded
    ours = parse(runner, graph_runner.run, text, metadata.nlu_target)
    stock = parse(runner, graph_runner._stock_run, text, metadata.nlu_target)
    assert ours == stock


@pytest.mark.parametrize("text", QUESTIONS[:3])
def test_the_dialogue_graph_predicts_as_with_dask(
    loaded: tuple[Any, DaskGraphRunner], text: str
) -> None:
    metadata, runner = loaded
    message = UserMessage(text, sender_id="graph-test")
    [parsed] = graph_runner.run(
        runner,
        {PLACEHOLDER_MESSAGE: [message], PLACEHOLDER_TRACKER: DialogueStateTracker("t", [])},
        [metadata.nlu_target],
    )[metadata.nlu_target]
    tracker = new_conversation()
    tracker.update(UserUttered(text, parsed.get("intent"), parsed.get("entities")))

    def predict(run: Any) -> Any:
        prediction = run(runner, {PLACEHOLDER_TRACKER: tracker}, [metadata.core_target])
        return prediction[metadata.core_target]

    ours, stock = predict(graph_runner.run), predict(graph_runner._stock_run)
    assert (ours.policy_name, ours.probabilities) == (stock.policy_name, stock.probabilities)


def test_a_missing_input_is_a_graph_run_error(loaded: tuple[Any, DaskGraphRunner]) -> None:
    metadata, runner = loaded
    with pytest.raises(GraphRunError):
        graph_runner.run(runner, {}, [metadata.nlu_target])


def test_events_are_read_back_as_the_same_classes(rasa_fixes: None) -> None:
    from rasa.shared.core import events

    from rasa_patches import event_types

    for name in ("user", "action", "slot", "bot", "session_started", "restart", "followup"):
        assert Event.resolve_by_type(name) is event_types._stock_resolve_by_type(name)
    slot = Event.from_parameters({"event": "slot", "name": "last_entry", "value": "calcium"})
    assert slot == events.SlotSet("last_entry", "calcium")
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=events.SlotSet) is events.SlotSet
