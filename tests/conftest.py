"""Shared fixtures: the knowledge base, the domain, a dispatcher and a tracker factory.

Nothing here needs a running Rasa server or the network: actions are run directly
against a `rasa_sdk.Tracker` built the way the action server would receive it.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.concepts import Vocabulary, load_vocabulary
from actions.knowledge import KnowledgeBase, load_knowledge
from actions.retrieval import PassageIndex, load_index

PROJECT_DIR = Path(__file__).resolve().parent.parent
DOMAIN: dict[str, Any] = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text("utf-8"))

# The slots of domain.yml with their initial values: a fresh conversation. Read from the
# domain, so a slot added there (e.g. last_quotes) is one the trackers know at once.
INITIAL_SLOTS: dict[str, Any] = {
    name: slot.get("initial_value") for name, slot in DOMAIN["slots"].items()
}

TrackerFactory = Callable[..., Tracker]


@pytest.fixture(scope="session")
def rasa_fixes() -> None:
    """Rasa with the fixes of rasa_patches applied, as the launcher applies them at start
    (tests of the fixes ask for it; nothing applies them on import)."""
    import rasa_patches

    stock = os.environ.pop("STOCK_RASA", None)
    try:
        assert rasa_patches.apply()
    finally:
        if stock is not None:
            os.environ["STOCK_RASA"] = stock


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="session")
def index() -> PassageIndex:
    return load_index()


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return copy.deepcopy(DOMAIN)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def _entity(text: str, entity: str, value: str) -> dict[str, Any]:
    """An entity as the NLU pipeline reports it after EntitySynonymMapper: `value` is the
    normalised subject id; the span is where it appears in the text, else the whole text."""
    surface = value.replace("_", " ")
    start = text.lower().find(surface)
    start, end = (start, start + len(surface)) if start >= 0 else (0, len(text))
    return {"entity": entity, "value": value, "start": start, "end": end}


def build_tracker(
    text: str = "",
    intent: str | None = None,
    entities: Iterable[tuple[str, str]] = (),
    *,
    confidence: float = 1.0,
    guess: str | None = None,
    **slots: Any,
) -> Tracker:
    """A tracker whose latest message is `text`, classified as `intent`, with `entities`
    as (entity, value) pairs; `guess` is the intent ranked next (the classifier's own
    guess when `intent` is nlu_fallback); keyword arguments set slots (e.g.
    last_entry="calcium", last_quotes=[...])."""
    unknown = set(slots) - set(INITIAL_SLOTS)
    if unknown:
        raise TypeError(f"not slots of domain.yml: {sorted(unknown)}")
    ranked = [name for name in (intent, guess) if name]
    ranking = [{"name": name, "confidence": confidence} for name in ranked]
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence} if intent else {},
        "entities": [_entity(text, entity, value) for entity, value in entities],
        "intent_ranking": ranking,
    }
    return Tracker(
        sender_id="unit-test",
        slots={**copy.deepcopy(INITIAL_SLOTS), **slots},
        latest_message=latest_message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def make_tracker() -> TrackerFactory:
    return build_tracker
