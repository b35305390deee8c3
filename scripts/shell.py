"""Talk to the running bot in this terminal, over its REST webhook (`make shell`).

Works with a terminal or a pipe (`echo "does stress thin hair?" | make shell`): each line
is a message, the bot's replies are printed, and end of input (Ctrl-D) or Ctrl-C leaves
without a traceback. A reply's suggestions are numbered; typing the number sends it.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import uuid
from collections.abc import Iterable
from typing import Any, TextIO

import requests


def show(replies: Iterable[dict[str, Any]], out: TextIO) -> list[dict[str, Any]]:
    """Print the bot's messages; the buttons offered last, numbered."""
    buttons: list[dict[str, Any]] = []
    for reply in replies:
        if reply.get("text"):
            print(f"Bot: {reply['text']}", file=out)
        buttons = list(reply.get("buttons") or buttons)
    for n, button in enumerate(buttons, 1):
        print(f"  [{n}] {button.get('title', '')}", file=out)
    return buttons


def chat(url: str, lines: Iterable[str], out: TextIO, prompt: bool) -> None:
    sender = f"shell-{uuid.uuid4().hex}"
    session = requests.Session()
    buttons: list[dict[str, Any]] = []
    for line in lines:
        text = line.rstrip("\n")
        if text.strip().isdigit() and 1 <= int(text) <= len(buttons):
            text = str(buttons[int(text) - 1].get("payload", ""))
        try:
            response = session.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
            )
            response.raise_for_status()
        except requests.RequestException as error:
            print(f"(The bot did not answer: {error}. Try again.)", file=out)
            continue
        buttons = show(response.json(), out)
        if prompt:
            print("You: ", end="", file=out, flush=True)


def _lines(prompt: bool) -> Iterable[str]:
    if prompt:
        print("You: ", end="", flush=True)
    yield from sys.stdin


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    args = parser.parse_args()
    interactive = sys.stdin.isatty()
    if interactive:
        print("Ask about osteoporosis and hair loss. Ctrl-D leaves.")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C leaves too
        chat(args.url, _lines(interactive), sys.stdout, interactive)
    if interactive:
        print("\nBye.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
