"""The cached SQL tracker store keeps what Rasa's SQL store keeps, read back faster."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from components.tracker_store import CachedSQLTrackerStore
from tests.conftest import PROJECT_DIR

DOMAIN = Domain.load(str(PROJECT_DIR / "domain.yml"))


def store(path: Path, **kwargs: object) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path), **kwargs)


def stored_events(path: Path, sender: str) -> list[dict]:
    """What Rasa's own SQL store reads back from the same database (a restart)."""
    plain = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    tracker = asyncio.run(plain.retrieve(sender))
    assert tracker is not None
    return [e.as_dict() for e in tracker.events]


def latest_session(events: object) -> list[dict]:
    """The events Rasa's SQL store keeps as the latest session: from its last
    `session_started` on (the `action_session_start` before it is not read back)."""
    dicts = [e.as_dict() for e in events]  # type: ignore[attr-defined]
    last = max(i for i, e in enumerate(dicts) if e["event"] == "session_started")
    return dicts[last:]


def turn(text: str) -> list[Event]:
    return [
        UserUttered(text, {"name": "ask_calcium", "confidence": 1.0}),
        ActionExecuted("action_answer"),
        BotUttered(f"answer to {text}"),
        SlotSet("last_entry", "calcium"),
        ActionExecuted("action_listen"),
    ]


def start() -> list[Event]:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]


def test_every_event_is_written_through_to_the_database(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    cached = store(db)
    tracker = DialogueStateTracker.from_events("ann", start() + turn("one"), DOMAIN.slots)
    asyncio.run(cached.save(tracker))
    again = asyncio.run(cached.retrieve("ann"))
    assert again is tracker  # served from memory
    for text in ("two", "three"):
        for event in turn(text):
            again.update(event)
        asyncio.run(cached.save(again))

    assert stored_events(db, "ann") == latest_session(tracker.events)
    assert len(stored_events(db, "ann")) == 2 + 3 * 5


def test_a_new_store_on_the_same_database_reads_the_conversation_back(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    tracker = DialogueStateTracker.from_events("bob", start() + turn("one"), DOMAIN.slots)
    asyncio.run(store(db).save(tracker))

    restarted = asyncio.run(store(db).retrieve("bob"))

    assert restarted is not None
    assert [e.as_dict() for e in restarted.events] == latest_session(tracker.events)
    assert restarted.get_slot("last_entry") == "calcium"


def test_a_new_session_is_read_back_from_the_database(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    cached = store(db)
    tracker = DialogueStateTracker.from_events("cat", start() + turn("one"), DOMAIN.slots)
    asyncio.run(cached.save(tracker))
    for event in start() + turn("two"):  # the session expired: a second one begins
        tracker.update(event)
    asyncio.run(cached.save(tracker))

    latest = asyncio.run(cached.retrieve("cat"))

    assert latest is not tracker
    assert latest is not None
    assert [e.as_dict() for e in latest.events] == latest_session(tracker.events)
    assert stored_events(db, "cat") == [e.as_dict() for e in latest.events]


def test_two_processes_on_one_database_each_see_the_others_turns(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    first, second = store(db), store(db)  # two Rasa processes, turns alternating
    tracker = DialogueStateTracker.from_events("dan", start() + turn("one"), DOMAIN.slots)
    asyncio.run(first.save(tracker))
    for n, (here, there) in enumerate([(second, first), (first, second), (second, first)]):
        mine = asyncio.run(here.retrieve("dan"))
        assert mine is not None
        for event in turn(f"turn {n}"):
            mine.update(event)
        asyncio.run(here.save(mine))
        theirs = asyncio.run(there.retrieve("dan"))
        assert theirs is not None
        # The other process reads the turn it did not see, not its stale copy.
        assert [e.as_dict() for e in theirs.events] == [e.as_dict() for e in mine.events]

    texts = [e["text"] for e in stored_events(db, "dan") if e["event"] == "user"]
    assert texts == ["one", "turn 0", "turn 1", "turn 2"]  # each exactly once, in order


def test_a_failed_turns_events_never_reach_the_database(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    cached = store(db)
    tracker = DialogueStateTracker.from_events("eve", start() + turn("one"), DOMAIN.slots)
    asyncio.run(cached.save(tracker))
    failed = asyncio.run(cached.retrieve("eve"))
    assert failed is not None
    failed.update(UserUttered("a turn that fails half-way"))  # never saved

    again = asyncio.run(cached.retrieve("eve"))
    assert again is not None
    for event in turn("two"):
        again.update(event)
    asyncio.run(cached.save(again))

    texts = [e["text"] for e in stored_events(db, "eve") if e["event"] == "user"]
    assert texts == ["one", "two"]


def test_only_the_most_recent_conversations_stay_in_memory(tmp_path: Path) -> None:
    cached = store(tmp_path / "tracker.db", cache_size=2)
    trackers = {
        name: DialogueStateTracker.from_events(name, start() + turn("hi"), DOMAIN.slots)
        for name in ("a", "b", "c")
    }
    for tracker in trackers.values():
        asyncio.run(cached.save(tracker))

    assert asyncio.run(cached.retrieve("c")) is trackers["c"]
    assert asyncio.run(cached.retrieve("b")) is trackers["b"]
    first = asyncio.run(cached.retrieve("a"))
    assert first is not trackers["a"]  # evicted, read back from the database
    assert first is not None
    assert [e.as_dict() for e in first.events] == latest_session(trackers["a"].events)


def test_an_unknown_conversation_is_none(tmp_path: Path) -> None:
    assert asyncio.run(store(tmp_path / "tracker.db").retrieve("nobody")) is None


def test_the_rows_written_are_those_rasas_store_writes(tmp_path: Path) -> None:
    import sqlite3

    first, later = start() + turn("one"), [turn("two"), turn("three")]

    def conversation(store: SQLTrackerStore) -> None:
        tracker = DialogueStateTracker.from_events("ann", first, DOMAIN.slots)
        asyncio.run(store.save(tracker))
        tracker = asyncio.run(store.retrieve("ann"))
        assert tracker is not None
        for events in later:
            for event in events:
                tracker.update(event)
            asyncio.run(store.save(tracker))

    def rows(path: Path) -> list[tuple]:
        with sqlite3.connect(path) as db:
            return db.execute(
                "SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
                "FROM events ORDER BY id"
            ).fetchall()

    conversation(SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db")))
    conversation(store(tmp_path / "ours.db"))

    assert rows(tmp_path / "ours.db") == rows(tmp_path / "rasa.db")
    assert len(rows(tmp_path / "ours.db")) == 3 + 3 * 5


# ---- How long conversations are kept -----------------------------------------------------


def _conversation_at(sender: str, when: float) -> DialogueStateTracker:
    events = [*start(), *turn("how much calcium?")]
    for event in events:
        event.timestamp = when
    return DialogueStateTracker.from_events(sender, events)


def test_conversations_older_than_the_retention_are_deleted_and_others_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tracker.db"
    now = 1_800_000_000.0
    writer = store(path)
    asyncio.run(writer.save(_conversation_at("old", now - 31 * 24 * 3600)))
    asyncio.run(writer.save(_conversation_at("recent", now - 29 * 24 * 3600)))

    kept = store(path, retention_days="30")
    assert kept.delete_expired(now) == 1

    plain = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    assert set(asyncio.run(plain.keys())) == {"recent"}
    assert asyncio.run(kept.retrieve("old")) is None


def test_a_retention_of_zero_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    asyncio.run(store(path).save(_conversation_at("ancient", 0.0)))

    assert store(path, retention_days="0").delete_expired() == 0
    assert store(path, retention_days=None).delete_expired() == 0
    assert stored_events(path, "ancient")


def test_the_server_start_deletes_expired_conversations(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    asyncio.run(store(path).save(_conversation_at("ancient", 0.0)))

    store(path, retention_days=30)  # as Rasa creates it when the server starts

    plain = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    assert list(asyncio.run(plain.keys())) == []
