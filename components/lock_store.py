"""Per-conversation ticket locks in Redis for several Rasa processes, taken and given
back atomically, without blocking the server.

Rasa's `RedisLockStore` keeps each conversation's lock as one JSON value and changes it
by reading it, changing it in Python and writing it back. That costs seven round trips
to Redis a message, each one made with the blocking client from inside the server's
event loop, so no other conversation moves meanwhile; and two processes that issue a
ticket for one conversation at the same moment can both read the same lock and hand out
the same ticket, so two messages of a conversation can be handled at once (a user who
sends twice quickly, a channel's re-delivery reaching the other process).

Here each step is one Lua script, which Redis runs atomically, sent with the asyncio
client:
- taking a ticket drops expired tickets, queues a new one under the next number and
  says whether it is first in the queue; a ticket that is not first asks again, after
  20 ms at first and then less often;
- giving it back removes it, and the conversation's keys when the queue is empty.

It is the same ticket lock as Rasa's: first come, first served within a conversation,
and a ticket expires after `lock_lifetime` (Rasa's TICKET_LOCK_LIFETIME, 60 s) so that a
process that died holding it blocks the conversation no longer than that. Times are the
Redis server's, so the processes' clocks need not agree. A message whose ticket expired
before its turn came gets Rasa's `LockError`, as with Rasa's store; so does one whose
Redis cannot be reached (the channel then tells the user to try again).

Configured in endpoints.redis-lock.yml, which scripts/run.sh adds with LOCK_STORE=redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as redis  # type: ignore[import-untyped]
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# Waits between a waiting ticket's checks: the first, and the longest.
FIRST_WAIT_SECONDS = 0.02
SOCKET_TIMEOUT_SECONDS = 5

# KEYS: the queue (sorted set: token by ticket number), the tickets' expiry times (hash:
# token → ms) and the ticket counter. ARGV: the token, its lifetime in ms, and "1" to
# queue it. Returns 1 when the token is first in the queue, 0 when it must wait, -1 when
# it has expired (or was never queued).
_TAKE = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expiries = redis.call('HGETALL', KEYS[2])
for i = 1, #expiries, 2 do
  if tonumber(expiries[i + 1]) <= now then
    redis.call('HDEL', KEYS[2], expiries[i])
    redis.call('ZREM', KEYS[1], expiries[i])
  end
end
if ARGV[3] == '1' then
  local lifetime = tonumber(ARGV[2])
  local number = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[1], number, ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], now + lifetime)
  for k = 1, 3 do redis.call('PEXPIRE', KEYS[k], lifetime) end
end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return -1 end
if redis.call('ZRANGE', KEYS[1], 0, 0)[1] == ARGV[1] then return 1 end
return 0
"""

# KEYS as above; ARGV: the token.
_GIVE_BACK = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3]) end
return 1
"""


class RedisTicketLockStore(LockStore):
    """Ticket locks in Redis (see the module's text); Rasa calls only `lock`."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings: dict[str, Any] = endpoint_config.kwargs
        self.key_prefix = f"{settings.get('key_prefix') or 'osteo'}:lock:"
        self.red = redis.Redis(
            host=endpoint_config.url or "127.0.0.1",
            port=int(settings.get("port") or 6379),
            db=int(settings.get("db") or 1),
            password=settings.get("password") or None,
            socket_timeout=float(settings.get("socket_timeout") or SOCKET_TIMEOUT_SECONDS),
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        )
        self._take = self.red.register_script(_TAKE)
        self._give_back = self.red.register_script(_GIVE_BACK)
        super().__init__()

    def _keys(self, conversation_id: str) -> list[str]:
        key = self.key_prefix + conversation_id
        return [f"{key}:queue", f"{key}:expiries", f"{key}:counter"]

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Hold `conversation_id`'s lock: wait for this message's turn, give it back
        after. `wait_time_in_seconds` is the longest wait between two checks."""
        keys = self._keys(conversation_id)
        token = uuid.uuid4().hex
        lifetime_ms = max(1, round(lock_lifetime * 1000))
        wait = min(FIRST_WAIT_SECONDS, wait_time_in_seconds)
        try:
            state = await self._take(keys=keys, args=[token, lifetime_ms, 1])
            while state == 0:
                await asyncio.sleep(wait)
                wait = min(wait * 2, wait_time_in_seconds)
                state = await self._take(keys=keys, args=[token, lifetime_ms, 0])
        except redis.RedisError as error:
            await self._give_back_quietly(keys, token)
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        except BaseException:  # cancelled while waiting: leave the queue
            await self._give_back_quietly(keys, token)
            raise
        if state != 1:
            raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
        try:
            yield TicketLock(conversation_id)
        finally:
            await self._give_back_quietly(keys, token)

    async def _give_back_quietly(self, keys: list[str], token: str) -> None:
        """Give the ticket back; if Redis cannot be reached it expires on its own."""
        try:
            await self._give_back(keys=keys, args=[token])
        except redis.RedisError:
            logger.warning("Could not give back a lock ticket; it expires with its lifetime")
