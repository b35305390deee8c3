"""Start the bot exactly as `make run` does (scripts/run.sh), on chosen ports.

Used by the end-to-end tests, the held-out evaluation and the benchmark, so that
all of them measure the real servers. The conversation store is a SQLite file in a
temporary folder, removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def send_message(
    url: str, sender: str, message: str, timeout: float = 30, session: Any = requests
) -> list[dict]:
    """One message to the REST webhook of the bot at `url`; its replies."""
    response = session.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        timeout=timeout,
    )
    response.raise_for_status()
    return list(response.json())


@dataclass
class Bot:
    url: str
    action_url: str
    process: subprocess.Popen
    log_path: Path
    started_at: float
    first_reply_seconds: float
    sqlite_path: Path

    def send(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        return send_message(self.url, sender, message, timeout)

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def children(self) -> dict[str, int]:
        """The run script's two servers: {"actions": pid, "rasa": pid}.

        Command lines are read from /proc, not from `ps -o args=`, which cuts them at
        the terminal width whenever COLUMNS is set (pytest sets it)."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found = {}
        for pid in (int(p) for p in out.split()):
            args = command_line(pid)
            if "-m rasa_sdk" in args:
                found["actions"] = pid
            elif "rasa run" in args or "-m rasa_patches run" in args:
                found["rasa"] = pid
        return found

    def kill_rasa(self, timeout: float = 30) -> None:
        """`kill -9` the Rasa server, as a crash would; the run script then stops too."""
        os.kill(self.children()["rasa"], signal.SIGKILL)
        self.process.wait(timeout)


def command_line(pid: int) -> str:
    """The whole command line of a process ("" once it has gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode("utf-8", errors="replace").strip()


# The conversation wait_for_reply holds with a starting bot (left out of `make report`).
PROBE_SENDER = "__startup_probe__"


def wait_for_reply(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll until the bot answers a real message through the action server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the bot exited during start-up")
        with contextlib.suppress(requests.RequestException):
            reply = requests.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": PROBE_SENDER, "message": "/ask_causal_link"},
                timeout=5,
            )
            if reply.ok and any("Source:" in m.get("text", "") for m in reply.json()):
                return
        time.sleep(0.1)
    raise TimeoutError(f"no reply from {url} within {timeout} s")


def wait_for_status(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the bot exited during start-up")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/", timeout=5).ok:  # answers without the HTTP API
                return
        time.sleep(0.1)
    raise TimeoutError(f"{url}/ did not answer within {timeout} s")


@contextlib.contextmanager
def running_bot(
    env: dict[str, str] | None = None,
    timeout: float = 120,
    sqlite_path: Path | None = None,
    wait_for_actions: bool = True,
    root: Path = ROOT,
) -> Iterator[Bot]:
    """The bot started by scripts/run.sh on free ports; stopped on exit.

    `sqlite_path` keeps conversations in that file (default: a temporary one), so a
    test can restart the bot on the same store. With `wait_for_actions` false it is
    ready as soon as Rasa answers / (for tests that break the action server). `root` is
    the project to run (a test's modified copy: its data, actions and model).
    """
    rasa_port, action_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="osteo-bot-") as tmp:
        log_path = Path(tmp) / "servers.log"
        sqlite_path = sqlite_path or Path(tmp) / "tracker.db"
        full_env = {
            **os.environ,
            "RASA_PORT": str(rasa_port),
            "ACTION_PORT": str(action_port),
            "TRACKER_SQLITE_DB": str(sqlite_path),
            **(env or {}),
        }
        started = time.monotonic()
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [str(root / "scripts" / "run.sh")],
                cwd=root,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{rasa_port}"
        try:
            if wait_for_actions:
                wait_for_reply(url, process, timeout)
            else:
                wait_for_status(url, process, timeout)
            bot = Bot(
                url,
                f"http://127.0.0.1:{action_port}",
                process,
                log_path,
                started,
                time.monotonic() - started,
                sqlite_path,
            )
            yield bot
        except Exception:
            print(log_path.read_text("utf-8", errors="replace")[-5000:])
            raise
        finally:
            stop(process)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM the run script (it stops both servers); kill the group if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


POSTGRES_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@contextlib.contextmanager
def shared_stores(name: str, dsn: str = POSTGRES_DSN) -> Iterator[dict[str, str]]:
    """The settings of several Rasa processes sharing PostgreSQL and Redis (README, "More
    than one process"), with a database and a Redis key prefix of their own, both
    removed afterwards; `name` starts both."""
    import psycopg2  # type: ignore[import-untyped]
    import redis  # type: ignore[import-untyped]

    database = f"{name.replace('-', '_')}_{uuid.uuid4().hex[:12]}"
    prefix = f"{name}-{uuid.uuid4().hex[:8]}"
    try:
        yield {
            "TRACKER_STORE": "postgres",
            "POSTGRES_DB": database,
            "LOCK_STORE": "redis",
            "REDIS_KEY_PREFIX": prefix,
        }
    finally:
        with contextlib.closing(psycopg2.connect(dsn)) as connection:
            connection.autocommit = True
            connection.cursor().execute(f"DROP DATABASE IF EXISTS {database}")
        keys = redis.Redis(host="127.0.0.1", port=6379, db=1)
        for key in keys.scan_iter(f"{prefix}:*"):
            keys.delete(key)


def sharing_actions(first: Bot, env: dict[str, str]) -> dict[str, str]:
    """`env` for a further Rasa process that uses `first`'s action server."""
    return {
        **env,
        "ACTION_SERVER": "external",
        "ACTION_ENDPOINT_URL": f"{first.action_url}/webhook",
    }
