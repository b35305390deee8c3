"""Typed slash commands are text, and lone surrogates do not cost the user their reply."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message

from channels.telegram import as_bot_text
from channels.text import clean_text
from channels.webchat import text_from

DOMAIN = Domain.load(Path(__file__).resolve().parents[2] / "domain.yml")


@pytest.fixture(autouse=True)
def _fixes(rasa_fixes: None) -> None:
    """Rasa's message reading with the fixes, as the launcher applies them."""


def _intent(text: str) -> str | None:
    message = YAMLStoryReader.unpack_regex_message(Message(data={"text": text}), DOMAIN)
    return (message.get("intent") or {}).get("name")


@pytest.mark.parametrize(
    "text", ["/restart", "/greet{}", "/ask_calcium_amount@0.3", "/stop", " /session_start"]
)
def test_a_typed_slash_command_is_left_as_text(text: str) -> None:
    assert _intent(text) is None


@pytest.mark.parametrize(
    ("payload", "intent"),
    [
        ("/ask_tip", "ask_tip"),
        ("/ask_causal_link", "ask_causal_link"),
        ("/greet", "greet"),
        ("/non_text_message", "non_text_message"),
        ("/message_too_long", "message_too_long"),
    ],
)
def test_buttons_and_the_channels_own_payloads_still_send_intents(
    payload: str, intent: str
) -> None:
    assert _intent(payload) == intent


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("hello \ud800 there", "hello \ufffd there"),
        ("\udfff", "\ufffd"),
        ("calcium 😀 ok", "calcium 😀 ok"),
        ("Остеопороз", "Остеопороз"),
    ],
)
def test_lone_surrogates_become_the_replacement_character(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned
    assert clean_text(text).encode("utf-8")  # the rest of the bot can encode it


def test_every_channel_cleans_the_text_it_hands_on() -> None:
    assert text_from({"message": "hi \ud83d"}) == "hi \ufffd"
    assert as_bot_text("hi \ud83d") == "hi \ufffd"
