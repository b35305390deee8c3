"""The bot's words, as domain.yml holds them, for the code that composes a message
itself rather than naming a response: the channels' "having trouble" reply, the
feedback buttons and the openings that go in front of an answer (actions/messages.py).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"


@cache
def _responses() -> dict[str, list[dict[str, Any]]]:
    return dict(yaml.safe_load(DOMAIN_FILE.read_text("utf-8"))["responses"])


def response(name: str) -> dict[str, Any]:
    """The first variant of response `name` (read once per process)."""
    return dict(_responses()[name][0])
