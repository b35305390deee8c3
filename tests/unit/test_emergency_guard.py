"""The emergency reply is kept for messages that describe an emergency, and only those."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from components.emergency_guard import EmergencyGuard, describes_emergency

ROOT = Path(__file__).resolve().parents[2]


def _classified(text: str, ranking: list[tuple[str, float]]) -> Message:
    intents = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": text, "intent": intents[0], "intent_ranking": intents})


def _emergency_examples() -> list[str]:
    nlu = yaml.safe_load((ROOT / "data" / "nlu.yml").read_text("utf-8"))["nlu"]
    [block] = [b for b in nlu if b.get("intent") == "emergency"]
    return [line.strip()[2:] for line in block["examples"].splitlines() if line.strip()]


@pytest.mark.parametrize("text", _emergency_examples())
def test_every_emergency_the_model_learnt_from_is_still_one(text: str) -> None:
    assert describes_emergency(text)
    [message] = EmergencyGuard().process([_classified(text, [("emergency", 0.9), ("greet", 0.1)])])
    assert message.get("intent")["name"] == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "I'm 63 and was told I have osteoporosis and my hair started falling apart. My "
        "husband jokes I'm falling apart. Why do these come together?",
        "I'm 63 and in one year I was told I have osteoporosis AND my hair started falling "
        "out. Is there a reason these two things would turn up together?",
        "Why do osteoporosis and hair loss happen together?",
    ],
)
def test_a_story_without_an_emergency_gets_the_next_intent(text: str) -> None:
    message = _classified(text, [("emergency", 0.5), ("ask_why_together", 0.4), ("greet", 0.1)])
    [message] = EmergencyGuard().process([message])

    assert message.get("intent")["name"] == "ask_why_together"
    assert [r["name"] for r in message.get("intent_ranking")] == ["ask_why_together", "greet"]
    assert "intent" in message.output_properties


@pytest.mark.parametrize("text", ["my mum fell out of bed last night", "she fell and hit her head"])
def test_a_fall_is_still_an_emergency(text: str) -> None:
    assert describes_emergency(text)


def test_other_intents_are_left_alone() -> None:
    message = _classified("my hair is falling out", [("ask_hair_loss", 0.8), ("emergency", 0.2)])
    [message] = EmergencyGuard().process([message])

    assert message.get("intent")["name"] == "ask_hair_loss"
