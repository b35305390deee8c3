"""What the chat channels remember across Rasa processes.

Telegram and Slack re-deliver an update their webhook did not acknowledge fast enough,
and each channel answers an update id (Slack: event id and message time) only once. In
one process that memory is the channel's own (`RecentUpdates`, `Deduplicator`). With
several processes behind a load balancer (LOCK_STORE=redis, README "More than one
process") a re-delivery may reach another process, so the memory moves to Redis: the
first process to claim a key (`SET key NX EX ttl`) answers, the others drop it. If Redis
cannot be reached, the process's own memory is used, so nothing goes unanswered.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any, Protocol

import redis  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

# Long enough for every re-delivery either platform makes (Slack: up to an hour).
SEEN_SECONDS = 2 * 60 * 60


class Memory(Protocol):
    def first_time(self, keys: Iterable[str]) -> bool: ...


class SharedSeen:
    """Keys seen by any process, kept in Redis for `ttl` seconds."""

    def __init__(self, client: Any, prefix: str, fallback: Memory, ttl: int = SEEN_SECONDS):
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


def shared_or(fallback: Memory, channel: str) -> Memory:
    """`fallback` (this process's memory), or a Redis-backed memory when several Rasa
    processes share a Redis lock store (LOCK_STORE=redis)."""
    if os.environ.get("LOCK_STORE") != "redis":
        return fallback
    client = redis.Redis(
        host=os.environ.get("REDIS_HOST") or "127.0.0.1",
        port=int(os.environ.get("REDIS_PORT") or 6379),
        db=int(os.environ.get("REDIS_DB") or 1),
        password=os.environ.get("REDIS_PASSWORD") or None,
        socket_timeout=2,
        socket_connect_timeout=2,
    )
    prefix = f"{os.environ.get('REDIS_KEY_PREFIX') or 'osteo'}:seen:{channel}:"
    return SharedSeen(client, prefix, fallback)
