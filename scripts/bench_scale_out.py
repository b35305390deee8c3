"""Throughput of one Rasa process against two, each behind the same loopback load balancer
(scripts/balancer.py), at 16 users, in one run: the scaled-out topology of the README
("More than one process"), with the conversations in PostgreSQL, the locks in Redis and
one action server. Both figures go through the balancer, so its cost is in both.

Part of `make bench` (scripts/bench.py); alone: python -m scripts.bench --part scale-out.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

from scripts.bench import chat, cpu_seconds, percentile, questions
from scripts.servers import ROOT, free_port, running_bot, shared_stores, sharing_actions

HEADING = "## Two Rasa processes against one"
USERS = 16
# Issue 10's target on this 2-core machine: two processes give this many times the
# messages per second of one.
TARGET = 1.6
# Times each topology is measured, in turn with the other.
ROUNDS = 5
# The stores' processes, whose CPU time counts too.
STORES = ("postgres", "redis-server")


@dataclass(frozen=True)
class Front:
    """What the load generator talks to: the balancer's address, and its process."""

    url: str
    pid: int


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
        yield Front(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):  # a database connection that ended
            total += cpu_seconds(pid)
    return total


def _named(names: tuple[str, ...]) -> list[int]:
    """The machine's processes called one of `names` (PostgreSQL's connections come and
    go, so they are looked up at each reading)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() in names:
                    found.append(int(entry.name))
    return found


def rate(
    front: Front, texts: list[str], messages: int, roles: dict[str, list[int]]
) -> tuple[float, float, dict[str, float]]:
    """Messages per second and p95 latency (ms) of USERS users through `front`, and the
    CPU time (ms) a message cost each of `roles` (role → its processes), the balancer,
    the stores and this load generator."""
    chat(front, texts, USERS, 40)  # type: ignore[arg-type]  # warm-up: connections, caches
    everyone = {
        **roles,
        "balancer": [front.pid],
        "load generator": [os.getpid()],
    }
    before = {role: _cpu_seconds(pids) for role, pids in everyone.items()}
    stores_before = {pid: _cpu_seconds([pid]) for pid in _named(STORES)}
    latencies, elapsed = chat(front, texts, USERS, messages)  # type: ignore[arg-type]
    spent = {role: _cpu_seconds(pids) - before[role] for role, pids in everyone.items()}
    spent["PostgreSQL and Redis"] = sum(
        _cpu_seconds([pid]) - stores_before.get(pid, 0.0) for pid in _named(STORES)
    )
    count = len(latencies)
    cpu = {role: 1000 * seconds / count for role, seconds in spent.items()}
    return count / elapsed, percentile(latencies, 95), cpu


@dataclass
class Topology:
    """One topology's rounds: messages per second, p95 (ms), CPU per message by role."""

    rates: list[float] = field(default_factory=list)
    p95s: list[float] = field(default_factory=list)
    cpus: list[dict[str, float]] = field(default_factory=list)

    def add(self, measured: tuple[float, float, dict[str, float]]) -> None:
        self.rates.append(measured[0])
        self.p95s.append(measured[1])
        self.cpus.append(measured[2])

    def rate(self) -> float:
        return statistics.median(self.rates)

    def p95(self) -> float:
        return statistics.median(self.p95s)

    def cpu(self) -> dict[str, float]:
        """Each role's median CPU time a message (ms)."""
        return {role: statistics.median(c[role] for c in self.cpus) for role in self.cpus[0]}


@dataclass
class ScaleOut:
    messages: int
    one: Topology
    two: Topology

    def ratio(self) -> float:
        return self.two.rate() / self.one.rate()

    def ratios(self) -> list[float]:
        return [b / a for a, b in zip(self.one.rates, self.two.rates, strict=True)]


def measure(messages: int, rounds: int = ROUNDS) -> ScaleOut:
    """Both topologies, measured in turn `rounds` times over the same two running Rasa
    processes (the second idles while one is measured): timings on these machines drift
    by ±20% over minutes, so each figure is the median of its rounds, and the ratio is
    that of the medians."""
    texts = questions()
    result = ScaleOut(messages, Topology(), Topology())
    with (
        shared_stores("osteo-bench") as env,
        running_bot(env=env) as first,
        running_bot(env=sharing_actions(first, env)) as second,
        balancer([first.url]) as alone,
        balancer([first.url, second.url]) as both,
    ):
        first_pids, second_pids = first.children(), second.children()
        roles = {
            "Rasa processes": [first_pids["rasa"], second_pids["rasa"]],
            "action server": [first_pids["actions"]],
        }
        for n in range(rounds):
            result.one.add(rate(alone, texts, messages, roles))
            result.two.add(rate(both, texts, messages, roles))
            print(
                f"[scale-out] round {n + 1}: 1 process {result.one.rates[-1]:.0f} msg/s, "
                f"2 processes {result.two.rates[-1]:.0f} msg/s",
                flush=True,
            )
    return result


def section(result: ScaleOut) -> list[str]:
    """The BENCHMARKS.md section."""
    one, two = result.one, result.two
    cpu_one, cpu_two = one.cpu(), two.cpu()
    rows = [
        f"| {role} | {cpu_one[role]:.2f} | {cpu_two[role]:.2f} |"
        for role in sorted(cpu_one, key=lambda r: -cpu_two[r])
    ]
    total_one, total_two = sum(cpu_one.values()), sum(cpu_two.values())
    return [
        f"{USERS} users, {result.messages} messages after a warm-up, conversations "
        "in PostgreSQL, locks in Redis (components/lock_store.py), one action server; the "
        "processes sit behind the same loopback balancer (scripts/balancer.py), which "
        "spreads connections in turn. Each topology was measured "
        f"{len(one.rates)} times, in turn with the other; each figure is the median. "
        f"Target: two processes at least {TARGET}× one.",
        "",
        "| Rasa processes | msg/s | p95 (ms) |",
        "|---|---|---|",
        f"| 1 | {one.rate():.0f} | {one.p95():.0f} |",
        f"| 2 | {two.rate():.0f} | {two.p95():.0f} |",
        "",
        f"Two processes give {result.ratio():.2f}× the messages per second of one "
        f"({min(result.ratios()):.2f}–{max(result.ratios()):.2f}× round by round).",
        "",
        "What bounds it: CPU time (ms) a message costs each process, with one Rasa process "
        "and with two (medians of the rounds):",
        "",
        "| Process | 1 Rasa process | 2 Rasa processes |",
        "|---|---|---|",
        *rows,
        f"| all | {total_one:.2f} | {total_two:.2f} |",
        "",
        f"The machine has {os.cpu_count()} cores. One Rasa process is busy "
        f"{one.rate() * cpu_one['Rasa processes'] / 10:.0f}% of the time (it waits for "
        "PostgreSQL and Redis in between, as Rasa's stores call them from its event loop), "
        f"so it serves about {one.rate():.0f} messages a second. Two share the cores with "
        "everything else a message needs, which then uses "
        f"{two.rate() * total_two / 10:.0f}% of one core's time, so they can serve at most "
        f"about {1000 * (os.cpu_count() or 1) / total_two:.0f} a second.",
    ]
