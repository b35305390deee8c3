"""Delivery of Telegram's and Slack's updates: each answered once, in order, after a crash too.

Both platforms want their webhook's HTTP 200 within seconds and re-deliver what they got
no 200 for, so both channels acknowledge at once and answer in the background. What
they share for that lives here, behind one `Inbox` per channel:

- **Seen ids** (`RecentKeys`, `SharedSeen`): update ids (Slack: event ids and message
  times) already taken, so that a re-delivery is dropped; kept `SEEN_SECONDS`.
- **Per-conversation queues** (`ConversationQueues`): answers run in background tasks,
  one at a time and in arrival order per conversation. Rasa's lock would order them
  too, but it polls once a second and lets a ticket expire after 60 s.
- **A journal of acknowledged updates** (`SqliteJournal`, `RedisJournal`): each update
  taken is written down, raw, *before* the webhook returns 200, and struck off once it
  has been answered. A process killed in between (kill -9, out of memory, a lost host)
  leaves the entry behind; a process starting up answers the entries written before it
  started (`Inbox.answer_unanswered`), each claimed atomically so that with several
  processes only one answers it. An update is thus answered once, except if the process
  dies between sending the answer and striking it off: then twice, which neither
  platform would let us avoid (they do not deduplicate what a bot sends).

Where the memory is kept:

- One Rasa process (LOCK_STORE unset): seen ids in the process; the journal in a SQLite
  file beside the conversation store (`channel-journal.db` next to TRACKER_SQLITE_DB, or
  CHANNEL_JOURNAL_DB). SQLite is in the standard library, a committed transaction is on
  disk whatever happens to the process afterwards (a process kill loses nothing the
  operating system holds), and a conditional UPDATE is an atomic claim even for several
  processes on one file; a file of our own would need its own locking and compaction.
- Several processes (LOCK_STORE=redis, README "More than one process"): both in the
  shared Redis, keys under `<REDIS_KEY_PREFIX>:seen:` and `<REDIS_KEY_PREFIX>:journal:`,
  each with a time to live. An unclaimed entry is a member of a sorted set (by time);
  claiming it is ZREM, which only one process can win.

Entries expire after `JOURNAL_SECONDS` whether answered or not: an answer hours late
would be out of place. If Redis cannot be reached, seen ids fall back to the process's
memory and updates are answered without a journal entry (the conversation locks are in
that Redis too, so the user is told to try again anyway: channels/failures.py).

`CHANNEL_REPLY_DELAY_SECONDS` (tests only; off unless set) waits that long before each
answer, so that a test can kill the process between the acknowledgement and the answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from pathlib import Path
from typing import Any, Protocol

import redis  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Long enough for every re-delivery either platform makes (Slack: up to an hour).
SEEN_SECONDS = 2 * 60 * 60
SEEN_MAX_KEYS = 50_000  # in one process's memory, oldest forgotten first
JOURNAL_SECONDS = SEEN_SECONDS
# An entry this old, written before this process started, is one no process is answering:
# an answer takes well under a second unless the bot is overloaded.
REPLAY_AFTER_SECONDS = 10.0
AGENT_READY_TIMEOUT_SECONDS = 300.0
MAX_PENDING_PER_CONVERSATION = 20  # queued updates beyond which a flood is dropped
STOP_GRACE_SECONDS = 5.0  # answers in progress may finish when the server stops
REPLY_DELAY_VARIABLE = "CHANNEL_REPLY_DELAY_SECONDS"
JOURNAL_FILE_VARIABLE = "CHANNEL_JOURNAL_DB"

Job = Callable[[], Awaitable[None]]
Update = dict[str, Any]
# What a channel answers for an update: its conversation and the job that answers it,
# or None when the update needs no answer.
Work = tuple[str, Job]


# --- Seen ids -------------------------------------------------------------------------------


class Seen(Protocol):
    def first_time(self, keys: Iterable[str]) -> bool: ...


class RecentKeys:
    """Keys seen in this process for `ttl` seconds (at most `max_keys`, oldest first out)."""

    def __init__(
        self,
        ttl: float = SEEN_SECONDS,
        max_keys: int = SEEN_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl, self.max_keys, self.clock = ttl, max_keys, clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, keys: Iterable[str]) -> bool:
        """True if none of `keys` was seen recently; all of them are remembered now."""
        now = self.clock()
        while self._seen and next(iter(self._seen.values())) <= now - self.ttl:
            self._seen.popitem(last=False)
        keys = list(keys)
        new = not any(key in self._seen for key in keys)
        for key in keys:
            self._seen[key] = now
            self._seen.move_to_end(key)
        while len(self._seen) > self.max_keys:
            self._seen.popitem(last=False)
        return new

    def __len__(self) -> int:
        return len(self._seen)


class SharedSeen:
    """Keys seen by any process, kept in Redis for `ttl` seconds."""

    def __init__(self, client: Any, prefix: str, fallback: Seen, ttl: int = SEEN_SECONDS):
        self.client, self.prefix, self.fallback, self.ttl = client, prefix, fallback, ttl

    def first_time(self, keys: Iterable[str]) -> bool:
        """True if no process has seen any of `keys`; all of them are claimed now."""
        keys = list(keys)
        try:
            pipeline = self.client.pipeline(transaction=False)
            for key in keys:
                pipeline.set(f"{self.prefix}{key}", 1, nx=True, ex=self.ttl)
            claimed = pipeline.execute()
        except redis.RedisError:
            logger.warning("Redis unreachable: remembering %s in this process only", keys)
            return self.fallback.first_time(keys)
        return all(claimed)


# --- Per-conversation queues ----------------------------------------------------------------


class ConversationQueues:
    """Runs jobs in background tasks, one at a time and in arrival order per conversation."""

    def __init__(self, max_pending: int = MAX_PENDING_PER_CONVERSATION) -> None:
        self._pending: dict[str, deque[Job]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._max_pending = max_pending

    def spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        """Run `work` in a task of its own (kept referenced; failures logged)."""
        task = asyncio.get_running_loop().create_task(self._logged(work, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def submit(self, conversation: str, job: Job) -> bool:
        """Queue `job` behind the conversation's earlier ones; False if its queue is full."""
        queue = self._pending.get(conversation)
        if queue is None:
            self._pending[conversation] = deque([job])
            self.spawn(self._drain(conversation), conversation)
            return True
        if len(queue) >= self._max_pending:
            return False
        queue.append(job)
        return True

    async def _drain(self, conversation: str) -> None:
        queue = self._pending[conversation]
        try:
            while queue:
                await self._logged(queue.popleft()(), conversation)
        finally:
            del self._pending[conversation]

    @staticmethod
    async def _logged(work: Awaitable[None], what: str) -> None:
        # Logged, not raised: nobody awaits these tasks, and the platform has its 200.
        try:
            await work
        except Exception:
            logger.exception("Answering %s failed", what)

    async def close(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Let running jobs finish for up to `grace` seconds, then cancel the rest (their
        journal entries stay, so the next start answers them)."""
        if not self._tasks:
            return
        _, unfinished = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)


# --- The journal ----------------------------------------------------------------------------


class Journal(Protocol):
    def write(self, key: str, payload: str) -> None:
        """Write down the update `key` with its raw `payload`."""

    def done(self, key: str) -> None:
        """Strike `key` off: it has been answered."""

    def claim_unanswered(self, written_before: float) -> list[tuple[str, str]]:
        """Entries written before then and not yet claimed, oldest first, as (key,
        payload); each is claimed by this caller only."""


class SqliteJournal:
    """The journal of one channel in a SQLite file, opened on first use (so a channel
    that never takes an update creates no file)."""

    def __init__(
        self,
        path: Path | str,
        channel: str,
        ttl: float = JOURNAL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path, self.channel, self.ttl, self.clock = str(path), channel, ttl, clock
        self._connection: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            # WAL: a write does not wait for readers; NORMAL: a commit survives a killed
            # process (only a power cut could lose the last ones).
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS journal (channel TEXT NOT NULL, key TEXT NOT NULL,"
                " payload TEXT NOT NULL, written_at REAL NOT NULL,"
                " claimed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (channel, key))"
            )
            self._connection = connection
        return self._connection

    def write(self, key: str, payload: str) -> None:
        now = self.clock()
        db = self._expired_deleted(now)
        db.execute(
            "INSERT OR IGNORE INTO journal (channel, key, payload, written_at) VALUES (?, ?, ?, ?)",
            (self.channel, key, payload, now),
        )

    def done(self, key: str) -> None:
        self._db().execute("DELETE FROM journal WHERE channel = ? AND key = ?", (self.channel, key))

    def claim_unanswered(self, written_before: float) -> list[tuple[str, str]]:
        db = self._expired_deleted(self.clock())
        rows = db.execute(
            "SELECT key, payload FROM journal WHERE channel = ? AND claimed = 0"
            " AND written_at <= ? ORDER BY written_at",
            (self.channel, written_before),
        ).fetchall()
        claim = "UPDATE journal SET claimed = 1 WHERE channel = ? AND key = ? AND claimed = 0"
        return [(k, p) for k, p in rows if db.execute(claim, (self.channel, k)).rowcount == 1]

    def _expired_deleted(self, now: float) -> sqlite3.Connection:
        """The database, without the entries older than the time to live (any channel's)."""
        db = self._db()
        db.execute("DELETE FROM journal WHERE written_at < ?", (now - self.ttl,))
        return db


class RedisJournal:
    """The journal of one channel in Redis: `<prefix>entry:<key>` holds the payload,
    `<prefix>unclaimed` the keys not yet claimed, scored by the time they were written."""

    def __init__(
        self,
        client: Any,
        prefix: str,
        ttl: int = JOURNAL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client, self.prefix, self.ttl, self.clock = client, prefix, ttl, clock
        self.unclaimed = f"{prefix}unclaimed"

    def write(self, key: str, payload: str) -> None:
        pipeline = self.client.pipeline(transaction=True)
        pipeline.set(f"{self.prefix}entry:{key}", payload, ex=self.ttl)
        pipeline.zadd(self.unclaimed, {key: self.clock()})
        pipeline.expire(self.unclaimed, self.ttl)
        pipeline.execute()

    def done(self, key: str) -> None:
        pipeline = self.client.pipeline(transaction=True)
        pipeline.delete(f"{self.prefix}entry:{key}")
        pipeline.zrem(self.unclaimed, key)
        pipeline.execute()

    def claim_unanswered(self, written_before: float) -> list[tuple[str, str]]:
        self.client.zremrangebyscore(self.unclaimed, "-inf", self.clock() - self.ttl)
        claimed = []
        for raw_key in self.client.zrangebyscore(self.unclaimed, "-inf", written_before):
            key = raw_key.decode() if isinstance(raw_key, bytes) else str(raw_key)
            if self.client.zrem(self.unclaimed, key) != 1:
                continue  # another process claimed it first
            payload = self.client.get(f"{self.prefix}entry:{key}")
            if payload is not None:  # None: expired meanwhile
                claimed.append((key, payload.decode() if isinstance(payload, bytes) else payload))
        return claimed


JOURNAL_ERRORS = (sqlite3.Error, redis.RedisError)


# --- The inbox: the three together ----------------------------------------------------------


class Inbox:
    """What a webhook channel needs to answer every update once, in order, crash or not."""

    def __init__(
        self,
        channel: str,
        seen: Seen,
        journal: Journal,
        queues: ConversationQueues | None = None,
        reply_delay: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.channel, self.seen, self.journal = channel, seen, journal
        self.queues = queues or ConversationQueues()
        self.reply_delay, self.clock = reply_delay, clock

    def first_time(self, keys: Iterable[str]) -> bool:
        """True if no update with any of `keys` was taken before (now it is)."""
        return self.seen.first_time(keys)

    def take(self, key: str, update: Update, work: Work) -> bool:
        """Write `update` down, then queue its answer; called before the webhook's 200.

        False if the conversation sends faster than the bot answers (dropped)."""
        try:
            self.journal.write(key, json.dumps(update))
        except JOURNAL_ERRORS as error:
            logger.warning("%s: update %s not written down (%s)", self.channel, key, error)
        return self._queue(key, work)

    def _queue(self, key: str, work: Work) -> bool:
        conversation, answer = work
        if self.queues.submit(f"{self.channel} {conversation}", self._answered(key, answer)):
            return True
        logger.warning("%s: %s sends faster than the bot answers", self.channel, conversation)
        self._done(key)
        return False

    def _answered(self, key: str, answer: Job) -> Job:
        async def answer_then_strike_off() -> None:
            if self.reply_delay:
                await asyncio.sleep(self.reply_delay)
            try:
                await answer()
            except asyncio.CancelledError:
                raise  # the server is stopping: left written down, answered at the next start
            except Exception:
                self._done(key)  # a failure here would fail again: not retried
                raise
            self._done(key)

        return answer_then_strike_off

    def _done(self, key: str) -> None:
        try:
            self.journal.done(key)
        except JOURNAL_ERRORS as error:
            logger.warning("%s: update %s not struck off (%s)", self.channel, key, error)

    async def answer_unanswered(
        self,
        redo: Callable[[Update], Work | None],
        is_ready: Callable[[], bool],
        started_at: float | None = None,
        after: float = REPLAY_AFTER_SECONDS,
    ) -> None:
        """Answer the updates taken before `started_at` (default: now, at start-up) and
        never answered, once the bot `is_ready()`: those `after` seconds old now, and the
        rest when they are.

        `redo` turns a written-down update into its work again."""
        started_at = self.clock() if started_at is None else started_at
        await _wait_until(is_ready, AGENT_READY_TIMEOUT_SECONDS)
        self._answer_claimed(redo, min(started_at, self.clock() - after))
        await asyncio.sleep(max(0.0, started_at + after - self.clock()))
        self._answer_claimed(redo, started_at)

    def answer_unanswered_later(self, redo: Callable[[Update], Work | None], app: Any) -> None:
        """`answer_unanswered` in the background, once Rasa's agent in `app` is ready: at
        server start, which must not wait for it."""
        work = self.answer_unanswered(redo, lambda: agent_ready(app))
        self.queues.spawn(work, f"{self.channel} updates left unanswered")

    def _answer_claimed(self, redo: Callable[[Update], Work | None], written_before: float) -> None:
        try:
            entries = self.journal.claim_unanswered(written_before)
        except JOURNAL_ERRORS as error:
            logger.warning("%s: unanswered updates not read (%s)", self.channel, error)
            return
        if entries:
            logger.info("%s: answering %d update(s) left unanswered", self.channel, len(entries))
        for key, payload in entries:
            try:
                work = redo(json.loads(payload))
            except Exception:  # one unreadable entry must not keep the others unanswered
                logger.exception("%s: update %s could not be read again", self.channel, key)
                work = None
            if work is None:
                self._done(key)
            else:
                self._queue(key, work)

    async def close(self) -> None:
        await self.queues.close()


async def _wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready within {timeout} s")
        await asyncio.sleep(0.2)


def agent_ready(app: Any) -> bool:
    """Whether Rasa's agent can handle messages; before that it drops them silently."""
    agent = getattr(app.ctx, "agent", None)
    return agent is not None and bool(agent.is_ready())


# --- From the environment (scripts/run.sh) --------------------------------------------------


def journal_path() -> Path:
    """CHANNEL_JOURNAL_DB, else channel-journal.db beside the SQLite conversation store
    (TRACKER_SQLITE_DB), else in the project folder. Relative paths are the project's, as
    Rasa reads TRACKER_SQLITE_DB from there."""
    chosen = os.environ.get(JOURNAL_FILE_VARIABLE)
    if chosen:
        path = Path(chosen)
    else:
        tracker_db = os.environ.get("TRACKER_SQLITE_DB")
        path = (
            Path(tracker_db).with_name("channel-journal.db")
            if tracker_db
            else Path("channel-journal.db")
        )
    return path if path.is_absolute() else PROJECT_DIR / path


def redis_client() -> Any:
    """The lock store's Redis, as scripts/run.sh configures it."""
    return redis.Redis(
        host=os.environ.get("REDIS_HOST") or "127.0.0.1",
        port=int(os.environ.get("REDIS_PORT") or 6379),
        db=int(os.environ.get("REDIS_DB") or 1),
        password=os.environ.get("REDIS_PASSWORD") or None,
        socket_timeout=2,
        socket_connect_timeout=2,
    )


def inbox_for(channel: str) -> Inbox:
    """The channel's inbox: in this process and a SQLite file, or in Redis when several
    Rasa processes share a Redis lock store (LOCK_STORE=redis)."""
    delay = float(os.environ.get(REPLY_DELAY_VARIABLE) or 0)
    if os.environ.get("LOCK_STORE") != "redis":
        journal = SqliteJournal(journal_path(), channel)
        return Inbox(channel, RecentKeys(), journal, reply_delay=delay)
    client = redis_client()
    prefix = os.environ.get("REDIS_KEY_PREFIX") or "osteo"
    seen = SharedSeen(client, f"{prefix}:seen:{channel}:", RecentKeys())
    return Inbox(
        channel, seen, RedisJournal(client, f"{prefix}:journal:{channel}:"), reply_delay=delay
    )
