"""Fixes to Rasa 3.6 internals, applied when the model's pipeline imports `components`.

Each keeps Rasa's behaviour and removes a measured cost or a silent failure
(BENCHMARKS.md): `action_calls` (cheaper validation of action-server responses, a
kept-alive connection to the action server, an apology instead of silence when an
action fails), `graph_runner` (Rasa's graphs run without dask's scheduler),
`event_types` (event classes looked up by name once), `slash_commands` (a typed
"/restart" is text; only the bot's buttons send intents) and `tracker_store` (an
unreachable database is reported to the user, not replaced by an empty memory store).
"""

from __future__ import annotations

from components import action_calls, event_types, graph_runner, slash_commands, tracker_store


def apply() -> None:
    action_calls.apply()
    graph_runner.apply()
    event_types.apply()
    slash_commands.apply()
    tracker_store.apply()
