"""The user's text as the bot can handle it, whichever channel it came from."""

from __future__ import annotations

import re

# A surrogate code point left alone ("\ud800" in a JSON body): JSON allows it, but no
# UTF-8 encoder does, and the message would get no reply.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (the "unknown character")."""
    return _LONE_SURROGATE.sub(REPLACEMENT, text)
