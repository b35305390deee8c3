"""`make report` (scripts/report.py) on conversations made up here: what is listed, how
wordings are grouped and counted, the CSV, the chart, and the errors a user sees."""

from __future__ import annotations

import csv
import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa  # type: ignore[import-untyped]

from scripts import report
from scripts.report import (
    DECLINED,
    FALLBACK,
    LOW,
    PARTIAL,
    Feedback,
    StoreError,
    Turn,
    group_turns,
    turns_and_feedback,
)
from scripts.servers import PROBE_SENDER

ROOT = Path(__file__).resolve().parent.parent.parent
DAY = 86_400.0
T0 = 1_780_000_000.0  # 2026-05-28


def user(text: str, time: float, intent: str = "out_of_scope", confidence: float = 0.9) -> dict:
    return {
        "event": "user",
        "text": text,
        "timestamp": time,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        },
    }


def decision(outcome: str, reason: str, entry: str | None = None, uncovered=()) -> dict:
    value = {"outcome": outcome, "reason": reason, "entry": entry, "uncovered": list(uncovered)}
    return {"event": "slot", "name": "answerability", "value": value}


def feedback(helpful: bool, entry: str, time: float) -> dict:
    value = {"helpful": helpful, "entry": entry, "question": "q", "answerability": {}}
    return {"event": "slot", "name": "feedback", "value": value, "timestamp": time}


def turn(text: str, outcome: str, reason: str = "r", time: float = T0, **kw: Any) -> Turn:
    return Turn(
        kw.get("sender", "s1"),
        text,
        time,
        kw.get("intent", "out_of_scope"),
        kw.get("confidence", 0.9),
        {"outcome": outcome, "reason": reason, "entry": kw.get("entry"), "uncovered": []},
    )


# ---- What is listed, and grouping ----------------------------------------------------


def test_similar_wordings_of_a_declined_question_are_one_group_with_counts_and_times() -> None:
    turns = [
        turn("does minoxidil work?", "decline", "not_covered:treatment", T0, sender="a"),
        turn("Does minoxidil work", "decline", "not_covered:treatment", T0 + DAY, sender="b"),
        turn("is minoxidil working for hair?", "decline", "not_covered:treatment", T0 + 2 * DAY),
        turn("how much does a bone scan cost?", "decline", "not_covered:ask:cost", T0 + DAY),
    ]
    groups = group_turns(turns)

    assert [(g.wordings[0], g.count) for g in groups] == [
        ("does minoxidil work?", 3),
        ("how much does a bone scan cost?", 1),
    ]
    minoxidil = groups[0]
    assert minoxidil.kind == DECLINED
    assert minoxidil.wordings == [
        "does minoxidil work?",
        "is minoxidil working for hair?",
    ]  # case and punctuation make no new wording
    assert minoxidil.conversations == 3
    assert (minoxidil.first_seen, minoxidil.last_seen) == (T0, T0 + 2 * DAY)
    assert minoxidil.reasons == [("not_covered:treatment", 3)]


def test_questions_on_different_things_are_not_grouped() -> None:
    groups = group_turns(
        [
            turn("can steroids cause acne", "partial"),
            turn("can steroids cause weight gain", "partial"),
            turn("does fosamax cause acne", "partial"),
        ]
    )
    assert len(groups) == 3


def test_each_kind_is_listed_on_its_own_and_answers_are_not_listed() -> None:
    turns = [
        turn("what about minoxidil", "decline"),
        turn("what about minoxidil", "partial"),
        turn("hair bone thing", "answer", intent="nlu_fallback"),
        turn("calcium for hair?", "answer", intent="ask_calcium", confidence=0.35),
        turn("how much calcium do I need", "answer", intent="ask_calcium", confidence=0.95),
        Turn("s1", "hello", T0, "greet", 0.99, None),  # small talk: nothing asked
    ]
    assert [g.kind for g in group_turns(turns)] == [DECLINED, PARTIAL, FALLBACK, LOW]
    assert [g.kind for g in group_turns(turns, low_confidence=0.3)] == [
        DECLINED,
        PARTIAL,
        FALLBACK,
    ]


def test_the_largest_groups_come_first_within_a_kind() -> None:
    turns = [turn("is coffee bad for bones", "decline")] + [
        turn("does minoxidil work", "decline", time=T0 + i) for i in range(3)
    ]
    assert [g.wordings[0] for g in group_turns(turns)] == [
        "does minoxidil work",
        "is coffee bad for bones",
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("can prednisone cause acne?", "can steroids cause acne"),
        ("how much does a bone density scan cost?", "what does a DEXA scan cost"),
        ("is it worth taking minoxidil", "Does minoxidil work?"),
        ("are my bones falling apart", "bone falls"),
    ],
)
def test_synonyms_the_bot_knows_are_one_wording(a: str, b: str) -> None:
    assert len(group_turns([turn(a, "partial"), turn(b, "partial")])) == 1


def test_a_question_of_no_content_words_joins_only_its_repeats() -> None:
    groups = group_turns(
        [turn("why?", "decline"), turn("why?", "decline"), turn("how?", "decline")]
    )
    assert [(g.wordings[0], g.count) for g in groups] == [("why?", 2), ("how?", 1)]


# ---- Reading conversations --------------------------------------------------------------


def test_each_question_gets_the_decision_of_its_reply_and_feedback_is_collected() -> None:
    events = [
        ("a", user("does minoxidil work", T0)),
        ("a", decision("decline", "not_covered:treatment")),
        ("a", user("can fosamax thin hair", T0 + 1, "ask_bisphosphonates")),
        ("a", decision("answer", "covered", "bisphosphonates")),
        ("a", user("/feedback_not_helpful", T0 + 2, "feedback_not_helpful", 1.0)),
        ("a", feedback(False, "bisphosphonates", T0 + 2)),
        # A new session repeats the slots so far: they answer no question.
        ("a", {"event": "session_started", "timestamp": T0 + 3}),
        ("a", decision("answer", "covered", "bisphosphonates")),
        ("b", user("hello", T0 + 4, "greet")),
    ]
    turns, rated = turns_and_feedback(events)

    assert [(t.sender, t.text, (t.decision or {}).get("outcome")) for t in turns] == [
        ("a", "does minoxidil work", "decline"),
        ("a", "can fosamax thin hair", "answer"),
        ("a", "/feedback_not_helpful", None),
        ("b", "hello", None),
    ]
    assert rated == [Feedback(T0 + 2, False, "bisphosphonates", "q")]


def test_a_button_question_is_shown_as_its_label_and_is_never_low_confidence() -> None:
    turns, _ = turns_and_feedback(
        [("a", user("/ask_calcium", T0, "ask_calcium", 1.0)), ("a", decision("answer", "c"))]
    )
    assert "calcium" in turns[0].text.lower()
    assert not turns[0].text.startswith("/")


def test_the_confidence_of_a_fallback_is_the_classifiers_best_guess() -> None:
    event = user("hair bone thing", T0, "nlu_fallback", 0.3)
    event["parse_data"]["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "ask_calcium", "confidence": 0.21},
    ]
    turns, _ = turns_and_feedback([("a", event)])
    assert turns[0].confidence == pytest.approx(0.21)


# ---- Helpfulness and the chart ------------------------------------------------------------


def test_helpfulness_is_counted_per_topic() -> None:
    rated = [
        Feedback(T0, True, "bisphosphonates", None),
        Feedback(T0, False, "bisphosphonates", None),
        Feedback(T0, True, "bisphosphonates", None),
        Feedback(T0, False, "calcium", None),
    ]
    rows = report.helpfulness(rated)
    labels = {e: report.topic_of(e) for e in ("bisphosphonates", "calcium")}
    assert rows == [(labels["bisphosphonates"], 2, 1), (labels["calcium"], 0, 1)]


def test_answers_are_counted_per_topic_by_day_with_empty_days_kept() -> None:
    turns = [
        turn("q", "answer", entry="calcium", time=T0),
        turn("q", "partial", entry="calcium", time=T0 + 3 * DAY),
        turn("q", "answer", entry="bisphosphonates", time=T0 + 3 * DAY),
        turn("q", "decline", time=T0 + DAY),
    ]
    labels, series = report.answers_over_time(turns)
    assert len(labels) == 4
    assert series[report.topic_of("calcium")] == [1, 0, 0, 1]
    assert series[report.topic_of("bisphosphonates")] == [0, 0, 0, 1]


def test_answers_within_two_days_are_counted_by_hour() -> None:
    labels, _ = report.answers_over_time(
        [turn("q", "answer", entry="calcium", time=T0 + h * 3600) for h in (0, 2)]
    )
    assert len(labels) == 3
    assert labels[0].endswith(":00")


def test_the_chart_draws_a_bar_per_topic_and_folds_the_smallest_topics() -> None:
    series = {f"topic {i}": [i + 1, 0] for i in range(12)}
    svg = report.chart_svg(["day 1", "day 2"], series)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 10 + 10  # 9 topics and "other topics": bars and legend
    assert "other topics (" in svg


# ---- The CSV, the page, and a store -------------------------------------------------------


def _store(path: Path, events: list[tuple[str, dict]]) -> Path:
    """A SQLite tracker store with Rasa's `events` table holding `events`."""
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT,"
                " timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"
            )
        )
        for sender, event in events:
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) "
                    "VALUES (:s, :t, :ts, :d)"
                ),
                {
                    "s": sender,
                    "t": event["event"],
                    "ts": event.get("timestamp"),
                    "d": json.dumps(event),
                },
            )
    engine.dispose()
    return path


EVENTS = [
    ("a", user("does minoxidil work?", T0)),
    ("a", decision("decline", "not_covered:treatment")),
    ("b", user("Does minoxidil work", T0 + DAY)),
    ("b", decision("decline", "not_covered:treatment")),
    ("b", user("<script>alert(1)</script> steroids and acne", T0 + DAY + 5, "ask_glucocorticoids")),
    ("b", decision("partial", "partial:outcome", "glucocorticoids", ["acne"])),
    ("b", user("/feedback_helpful", T0 + DAY + 9, "feedback_helpful", 1.0)),
    ("b", feedback(True, "glucocorticoids", T0 + DAY + 9)),
]


def test_the_csv_has_one_row_per_group_with_its_counts_reasons_and_times(tmp_path: Path) -> None:
    db = _store(tmp_path / "rasa.db", EVENTS)
    result = report.report(tmp_path / "out", env={"TRACKER_SQLITE_DB": str(db)})

    with result["csv"].open(encoding="utf-8") as rows:
        table = list(csv.DictReader(rows))
    assert [(r["kind"], r["question"], r["count"]) for r in table] == [
        ("declined", "does minoxidil work?", "2"),
        ("partial", "<script>alert(1)</script> steroids and acne", "1"),
    ]
    declined, partial = table
    assert declined["conversations"] == "2"
    assert declined["reasons"] == "not_covered:treatment ×2"
    assert declined["first seen"] == "2026-05-28 20:26 UTC"
    assert declined["last seen"] == "2026-05-29 20:26 UTC"
    assert partial["reasons"] == "partial:outcome (acne) ×1"
    assert result["counts"]["rated helpful"] == 1


def test_the_harness_start_up_check_is_not_counted(tmp_path: Path) -> None:
    probe = [
        (PROBE_SENDER, user("does minoxidil work?", T0)),
        (PROBE_SENDER, decision("decline", "not_covered:treatment")),
    ]
    db = _store(tmp_path / "rasa.db", [*probe, *EVENTS])
    result = report.report(tmp_path / "out", env={"TRACKER_SQLITE_DB": str(db)})

    with result["csv"].open(encoding="utf-8") as rows:
        declined = next(csv.DictReader(rows))
    assert (declined["count"], declined["conversations"]) == ("2", "2")


def test_the_page_holds_everything_itself_and_shows_user_text_as_text(tmp_path: Path) -> None:
    db = _store(tmp_path / "rasa.db", EVENTS)
    page = report.report(tmp_path, env={"TRACKER_SQLITE_DB": str(db)})["html"].read_text("utf-8")

    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; steroids and acne" in page
    assert not re.search(r"""(?:src|href)=["']?https?:""", page)  # nothing fetched
    assert "default-src 'none'" in page
    assert 'id="answers-chart"' in page
    assert 'id="helpfulness"' in page


def test_a_missing_store_is_an_error_that_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_SQLITE_DB", str(tmp_path / "nothing.db"))
    monkeypatch.delenv("TRACKER_STORE", raising=False)

    assert report.main(["--out", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: no tracker store at ")
    assert "make run" in error
    assert not (tmp_path / "nothing.db").exists()  # nothing created
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_not_a_tracker_store_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    with pytest.raises(StoreError, match="no 'events' table"):
        report.report(tmp_path, env={"TRACKER_SQLITE_DB": str(empty)})


def test_an_unreachable_postgres_is_an_error_that_names_it(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here
    env = {"TRACKER_STORE": "postgres", "POSTGRES_PORT": str(port), "POSTGRES_DB": "x"}
    with pytest.raises(
        StoreError, match=rf"cannot read PostgreSQL database 'x' at 127.0.0.1:{port}"
    ):
        report.report(tmp_path, env=env)


def test_the_store_settings_default_to_those_of_the_run_script() -> None:
    run = (ROOT / "scripts" / "run.sh").read_text("utf-8")
    defaults = dict(re.findall(r"\b([A-Z_]+)=\$\{\1:-([^}]*)\}", run))
    for name, value in report.STORE_DEFAULTS.items():
        assert defaults[name] == value, name


def test_postgres_settings_are_read_from_its_endpoints_file() -> None:
    settings = report.store_settings({"TRACKER_STORE": "postgres", "POSTGRES_DB": "mine"})
    assert settings["dialect"] == "postgresql"
    assert (settings["url"], settings["port"], settings["db"]) == ("127.0.0.1", "5432", "mine")
    url, where = report.store_url(settings)
    assert url == "postgresql://postgres@127.0.0.1:5432/mine"
    assert where == "PostgreSQL database 'mine' at 127.0.0.1:5432"
