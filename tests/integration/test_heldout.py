"""Held-out evaluation: questions the model never trained on (tests/heldout/), asked
over REST as a user would. Bars from the issue: in-scope answered correctly from the
article >= 95%, out-of-scope declined >= 90%, in-scope wrongly declined <= 3%."""

from __future__ import annotations

from scripts.evaluate_heldout import evaluate
from scripts.servers import Bot


def test_heldout_accuracy_and_decline_rate(bot: Bot) -> None:
    report = evaluate(bot.send)
    figures = report.figures()
    print(report.summary())
    assert report.in_scope >= 150
    assert report.out_of_scope >= 50
    assert figures["in_scope_accuracy"] >= 0.95, report.failures
    assert figures["out_of_scope_declined"] >= 0.90, report.failures
    assert figures["in_scope_wrongly_declined"] <= 0.03, report.failures
