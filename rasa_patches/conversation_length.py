"""Costs that grew with the length of a conversation, made independent of it.

Four costs of Rasa 3.6 grow with the number of events in a conversation (py-spy, 300
messages into one conversation).
Measured: the median message took 16 ms at messages 1–10 of one conversation and 128 ms
at messages 391–400 before these changes (BENCHMARKS.md has the figures after).

- **Rule states.** `RulePolicy` turns the whole tracker into dialogue states for every
  prediction (several per message): each event since the conversation began is replayed
  (`Domain.states_for_tracker_history`). A rule only looks at the last few states,
  though: `_get_possible_keys` accepts every rule for states further back than the rule
  is long. Here the states are built from a tracker holding only the last turns: enough
  actions that the longest rule, plus a margin, sees exactly the states the whole
  tracker would give. That is exact when a state depends only on its own turn: no slot
  that influences the conversation (such a slot's value at each turn would have to be
  replayed) and no form or other loop; events that undo earlier ones ("rewind",
  "undo") in the window fall back to the whole tracker. Otherwise Rasa's own code runs.
- **The action call.** `RemoteAction` sends the action server the whole tracker, every
  event of the conversation, JSON-encoded for every call. With ACTION_EVENTS=recent
  (scripts/run.sh sets it for this project's actions, which read slots and the latest
  message, not old events), only the events of the last RECENT_TURNS turns are sent;
  the slots, the latest message and the latest action are sent as before. Unset, the
  whole tracker is sent, as stock Rasa does (for action servers that read old events).
- **Tracker copies.** Before each action the processor copies the tracker
  (`DialogueStateTracker.copy`), which replays every event of the conversation into a
  new tracker. Here the copy takes the live tracker's state directly: its events (the
  same event objects a replay would apply), slots, latest message, action and bot
  utterance, follow-up action, loop and pause. Rasa keeps that state re-creatable from
  the events (trackers.py: "MUST be re-creatable by processing all the events"), which
  the tests check against the replay.
- **Applied events.** `applied_events` (the events not undone by a rewind, restart or
  new session) walks every event, and the processor asks for it twice per message.
  Here the result is kept on the tracker with the number of events it was made from;
  when only ordinary events were appended since (no restart, session start, undo or
  loop event, which change what earlier events mean), the new ones are added to it.
- **A new session.** `ActionSessionStart` carries the slots over by repeating every
  slot event of the conversation so far, so each session starts longer than the last.
  Here it repeats each slot's last event only: the slots end with the same values.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import rasa
from rasa.core.actions.action import ActionSessionStart, RemoteAction
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

# States kept beyond the longest rule: the first state of a shortened tracker has no
# previous action (it would look like a conversation start), so it must lie further back
# than any rule reaches.
MARGIN = 2
# Turns of events sent to the action server with ACTION_EVENTS=recent.
RECENT_TURNS = 10
# Events that undo earlier ones: a window holding one may need events before it.
_UNDOING = (ActionReverted, UserUtteranceReverted, Restarted)

# Events that change what earlier events mean for `applied_events`.
_REWRITING = (*_UNDOING, SessionStarted, ActiveLoop)

_stock_prediction_states = RulePolicy._prediction_states
_stock_action_call_format = RemoteAction._action_call_format
_stock_applied_events = DialogueStateTracker.applied_events
_stock_slot_events = ActionSessionStart._slot_set_events_from_tracker


def rule_reach(policy: RulePolicy) -> int:
    """The number of states of the policy's longest rule (kept on the policy)."""
    reach = policy.__dict__.get("_rule_reach")
    if reach is None:
        keys = [*policy.lookup.get(RULES, {}), *policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
        reach = max((len(policy._rule_key_to_state(key)) for key in keys), default=0)
        policy.__dict__["_rule_reach"] = reach
    return reach


def states_are_turn_local(domain: Domain) -> bool:
    """Whether every dialogue state depends only on its own turn: no featurized slot and
    no form or other loop."""
    return not domain.form_names and not any(s.influence_conversation for s in domain.slots)


def recent_window(events: list[Event], actions: int) -> list[Event] | None:
    """The events from the user message before the last `actions` actions on, or None when
    the conversation is no longer than that or the window holds an event that undoes
    earlier ones."""
    seen = 0
    for start in range(len(events) - 1, -1, -1):
        event = events[start]
        if isinstance(event, _UNDOING):
            return None
        if isinstance(event, ActionExecuted):
            seen += 1
        elif seen >= actions and isinstance(event, UserUttered):
            return events[start:]
    return None


def _prediction_states(
    self: RulePolicy,
    tracker: DialogueStateTracker,
    domain: Domain,
    use_text_for_last_user_input: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[Any]:
    window = None
    if states_are_turn_local(domain):
        window = recent_window(list(tracker.events), rule_reach(self) + MARGIN)
    if window is not None:
        tracker = DialogueStateTracker.from_events(tracker.sender_id, window, domain.slots)
    return _stock_prediction_states(
        self, tracker, domain, use_text_for_last_user_input, rule_only_data
    )


def recent_events(events: list[Event], turns: int = RECENT_TURNS) -> list[Event]:
    """The events of the last `turns` user turns (all of them in a shorter conversation)."""
    users = 0
    for start in range(len(events) - 1, -1, -1):
        if isinstance(events[start], UserUttered):
            users += 1
            if users == turns:
                return events[start:]
    return events


def _action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> dict[str, Any]:
    if os.environ.get("ACTION_EVENTS") != "recent":
        return _stock_action_call_format(self, tracker, domain)
    # Rasa's own call (action.py, RemoteAction._action_call_format), with the tracker's
    # state built without its events and then given the recent ones.
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [e.as_dict() for e in recent_events(list(tracker.events))]
    call = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        call["domain"] = domain.as_dict()
    return call


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """The tracker's copy, with the state a replay of its events would give."""
    tracker = self.init_copy()
    tracker.events = tracker._create_events(list(self.events))
    tracker.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    tracker._paused = self._paused
    tracker.followup_action = self.followup_action
    tracker.latest_action = copy.copy(self.latest_action)
    tracker.latest_message = self.latest_message
    tracker.latest_bot_utterance = self.latest_bot_utterance
    tracker.active_loop = copy.copy(self.active_loop)
    return tracker


def applied_events(self: DialogueStateTracker) -> list[Event]:
    """`applied_events`, extended from the last result when only ordinary events were
    appended since (kept on the tracker with the events it was made from)."""
    events = self.events
    memo = self.__dict__.get("_applied_memo")
    if memo is not None and self._max_event_history is None:
        counted, last, applied, loops = memo
        if counted <= len(events) and (events[counted - 1] if counted else None) is last:
            new = [events[i] for i in range(counted, len(events))]
            if not any(_rewrites(e, loops) for e in new):
                applied = [*applied, *new]
                self.__dict__["_applied_memo"] = (len(events), _last(events), applied, loops)
                return list(applied)
    applied = _stock_applied_events(self)
    loops = {e.name for e in events if isinstance(e, ActiveLoop) and e.name}
    self.__dict__["_applied_memo"] = (len(events), _last(events), applied, loops)
    return list(applied)


def _rewrites(event: Event, loops: set[str]) -> bool:
    """Whether an appended event changes which earlier events apply: a restart, a new
    session, an undo, a loop starting or stopping, or a loop's own action."""
    return isinstance(event, _REWRITING) or (
        isinstance(event, ActionExecuted) and event.action_name in loops
    )


def _last(events: Any) -> Event | None:
    return events[-1] if events else None


def carried_over_slots(tracker: DialogueStateTracker) -> list[SlotSet]:
    """The slot events a new session starts with: each slot's last one, in the order of
    those last events."""
    last: dict[str, SlotSet] = {}
    for event in tracker.applied_events():
        if isinstance(event, SlotSet):
            last.pop(event.key, None)
            last[event.key] = event
    return [SlotSet(key=e.key, value=e.value, metadata=e.metadata) for e in last.values()]


def apply() -> None:
    RulePolicy._prediction_states = _prediction_states
    RemoteAction._action_call_format = _action_call_format
    DialogueStateTracker.copy = copy_tracker
    DialogueStateTracker.applied_events = applied_events
    ActionSessionStart._slot_set_events_from_tracker = staticmethod(carried_over_slots)
