"""The low-confidence path: answer from the best passage, or decline honestly."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.constants import UTTER_DECLINE, UTTER_RETRIEVED
from actions.knowledge import load_knowledge
from actions.messages import citation, send_answer, subjects_in, utter_entry
from actions.resolve import entry_for_hit
from actions.retrieval import load_index


class ActionRetrieveOrDecline(Action):
    """For `nlu_fallback`, when the classifier was unsure.

    - The classifier's best guess and the best passage agree (the passage is quoted
      by the guessed intent's entry, with `agreement_min_coverage`): that answer.
    - Otherwise the passage alone, if it clears the calibrated thresholds.
    - Otherwise "the article does not cover that".
    """

    def name(self) -> str:
        return "action_retrieve_or_decline"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        index, settings = load_index()
        knowledge = load_knowledge()
        hit = index.search(tracker.latest_message.get("text") or "", subjects_in(tracker))
        guess = knowledge.by_intent.get(tracker.get_intent_of_latest_message() or "")
        if (
            hit is not None
            and guess is not None
            and guess.id in hit.passage.entry_ids
            and hit.coverage >= settings.agreement_min_coverage
        ):
            return utter_entry(dispatcher, tracker, knowledge, guess)
        if hit is None or not hit.clears(settings):
            dispatcher.utter_message(response=UTTER_DECLINE)
            return []
        entry = entry_for_hit(knowledge, hit)
        return send_answer(
            dispatcher,
            tracker,
            entry.id if entry else None,
            [hit.passage.quote],
            response=UTTER_RETRIEVED,
            **citation([hit.passage.quote]),
        )
