"""Fixes to Rasa 3.6 internals, applied when the model's pipeline imports `components`.

Each keeps Rasa's behaviour and removes a measured cost or a silent failure
(BENCHMARKS.md): `action_calls` (cheaper validation of action-server responses, a
kept-alive connection to the action server, an apology instead of silence when an
action fails), `graph_runner` (Rasa's graphs run without dask's scheduler),
`event_types` (event classes looked up by name once), `slash_commands` (a typed
"/restart" is text; only the bot's buttons send intents) and `tracker_store` (an
unreachable database is reported to the user, not replaced by an empty memory store).

They replace private methods of Rasa, so they are written for one Rasa version and
refuse to apply to any other, with a message that says so; `STOCK_RASA=1` runs
without them (stock Rasa's behaviour and speed).
"""

from __future__ import annotations

import logging
import os

import rasa

from components import action_calls, event_types, graph_runner, slash_commands, tracker_store

logger = logging.getLogger(__name__)

# The Rasa version whose private methods the fixes replace (and were tested against).
WRITTEN_FOR = "3.6.21"


class UnsupportedRasaVersion(RuntimeError):
    pass


def apply(version: str | None = None) -> bool:
    """Apply the fixes; False when STOCK_RASA=1 asks for stock Rasa."""
    if os.environ.get("STOCK_RASA") == "1":
        logger.info("STOCK_RASA=1: running without the fixes to Rasa's internals")
        return False
    version = version or rasa.__version__
    if version != WRITTEN_FOR:
        raise UnsupportedRasaVersion(
            f"components/rasa_fixes.py replaces private methods of Rasa {WRITTEN_FOR}, but "
            f"Rasa {version} is installed. Install rasa=={WRITTEN_FOR} (requirements.txt), "
            "check each fix against the new version, or set STOCK_RASA=1 to run without them."
        )
    action_calls.apply()
    graph_runner.apply()
    event_types.apply()
    slash_commands.apply()
    tracker_store.apply()
    return True
