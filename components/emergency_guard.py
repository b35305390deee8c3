"""Keep the emergency reply for messages that describe an emergency.

The intent classifier sometimes takes a long story for an emergency ("my husband jokes
I'm falling apart"), and the user gets "call your local emergency number" instead of an
answer. This component runs after the classifier and keeps the `emergency` intent only
when the message says something an emergency is made of (a fall, a break, bleeding,
trouble breathing, an overdose...); otherwise the next intent of the ranking is taken.
It never makes a message an emergency.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.stateless import StatelessIntentClassifier

INTENT_EMERGENCY = "emergency"

# What an emergency is made of. Idioms that only sound like one are removed first.
# Hair "falling out" is what the assistant is about ("I fell out of bed" is still a fall).
_IDIOMS = re.compile(r"\b(?:fall(?:s|ing|en)?|fell) (?:apart\b|out\b(?! of))", re.IGNORECASE)
_CUES = re.compile(
    r"\b(?:fell|fall(?:s|en|ing)?|broke|broken|break|cracked|crack|collaps\w*|unconscious"
    r"|faint\w*|pass(?:ed|ing)? out|bleed\w*|blood|breath\w*|chest|heart attack|stroke"
    r"|ambulance|911|999|112|emergency|urgent\w*|dizzy|severe|agony|can'?t (?:move|walk"
    r"|stand|feel|get up)|overdos\w*|too many (?:pills|tablets)|suicid\w*|kill (?:myself"
    r"|herself|himself)|seizure|chok\w*|numb|paraly\w*|help me|help!)",
    re.IGNORECASE,
)


def describes_emergency(text: str) -> bool:
    """Whether `text` says something an emergency is made of."""
    return bool(_CUES.search(_IDIOMS.sub(" ", text.replace("’", "'"))))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class EmergencyGuard(StatelessIntentClassifier):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != INTENT_EMERGENCY:
                continue
            if describes_emergency(str(message.get(TEXT) or "")):
                continue
            ranking = [
                r
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get(INTENT_NAME_KEY) != INTENT_EMERGENCY
            ]
            if ranking:
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
