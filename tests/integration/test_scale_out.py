"""Two Rasa processes behind one address, as a scaled-out deployment runs them: one
PostgreSQL tracker store, one Redis lock store, one action server, and turns of each
conversation alternating between the processes. Nothing may be lost, doubled or
answered out of context."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest

from scripts.servers import ROOT, Bot, running_bot, shared_stores, sharing_actions
from tests.integration.conftest import texts

CONVERSATIONS = 200
AT_ONCE = 16
# Each turn and what its reply must hold; turns 2 and 3 lean on the turn before, which
# the other process answered.
TURNS = [
    ("How much calcium do adults need?", "1,000 to 1,200 mg"),
    ("and vitamin D?", "600–800"),
    ("where does it say that?", "600–800 International Units (IU) daily"),
    ("does osteoporosis cause hair loss?", "does not biologically cause hair follicles to fail"),
    ("tell me more", "Osteoporosis is a skeletal disease"),
]


@pytest.fixture
def replicas(postgres: str) -> Iterator[tuple[Bot, Bot, str]]:
    with (
        shared_stores("osteo-scale", postgres) as shared,
        running_bot(env=shared) as first,
        running_bot(env=sharing_actions(first, shared)) as second,
    ):
        yield first, second, shared["POSTGRES_DB"]


def test_two_processes_lose_nothing_and_keep_every_conversations_context(
    replicas: tuple[Bot, Bot, str], postgres: str
) -> None:
    first, second, database = replicas
    assert second.children().keys() == {"rasa"}  # one action server, the first's

    def converse(n: int) -> list[str]:
        sender = f"scale-{n}-{uuid.uuid4().hex[:8]}"
        problems = []
        for i, (text, expected) in enumerate(TURNS):
            bot = (first, second)[(n + i) % 2]
            reply = texts(bot.send(sender, text, timeout=120))
            if expected not in reply:
                problems.append(f"{sender} turn {i} {text!r}: {reply[:200]!r}")
        return [sender, *problems]

    with ThreadPoolExecutor(AT_ONCE) as pool:
        results = list(pool.map(converse, range(CONVERSATIONS)))
    problems = [p for _, *found in results for p in found]
    assert problems == [], f"{len(problems)} wrong replies, e.g. {problems[:3]}"

    dsn = postgres.replace("dbname=postgres", f"dbname={database}")
    with contextlib.closing(psycopg2.connect(dsn)) as connection:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT sender_id, data::json->>'text' FROM events WHERE type_name = 'user' ORDER BY id"
        )
        said: dict[str, list[str]] = {}
        for sender, text in cursor.fetchall():
            said.setdefault(sender, []).append(text)
    expected = [text for text, _ in TURNS]
    for sender, *_ in results:
        # Every message exactly once, in the order it was sent.
        assert said.get(sender) == expected, sender

    for bot in (first, second):
        log = bot.log()
        assert "LockError" not in log and "Could not acquire lock" not in log


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TRACKER_STORE": "postgres", "POSTGRES_PORT": "9"}, "PostgreSQL is not reachable"),
        ({"LOCK_STORE": "redis", "REDIS_PORT": "9"}, "Redis is not reachable"),
    ],
)
def test_an_unreachable_store_is_named_at_start_with_the_fix(
    env: dict[str, str], named: str
) -> None:
    started = subprocess.run(
        [str(ROOT / "scripts" / "run.sh")],
        cwd=ROOT,
        env={**os.environ, **env, "RASA_PORT": "1", "ACTION_PORT": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert named in started.stderr
    assert "Start it" in started.stderr
