"""Choosing the next tip: in file order, within a focus, never twice, then none."""

from __future__ import annotations

import pytest

from actions.knowledge import KnowledgeBase, Tip
from actions.tips import focuses, next_tip

ORDER = [
    "tip_calcium",
    "tip_protein",
    "tip_vitamin_d",
    "tip_biotin_iron",
    "tip_exercise",
    "tip_stress",
]


def _all_tips(tips: tuple[Tip, ...], focus: str | None = None) -> list[str]:
    """The ids of the tips a conversation gets by asking until there are none left."""
    given: list[str] = []
    while (tip := next_tip(tips, given, focus)) is not None:
        assert tip.id not in given, f"{tip.id} given twice"
        given.append(tip.id)
    return given


def test_tips_come_in_file_order_without_repeats_until_none_is_left(
    knowledge: KnowledgeBase,
) -> None:
    assert _all_tips(knowledge.tips) == ORDER
    assert next_tip(knowledge.tips, ORDER) is None


@pytest.mark.parametrize(
    ("focus", "expected"),
    [
        ("nutrition", ["tip_calcium", "tip_protein", "tip_vitamin_d", "tip_biotin_iron"]),
        ("exercise", ["tip_exercise"]),
        ("stress", ["tip_stress"]),
        ("sleep", []),
    ],
)
def test_a_focus_gives_only_its_own_tips(
    knowledge: KnowledgeBase, focus: str, expected: list[str]
) -> None:
    assert _all_tips(knowledge.tips, focus) == expected


def test_a_focus_skips_the_tips_already_given(knowledge: KnowledgeBase) -> None:
    tip = next_tip(knowledge.tips, ["tip_calcium", "tip_exercise"], "nutrition")

    assert tip is not None
    assert tip.id == "tip_protein"


def test_an_exhausted_focus_gives_none_while_other_tips_remain(knowledge: KnowledgeBase) -> None:
    assert next_tip(knowledge.tips, ["tip_exercise"], "exercise") is None
    remaining = next_tip(knowledge.tips, ["tip_exercise"])
    assert remaining is not None
    assert remaining.id == "tip_calcium"


def test_given_may_be_any_iterable_and_unknown_ids_are_ignored(knowledge: KnowledgeBase) -> None:
    tip = next_tip(knowledge.tips, iter(["tip_calcium", "tip_from_an_old_version"]))

    assert tip is not None
    assert tip.id == "tip_protein"


def test_no_tips_gives_none() -> None:
    assert next_tip((), []) is None


def test_focuses_are_listed_once_in_file_order(knowledge: KnowledgeBase) -> None:
    assert focuses(knowledge.tips) == ["nutrition", "exercise", "stress"]
