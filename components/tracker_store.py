"""Rasa's SQL tracker store with recently active conversations kept in memory.

On every message Rasa's SQLTrackerStore reads all events of the conversation back
from the database, replays them into a tracker, and before writing counts the rows
already stored: in py-spy profiles that was the largest part of a message's time,
growing with the conversation. Here, once a conversation's tracker has been read or
saved it stays in memory (the `cache_size` most recent conversations), and the number
of its events already in the database is remembered instead of counted.

Every save still writes the new events to the database at once (write-through): the
database always holds the whole conversation, and a restart loses nothing. The new
rows are written with one multi-row INSERT through SQLAlchemy Core rather than as ORM
objects, which cost about 12% of a message's time in py-spy profiles; the rows are
the ones Rasa's own `save` writes.

A conversation kept in memory is used only while it is what the database holds: each
read counts the conversation's rows (one indexed query) and reads it back when another
process has written to it since (several Rasa processes on one database), and a
tracker a failed turn left events in (events that were never saved) is read back too,
so those events never reach the database.

When the database cannot be reached, Rasa's `FailSafeTrackerStore` would carry on with an
empty in-memory tracker: the conversation would restart without its context, and what
was said meanwhile would never be stored. With this store the error reaches the channel
instead, which tells the user to try again (channels/failures.py): the store says so with
`no_memory_fallback`, and rasa_patches/tracker_store.py makes Rasa honour it.

Conversations are kept for `retention_days` after their last event
(CONVERSATION_RETENTION_DAYS, 30 by default in scripts/run.sh; 0 keeps them forever):
older ones are deleted when the server starts and then once an hour.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Generator
from typing import Any

import sqlalchemy as sa  # type: ignore[import-untyped]
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.utils.cli import print_error_and_exit


class _Cached:
    def __init__(self, tracker: DialogueStateTracker, stored: int, rows: int) -> None:
        self.tracker = tracker
        self.stored = stored  # events of `tracker` already in the database
        self.rows = rows  # the conversation's rows in the database, all sessions'

    def is_whole(self) -> bool:
        """Whether the tracker holds no event that was not saved (a failed turn's)."""
        return len(self.tracker.events) == self.stored


logger = logging.getLogger(__name__)

DAY_SECONDS = 24 * 60 * 60
SWEEP_EVERY_SECONDS = 60 * 60


class CachedSQLTrackerStore(SQLTrackerStore):
    # Errors reach the channel instead of Rasa's in-memory fallback (rasa_patches).
    no_memory_fallback = True

    def __init__(
        self,
        *args: Any,
        cache_size: int = 1000,
        retention_days: float | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = int(cache_size)
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self.retention_days = float(retention_days or 0)
        if self.retention_days < 0:
            raise ValueError(f"retention_days must be 0 (keep) or more, not {retention_days}")
        self._next_sweep = 0.0
        # On PostgreSQL the row count and the new rows are one statement each, atomic on
        # its own: without a transaction around it each is one round trip to the server,
        # not three (BEGIN, the statement, COMMIT or ROLLBACK). SQLite writes several rows
        # as several statements, so there they stay in one transaction.
        self._statements = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self.engine.dialect.name == "postgresql"
            else self.engine
        )
        self.delete_expired()

    @contextlib.contextmanager
    def session_scope(self) -> Generator[Any, None, None]:
        """Rasa's session scope, except that an error of one conversation's query is an
        error of that message, not the end of the server: Rasa exits the process on any
        ValueError, meant for a missing PostgreSQL schema, and a lone surrogate in a
        sender id raised one (UnicodeEncodeError). A missing schema still stops it."""
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as schema:
                print_error_and_exit(
                    f"Requested PostgreSQL schema '{schema}' was not found in the database."
                )
            yield session
        finally:
            session.close()

    def delete_expired(self, now: float | None = None) -> int:
        """Delete the conversations whose last event is older than `retention_days`;
        the number of conversations deleted."""
        now = time.time() if now is None else now
        self._next_sweep = now + SWEEP_EVERY_SECONDS
        if not self.retention_days:
            return 0
        events = self.SQLEvent.__table__
        cutoff = now - self.retention_days * DAY_SECONDS
        expired = (
            sa.select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < cutoff)
        )
        with self.engine.begin() as connection:
            senders = [row[0] for row in connection.execute(expired)]
            for start in range(0, len(senders), 500):
                batch = senders[start : start + 500]
                connection.execute(events.delete().where(events.c.sender_id.in_(batch)))
        for sender in senders:
            self._cache.pop(sender, None)
        if senders:
            logger.info(
                "Deleted %d conversations older than %g days", len(senders), self.retention_days
            )
        return len(senders)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        cached = self._cache.get(sender_id)
        if cached is not None:
            if cached.is_whole() and cached.rows == self._rows(sender_id):
                self._cache.move_to_end(sender_id)
                return cached.tracker
            del self._cache[sender_id]  # another process wrote, or a turn failed
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember(tracker, stored=len(tracker.events), rows=self._rows(sender_id))
        return tracker

    def _rows(self, sender_id: str) -> int:
        events = self.SQLEvent.__table__
        count = sa.select(sa.func.count()).where(events.c.sender_id == sender_id)
        with self._statements.connect() as connection:
            return int(connection.execute(count).scalar() or 0)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if time.time() >= self._next_sweep:
            self.delete_expired()
        cached = self._cache.get(tracker.sender_id)
        one_session = _one_session(tracker)  # a scan of every event: once per save
        if cached is None or cached.tracker is not tracker or not one_session:
            await super().save(tracker)
            total = self._rows(tracker.sender_id) if one_session else 0
        else:
            await self.stream_events(tracker)
            new = itertools.islice(tracker.events, cached.stored, len(tracker.events))
            rows = [_row(tracker.sender_id, event) for event in new]
            if rows:
                with self._statements.begin() as connection:
                    connection.execute(self.SQLEvent.__table__.insert(), rows)
            total = cached.rows + len(rows)
        if one_session:
            self._remember(tracker, stored=len(tracker.events), rows=total)
        else:
            # A new session began in this tracker: the database now starts the
            # conversation there, the tracker in memory does not. Read it back next time.
            self._cache.pop(tracker.sender_id, None)

    def _remember(self, tracker: DialogueStateTracker, stored: int, rows: int) -> None:
        self._cache[tracker.sender_id] = _Cached(tracker, stored, rows)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    """The database row of an event, as SQLTrackerStore.save writes it."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _one_session(tracker: DialogueStateTracker) -> bool:
    """Whether the tracker's events are exactly the database's latest session, as
    Rasa's own `retrieve` returns them (one session start at most)."""
    return sum(isinstance(e, SessionStarted) for e in tracker.events) <= 1
