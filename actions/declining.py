"""The low-confidence path: answer from the best passage, or decline honestly."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.constants import (
    UTTER_DECLINE,
    UTTER_RETRIEVED,
)
from actions.messages import answered, citation, subjects_in
from actions.retrieval import load_index


class ActionRetrieveOrDecline(Action):
    """For `nlu_fallback`: the article's closest sentence if it clears the calibrated
    thresholds, else "the article does not cover that"."""

    def name(self) -> str:
        return "action_retrieve_or_decline"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        index, settings = load_index()
        hit = index.search(tracker.latest_message.get("text") or "", subjects_in(tracker))
        if hit is None or not hit.clears(settings):
            dispatcher.utter_message(response=UTTER_DECLINE)
            return []
        dispatcher.utter_message(response=UTTER_RETRIEVED, **citation([hit.passage.quote]))
        entry_id = next(iter(hit.passage.entry_ids), None)
        return answered(dispatcher, tracker, entry_id, [hit.passage.quote])
