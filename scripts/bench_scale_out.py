"""Throughput of one Rasa process against two, each behind the same loopback load balancer
(scripts/balancer.py), at 16 users, in one run: the scaled-out topology of the README
("More than one process"), with the conversations in PostgreSQL, the locks in Redis and
one action server. Both figures go through the balancer, so its cost is in both.

Part of `make bench` (scripts/bench.py); alone: python -m scripts.bench --part scale-out.
"""

from __future__ import annotations

import contextlib
import statistics
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
# Times each topology is measured, in turn with the other.
ROUNDS = 3


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


def measure(messages: int, rounds: int = ROUNDS) -> dict[str, float]:
    """Both topologies, measured in turn `rounds` times over the same two running Rasa
    processes (the second idles while one is measured): timings on these machines drift
    by ±20% over minutes, so each figure is the median of its rounds, and the ratio is
    that of the medians."""
    texts = questions()
    ones: list[tuple[float, float]] = []
    twos: list[tuple[float, float]] = []
    with (
        shared_stores("osteo-bench") as env,
        running_bot(env=env) as first,
        running_bot(env=sharing_actions(first, env)) as second,
        balancer([first.url]) as alone,
        balancer([first.url, second.url]) as both,
    ):
        for n in range(rounds):
            ones.append(rate(alone, texts, messages))
            twos.append(rate(both, texts, messages))
            print(
                f"[scale-out] round {n + 1}: 1 process {ones[-1][0]:.0f} msg/s, "
                f"2 processes {twos[-1][0]:.0f} msg/s",
                flush=True,
            )
    one, one_p95 = (statistics.median(column) for column in zip(*ones, strict=True))
    two, two_p95 = (statistics.median(column) for column in zip(*twos, strict=True))
    return {
        "users": USERS,
        "messages": messages,
        "rounds": rounds,
        "one_msgs": one,
        "one_p95": one_p95,
        "two_msgs": two,
        "two_p95": two_p95,
        "ratio": two / one,
        "lowest_ratio": min(b[0] / a[0] for a, b in zip(ones, twos, strict=True)),
        "highest_ratio": max(b[0] / a[0] for a, b in zip(ones, twos, strict=True)),
    }


def section(figures: dict[str, float]) -> list[str]:
    """The BENCHMARKS.md section."""
    return [
        f"{USERS} users, {int(figures['messages'])} messages after a warm-up, conversations "
        "in PostgreSQL, locks in Redis (components/lock_store.py), one action server; the "
        "processes sit behind the same loopback balancer (scripts/balancer.py), which "
        "spreads connections in turn. Each topology was measured "
        f"{int(figures['rounds'])} times, in turn with the other; each figure is the median. "
        f"Target: two processes at least {TARGET}× one.",
        "",
        "| Rasa processes | msg/s | p95 (ms) |",
        "|---|---|---|",
        f"| 1 | {figures['one_msgs']:.0f} | {figures['one_p95']:.0f} |",
        f"| 2 | {figures['two_msgs']:.0f} | {figures['two_p95']:.0f} |",
        "",
        f"Two processes give {figures['ratio']:.2f}× the messages per second of one "
        f"({figures['lowest_ratio']:.2f}–{figures['highest_ratio']:.2f}× round by round). "
        "The machine has two cores, which the two Rasa processes share with PostgreSQL, "
        "Redis, the action server, the balancer and the load generator.",
    ]
