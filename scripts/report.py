"""`make report`: what went unanswered, and how answers were received.

Reads the tracker store the bot writes to (SQLite by default, the file TRACKER_SQLITE_DB
names, rasa.db; PostgreSQL with TRACKER_STORE=postgres, with the settings of
endpoints.postgres.yml, as scripts/run.sh fills them) and writes two files into
`reports/`:

- `report.html`: one self-contained page (no script, nothing fetched: it may be opened
  offline and sends nothing anywhere) with the declined questions, partial answers,
  fallbacks and low-confidence answers, similar wordings grouped, each with its reasons,
  count and when it was first and last seen; a chart of answers per topic over time;
  and helpfulness per topic from the users' feedback.
- `report.csv`: the same groups, one row each.

Every reply of the bot records its answerability decision in the `answerability` slot
(actions/answerability.py, Decision.record: outcome and reason), and feedback is kept
in the `feedback` slot with the answer it is about (actions/feedback.py); the user
message before them gives the question, its time and the classifier's confidence.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import html
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa  # type: ignore[import-untyped]
import yaml

from actions.answerability import FRAME_KINDS
from actions.concepts import load_vocabulary, words_of
from actions.constants import INTENT_FALLBACK, SLOT_ANSWERABILITY
from actions.feedback import SLOT_FEEDBACK
from actions.knowledge import load_knowledge
from actions.retrieval import STOPWORDS, stem
from scripts.servers import PROBE_SENDER

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "reports"

# scripts/run.sh's defaults for the variables the endpoints files read
# (tests/unit/test_report.py checks they agree).
STORE_DEFAULTS = {
    "TRACKER_SQLITE_DB": "rasa.db",
    "POSTGRES_HOST": "127.0.0.1",
    "POSTGRES_PORT": "5432",
    "POSTGRES_DB": "rasa",
    "POSTGRES_USER": "postgres",
    "POSTGRES_PASSWORD": "",
    "POSTGRES_LOGIN_DB": "postgres",
    "CONVERSATION_RETENTION_DAYS": "30",
}
ENDPOINTS = {"sqlite": ROOT / "endpoints.yml", "postgres": ROOT / "endpoints.postgres.yml"}

# Answered with less confidence than this (the classifier's best topic guess), an answer
# is listed for review. The FallbackClassifier's threshold (config.yml) is 0.3.
LOW_CONFIDENCE = 0.5
# Two wordings whose content words overlap this much (Jaccard) are one group.
SIMILARITY = 0.6

DECLINED, PARTIAL, FALLBACK, LOW = "declined", "partial", "fallback", "low confidence"
KINDS = (DECLINED, PARTIAL, FALLBACK, LOW)
KIND_TITLES = {
    DECLINED: "Declined questions",
    PARTIAL: "Partial answers",
    FALLBACK: "Fallbacks (the classifier was unsure, the answer came from the article)",
    LOW: "Low-confidence answers",
}
TIPS_TOPIC = "lifestyle tips"
OTHER_TOPIC = "other passages"


class StoreError(RuntimeError):
    """The tracker store is missing or cannot be read; the message says what to do."""


# ---- Reading the store --------------------------------------------------------------


def _expand(value: Any, env: Mapping[str, str]) -> Any:
    """${VAR} in an endpoints file's value, as Rasa reads it."""
    if not isinstance(value, str):
        return value
    return re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), value)


def store_settings(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The tracker store's settings from the endpoints file `make run` would use."""
    env = {**STORE_DEFAULTS, **{k: v for k, v in (env or os.environ).items() if v != ""}}
    kind = env.get("TRACKER_STORE", "sqlite")
    if kind not in ENDPOINTS:
        raise StoreError(f"TRACKER_STORE must be sqlite or postgres, not '{kind}'")
    tracker_store = yaml.safe_load(ENDPOINTS[kind].read_text("utf-8"))["tracker_store"]
    return {"kind": kind, **{k: _expand(v, env) for k, v in tracker_store.items()}}


def store_url(settings: Mapping[str, Any]) -> tuple[str, str]:
    """(SQLAlchemy URL, a description for messages) of the store; the SQLite file must
    exist (nothing is created)."""
    if settings["kind"] == "sqlite":
        path = Path(settings["db"])
        path = path if path.is_absolute() else ROOT / path
        if not path.is_file():
            raise StoreError(
                f"no tracker store at {path}: talk to the bot first (make run), or set "
                "TRACKER_SQLITE_DB to the file scripts/run.sh used "
                "(or TRACKER_STORE=postgres)"
            )
        return f"sqlite:///file:{path}?mode=ro&uri=true", f"SQLite file {path}"
    url = sa.engine.URL.create(
        "postgresql",
        username=settings.get("username") or None,
        password=settings.get("password") or None,
        host=settings.get("url") or None,
        port=int(settings.get("port") or 5432),
        database=settings.get("db") or None,
    )
    where = f"PostgreSQL database '{settings.get('db')}' at {settings.get('url')}:{url.port}"
    return str(url.render_as_string(hide_password=False)), where


def read_events(url: str, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(sender id, event) of every user message, slot, session start and restart in the
    store, each conversation's in order."""
    engine = sa.create_engine(url, connect_args=_connect_args(url))
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                raise StoreError(f"{where} holds no conversations (no 'events' table)")
            rows = connection.execute(
                sa.text(
                    "SELECT sender_id, data FROM events WHERE type_name IN "
                    "('user', 'slot', 'session_started', 'restart') ORDER BY sender_id, id"
                )
            ).fetchall()
    except sa.exc.OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise StoreError(f"cannot read {where}: {reason}") from error
    finally:
        engine.dispose()
    for sender, data in rows:
        if sender != PROBE_SENDER:  # the test and benchmark harness's start-up check
            yield str(sender), json.loads(data)


def _connect_args(url: str) -> dict[str, Any]:
    return {"connect_timeout": 5} if url.startswith("postgresql") else {"uri": True}


# ---- Turns: a question and what the bot made of it ----------------------------------


@dataclass
class Turn:
    sender: str
    text: str
    time: float
    intent: str
    confidence: float
    decision: dict[str, Any] | None = None


@dataclass
class Feedback:
    time: float
    helpful: bool
    entry: str | None
    question: str | None


def turns_and_feedback(
    events: Iterable[tuple[str, dict[str, Any]]],
) -> tuple[list[Turn], list[Feedback]]:
    """Each user message with the decision of the bot's reply to it (the last
    `answerability` record before the next message), and every piece of feedback."""
    turns: list[Turn] = []
    feedback: list[Feedback] = []
    current: Turn | None = None
    for sender, event in events:
        kind = event.get("event")
        if current is not None and current.sender != sender:
            current = None
        if kind in ("session_started", "restart"):
            current = None  # a new session repeats earlier slots; they answer nothing
        elif kind == "user":
            current = Turn(sender, *_question(event))
            turns.append(current)
        elif kind == "slot" and current is not None:
            value = event.get("value")
            if event.get("name") == SLOT_ANSWERABILITY and isinstance(value, dict):
                current.decision = value
            elif event.get("name") == SLOT_FEEDBACK and isinstance(value, dict):
                feedback.append(
                    Feedback(
                        float(event.get("timestamp") or current.time),
                        bool(value.get("helpful")),
                        value.get("entry"),
                        value.get("question"),
                    )
                )
    return turns, feedback


def _question(event: dict[str, Any]) -> tuple[str, float, str, float]:
    """(text, time, intent, confidence) of a user message. The confidence is the
    classifier's best guess other than the fallback; a button's payload is shown as
    the question its entry is labelled with."""
    parse = event.get("parse_data") or {}
    intent = str((parse.get("intent") or {}).get("name") or "")
    ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != INTENT_FALLBACK]
    confidence = float(
        ranking[0].get("confidence") or 0.0
        if ranking
        else (parse.get("intent") or {}).get("confidence") or 0.0
    )
    text = str(event.get("text") or "")
    if text.startswith("/"):
        entry = load_knowledge().by_intent.get(intent)
        text = entry.label if entry is not None else text
    return " ".join(text.split()), float(event.get("timestamp") or 0.0), intent, confidence


def kind_of(turn: Turn, low_confidence: float = LOW_CONFIDENCE) -> str | None:
    """Which list of the report a turn belongs to, if any."""
    decision = turn.decision
    if decision is None:
        return None  # small talk, feedback, a prompt: nothing was asked
    outcome = decision.get("outcome")
    if outcome == "decline":
        return DECLINED
    if outcome == "partial":
        return PARTIAL
    if turn.intent == INTENT_FALLBACK:
        return FALLBACK
    if turn.confidence < low_confidence and not turn.text.startswith("/"):
        return LOW
    return None


def reason_of(turn: Turn) -> str:
    decision = turn.decision or {}
    reason = str(decision.get("reason") or "")
    uncovered = decision.get("uncovered") or []
    if uncovered:
        reason += " (" + ", ".join(map(str, uncovered)) + ")"
    return reason or "-"


def topic_of(entry_id: str | None, decision: Mapping[str, Any] | None = None) -> str:
    """The knowledge entry's label, for answers, partial answers and feedback."""
    if decision is not None and str(decision.get("reason", "")).startswith("tip"):
        return TIPS_TOPIC
    entry = load_knowledge().entries.get(entry_id or "")
    return entry.label if entry is not None else OTHER_TOPIC


# ---- Grouping similar wordings --------------------------------------------------------


def normalised(text: str) -> frozenset[str]:
    """What a wording is about: the concepts the bot reads in it (synonyms, brands and lay
    words as one name: "prednisone" and "steroids", "DEXA" and "bone density scan"),
    without those that only frame a question, and the stems of its other content words
    (the retrieval's stemmer and stop words)."""
    vocabulary = load_vocabulary()
    terms = vocabulary.read(text)
    covered = {w for t in terms for w in words_of(t.text)}
    concepts = {f"~{t.concept}" for t in terms if vocabulary.kind(t.concept) not in FRAME_KINDS}
    words = {stem(w) for w in words_of(text) if w not in STOPWORDS and w not in covered}
    return frozenset(concepts | words)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _same(text: str) -> str:
    """A wording without case or punctuation: "Does it?" and "does it" are one."""
    return " ".join(words_of(text)) or text.strip().lower()


@dataclass
class Group:
    kind: str
    turns: list[Turn] = field(default_factory=list)
    words: frozenset[str] = frozenset()

    @property
    def wordings(self) -> list[str]:
        """Its distinct wordings, the most frequent first."""
        counts = collections.Counter(_same(t.text) for t in self.turns)
        first: dict[str, str] = {}
        for t in self.turns:
            first.setdefault(_same(t.text), t.text)
        return [first[w] for w, _ in counts.most_common()]

    @property
    def count(self) -> int:
        return len(self.turns)

    @property
    def conversations(self) -> int:
        return len({t.sender for t in self.turns})

    @property
    def first_seen(self) -> float:
        return min(t.time for t in self.turns)

    @property
    def last_seen(self) -> float:
        return max(t.time for t in self.turns)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        return collections.Counter(reason_of(t) for t in self.turns).most_common()

    @property
    def mean_confidence(self) -> float:
        return sum(t.confidence for t in self.turns) / len(self.turns)


def group_turns(
    turns: Iterable[Turn], low_confidence: float = LOW_CONFIDENCE, threshold: float = SIMILARITY
) -> list[Group]:
    """The report's turns, similar wordings of one kind together; the largest groups
    first. A wording joins the group whose first wording it is most like, when that
    similarity reaches `threshold`; a wording with no content words only joins its own
    exact repeats."""
    groups: list[Group] = []
    for turn in sorted(turns, key=lambda t: t.time):
        kind = kind_of(turn, low_confidence)
        if kind is None:
            continue
        words = normalised(turn.text)
        best, best_score = None, 0.0
        for group in groups:
            if group.kind != kind:
                continue
            if not words or not group.words:
                score = 1.0 if _same(group.turns[0].text) == _same(turn.text) else 0.0
            else:
                score = similarity(words, group.words)
            if score > best_score:
                best, best_score = group, score
        if best is not None and best_score >= threshold:
            best.turns.append(turn)
        else:
            groups.append(Group(kind, [turn], words))
    return sorted(groups, key=lambda g: (KINDS.index(g.kind), -g.count, g.first_seen))


# ---- Answers per topic over time, and helpfulness -------------------------------------


def answers_over_time(turns: Iterable[Turn]) -> tuple[list[str], dict[str, list[int]]]:
    """(bucket labels, answers per topic in each bucket): answers and partial answers by
    day, or by hour when everything happened within two days."""
    answered = [
        t for t in turns if t.decision and t.decision.get("outcome") in ("answer", "partial")
    ]
    if not answered:
        return [], {}
    times = [_utc(t.time) for t in answered]
    hourly = max(times) - min(times) < dt.timedelta(days=2)

    def bucket(moment: dt.datetime) -> dt.datetime:
        return (
            moment.replace(minute=0, second=0, microsecond=0)
            if hourly
            else moment.replace(hour=0, minute=0, second=0, microsecond=0)
        )

    step = dt.timedelta(hours=1) if hourly else dt.timedelta(days=1)
    start, end = bucket(min(times)), bucket(max(times))
    buckets = []
    while start <= end:
        buckets.append(start)
        start += step
    index = {b: i for i, b in enumerate(buckets)}
    series: dict[str, list[int]] = {}
    for turn, moment in zip(answered, times, strict=True):
        topic = topic_of((turn.decision or {}).get("entry"), turn.decision)
        series.setdefault(topic, [0] * len(buckets))[index[bucket(moment)]] += 1
    fmt = "%Y-%m-%d %H:00" if hourly else "%Y-%m-%d"
    return [b.strftime(fmt) for b in buckets], dict(
        sorted(series.items(), key=lambda item: -sum(item[1]))
    )


def helpfulness(feedback: Iterable[Feedback]) -> list[tuple[str, int, int]]:
    """(topic, helpful, not helpful) per topic, the most rated first."""
    counts: dict[str, list[int]] = {}
    for each in feedback:
        pair = counts.setdefault(topic_of(each.entry), [0, 0])
        pair[0 if each.helpful else 1] += 1
    return sorted(((t, h, n) for t, (h, n) in counts.items()), key=lambda r: (-(r[1] + r[2]), r[0]))


# ---- Writing --------------------------------------------------------------------------


def _utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc)


def when(timestamp: float) -> str:
    return _utc(timestamp).strftime("%Y-%m-%d %H:%M UTC")


CSV_FIELDS = (
    "kind",
    "question",
    "similar wordings",
    "count",
    "conversations",
    "reasons",
    "mean confidence",
    "first seen",
    "last seen",
)


def csv_rows(groups: Iterable[Group]) -> Iterator[dict[str, str]]:
    for group in groups:
        wordings = group.wordings
        yield {
            "kind": group.kind,
            "question": wordings[0],
            "similar wordings": " | ".join(wordings[1:]),
            "count": str(group.count),
            "conversations": str(group.conversations),
            "reasons": "; ".join(f"{r} ×{n}" for r, n in group.reasons),
            "mean confidence": f"{group.mean_confidence:.2f}",
            "first seen": when(group.first_seen),
            "last seen": when(group.last_seen),
        }


def write_csv(path: Path, groups: Iterable[Group]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(csv_rows(groups))


PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def chart_svg(labels: Sequence[str], series: Mapping[str, Sequence[int]]) -> str:
    """Answers per topic over time as stacked bars, in inline SVG."""
    if not labels:
        return '<p class="empty">No answers yet.</p>'
    shown = list(series.items())
    if len(shown) > len(PALETTE):  # the rest as one "other topics" series
        rest = [sum(v) for v in zip(*(s for _, s in shown[len(PALETTE) - 1 :]), strict=True)]
        shown = [*shown[: len(PALETTE) - 1], ("other topics", rest)]
    width, height, left, bottom, top = 760, 300, 40, 60, 10
    totals = [sum(s[i] for _, s in shown) for i in range(len(labels))]
    peak = max(max(totals), 1)
    slot = (width - left - 10) / len(labels)
    bar = max(min(slot * 0.7, 60), 2)
    scale = (height - top - bottom) / peak
    parts = [
        f'<svg id="answers-chart" role="img" viewBox="0 0 {width} {height + 20 * len(shown)}"'
        f' width="{width}" xmlns="http://www.w3.org/2000/svg">',
        "<title>Answers per topic over time</title>",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}"'
        ' stroke="#333"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, label in enumerate(labels):
        x = left + i * slot + (slot - bar) / 2
        y: float = height - bottom
        for n, (topic, values) in enumerate(shown):
            if values[i]:
                h = values[i] * scale
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[n]}"><title>{html.escape(topic)}: {values[i]}</title></rect>'
                )
        if len(labels) <= 12 or i % max(len(labels) // 12, 1) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" font-size="10" '
                f'text-anchor="end" transform="rotate(-35 {x + bar / 2:.1f} '
                f'{height - bottom + 14})">{html.escape(label)}</text>'
            )
    for n, (topic, values) in enumerate(shown):
        y = height + 20 * n
        parts.append(f'<rect x="{left}" y="{y}" width="12" height="12" fill="{PALETTE[n]}"/>')
        parts.append(
            f'<text x="{left + 18}" y="{y + 10}" font-size="12">'
            f"{html.escape(topic)} ({sum(values)})</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 70rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n { text-align: right; }
td.t { white-space: nowrap; font-size: 0.85em; }
td.q { min-width: 16rem; }
td.r { font-size: 0.85em; }
.similar { color: #555; font-size: 0.9em; }
.summary td { width: auto; }
.empty { color: #777; }
"""


def write_html(
    path: Path,
    groups: Sequence[Group],
    chart: tuple[list[str], dict[str, list[int]]],
    rated: Sequence[tuple[str, int, int]],
    counts: Mapping[str, int],
    source: str,
) -> None:
    e = html.escape
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # Nothing may be fetched or run: the page is read offline.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        "<title>Unanswered questions and feedback</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Unanswered questions and feedback</h1>",
        f"<p>From {e(source)}, written {e(when(dt.datetime.now(dt.timezone.utc).timestamp()))}."
        "</p>",
        '<table class="summary"><tr>',
        *(f"<th>{e(k)}</th>" for k in counts),
        "</tr><tr>",
        *(f'<td class="n">{v}</td>' for v in counts.values()),
        "</tr></table>",
        "<h2>Answers per topic over time</h2>",
        chart_svg(*chart),
        "<h2>Helpfulness per topic</h2>",
    ]
    if rated:
        out.append(
            '<table id="helpfulness"><tr><th>Topic</th><th>Helpful</th><th>Not helpful</th>'
            "<th>Helpful share</th></tr>"
        )
        for topic, yes, no in rated:
            out.append(
                f'<tr><td>{e(topic)}</td><td class="n">{yes}</td><td class="n">{no}</td>'
                f'<td class="n">{100 * yes / (yes + no):.0f}%</td></tr>'
            )
        out.append("</table>")
    else:
        out.append('<p class="empty">No feedback yet.</p>')
    for kind in KINDS:
        mine = [g for g in groups if g.kind == kind]
        out.append(f"<h2>{e(KIND_TITLES[kind])} ({sum(g.count for g in mine)})</h2>")
        if not mine:
            out.append('<p class="empty">None.</p>')
            continue
        out.append(
            f'<table class="questions" data-kind="{e(kind)}"><tr><th>Question</th>'
            "<th>Count</th><th>Conversations</th><th>Reasons</th><th>Confidence</th>"
            "<th>First seen</th><th>Last seen</th></tr>"
        )
        for group in mine:
            first, *similar = group.wordings
            similar_html = (
                '<div class="similar">also: ' + "; ".join(e(s) for s in similar) + "</div>"
                if similar
                else ""
            )
            reasons = "<br>".join(f"{e(r)} ×{n}" for r, n in group.reasons)
            out.append(
                f'<tr><td class="q">{e(first)}{similar_html}</td><td class="n">{group.count}</td>'
                f'<td class="n">{group.conversations}</td><td class="r">{reasons}</td>'
                f'<td class="n">{group.mean_confidence:.2f}</td>'
                f'<td class="t">{e(when(group.first_seen))}</td>'
                f'<td class="t">{e(when(group.last_seen))}</td></tr>'
            )
        out.append("</table>")
    out.append("</body></html>")
    path.write_text("\n".join(out) + "\n", "utf-8")


def report(
    out_dir: Path = OUT_DIR,
    env: Mapping[str, str] | None = None,
    low_confidence: float = LOW_CONFIDENCE,
) -> dict[str, Any]:
    """Read the store, write report.html and report.csv into `out_dir`; the figures."""
    url, where = store_url(store_settings(env))
    turns, feedback = turns_and_feedback(read_events(url, where))
    groups = group_turns(turns, low_confidence)
    kinds = collections.Counter(kind_of(t, low_confidence) for t in turns)
    asked = [t for t in turns if t.decision is not None]
    counts = {
        "conversations": len({t.sender for t in turns}),
        "questions": len(asked),
        "answered": sum(1 for t in asked if t.decision and t.decision.get("outcome") == "answer"),
        **{kind: kinds[kind] for kind in KINDS},
        "rated helpful": sum(1 for f in feedback if f.helpful),
        "rated not helpful": sum(1 for f in feedback if not f.helpful),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, csv_path = out_dir / "report.html", out_dir / "report.csv"
    write_csv(csv_path, groups)
    write_html(html_path, groups, answers_over_time(turns), helpfulness(feedback), counts, where)
    return {"html": html_path, "csv": csv_path, "counts": counts, "groups": len(groups)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the files")
    parser.add_argument(
        "--low-confidence",
        type=float,
        default=LOW_CONFIDENCE,
        help="answers below this classifier confidence are listed (default %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        result = report(args.out, low_confidence=args.low_confidence)
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{k} {v}" for k, v in result["counts"].items())
    print(f"{counts}\nwrote {result['html']}\nwrote {result['csv']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
