"""The fixes that keep a message's cost independent of the conversation's length
(rasa_patches/conversation_length.py) give exactly what Rasa's own code gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from rasa_patches import conversation_length as patch
from tests.conftest import PROJECT_DIR

DOMAIN = Domain.load(PROJECT_DIR / "domain.yml")
FORM = "details_form"

# One event of a conversation, of every kind that changes the tracker's state.
EVENTS = st.one_of(
    st.sampled_from(["ask_calcium", "ask_more", "greet"]).map(
        lambda intent: UserUttered(f"about {intent}", {"name": intent, "confidence": 1.0})
    ),
    st.sampled_from(["action_listen", "action_answer", "action_tell_more", FORM]).map(
        ActionExecuted
    ),
    st.sampled_from(["hello", "calcium"]).map(BotUttered),
    st.tuples(
        st.sampled_from(["last_entry", "more_shown"]), st.sampled_from(["calcium", True])
    ).map(lambda pair: SlotSet(*pair)),
    st.sampled_from(
        [
            SessionStarted(),
            Restarted(),
            ActionReverted(),
            UserUtteranceReverted(),
            ActiveLoop(FORM),
            ActiveLoop(None),
            FollowupAction("action_answer"),
            ConversationPaused(),
            ConversationResumed(),
        ]
    ),
)


def _tracker(events: list[Event]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("someone", events, DOMAIN.slots)


def _state(tracker: DialogueStateTracker) -> dict[str, Any]:
    """Everything a tracker holds, as Rasa exposes it."""
    return {
        **tracker.current_state(EventVerbosity.ALL),
        "slot_objects": {n: (s.value, s.has_been_set) for n, s in tracker.slots.items()},
        "latest_bot_utterance": tracker.latest_bot_utterance,
        "is_paused": tracker.is_paused(),
    }


@settings(max_examples=150, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EVENTS, max_size=40))
def test_a_copy_is_the_tracker_a_replay_of_its_events_gives(events: list[Event]) -> None:
    tracker = _tracker(events)

    copied = patch.copy_tracker(tracker)

    assert _state(copied) == _state(DialogueStateTracker.copy(tracker))
    # The copy is a tracker of its own: what happens to it leaves the original alone.
    before = _state(tracker)
    copied.update(SlotSet("last_entry", "protein"))
    copied.update(UserUttered("hi", {"name": "greet", "confidence": 1.0}))
    assert _state(tracker) == before


@settings(max_examples=150, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EVENTS, max_size=40))
def test_applied_events_kept_up_to_date_are_rasas_after_every_event(events: list[Event]) -> None:
    tracker = _tracker([])
    for event in events:
        tracker.update(event)

        assert patch.applied_events(tracker) == patch._stock_applied_events(tracker)


def _long_conversation(turns: int) -> list[Event]:
    events: list[Event] = [ActionExecuted("action_session_start"), SessionStarted()]
    for n in range(turns):
        intent = ("ask_calcium", "ask_more", "ask_source")[n % 3]
        events += [
            ActionExecuted("action_listen"),
            UserUttered(f"message {n}", {"name": intent, "confidence": 1.0}),
            ActionExecuted("action_answer"),
            BotUttered(f"answer {n}"),
            SlotSet("last_entry", f"entry {n}"),
        ]
    return [*events, ActionExecuted("action_listen")]


@pytest.mark.parametrize("reach", [2, 3, 5])
def test_the_recent_turns_give_the_last_states_the_whole_conversation_gives(reach: int) -> None:
    tracker = _tracker(_long_conversation(60))
    featurizer = MaxHistoryTrackerFeaturizer(max_history=None)

    window = patch.recent_window(list(tracker.events), reach + patch.MARGIN)
    assert window is not None and len(window) < len(tracker.events) / 10
    recent = _tracker(window)

    whole = featurizer.prediction_states([tracker], DOMAIN)[0]
    part = featurizer.prediction_states([recent], DOMAIN)[0]
    assert part[-(reach + 1) :] == whole[-(reach + 1) :]


def test_the_whole_conversation_is_used_when_it_is_short_or_was_rewound() -> None:
    assert patch.recent_window(_long_conversation(2), 10) is None
    rewound = [*_long_conversation(30), UserUtteranceReverted()]
    assert patch.recent_window(rewound, 4) is None


def test_this_projects_domain_has_states_that_depend_only_on_their_turn() -> None:
    # Were a slot to influence the conversation, or a form added, Rasa's own code runs.
    assert patch.states_are_turn_local(DOMAIN)


def test_the_action_server_gets_the_last_turns_events() -> None:
    events = _long_conversation(40)

    recent = patch.recent_events(events, turns=10)

    assert sum(isinstance(e, UserUttered) for e in recent) == 10
    assert recent == events[-len(recent) :]
    assert patch.recent_events(events[:8], turns=10) == events[:8]


@settings(max_examples=100, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EVENTS, max_size=40))
def test_a_new_session_starts_with_each_slots_last_value_once(events: list[Event]) -> None:
    tracker = _tracker(events)
    stock = patch._stock_slot_events(tracker)

    carried = patch.carried_over_slots(tracker)

    assert len({e.key for e in carried}) == len(carried)
    started = {
        name: _tracker([SessionStarted(), *slot_events]).current_slot_values()
        for name, slot_events in (("ours", carried), ("stock", stock))
    }
    assert started["ours"] == started["stock"]
