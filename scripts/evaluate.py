"""Ask question sets of the running bot over REST, as users would, and score them per kind.

Two sets (README, "Measuring answers"):
- `tests/heldout/heldout.yml`, the development set: tuned on freely; its failures are
  written to `results/eval-dev-failures.yml`.
- `tests/sealed/sealed.yml`, the sealed set: written once by a helper who saw only the
  article, never edited, never tuned on. Only its per-kind figures are printed; its
  individual failures are neither printed nor stored.

How a reply is judged (the same for both sets):
- Its *outcome* is `partial` when it carries the "the article doesn't say ..." opening,
  `decline` when it carries a decline opening (not covered, no amount, which subject?),
  and `answer` otherwise.
- An answerable question is *correct* when the outcome is `answer` (or `partial`, where
  the label allows it) and the reply quotes, verbatim, one of the article sentences the
  label accepts (all of them with `expects_all`; for attribution questions it must also
  send the user to a doctor).
- An unanswerable question is *declined* when the outcome is `partial` or `decline`, or
  the bot refuses personal advice, and no message starts with a verdict ("Yes", "No",
  "They can", "Possibly"): a verdict on a question the article does not answer is the
  failure that matters most.

Labels: an item names the sentences that answer it either as `topics` (knowledge entry
ids: their quotes and further sentences) or as `expects` (verbatim fragments of the
article, each within one sentence); `topics: [decline]` or `expects: none` marks a
question the article does not answer.

Run: python -m scripts.evaluate [--url http://localhost:5005] [--set dev|sealed|all]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from actions.knowledge import KnowledgeBase, load_knowledge
from scripts.servers import ROOT, running_bot, send_message

# The development sets: tune on these freely.
# The first one, heldout.yml, also gives the benchmark its questions.
DEV_SETS = tuple(
    sorted(
        (ROOT / "tests" / "heldout").glob("*.yml"),
        key=lambda p: (p.stem != "heldout", int("0" + re.sub(r"\D", "", p.stem)), p),
    )
)
SEALED_SET = ROOT / "tests" / "sealed" / "sealed.yml"
RESULTS = ROOT / "results"
DEV_FAILURES = RESULTS / "eval-dev-failures.yml"  # both development sets' failures

# Responses whose opening marks a reply that answers nothing.
DECLINE_RESPONSES = ("utter_decline", "utter_unclear_subject", "utter_off_topic")
# Responses whose opening marks "the article doesn't say that; here is what it says".
PARTIAL_RESPONSES = ("utter_partial_answer", "utter_no_tip_for")
# "I can't advise you on your own treatment", "Only your doctor can tell which of these is
# behind it": a refusal, though general information follows.
ADVICE_RESPONSES = ("utter_personal_advice", "utter_personal_advice_only", "utter_attribution")
# Opening words that give a verdict; never allowed on a question the article doesn't answer.
VERDICT = re.compile(r"^\s*(yes|no|they can|it can|possibly)\b", re.IGNORECASE)
NOT_ANSWERED = "none"
NEAR_MISS_EXCLUDES = ("unrelated",)


@dataclass(frozen=True)
class Item:
    """One question, or one turn of a conversation, with what counts as its answer."""

    text: str
    group: str
    style: str = ""
    # The article sentences that answer it; None when the article does not answer it.
    accept: frozenset[str] | None = None
    accept_all: bool = False
    partial_ok: bool = False
    # For "another tip": the sentence quoted must be new to the conversation.
    new: bool = False

    @property
    def answerable(self) -> bool:
        return self.accept is not None


@dataclass(frozen=True)
class QuestionSet:
    name: str
    sealed: bool
    in_scope: tuple[Item, ...]
    out_of_scope: tuple[Item, ...]
    conversations: tuple[tuple[Item, ...], ...]


def _sentence_of(fragment: str, sentences: Sequence[str]) -> str:
    found = [s for s in sentences if fragment in s]
    if len(found) != 1:
        raise ValueError(f"fragment is in {len(found)} article sentences, not 1: {fragment!r}")
    return found[0]


def _accepted(raw: dict[str, Any], knowledge: KnowledgeBase) -> frozenset[str] | None:
    sentences = [p.quote.text for p in knowledge.passages()]
    if "expects" in raw:
        expects = raw["expects"]
        if expects == NOT_ANSWERED:
            return None
        return frozenset(_sentence_of(f, sentences) for f in expects)
    topics = raw.get("topics") or []
    if "decline" in topics:
        return None
    entries = [knowledge.entries[t] for t in topics]
    return frozenset(q.text for e in entries for q in e.quotes + e.more)


def _item(raw: dict[str, Any], group: str, knowledge: KnowledgeBase) -> Item:
    return Item(
        text=str(raw["text"]),
        group=group,
        style=str(raw.get("style", "")),
        accept=_accepted(raw, knowledge),
        accept_all=bool(raw.get("expects_all")),
        partial_ok=bool(raw.get("partial_ok")),
        new=bool(raw.get("new")),
    )


def load_set(path: Path, knowledge: KnowledgeBase, sealed: bool) -> QuestionSet:
    raw = yaml.safe_load(path.read_text("utf-8"))
    in_scope = tuple(
        _item(r, r.get("topic") or (r.get("topics") or ["?"])[0], knowledge)
        for r in raw["in_scope"]
    )
    out_of_scope = tuple(
        _item({**r, "expects": NOT_ANSWERED}, r.get("kind", "near_miss"), knowledge)
        for r in raw["out_of_scope"]
    )
    conversations = tuple(
        tuple(
            _item(turn, turn.get("kind") or ("opening" if i == 0 else "follow_up"), knowledge)
            for i, turn in enumerate(c["turns"])
        )
        for c in raw.get("conversations") or raw.get("followups") or []
    )
    return QuestionSet(path.stem, sealed, in_scope, out_of_scope, conversations)


def _openings(domain: dict[str, Any], names: Sequence[str]) -> tuple[str, ...]:
    """The first literal words of each response's variants, between its {variables}
    (a `{preface}` may open a response: another response's words go there)."""
    responses = domain["responses"]
    return tuple(
        next((part.strip() for part in re.split(r"\{\w+\}", v["text"]) if part.strip()), "")
        .split("\n")[0]
        .strip()
        for name in names
        for v in responses.get(name, ())
    )


@dataclass
class Judge:
    sentences: tuple[str, ...]
    declines: tuple[str, ...]
    partials: tuple[str, ...]
    refusals: tuple[str, ...]

    @classmethod
    def for_project(cls, knowledge: KnowledgeBase) -> Judge:
        domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
        return cls(
            tuple(p.quote.text for p in knowledge.passages()),
            _openings(domain, DECLINE_RESPONSES),
            _openings(domain, PARTIAL_RESPONSES),
            _openings(domain, ADVICE_RESPONSES),
        )

    def outcome(self, text: str) -> str:
        if any(p and p in text for p in self.partials):
            return "partial"
        if any(d and d in text for d in self.declines):
            return "decline"
        return "answer"

    def quoted(self, text: str) -> set[str]:
        return {s for s in self.sentences if s in text}

    def refused(self, text: str) -> bool:
        return any(r and r in text for r in self.refusals)

    @staticmethod
    def verdict(messages: Sequence[str]) -> bool:
        return any(VERDICT.match(m) for m in messages)

    def correct(self, item: Item, messages: Sequence[str], earlier: set[str]) -> bool:
        text = "\n".join(messages)
        outcome = self.outcome(text)
        if not item.answerable:
            held_back = outcome != "answer" or self.refused(text)
            return held_back and not self.verdict(messages)
        if outcome == "decline" or (outcome == "partial" and not item.partial_ok):
            return False
        assert item.accept is not None
        quoted = self.quoted(text)
        if item.new:
            quoted -= earlier
        if item.accept_all:
            return item.accept <= quoted and "doctor" in text.lower()
        return bool(item.accept & quoted)


@dataclass
class Tally:
    asked: int = 0
    right: int = 0
    # In-scope only: declined or answered partially when the article answers it.
    declined: int = 0

    def add(self, right: bool, declined: bool = False) -> None:
        self.asked += 1
        self.right += right
        self.declined += declined

    @property
    def rate(self) -> float:
        return self.right / self.asked if self.asked else 0.0

    @property
    def declined_rate(self) -> float:
        return self.declined / self.asked if self.asked else 0.0


@dataclass
class Report:
    name: str
    sealed: bool
    in_scope: Tally = field(default_factory=Tally)
    out_of_scope: Tally = field(default_factory=Tally)
    near_miss: Tally = field(default_factory=Tally)
    follow_up: Tally = field(default_factory=Tally)
    by_topic: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_style: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_turn: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        def table(tallies: dict[str, Tally]) -> dict[str, list[float]]:
            return {k: [round(t.rate, 4), t.asked] for k, t in sorted(tallies.items())}

        return {
            "in_scope_correct": round(self.in_scope.rate, 4),
            "in_scope_wrongly_declined": round(self.in_scope.declined_rate, 4),
            "out_of_scope_declined": round(self.out_of_scope.rate, 4),
            "near_miss_declined": round(self.near_miss.rate, 4),
            "follow_up_turns_correct": round(self.follow_up.rate, 4),
            "counts": {
                "in_scope": self.in_scope.asked,
                "out_of_scope": self.out_of_scope.asked,
                "near_miss": self.near_miss.asked,
                "follow_up_turns": self.follow_up.asked,
            },
            "in_scope_by_topic": table(self.by_topic),
            "in_scope_by_style": table(self.by_style),
            "out_of_scope_by_kind": table(self.by_kind),
            "follow_up_by_kind": table(self.by_turn),
        }

    def summary(self) -> str:
        f = self.figures()
        lines = [
            f"{self.name}: in-scope correct {f['in_scope_correct']:.1%} of {self.in_scope.asked}, "
            f"wrongly declined {f['in_scope_wrongly_declined']:.1%}; out-of-scope declined "
            f"{f['out_of_scope_declined']:.1%} of {self.out_of_scope.asked} (near-misses "
            f"{f['near_miss_declined']:.1%} of {self.near_miss.asked}); follow-up turns "
            f"correct {f['follow_up_turns_correct']:.1%} of {self.follow_up.asked}"
        ]
        for title, key in (
            ("in-scope by topic", "in_scope_by_topic"),
            ("in-scope by style", "in_scope_by_style"),
            ("out-of-scope by kind", "out_of_scope_by_kind"),
            ("follow-up turns by kind", "follow_up_by_kind"),
        ):
            if f[key] and set(f[key]) != {""}:
                cells = ", ".join(f"{k} {rate:.0%}/{n}" for k, (rate, n) in f[key].items())
                lines.append(f"  {title}: {cells}")
        return "\n".join(lines)


Send = Callable[[str, str], list[dict]]


def evaluate(send: Send, questions: QuestionSet, judge: Judge) -> Report:
    report = Report(questions.name, questions.sealed)

    def ask(sender: str, text: str) -> list[str]:
        start = time.perf_counter()
        replies = send(sender, text)
        report.latencies_ms.append((time.perf_counter() - start) * 1000)
        return [m.get("text", "") for m in replies if m.get("text")]

    def failed(kind: str, item: Item, messages: list[str]) -> None:
        if not questions.sealed:
            report.failures.append(
                {"kind": kind, "group": item.group, "text": item.text, "reply": "\n".join(messages)}
            )

    def sender() -> str:
        return f"eval-{uuid.uuid4().hex}"

    for item in questions.in_scope:
        messages = ask(sender(), item.text)
        right = judge.correct(item, messages, set())
        declined = not right and judge.outcome("\n".join(messages)) != "answer"
        for tally in (report.in_scope, report.by_topic[item.group], report.by_style[item.style]):
            tally.add(right, declined)
        if not right:
            failed("in_scope", item, messages)
    for item in questions.out_of_scope:
        messages = ask(sender(), item.text)
        right = judge.correct(item, messages, set())
        report.out_of_scope.add(right)
        report.by_kind[item.group].add(right)
        if item.group not in NEAR_MISS_EXCLUDES:
            report.near_miss.add(right)
        if not right:
            failed("out_of_scope", item, messages)
    for conversation in questions.conversations:
        who = sender()
        earlier: set[str] = set()
        for turn in conversation:
            messages = ask(who, turn.text)
            right = judge.correct(turn, messages, earlier)
            earlier |= judge.quoted("\n".join(messages))
            report.follow_up.add(right)
            report.by_turn[turn.group].add(right)
            if not right:
                failed(f"conversation turn ({conversation[0].text!r})", turn, messages)
    return report


@contextlib.contextmanager
def bot_sender(url: str | None) -> Iterator[Send]:
    if url:
        session = requests.Session()
        yield lambda sender, text: send_message(url, sender, text, session=session)
    else:
        with running_bot() as bot:
            yield bot.send


def question_sets(which: str, knowledge: KnowledgeBase) -> list[QuestionSet]:
    chosen = []
    if which in ("dev", "all"):
        chosen += [load_set(path, knowledge, sealed=False) for path in DEV_SETS]
    if which in ("sealed", "all") and SEALED_SET.exists():
        chosen.append(load_set(SEALED_SET, knowledge, sealed=True))
    return chosen


def main(argv: Sequence[str] | None = None) -> list[Report]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--url", help="a running bot (default: start one)")
    parser.add_argument("--set", choices=("dev", "sealed", "all"), default="all")
    args = parser.parse_args(argv)
    knowledge = load_knowledge()
    judge = Judge.for_project(knowledge)
    reports = []
    with bot_sender(args.url) as send:
        for questions in question_sets(args.set, knowledge):
            reports.append(evaluate(send, questions, judge))
    RESULTS.mkdir(exist_ok=True)
    for report in reports:
        (RESULTS / f"eval-{report.name}.json").write_text(
            json.dumps(report.figures(), indent=2), "utf-8"
        )
        print(report.summary())
    if any(not r.sealed for r in reports):
        failures = [{"set": r.name, **f} for r in reports if not r.sealed for f in r.failures]
        DEV_FAILURES.write_text(
            yaml.safe_dump(failures, allow_unicode=True, sort_keys=False, width=100), "utf-8"
        )
    if any(not r.sealed for r in reports):
        print(f"development-set failures: {DEV_FAILURES.relative_to(ROOT)}")
    return reports


if __name__ == "__main__":
    main()
