"""Throughput of one Rasa process against two, each behind the same loopback load balancer
(scripts/balancer.py), at 16 users, in one run: the scaled-out topology of the README
("More than one process"), with the conversations in PostgreSQL, the locks in Redis and
one action server. Both figures go through the balancer, so its cost is in both.

Part of `make bench` (scripts/bench.py); alone: python -m scripts.bench --part scale-out.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import requests

from scripts.bench import chat, percentile, questions
from scripts.servers import ROOT, free_port, running_bot, shared_stores, sharing_actions

HEADING = "## Two Rasa processes against one"
USERS = 16
# Issue 10's target on this 2-core machine: two processes give this many times the
# messages per second of one.
TARGET = 1.6


@dataclass(frozen=True)
class Front:
    """What the load generator talks to: the balancer's address."""

    url: str


@contextlib.contextmanager
def balancer(backends: list[str]) -> Iterator[Front]:
    """scripts/balancer.py in front of the bots at `backends` (their URLs)."""
    port = free_port()
    ports = [url.rsplit(":", 1)[1] for url in backends]
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.balancer", str(port), *ports], cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(requests.ConnectionError):
                requests.get(url, timeout=2)
                break
            time.sleep(0.1)
        yield Front(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


def rate(front: Front, texts: list[str], messages: int) -> tuple[float, float]:
    """Messages per second and p95 latency (ms) of USERS users through `front`."""
    chat(front, texts, USERS, 40)  # type: ignore[arg-type]  # warm-up: connections, caches
    latencies, elapsed = chat(front, texts, USERS, messages)  # type: ignore[arg-type]
    return len(latencies) / elapsed, percentile(latencies, 95)


def measure(messages: int) -> dict[str, float]:
    texts = questions()
    with shared_stores("osteo-bench") as env, running_bot(env=env) as first:
        with balancer([first.url]) as front:
            one, one_p95 = rate(front, texts, messages)
        print(f"[scale-out] 1 process: {one:.0f} msg/s, p95 {one_p95:.0f} ms", flush=True)
        with (
            running_bot(env=sharing_actions(first, env)) as second,
            balancer([first.url, second.url]) as front,
        ):
            two, two_p95 = rate(front, texts, messages)
        print(f"[scale-out] 2 processes: {two:.0f} msg/s, p95 {two_p95:.0f} ms", flush=True)
    return {
        "users": USERS,
        "messages": messages,
        "one_msgs": one,
        "one_p95": one_p95,
        "two_msgs": two,
        "two_p95": two_p95,
        "ratio": two / one,
    }


def section(figures: dict[str, float]) -> list[str]:
    """The BENCHMARKS.md section."""
    return [
        f"{USERS} users, {int(figures['messages'])} messages after a warm-up, conversations "
        "in PostgreSQL, locks in Redis, one action server; the processes sit behind the "
        "same loopback balancer (scripts/balancer.py), which spreads connections in turn. "
        f"Target: two processes at least {TARGET}× one.",
        "",
        "| Rasa processes | msg/s | p95 (ms) |",
        "|---|---|---|",
        f"| 1 | {figures['one_msgs']:.0f} | {figures['one_p95']:.0f} |",
        f"| 2 | {figures['two_msgs']:.0f} | {figures['two_p95']:.0f} |",
        "",
        f"Two processes give {figures['ratio']:.2f}× the messages per second of one. "
        "The machine has two cores, which the two Rasa processes share with PostgreSQL, "
        "the action server, the balancer and the load generator.",
    ]
