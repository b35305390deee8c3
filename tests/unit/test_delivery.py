"""What Telegram and Slack share (channels/delivery.py): re-deliveries dropped, answers in
order per conversation, and the journal that answers after a crash what was acknowledged
but never answered. Redis-backed parts run against the machine's real Redis, under a key
prefix of their own that is deleted afterwards; the SQLite journal lives in tmp_path."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from channels.delivery import (
    JOURNAL_SECONDS,
    SEEN_SECONDS,
    ConversationQueues,
    Inbox,
    Journal,
    RecentKeys,
    RedisJournal,
    SharedSeen,
    SqliteJournal,
    Work,
    inbox_for,
    journal_path,
)


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def local_redis() -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=6379, db=1)


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"osteo-test-{uuid.uuid4().hex[:8]}:"
    yield name
    client = local_redis()
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


# --- Seen ids in one process ----------------------------------------------------------------


def test_a_key_is_new_once_until_it_expires() -> None:
    clock = Clock()
    seen = RecentKeys(ttl=600, clock=clock)

    assert seen.first_time(["event:Ev1"])
    clock.now += 599
    assert not seen.first_time(["event:Ev1"])
    clock.now += 601  # 600 s after it was last seen
    assert seen.first_time(["event:Ev1"])


def test_a_message_seen_under_any_of_its_keys_is_a_duplicate() -> None:
    seen = RecentKeys(clock=Clock())

    assert seen.first_time(["event:Ev1", "message:C1:1.0"])
    assert not seen.first_time(["event:Ev2", "message:C1:1.0"])
    assert not seen.first_time(["event:Ev2"])


def test_the_memory_is_bounded_and_forgets_the_oldest_first() -> None:
    seen = RecentKeys(max_keys=2, clock=Clock())

    assert [seen.first_time([i]) for i in ("1", "1", "2", "3", "2")] == [
        True,
        False,
        True,
        True,
        False,
    ]
    assert len(seen) == 2
    assert seen.first_time(["1"])  # long forgotten


def test_expired_keys_are_dropped_from_memory() -> None:
    clock = Clock()
    seen = RecentKeys(ttl=60, clock=clock)
    for key in range(100):
        seen.first_time([str(key)])
    clock.now += 61
    seen.first_time(["new"])

    assert len(seen) == 1


# --- Seen ids shared in Redis ---------------------------------------------------------------


def _process(prefix: str) -> SharedSeen:
    """What one Rasa process's channel holds."""
    return SharedSeen(local_redis(), f"{prefix}seen:", RecentKeys())


def test_an_update_claimed_by_one_process_is_dropped_by_the_other(prefix: str) -> None:
    first, second = _process(prefix), _process(prefix)

    assert first.first_time(["1001"])
    assert not second.first_time(["1001"])  # Telegram's re-delivery, to the other replica
    assert not first.first_time(["1001"])
    assert second.first_time(["1002"])
    assert 0 < local_redis().ttl(f"{prefix}seen:1001") <= SEEN_SECONDS


def test_a_slack_event_seen_under_either_key_is_dropped(prefix: str) -> None:
    first, second = _process(prefix), _process(prefix)

    assert first.first_time(["event:Ev1", "message:C1:1.0"])
    assert not second.first_time(["event:Ev2", "message:C1:1.0"])  # same message, new event


def test_without_redis_each_process_remembers_on_its_own() -> None:
    unreachable = redis.Redis(host="127.0.0.1", port=9, socket_connect_timeout=1)
    seen = SharedSeen(unreachable, "x:", RecentKeys())

    assert seen.first_time(["event:Ev1"])  # answered, not lost
    assert not seen.first_time(["event:Ev1"])


def test_one_process_keeps_its_memory_and_journal_locally_several_share_redis(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("LOCK_STORE", raising=False)
    monkeypatch.delenv("CHANNEL_JOURNAL_DB", raising=False)
    monkeypatch.setenv("TRACKER_SQLITE_DB", str(tmp_path / "rasa.db"))
    one = inbox_for("telegram")
    assert isinstance(one.seen, RecentKeys)
    assert isinstance(one.journal, SqliteJournal)
    assert journal_path() == tmp_path / "channel-journal.db"
    assert not journal_path().exists()  # opened on first use only

    monkeypatch.setenv("LOCK_STORE", "redis")
    several = inbox_for("telegram")
    assert isinstance(several.seen, SharedSeen)
    assert isinstance(several.journal, RedisJournal)


# --- Per-conversation queues ----------------------------------------------------------------


def test_jobs_of_one_conversation_run_in_order_and_others_do_not_wait() -> None:
    async def scenario() -> list[str]:
        queues, done, other_ran = ConversationQueues(), [], asyncio.Event()

        def job(name: str, wait_for_other: bool = False) -> Any:
            async def run() -> None:
                if wait_for_other:
                    await asyncio.wait_for(other_ran.wait(), 5)
                done.append(name)

            return run

        async def other() -> None:
            done.append("other conversation")
            other_ran.set()

        queues.submit("1", job("first", wait_for_other=True))
        queues.submit("1", job("second"))
        queues.submit("2", other)
        await queues.close(grace=5)
        return done

    assert asyncio.run(scenario()) == ["other conversation", "first", "second"]


def test_a_failing_job_is_logged_and_the_conversation_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> list[str]:
        queues, done = ConversationQueues(), []

        async def fails() -> None:
            raise RuntimeError("Telegram said no")

        async def works() -> None:
            done.append("answered")

        queues.submit("1", fails)
        queues.submit("1", works)
        await queues.close(grace=5)
        return done

    assert asyncio.run(scenario()) == ["answered"]
    assert "Telegram said no" in caplog.text


async def _hang_until_cancelled(cancelled: asyncio.Event) -> None:
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        cancelled.set()
        raise


def test_a_flooding_conversation_is_capped_and_stop_cancels_what_hangs() -> None:
    async def scenario() -> tuple[list[bool], list[bool], bool]:
        queues, cancelled = ConversationQueues(max_pending=2), asyncio.Event()

        def hangs() -> Any:
            return _hang_until_cancelled(cancelled)

        before_start = [queues.submit("1", hangs) for _ in range(3)]
        await asyncio.sleep(0)  # the first job starts: one place frees up
        after_start = [queues.submit("1", hangs) for _ in range(2)]
        await queues.close(grace=0.01)
        return before_start, after_start, cancelled.is_set()

    before_start, after_start, cancelled = asyncio.run(scenario())
    assert before_start == [True, True, False]  # at most 2 waiting
    assert after_start == [True, False]
    assert cancelled


# --- The journal, in SQLite and in Redis ----------------------------------------------------

# A journal factory: the same store each call (as another process, or the same one after a
# restart, would open it), with the given clock.
Opener = Callable[[Clock], Journal]


@pytest.fixture(params=["sqlite", "redis"])
def open_journal(request: pytest.FixtureRequest, tmp_path: Path, prefix: str) -> Opener:
    if request.param == "sqlite":
        return lambda clock: SqliteJournal(tmp_path / "journal.db", "telegram", clock=clock)
    return lambda clock: RedisJournal(local_redis(), f"{prefix}journal:telegram:", clock=clock)


def test_an_entry_written_and_not_done_is_unanswered_after_a_restart(
    open_journal: Opener,
) -> None:
    clock = Clock()
    before = open_journal(clock)
    before.write("1", '{"update_id": 1}')
    before.write("2", '{"update_id": 2}')
    before.done("2")

    after_restart = open_journal(clock)
    assert after_restart.claim_unanswered(clock.now) == [("1", '{"update_id": 1}')]
    assert after_restart.claim_unanswered(clock.now) == []  # claimed: never twice


def test_only_entries_written_before_the_given_time_are_claimed_oldest_first(
    open_journal: Opener,
) -> None:
    clock = Clock()
    journal = open_journal(clock)
    for key in ("a", "b", "c"):
        journal.write(key, key)
        clock.now += 1

    assert [k for k, _ in journal.claim_unanswered(1001.5)] == ["a", "b"]
    assert [k for k, _ in journal.claim_unanswered(clock.now)] == ["c"]


def test_entries_expire(open_journal: Opener) -> None:
    clock = Clock()
    journal = open_journal(clock)
    journal.write("old", "{}")
    clock.now += JOURNAL_SECONDS + 1
    journal.write("new", "{}")

    assert journal.claim_unanswered(clock.now) == [("new", "{}")]


def test_redis_entries_carry_a_time_to_live(prefix: str) -> None:
    RedisJournal(local_redis(), f"{prefix}journal:slack:").write("event:Ev1", "{}")

    client = local_redis()
    for key in (f"{prefix}journal:slack:entry:event:Ev1", f"{prefix}journal:slack:unclaimed"):
        assert 0 < client.ttl(key) <= JOURNAL_SECONDS


def test_two_processes_claiming_at_once_never_get_the_same_entry(open_journal: Opener) -> None:
    clock = Clock()
    keys = [str(n) for n in range(200)]
    writer = open_journal(clock)
    for key in keys:
        writer.write(key, key)
    claims: list[list[str]] = [[], []]
    start = threading.Barrier(2)

    def claim(into: list[str]) -> None:
        journal = open_journal(clock)  # each thread its own connection, as a process has
        start.wait()
        for _ in range(20):
            into += [k for k, _ in journal.claim_unanswered(clock.now)]

    threads = [threading.Thread(target=claim, args=(found,)) for found in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not set(claims[0]) & set(claims[1])
    assert sorted(claims[0] + claims[1], key=int) == keys


# --- The inbox: taking, answering, answering after a restart --------------------------------


class Bot:
    """Records what the inbox has the bot answer."""

    def __init__(self, seconds: float = 0) -> None:
        self.answered: list[str] = []
        self.seconds = seconds

    def work(self, update: dict[str, Any]) -> Work | None:
        text = update.get("text")
        if text is None:
            return None

        async def answer() -> None:
            if text == "fail":
                raise RuntimeError("the bot failed")
            await asyncio.sleep(self.seconds)
            self.answered.append(str(text))

        return str(update["chat"]), answer


def _inbox(path: Path, clock: Callable[[], float] = time.time) -> Inbox:
    return Inbox(
        "telegram", RecentKeys(), SqliteJournal(path, "telegram", clock=clock), clock=clock
    )


def _left(path: Path) -> list[str]:
    """The keys still in the journal file, claimed or not."""
    with sqlite3.connect(path) as db:
        return [key for (key,) in db.execute("SELECT key FROM journal ORDER BY key")]


def test_an_update_is_written_down_before_take_returns_and_struck_off_once_answered(
    tmp_path: Path,
) -> None:
    path, bot = tmp_path / "journal.db", Bot()

    async def scenario() -> list[str]:
        inbox = _inbox(path)
        update = {"chat": 1, "text": "hello"}
        assert inbox.take("1", update, bot.work(update))  # type: ignore[arg-type]
        written = [json.loads(p) for _, p in SqliteJournal(path, "telegram").claim_unanswered(2e9)]
        await inbox.close()
        return written

    assert asyncio.run(scenario()) == [{"chat": 1, "text": "hello"}]
    assert bot.answered == ["hello"]
    assert _left(path) == []


def test_a_failed_answer_is_struck_off_and_one_cut_short_by_a_stop_is_kept(
    tmp_path: Path,
) -> None:
    path, bot = tmp_path / "journal.db", Bot(seconds=0.5)

    async def scenario() -> None:
        inbox = _inbox(path)
        for key, chat, text in [("1", 1, "fail"), ("2", 2, "slow"), ("3", 2, "queued")]:
            update = {"chat": chat, "text": text}
            inbox.take(key, update, bot.work(update))  # type: ignore[arg-type]
        await asyncio.sleep(0.1)  # "fail" has failed; "slow" is being answered
        await inbox.queues.close(grace=0.01)

    asyncio.run(scenario())
    assert bot.answered == []
    assert _left(tmp_path / "journal.db") == ["2", "3"]


def test_after_a_restart_the_unanswered_updates_are_answered_once_in_order(
    tmp_path: Path,
) -> None:
    path, clock, bot = tmp_path / "journal.db", Clock(), Bot()
    killed = SqliteJournal(path, "telegram", clock=clock)  # what a killed process wrote
    for key, text in [("1", "first"), ("2", "second")]:
        killed.write(key, json.dumps({"chat": 7, "text": text}))
    killed.write("3", json.dumps({"chat": 7}))  # no answer needed: just struck off
    clock.now += 30

    async def scenario() -> None:
        ready = asyncio.Event()
        first, second = _inbox(path, clock), _inbox(path, clock)
        starting = asyncio.gather(
            first.answer_unanswered(bot.work, ready.is_set, after=0.1),
            second.answer_unanswered(bot.work, ready.is_set, after=0.1),  # another process
        )
        await asyncio.sleep(0.3)
        assert bot.answered == []  # the agent is not ready: it would drop them
        ready.set()
        await starting
        await first.close()
        await second.close()

    asyncio.run(scenario())
    assert bot.answered == ["first", "second"]
    assert _left(path) == []


def test_an_update_written_just_before_the_start_is_answered_when_old_enough(
    tmp_path: Path,
) -> None:
    path, bot = tmp_path / "journal.db", Bot()

    async def scenario() -> None:
        journal = SqliteJournal(path, "telegram")
        journal.write("1", json.dumps({"chat": 1, "text": "recent"}))
        inbox = Inbox("telegram", RecentKeys(), SqliteJournal(path, "telegram"))
        starting = asyncio.create_task(inbox.answer_unanswered(bot.work, lambda: True, after=0.5))
        await asyncio.sleep(0.2)
        assert bot.answered == []  # maybe still being answered by another process
        await starting
        await inbox.close()

    asyncio.run(scenario())
    assert bot.answered == ["recent"]


def test_an_update_of_a_flooding_conversation_is_dropped_and_struck_off(tmp_path: Path) -> None:
    path, bot = tmp_path / "journal.db", Bot(seconds=0.05)

    async def scenario() -> list[bool]:
        inbox = Inbox(
            "telegram",
            RecentKeys(),
            SqliteJournal(path, "telegram"),
            ConversationQueues(max_pending=2),
        )
        updates = [{"chat": 1, "text": str(n)} for n in range(3)]
        taken = [inbox.take(str(n), u, bot.work(u)) for n, u in enumerate(updates)]  # type: ignore[arg-type]
        await inbox.close()
        return taken

    assert asyncio.run(scenario()) == [True, True, False]
    assert bot.answered == ["0", "1"]
    assert _left(path) == []


def test_an_entry_that_cannot_be_read_again_is_struck_off_and_the_others_answered(
    tmp_path: Path,
) -> None:
    path, bot = tmp_path / "journal.db", Bot()
    killed = SqliteJournal(path, "telegram")
    killed.write("1", json.dumps({"text": "no chat"}))  # bot.work fails on it: KeyError
    killed.write("2", json.dumps({"chat": 1, "text": "fine"}))

    async def scenario() -> None:
        inbox = _inbox(path)
        await inbox.answer_unanswered(bot.work, lambda: True, after=0.0)
        await inbox.close()

    asyncio.run(scenario())
    assert bot.answered == ["fine"]
    assert _left(path) == []
