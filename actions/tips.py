"""Choosing the next lifestyle tip (plain Python, no Rasa)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from actions.knowledge import Tip


def next_tip(tips: Sequence[Tip], given: Iterable[str], focus: str | None = None) -> Tip | None:
    """The first tip not yet given in this conversation, within `focus` if named."""
    seen = set(given)
    return next((t for t in tips if t.id not in seen and focus in (None, t.focus)), None)


def focuses(tips: Sequence[Tip]) -> Sequence[str]:
    """The focuses the tips cover, in file order."""
    return list(dict.fromkeys(t.focus for t in tips))
