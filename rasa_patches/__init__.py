"""Fixes to Rasa 3.6 internals, applied explicitly at start by the launcher.

`python -m rasa_patches <rasa arguments>` (rasa_patches/__main__.py) is `rasa <rasa
arguments>` with this layer: it decides whether the command needs TensorFlow and, if not,
puts a placeholder in its place (tensorflow_placeholder.py), applies the fixes below, and
then runs Rasa's own command line. Nothing here happens on import.

Each fix keeps Rasa's behaviour and removes a measured cost or a silent failure
(BENCHMARKS.md): `action_calls` (cheaper validation of action-server responses, a
kept-alive connection to the action server, an apology instead of silence when an
action fails), `graph_runner` (Rasa's graphs run without dask's scheduler),
`event_types` (event classes looked up by name once), `slash_commands` (a typed
"/restart" is text; only the bot's buttons send intents), `spacy_model` (the spaCy model
loaded once, not once per graph node), `conversation_length` (no cost that grows with
the length of a conversation), `tracker_store` (an unreachable database is reported
to the user, not replaced by an empty memory store), `training_data` (`rasa train`
parses the training data once, not once for validation and again for training) and
`training_cache` (no training-cache fingerprints when the cache is off).

They replace private methods of Rasa, so they are written for one Rasa version and
refuse to apply to any other, with a message that says so; `STOCK_RASA=1` runs
without them and without the placeholder (stock Rasa's behaviour and speed).
"""

from __future__ import annotations

import importlib.metadata
import os

# The Rasa version whose private methods the fixes replace (and were tested against).
WRITTEN_FOR = "3.6.21"


class UnsupportedRasaVersion(RuntimeError):
    pass


def stock() -> bool:
    """Whether STOCK_RASA=1 asks for stock Rasa (no fixes, no placeholder)."""
    return os.environ.get("STOCK_RASA") == "1"


def check_version(version: str | None = None) -> None:
    """Refuse any Rasa but WRITTEN_FOR; read from the installed package's metadata, so
    that nothing of Rasa (or TensorFlow) is imported to check it."""
    version = version or importlib.metadata.version("rasa")
    if version != WRITTEN_FOR:
        raise UnsupportedRasaVersion(
            f"rasa_patches replaces private methods of Rasa {WRITTEN_FOR}, but Rasa "
            f"{version} is installed. Install rasa=={WRITTEN_FOR} (requirements.txt), check "
            "each fix against the new version, or set STOCK_RASA=1 to run without them."
        )


def apply(version: str | None = None) -> bool:
    """Apply the fixes; False when STOCK_RASA=1 asks for stock Rasa."""
    if stock():
        return False
    check_version(version)
    from rasa_patches import (
        action_calls,
        conversation_length,
        event_types,
        graph_runner,
        slash_commands,
        spacy_model,
        tracker_store,
        training_cache,
        training_data,
    )

    action_calls.apply()
    conversation_length.apply()
    graph_runner.apply()
    event_types.apply()
    slash_commands.apply()
    spacy_model.apply()
    tracker_store.apply()
    training_data.apply()
    training_cache.apply()
    return True
