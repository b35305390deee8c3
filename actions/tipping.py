"""Lifestyle tips, one at a time, never repeated within a conversation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.constants import (
    ENTITY_LIFESTYLE,
    ENTITY_NUTRIENT,
    SLOT_TIPS_GIVEN,
    UTTER_NO_MORE_TIPS,
    UTTER_NO_MORE_TIPS_FOCUS,
    UTTER_TIP,
)
from actions.knowledge import load_knowledge
from actions.messages import citation, send_answer
from actions.tips import focuses, next_tip

# Any named nutrient asks for a tip of this focus.
NUTRITION_FOCUS = "nutrition"


def requested_focus(tracker: Tracker, known: Sequence[str]) -> str | None:
    for value in tracker.get_latest_entity_values(ENTITY_LIFESTYLE):
        if str(value).lower() in known:
            return str(value).lower()
    if next(tracker.get_latest_entity_values(ENTITY_NUTRIENT), None):
        return NUTRITION_FOCUS
    return None


class ActionGiveTip(Action):
    def name(self) -> str:
        return "action_give_tip"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        tips = load_knowledge().tips
        given = list(tracker.get_slot(SLOT_TIPS_GIVEN) or [])
        focus = requested_focus(tracker, focuses(tips))
        tip = next_tip(tips, given, focus)
        if tip is None:
            if focus and next_tip(tips, given) is not None:
                dispatcher.utter_message(response=UTTER_NO_MORE_TIPS_FOCUS, focus=focus)
            else:
                dispatcher.utter_message(response=UTTER_NO_MORE_TIPS)
            return []
        # "Where does it say that?" now cites the tip's sentence.
        return [
            *send_answer(
                dispatcher,
                tracker,
                None,
                [tip.quote],
                response=UTTER_TIP,
                tip=tip.tip,
                **citation([tip.quote]),
            ),
            SlotSet(SLOT_TIPS_GIVEN, [*given, tip.id]),
        ]
