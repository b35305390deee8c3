"""Fixtures that start the real servers (scripts/run.sh, as `make run` does)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from scripts.servers import ROOT, Bot, running_bot


@pytest.fixture(scope="session")
def bot() -> Iterator[Bot]:
    """One running bot shared by the tests that only talk to it."""
    with running_bot() as running:
        yield running


@pytest.fixture(scope="session")
def responses() -> dict[str, str]:
    """First text variant of every domain response, to recognise replies by."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    return {name: variants[0]["text"] for name, variants in domain["responses"].items()}


@pytest.fixture(scope="session")
def note() -> str:
    """The 'general information' note that goes with a conversation's first answer: the
    last paragraph of an answer's default variation (domain.yml)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
    default = next(v for v in domain["responses"]["utter_grounded_answer"] if "condition" not in v)
    return str(default["text"]).split("\n\n")[-1]


def texts(replies: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in replies)


def opening(template: str) -> str:
    """The literal start of a response template, before its first {variable}."""
    return template.split("{")[0].strip()


POSTGRES_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@pytest.fixture(scope="session")
def postgres() -> str:
    """A reachable local PostgreSQL server (started if it is installed but down)."""
    import subprocess
    import time

    import psycopg2

    def reachable() -> bool:
        try:
            psycopg2.connect(POSTGRES_DSN, connect_timeout=3).close()
            return True
        except psycopg2.OperationalError:
            return False

    if not reachable():
        clusters = (
            sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").exists() else []
        )
        assert clusters, "PostgreSQL is not installed (no /etc/postgresql); see README"
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", clusters[-1].name, "main", "start"],
            check=True,
        )
        for _ in range(30):
            if reachable():
                break
            time.sleep(1)
    assert reachable(), "PostgreSQL at 127.0.0.1:5432 could not be reached or started"
    return POSTGRES_DSN
