"""PostgreSQL or Redis stopping while people chat: they are told to try again, nothing
crashes, and answers come back with the store. The stores "stop" behind a proxy the test
controls (tests/integration/proxy.py); the machine's own servers are never touched."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator

import psycopg2
import pytest

from channels.failures import trouble_text
from scripts.servers import Bot, running_bot
from tests.integration.conftest import texts
from tests.integration.proxy import Proxy

QUESTION = "does osteoporosis cause hair loss?"
ANSWER = "does not biologically cause hair follicles to fail"


def _answered_again(bot: Bot, sender: str, within: float = 30) -> str:
    deadline = time.monotonic() + within
    reply = ""
    while time.monotonic() < deadline:
        reply = texts(bot.send(sender, QUESTION))
        if ANSWER in reply:
            return reply
        assert reply == trouble_text(), reply  # until then, only the apology
        time.sleep(1)
    pytest.fail(f"no answer within {within} s of the store's return; last: {reply!r}")


@pytest.fixture
def database(postgres: str) -> Iterator[str]:
    name = f"osteo_outage_{uuid.uuid4().hex[:12]}"
    yield name
    with contextlib.closing(psycopg2.connect(postgres)) as connection:
        connection.autocommit = True
        connection.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_postgres_stopping_costs_an_apology_and_answers_resume(database: str) -> None:
    proxy = Proxy(5432)
    env = {"TRACKER_STORE": "postgres", "POSTGRES_DB": database, "POSTGRES_PORT": str(proxy.port)}
    try:
        with running_bot(env=env) as bot:
            sender = f"outage-{uuid.uuid4().hex}"
            assert ANSWER in texts(bot.send(sender, QUESTION))
            proxy.cut()
            assert texts(bot.send(sender, "and vitamin D?")) == trouble_text()
            assert texts(bot.send(f"new-{uuid.uuid4().hex}", QUESTION)) == trouble_text()
            assert bot.process.poll() is None  # nothing crashed
            proxy.restore()
            _answered_again(bot, sender)
            # The conversation is whole: its first answer is still there to cite.
            assert "That comes from" in texts(bot.send(sender, "where does it say that?"))
    finally:
        proxy.cut()


def test_redis_stopping_costs_an_apology_and_answers_resume() -> None:
    proxy = Proxy(6379)
    env = {"LOCK_STORE": "redis", "REDIS_PORT": str(proxy.port), "REDIS_KEY_PREFIX": "outage"}
    try:
        with running_bot(env=env) as bot:
            sender = f"outage-{uuid.uuid4().hex}"
            assert ANSWER in texts(bot.send(sender, QUESTION))
            proxy.cut()
            assert texts(bot.send(sender, QUESTION)) == trouble_text()
            assert bot.process.poll() is None
            proxy.restore()
            _answered_again(bot, sender)
    finally:
        proxy.cut()
