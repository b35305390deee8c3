"""Rasa's lookup of an event class by its name, done once per name.

`Event.resolve_by_type` walks the whole `Event` class hierarchy (checking each class
with `inspect.isabstract`) for every event it reads: every event an action returns,
every event read from the tracker store. In py-spy profiles that was a fifth of the
time spent running a custom action. The classes are the same every time, so the answer
is remembered per name; a name not seen before is looked up the stock way.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Event

_stock_resolve_by_type = Event.resolve_by_type
_known: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: Any = None) -> type[Event] | None:
    known = _known.get(type_name)
    if known is not None:
        return known
    found: type[Event] | None = _stock_resolve_by_type(type_name, default)
    if found is not None and found is not default:
        _known[type_name] = found
    return found


def apply() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)
