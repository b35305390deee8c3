"""Send the held-out questions (tests/heldout/heldout.yml) through the running bot's
REST webhook, as a user would, and score the replies.

A reply is *correct* for an in-scope question when it answers with an acceptable
topic's entry (its answer line), or, for a quoted passage, quotes one of that
entry's sentences. It is a *decline* when it contains the bot's "not covered"
wording. The model never trained on this file.

Run: python -m scripts.evaluate_heldout [--url http://localhost:5005]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

from actions.knowledge import KnowledgeBase, load_knowledge
from scripts.servers import ROOT, running_bot, send_message

HELDOUT = ROOT / "tests" / "heldout" / "heldout.yml"
RESULTS = ROOT / "results"
# Replies that give no answer: "not covered", no amount given, "which topic?", and
# "I can't advise you on your own treatment" (it may add general information).
DECLINE_RESPONSES = (
    "utter_decline",
    "utter_no_amount",
    "utter_unclear_subject",
    "utter_personal_advice",
)
DECLINE = "decline"


def decline_markers() -> list[str]:
    """The first line of each 'not covered' response in the domain."""
    responses = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"]
    return [v["text"].split("\n")[0] for r in DECLINE_RESPONSES for v in responses[r]]


@dataclass
class Judge:
    knowledge: KnowledgeBase
    markers: Sequence[str]

    def declined(self, text: str) -> bool:
        return any(m in text for m in self.markers)

    def correct(self, text: str, topics: Sequence[str]) -> bool:
        if DECLINE in topics:
            return self.declined(text)
        entries = self.knowledge.entries
        answered = [e.id for e in entries.values() if e.answer in text]
        if answered:
            return any(a in topics for a in answered)
        return any(
            q.text in text
            for topic in topics
            if topic in entries
            for q in entries[topic].quotes + entries[topic].more
        )


@dataclass
class Report:
    in_scope: int = 0
    in_scope_correct: int = 0
    in_scope_declined: int = 0
    out_of_scope: int = 0
    out_of_scope_declined: int = 0
    followup_turns: int = 0
    followup_correct: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        return {
            "in_scope_accuracy": self.in_scope_correct / max(1, self.in_scope),
            "in_scope_wrongly_declined": self.in_scope_declined / max(1, self.in_scope),
            "out_of_scope_declined": self.out_of_scope_declined / max(1, self.out_of_scope),
            "followup_accuracy": self.followup_correct / max(1, self.followup_turns),
            "in_scope": self.in_scope,
            "out_of_scope": self.out_of_scope,
            "followup_turns": self.followup_turns,
        }

    def summary(self) -> str:
        f = self.figures()
        return (
            f"held-out: in-scope correct {f['in_scope_accuracy']:.1%} of {self.in_scope}, "
            f"wrongly declined {f['in_scope_wrongly_declined']:.1%}; "
            f"out-of-scope declined {f['out_of_scope_declined']:.1%} of {self.out_of_scope}; "
            f"follow-up turns correct {f['followup_accuracy']:.1%} of {self.followup_turns}"
        )


Send = Callable[[str, str], list[dict]]


def evaluate(send: Send, heldout: Path = HELDOUT) -> Report:
    data = yaml.safe_load(heldout.read_text("utf-8"))
    judge = Judge(load_knowledge(), decline_markers())
    report = Report()

    def ask(sender: str, text: str) -> str:
        start = time.perf_counter()
        replies = send(sender, text)
        report.latencies_ms.append((time.perf_counter() - start) * 1000)
        return "\n".join(m.get("text", "") for m in replies)

    for item in data["in_scope"]:
        reply = ask(f"heldout-{uuid.uuid4().hex}", item["text"])
        report.in_scope += 1
        if judge.correct(reply, item["topics"]):
            report.in_scope_correct += 1
        else:
            report.failures.append({"kind": "in_scope", **item, "reply": reply})
            report.in_scope_declined += judge.declined(reply)
    for item in data["out_of_scope"]:
        reply = ask(f"heldout-{uuid.uuid4().hex}", item["text"])
        report.out_of_scope += 1
        if judge.declined(reply):
            report.out_of_scope_declined += 1
        else:
            report.failures.append({"kind": "out_of_scope", **item, "reply": reply})
    for conversation in data.get("followups") or []:
        sender = f"heldout-{uuid.uuid4().hex}"
        for turn in conversation["turns"]:
            reply = ask(sender, turn["text"])
            report.followup_turns += 1
            if judge.correct(reply, turn["topics"]):
                report.followup_correct += 1
            else:
                report.failures.append({"kind": "followup", **turn, "reply": reply})
    return report


@contextlib.contextmanager
def bot_sender(url: str | None) -> Iterator[Send]:
    if url:
        session = requests.Session()
        yield lambda sender, text: send_message(url, sender, text, session=session)
    else:
        with running_bot() as bot:
            yield bot.send


def main(argv: Sequence[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running bot (default: start one)")
    args = parser.parse_args(argv)
    with bot_sender(args.url) as send:
        report = evaluate(send)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "heldout.json").write_text(
        json.dumps({"figures": report.figures(), "failures": report.failures}, indent=2),
        "utf-8",
    )
    print(report.summary())
    return report


if __name__ == "__main__":
    main()
