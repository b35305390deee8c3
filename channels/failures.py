"""A message the bot failed to handle still gets a reply, on every channel.

When the tracker store or the lock store is unreachable (PostgreSQL or Redis stopped),
Rasa raises out of its message handling and each channel would log the error and send
nothing: the user waits for an answer that never comes. Wrapped with `answer_failures`,
the user is told to try again instead, and the next message is handled as usual (the
stores reconnect when they are back).
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from channels.responses import response

logger = logging.getLogger(__name__)

RESPONSE = "utter_having_trouble"


def trouble_text() -> str:
    """The domain's words for a message that could not be handled (read once)."""
    return str(response(RESPONSE)["text"])


Handler = Callable[[UserMessage], Awaitable[Any]]


def answer_failures(on_new_message: Handler) -> Handler:
    """`on_new_message`, telling the user to try again when handling their message fails."""
    trouble = trouble_text()  # read now, at server start, not when things go wrong

    async def handle(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except CancelledError:
            raise
        except Exception:
            logger.exception("Handling a message of %s failed; telling the user", message.sender_id)
            try:
                await message.output_channel.send_text_message(message.sender_id, trouble)
            except Exception:
                logger.exception("Telling %s about the failure failed too", message.sender_id)
            return None

    return handle
