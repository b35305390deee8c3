"""The Redis ticket locks of several Rasa processes (components/lock_store.py), against the
machine's real Redis under a key prefix of the test's own. Two store objects stand for
two processes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from components.lock_store import RedisTicketLockStore


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"locktest{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis(host="127.0.0.1", port=6379, db=1)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def _store(prefix: str, port: int = 6379) -> RedisTicketLockStore:
    config = EndpointConfig(url="127.0.0.1", port=str(port), db="1", key_prefix=prefix)
    return RedisTicketLockStore(config)


def _keys(prefix: str) -> list[bytes]:
    return list(redis.Redis(host="127.0.0.1", port=6379, db=1).scan_iter(f"{prefix}:*"))


def test_one_conversations_messages_are_served_one_at_a_time_in_order(prefix: str) -> None:
    """Twelve messages of one conversation reach two processes at once: each is handled
    alone, in the order it arrived, and nothing is left in Redis afterwards."""
    served: list[tuple[str, int]] = []

    async def message(store: RedisTicketLockStore, n: int) -> None:
        async with store.lock("conversation", wait_time_in_seconds=0.05):
            served.append(("start", n))
            await asyncio.sleep(0.01)
            served.append(("end", n))

    async def run() -> None:
        stores = [_store(prefix), _store(prefix)]
        tasks = []
        for n in range(12):
            tasks.append(asyncio.create_task(message(stores[n % 2], n)))
            await asyncio.sleep(0.005)  # arrival order
        await asyncio.gather(*tasks)

    asyncio.run(run())
    assert served == [(step, n) for n in range(12) for step in ("start", "end")]
    assert _keys(prefix) == []


def test_other_conversations_do_not_wait(prefix: str) -> None:
    async def run() -> float:
        store = _store(prefix)
        async with store.lock("first"):
            started = time.monotonic()
            async with _store(prefix).lock("second"):
                return time.monotonic() - started

    assert asyncio.run(run()) < 0.5


def test_a_dead_holders_ticket_expires_with_its_lifetime(prefix: str) -> None:
    """A process that died holding the lock (its ticket never given back) holds the
    conversation up for the ticket's lifetime, not for ever."""

    async def run() -> float:
        store = _store(prefix)
        # Taken and never given back, as by a process killed mid-message.
        keys = store._keys("conversation")
        assert await store._take(keys=keys, args=["dead", 300, 1]) == 1
        started = time.monotonic()
        async with store.lock("conversation", wait_time_in_seconds=0.05):
            return time.monotonic() - started

    waited = asyncio.run(run())
    assert 0.2 < waited < 2


def test_a_message_whose_ticket_expired_while_waiting_gets_a_lock_error(prefix: str) -> None:
    async def run() -> None:
        store = _store(prefix)
        async with (
            store.lock("conversation"),
            store.lock("conversation", lock_lifetime=0.2, wait_time_in_seconds=0.05),
        ):
            pass

    with pytest.raises(LockError):
        asyncio.run(run())


def test_a_message_cancelled_while_waiting_leaves_the_queue(prefix: str) -> None:
    async def run() -> float:
        store = _store(prefix)
        async with store.lock("conversation"):
            waiting = asyncio.create_task(_hold(store))
            await asyncio.sleep(0.1)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
        started = time.monotonic()
        async with store.lock("conversation"):
            return time.monotonic() - started

    async def _hold(store: RedisTicketLockStore) -> None:
        async with store.lock("conversation"):
            pass

    assert asyncio.run(run()) < 0.5
    assert _keys(prefix) == []


def test_unreachable_redis_is_a_lock_error() -> None:
    async def run() -> None:
        async with _store("unreachable", port=9).lock("conversation"):
            pass

    with pytest.raises(LockError):
        asyncio.run(run())


@pytest.mark.parametrize(
    "conversation",
    ["👩‍⚕️ sender", "患者-42", "x" * 10_000, "a:queue", "slack T1 C2 1700000000.0001", ""],
)
def test_any_sender_id_a_channel_accepts_gets_its_own_lock(prefix: str, conversation: str) -> None:
    """Emoji, other scripts, very long ids and ids that look like the store's own key
    names each get a lock of their own, and leave nothing behind."""

    async def run() -> float:
        store = _store(prefix)
        async with store.lock(conversation):
            started = time.monotonic()
            async with store.lock(conversation + ":other"):  # another conversation
                return time.monotonic() - started

    assert asyncio.run(run()) < 0.5
    assert _keys(prefix) == []
