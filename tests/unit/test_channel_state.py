"""Re-deliveries are answered once across Rasa processes that share Redis
(channels/state.py), against the machine's real Redis with a key prefix of their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from channels.slack import Deduplicator
from channels.state import SEEN_SECONDS, SharedSeen, shared_or
from channels.telegram import RecentUpdates


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"osteo-test-{uuid.uuid4().hex[:8]}:seen:"
    yield name
    client = redis.Redis(host="127.0.0.1", port=6379, db=1)
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


def _process(prefix: str) -> SharedSeen:
    """What one Rasa process's channel holds."""
    return SharedSeen(redis.Redis(host="127.0.0.1", port=6379, db=1), prefix, RecentUpdates())


def test_an_update_claimed_by_one_process_is_dropped_by_the_other(prefix: str) -> None:
    first, second = _process(prefix), _process(prefix)

    assert first.first_time(["1001"])
    assert not second.first_time(["1001"])  # Telegram's re-delivery, to the other replica
    assert not first.first_time(["1001"])
    assert second.first_time(["1002"])
    ttl = redis.Redis(host="127.0.0.1", port=6379, db=1).ttl(f"{prefix}1001")
    assert 0 < ttl <= SEEN_SECONDS


def test_a_slack_event_seen_under_either_key_is_dropped(prefix: str) -> None:
    first, second = _process(prefix), _process(prefix)

    assert first.first_time(["event:Ev1", "message:C1:1.0"])
    assert not second.first_time(["event:Ev2", "message:C1:1.0"])  # same message, new event


def test_without_redis_each_process_remembers_on_its_own() -> None:
    unreachable = redis.Redis(host="127.0.0.1", port=9, socket_connect_timeout=1)
    seen = SharedSeen(unreachable, "x:", Deduplicator())

    assert seen.first_time(["event:Ev1"])  # answered, not lost
    assert not seen.first_time(["event:Ev1"])


def test_one_process_keeps_its_own_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCK_STORE", raising=False)
    own = RecentUpdates()
    assert shared_or(own, "telegram") is own
    monkeypatch.setenv("LOCK_STORE", "redis")
    assert isinstance(shared_or(own, "telegram"), SharedSeen)
