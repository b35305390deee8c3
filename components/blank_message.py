"""Give blank messages an intent of their own, so they get a reply.

Rasa's classifiers leave the intent of an empty or whitespace-only message unset,
and with no intent no rule fires: the user hears nothing. This component runs
right after the intent classifier (before FallbackClassifier, which needs an
intent) and marks such messages `empty_message`.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.stateless import StatelessIntentClassifier

INTENT_EMPTY_MESSAGE = "empty_message"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class BlankMessageClassifier(StatelessIntentClassifier):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if str(message.get(TEXT) or "").strip():
                continue
            intent = {
                INTENT_NAME_KEY: INTENT_EMPTY_MESSAGE,
                PREDICTED_CONFIDENCE_KEY: 1.0,
            }
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
