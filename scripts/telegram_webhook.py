"""Register the bot's webhook with Telegram, only when it is not registered already.

The server never calls setWebhook: doing it on every start gets "429 Too Many
Requests" from Telegram when a bot restarts often. Run this once after deploying, or
after changing the URL, the secret or the update kinds the channel handles:

    python -m scripts.telegram_webhook            # registers if the URL differs
    python -m scripts.telegram_webhook --force    # registers anyway (a new secret)

Reads TELEGRAM_TOKEN, TELEGRAM_WEBHOOK_URL, TELEGRAM_SECRET_TOKEN and, optionally,
TELEGRAM_API_URL (default https://api.telegram.org). Exit status 0 when the webhook is
registered, 1 when Telegram refused, 2 when a setting is missing or wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from channels.telegram import ALLOWED_UPDATES, BotApi, TelegramApiError, TelegramSettings


def settings_error(settings: TelegramSettings) -> str | None:
    if not settings.token:
        return "TELEGRAM_TOKEN is not set"
    if not settings.webhook_url:
        return (
            "TELEGRAM_WEBHOOK_URL is not set "
            "(the public https URL of /webhooks/telegram/webhook on this server)"
        )
    return settings.problem()


def needs_registration(info: Mapping[str, Any], url: str, force: bool) -> bool:
    """Whether setWebhook is due, given what getWebhookInfo says is registered."""
    if force or info.get("url") != url:
        return True
    # Telegram lists the update kinds only if they were given; unlisted means "all".
    registered = info.get("allowed_updates")
    return not isinstance(registered, list) or set(registered) != set(ALLOWED_UPDATES)


async def register(api: BotApi, settings: TelegramSettings, force: bool) -> list[str]:
    """Register the webhook if due; what was done, as lines to print."""
    info = await api.call("getWebhookInfo")
    info = info if isinstance(info, dict) else {}
    lines = []
    if info.get("last_error_message"):
        lines.append(f"Telegram's last delivery error: {info['last_error_message']}")
    if not needs_registration(info, settings.webhook_url, force):
        lines.append(
            f"Webhook already registered at {settings.webhook_url}; nothing to do "
            "(use --force to register again, e.g. after changing TELEGRAM_SECRET_TOKEN)."
        )
        return lines
    await api.call(
        "setWebhook",
        {
            "url": settings.webhook_url,
            "secret_token": settings.secret_token,
            "allowed_updates": list(ALLOWED_UPDATES),
            "drop_pending_updates": False,
        },
    )
    previous = info.get("url") or "none"
    lines.append(
        f"Webhook registered at {settings.webhook_url} for {', '.join(ALLOWED_UPDATES)} "
        f"(previously: {previous})."
    )
    return lines


async def _run(settings: TelegramSettings, force: bool) -> list[str]:
    api = BotApi(settings.token, settings.api_url)
    try:
        return await register(api, settings, force)
    finally:
        await api.close()


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--force", action="store_true", help="call setWebhook even if the URL is registered"
    )
    args = parser.parse_args(argv)
    settings = TelegramSettings.from_values(
        env.get("TELEGRAM_TOKEN"),
        env.get("TELEGRAM_SECRET_TOKEN"),
        env.get("TELEGRAM_BOT_NAME"),
        env.get("TELEGRAM_WEBHOOK_URL"),
        env.get("TELEGRAM_API_URL"),
    )
    error = settings_error(settings)
    if error:
        print(f"error: {error}.", file=sys.stderr)
        return 2
    try:
        lines = asyncio.run(_run(settings, args.force))
    except TelegramApiError as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
