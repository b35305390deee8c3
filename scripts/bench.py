"""Benchmark our assistant against the same data on Rasa's default pipeline and
policies (DIET + TED, as `rasa init` writes them), in one run on this machine, and
write BENCHMARKS.md and benchmarks.png.

For each system: training time, process start to first successful reply (through
the action server), RSS of the Rasa and action-server processes after warm-up, REST
latency p50/p95/p99 over sequential held-out questions, throughput and p95 with 1, 4,
16 and 64 concurrent users (bounded, loopback only), and held-out accuracy.

Run: python -m scripts.bench [--sequential 500] [--per-user 25]   (or `make bench`)
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from scripts.evaluate_heldout import HELDOUT, evaluate
from scripts.servers import ROOT, Bot, running_bot

STOCK_CONFIG = ROOT / "bench" / "config.stock.yml"
USERS = (1, 4, 16, 64)


@dataclass
class Result:
    name: str
    train_seconds: float = 0.0
    first_reply_seconds: float = 0.0
    rss_mb: dict[str, float] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)
    load: dict[int, tuple[float, float]] = field(default_factory=dict)  # users: (msg/s, p95)
    accuracy: dict[str, float] = field(default_factory=dict)


def train(config: Path, out: Path) -> tuple[Path, float]:
    start = time.monotonic()
    subprocess.run(
        [
            str(ROOT / ".venv/bin/rasa"),
            "train",
            "--config",
            str(config),
            "--out",
            str(out),
            "--fixed-model-name",
            "bench",
            "--force",
            "--quiet",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    return out / "bench.tar.gz", time.monotonic() - start


def questions() -> list[str]:
    data = yaml.safe_load(HELDOUT.read_text("utf-8"))
    return [q["text"] for q in data["in_scope"] + data["out_of_scope"]]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mb(bot: Bot) -> dict[str, float]:
    """Resident memory of each server process, in MB."""
    sizes = {}
    for role, pid in bot.children().items():
        status = Path(f"/proc/{pid}/status").read_text()
        kilobytes = next(
            line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")
        )
        sizes[role] = int(kilobytes) / 1024
    return sizes


def sequential(bot: Bot, texts: list[str], count: int) -> dict[str, float]:
    latencies = []
    for i in range(count):
        start = time.perf_counter()
        bot.send(f"seq-{i % 50}", texts[i % len(texts)])
        latencies.append((time.perf_counter() - start) * 1000)
    return {p: percentile(latencies, float(p[1:])) for p in ("p50", "p95", "p99")}


def concurrent(bot: Bot, texts: list[str], users: int, per_user: int) -> tuple[float, float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def user(n: int) -> None:
        sender = f"load-{users}-{n}-{uuid.uuid4().hex[:6]}"
        for i in range(per_user):
            start = time.perf_counter()
            bot.send(sender, texts[(n * per_user + i) % len(texts)], timeout=120)
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return len(latencies) / elapsed, percentile(latencies, 95)


def measure(name: str, config: Path, args: argparse.Namespace, workdir: Path) -> Result:
    result = Result(name)
    print(f"[{name}] training {config.name} ...", flush=True)
    model, result.train_seconds = train(config, workdir / name)
    print(f"[{name}] trained in {result.train_seconds:.1f} s; starting", flush=True)
    texts = questions()
    with running_bot(env={"RASA_MODEL": str(model)}, timeout=300) as bot:
        result.first_reply_seconds = bot.first_reply_seconds
        report = evaluate(bot.send)
        result.accuracy = report.figures()
        print(f"[{name}] {report.summary()}", flush=True)
        result.latency_ms = sequential(bot, texts, args.sequential)
        result.rss_mb = rss_mb(bot)
        for users in USERS:
            result.load[users] = concurrent(bot, texts, users, args.per_user)
            print(f"[{name}] {users} users: {result.load[users][0]:.0f} msg/s", flush=True)
    return result


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    import rasa

    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"Rasa {rasa.__version__}, {platform.system()} {platform.release()}"
    )


def ratio(ours: float, stock: float) -> str:
    return f"{ours / stock:.2f}" if stock else "n/a"


def write_report(ours: Result, stock: Result, args: argparse.Namespace, seconds: float) -> None:
    rows = [
        ("Training (s)", ours.train_seconds, stock.train_seconds, "{:.1f}"),
        ("Start to first reply (s)", ours.first_reply_seconds, stock.first_reply_seconds, "{:.1f}"),
        ("Rasa process RSS (MB)", ours.rss_mb["rasa"], stock.rss_mb["rasa"], "{:.0f}"),
        ("Action server RSS (MB)", ours.rss_mb["actions"], stock.rss_mb["actions"], "{:.0f}"),
    ]
    rows += [
        (f"REST latency {p} (ms)", ours.latency_ms[p], stock.latency_ms[p], "{:.1f}")
        for p in ("p50", "p95", "p99")
    ]
    for users in USERS:
        rows.append((f"{users} users: msg/s", ours.load[users][0], stock.load[users][0], "{:.0f}"))
        rows.append(
            (f"{users} users: p95 (ms)", ours.load[users][1], stock.load[users][1], "{:.0f}")
        )
    rows += [
        (label, ours.accuracy[key] * 100, stock.accuracy[key] * 100, "{:.1f}")
        for label, key in [
            ("Held-out in-scope correct (%)", "in_scope_accuracy"),
            ("Held-out in-scope wrongly declined (%)", "in_scope_wrongly_declined"),
            ("Held-out out-of-scope declined (%)", "out_of_scope_declined"),
            ("Held-out follow-up turns correct (%)", "followup_accuracy"),
        ]
    ]
    table = ["| Measure | Ours | Stock Rasa (DIET + TED) | Ours / stock |", "|---|---|---|---|"]
    table += [
        f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {ratio(a, b)} |"
        for label, a, b, fmt in rows
    ]
    notes = (ROOT / "bench" / "NOTES.md").read_text("utf-8")
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            "Written by `make bench` (scripts/bench.py); do not edit by hand. Both systems are",
            "trained on the same data and domain, started by scripts/run.sh as `make run` does,",
            "and measured in the same run, one after the other, on this machine:",
            f"{machine()}.",
            f"Run took {seconds / 60:.1f} min on "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            f"Latency: {args.sequential} sequential REST messages (held-out questions, 50 "
            f"senders); load: {args.per_user} messages per user, all users at once.",
            f"Held-out set: {ours.accuracy['in_scope']:.0f} in-scope questions, "
            f"{ours.accuracy['out_of_scope']:.0f} out-of-scope, "
            f"{ours.accuracy['followup_turns']:.0f} follow-up turns (tests/heldout/).",
            "",
            *table,
            "",
            "![latency and throughput against concurrent users](benchmarks.png)",
            "",
            notes.strip(),
            "",
        ]
    )
    (ROOT / "BENCHMARKS.md").write_text(text, "utf-8")


def plot(ours: Result, stock: Result) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for result, style in ((ours, "o-"), (stock, "s--")):
        left.plot(USERS, [result.load[u][0] for u in USERS], style, label=result.name)
        right.plot(USERS, [result.load[u][1] for u in USERS], style, label=result.name)
    left.set(xscale="log", xlabel="concurrent users", ylabel="messages / s", title="Throughput")
    right.set(xscale="log", xlabel="concurrent users", ylabel="p95 latency (ms)", title="p95")
    for axis in (left, right):
        axis.set_xticks(USERS, [str(u) for u in USERS])
        axis.grid(alpha=0.3)
        axis.legend()
    fig.tight_layout()
    fig.savefig(ROOT / "benchmarks.png", dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sequential", type=int, default=500)
    parser.add_argument("--per-user", type=int, default=25)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="osteo-bench-") as tmp:
        ours = measure("ours", ROOT / "config.yml", args, Path(tmp))
        stock = measure("stock", STOCK_CONFIG, args, Path(tmp))
    write_report(ours, stock, args, time.monotonic() - started)
    plot(ours, stock)
    print((ROOT / "BENCHMARKS.md").read_text("utf-8"))


if __name__ == "__main__":
    main()
