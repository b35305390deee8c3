"""Blank messages get an intent of their own, so a rule can answer them."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.blank_message import INTENT_EMPTY_MESSAGE, BlankMessageClassifier

EMPTY = {"name": "empty_message", "confidence": 1.0}


@pytest.mark.parametrize("text", ["", "   ", "\n", "\t \r\n"], ids=repr)
def test_a_blank_message_is_classified_empty_message_with_full_confidence(text: str) -> None:
    [message] = BlankMessageClassifier().process([Message(data={"text": text})])

    assert message.get("intent") == EMPTY
    assert message.get("intent_ranking") == [EMPTY]
    # add_to_output: the intent reaches the tracker, not only the pipeline.
    assert {"intent", "intent_ranking"} <= message.output_properties


def test_a_message_without_text_counts_as_blank() -> None:
    [message] = BlankMessageClassifier().process([Message(data={})])

    assert message.get("intent") == EMPTY


def test_a_message_with_text_is_left_untouched() -> None:
    hello = Message(data={"text": "hello"})
    greeted = Message(data={"text": "hi", "intent": {"name": "greet", "confidence": 0.97}})

    BlankMessageClassifier().process([hello, greeted])

    assert hello.get("intent") is None
    assert hello.get("intent_ranking") is None
    assert greeted.get("intent") == {"name": "greet", "confidence": 0.97}


def test_only_the_blank_messages_of_a_batch_are_marked() -> None:
    batch = [Message(data={"text": t}) for t in ["hello", " ", "Does Fosamax thin hair?", ""]]

    processed = BlankMessageClassifier().process(batch)

    assert processed == batch
    assert [(m.get("intent") or {}).get("name") for m in processed] == [
        None,
        INTENT_EMPTY_MESSAGE,
        None,
        INTENT_EMPTY_MESSAGE,
    ]


def test_empty_message_is_an_intent_of_the_domain_with_a_reply(domain: dict) -> None:
    assert INTENT_EMPTY_MESSAGE in domain["intents"]
    assert "utter_empty_message" in domain["responses"]
