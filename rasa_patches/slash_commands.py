"""Typed slash commands are text; only the bot's own buttons send intents.

Rasa reads any message that starts with "/" as an intent ("/restart" restarts the
conversation without a word, "/greet" skips the classifier). A user who types
"/restart" or "/ask_calcium_amount" gets no reply or an answer they did not ask for.
Our buttons send "/ask_…" and "/feedback_…" payloads (domain.yml, actions/messages.py)
and the channels send "/greet" (Telegram's /start), "/non_text_message" and
"/message_too_long" on the user's behalf, so exactly those stay commands; every other
message is classified as the text it is.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

# A button's payload ("/" and an intent that asks something) or a channel's, and
# nothing else.
BUTTON_PAYLOAD = re.compile(
    r"/(?:ask_[a-z_]+|feedback_(?:not_)?helpful|greet|non_text_message|message_too_long)"
)

_unpack = YAMLStoryReader.unpack_regex_message


def is_button_payload(text: str) -> bool:
    return bool(BUTTON_PAYLOAD.fullmatch(text.strip()))


def _unpack_buttons_only(message: Message, *args: Any, **kwargs: Any) -> Message:
    text = str(message.get(TEXT) or "")
    if text.strip().startswith("/") and not is_button_payload(text):
        return message
    return _unpack(message, *args, **kwargs)


def apply() -> None:
    YAMLStoryReader.unpack_regex_message = staticmethod(_unpack_buttons_only)
