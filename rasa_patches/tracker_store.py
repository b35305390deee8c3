"""An unreachable database is reported to the user, not replaced by an empty memory.

Rasa wraps every tracker store in `FailSafeTrackerStore`: when the database cannot be
reached it carries on with an empty in-memory tracker, so the conversation restarts
without its context and what is said meanwhile is never stored. For a store that sets
`no_memory_fallback` (components/tracker_store.py) the wrapper passes every call straight
through, so the error reaches the channel, which tells the user to try again
(channels/failures.py). Other stores keep Rasa's behaviour.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import FailSafeTrackerStore

_stock_fail_safe = {
    name: getattr(FailSafeTrackerStore, name)
    for name in ("retrieve", "save", "keys", "retrieve_full_tracker")
}


def _straight_through(name: str) -> Any:
    stock = _stock_fail_safe[name]

    async def method(self: FailSafeTrackerStore, *args: Any, **kwargs: Any) -> Any:
        if getattr(self._tracker_store, "no_memory_fallback", False):
            return await getattr(self._tracker_store, name)(*args, **kwargs)
        return await stock(self, *args, **kwargs)

    method.__name__ = name
    return method


def apply() -> None:
    for name in _stock_fail_safe:
        setattr(FailSafeTrackerStore, name, _straight_through(name))
