"""Benchmark our assistant against the same data on Rasa's default pipeline and
policies (DIET + TED, as `rasa init` writes them), in one run on this machine, and
write BENCHMARKS.md and benchmarks.png.

For each system: training time, process start to first successful reply (through
the action server), RSS of the Rasa and action-server processes after warm-up, REST
latency p50/p95/p99 over sequential held-out questions, throughput and p95 with 1, 4,
16 and 64 concurrent users (bounded, loopback only), and answer quality on the
development sets and the sealed set (scripts/evaluate.py), beside the figures of the
code before the answerability decision (bench/eval-baseline.json).

Also, in the same run, our assistant with and without the TensorFlow placeholder and what
is left of its start-up without TensorFlow (scripts/bench_tensorflow.py), the cost of a
message against the length of its conversation (scripts/bench_length.py) and two Rasa
processes against one behind a loopback balancer (scripts/bench_scale_out.py).

Run: python -m scripts.bench [--sequential 500] [--messages 256]   (or `make bench`)
     python -m scripts.bench --part tensorflow|length|scale-out|quality   (that section alone,
     rewritten in place)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import uvloop
import yaml

from actions.knowledge import load_knowledge
from scripts import bench_tensorflow
from scripts.evaluate import DEV_SETS, Judge, evaluate, question_sets
from scripts.servers import ROOT, Bot, running_bot

STOCK_CONFIG = ROOT / "bench" / "config.stock.yml"
STOCK_ENDPOINTS = ROOT / "bench" / "endpoints.stock.yml"
BASELINE = ROOT / "bench" / "eval-baseline.json"
USERS = (1, 4, 16, 64)
# Messages per conversation in the load tests, as in a real chat; Rasa's cost per message
# grows with the length of the conversation (see the notes in BENCHMARKS.md).
CONVERSATION_TURNS = 10


@dataclass
class Result:
    name: str
    train_seconds: float = 0.0
    first_reply_seconds: float = 0.0
    rss_mb: dict[str, float] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)
    load: dict[int, tuple[float, float]] = field(default_factory=dict)  # users: (msg/s, p95)
    cpu_ms: dict[str, float] = field(default_factory=dict)  # per message, at 16 users
    profile: dict[str, float] = field(default_factory=dict)  # % of the Rasa process's time
    # Answer quality per question set (scripts/evaluate.py figures).
    quality: dict[str, dict] = field(default_factory=dict)


# The training cache off unless asked for, as the Makefile has it.
TRAINING_CACHE = {"RASA_MAX_CACHE_SIZE": "0"}


def train(config: Path, out: Path, env: dict[str, str] | None = None) -> tuple[Path, float]:
    """Train through the launcher, as `make train` does (`env`: e.g. STOCK_RASA=1)."""
    start = time.monotonic()
    subprocess.run(
        [
            str(ROOT / ".venv/bin/python"),
            "-m",
            "rasa_patches",
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
        env={**TRAINING_CACHE, **os.environ, "RASA_TELEMETRY_ENABLED": "false", **(env or {})},
    )
    return out / "bench.tar.gz", time.monotonic() - start


def questions() -> list[str]:
    """The questions of the first development set, for latency and load."""
    data = yaml.safe_load(DEV_SETS[0].read_text("utf-8"))
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


def chat(bot: Bot, texts: list[str], users: int, messages: int) -> tuple[list[float], float]:
    """`users` chatting at once, each one message at a time over its own kept-alive
    connection, `messages` in all, a new conversation every CONVERSATION_TURNS messages:
    the latency of every message (ms) and the time it all took (s).

    The users are asyncio tasks in this one process, on uvloop (Sanic's loop too), so the
    load generator costs little of the machine's two cores (threads with `requests` took
    a third of a core).
    """
    per_user = max(1, math.ceil(messages / users))

    async def user(session: aiohttp.ClientSession, n: int, latencies: list[float]) -> None:
        for i in range(per_user):
            if i % CONVERSATION_TURNS == 0:  # a new visitor
                sender = f"load-{users}-{n}-{uuid.uuid4().hex[:8]}"
            body = {"sender": sender, "message": texts[(n * per_user + i) % len(texts)]}
            start = time.perf_counter()
            async with session.post(f"{bot.url}/webhooks/rest/webhook", json=body) as reply:
                reply.raise_for_status()
                await reply.read()
            latencies.append((time.perf_counter() - start) * 1000)

    async def run() -> tuple[list[float], float]:
        latencies: list[float] = []
        timeout = aiohttp.ClientTimeout(total=120)
        sessions = [
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1), timeout=timeout)
            for _ in range(users)
        ]
        try:
            start = time.perf_counter()
            await asyncio.gather(*(user(s, n, latencies) for n, s in enumerate(sessions)))
            elapsed = time.perf_counter() - start
        finally:
            await asyncio.gather(*(s.close() for s in sessions))
        return latencies, elapsed

    return uvloop.run(run())


def sequential(bot: Bot, texts: list[str], count: int) -> dict[str, float]:
    """Latency percentiles of `count` messages sent one at a time."""
    latencies, _ = chat(bot, texts, 1, count)
    return {p: percentile(latencies, float(p[1:])) for p in ("p50", "p95", "p99")}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def concurrent(
    bot: Bot, texts: list[str], users: int, messages: int
) -> tuple[float, float, dict[str, float]]:
    """Throughput (msg/s), p95 latency (ms) and each server's CPU time per message (ms)."""
    pids = bot.children()
    before = {role: cpu_seconds(pid) for role, pid in pids.items()}
    latencies, elapsed = chat(bot, texts, users, messages)
    cpu = {
        role: (cpu_seconds(pid) - before[role]) * 1000 / len(latencies)
        for role, pid in pids.items()
    }
    return len(latencies) / elapsed, percentile(latencies, 95), cpu


# Where a sample of the Rasa process is spent: the innermost of these frames on its stack.
RASA_PARTS = [
    ("request (rasa/utils/endpoints.py)", "HTTP call to the action server"),
    ("save_tracker (rasa/core/processor.py)", "Writing the conversation (tracker store)"),
    ("_parse_message_with_graph (rasa/core/processor.py)", "NLU pipeline"),
    ("_predict_next_with_tracker (rasa/core/processor.py)", "Dialogue policies"),
    ("fetch_tracker_and_update_session (rasa/core/processor.py)", "Reading the conversation"),
    ("_run_action (rasa/core/processor.py)", "Running actions (replies, events)"),
    ("handle_message (rasa/core/processor.py)", "Rasa's message bookkeeping"),
    ("receive (rasa/core/channels/rest.py)", "REST channel"),
]
OTHER_PART = "HTTP server and event loop"


def profile(bot: Bot, texts: list[str], seconds: int = 10) -> dict[str, float]:
    """py-spy samples of the Rasa process under a 16-user load: the share (%) of its busy
    time spent in each part of handling a message."""
    pid = bot.children()["rasa"]
    with tempfile.TemporaryDirectory(prefix="osteo-profile-") as tmp:
        raw = Path(tmp) / "rasa.txt"
        spy = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/py-spy"),
                "record",
                "--pid",
                str(pid),
                "--duration",
                str(seconds),
                "--rate",
                "250",
                "--format",
                "raw",
                "--output",
                str(raw),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while spy.poll() is None:
            chat(bot, texts, 16, 160)
        parts: dict[str, float] = {}
        for line in raw.read_text("utf-8").splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
            part = next(
                (name for frame in reversed(frames) for key, name in RASA_PARTS if key in frame),
                OTHER_PART,
            )
            parts[part] = parts.get(part, 0) + int(count)
    total = sum(parts.values()) or 1
    return {part: 100 * n / total for part, n in sorted(parts.items(), key=lambda p: -p[1])}


def ask_question_sets(bot: Bot, result: Result) -> None:
    """Every question set asked of `bot`, its figures kept in `result.quality`."""
    knowledge = load_knowledge()
    judge = Judge.for_project(knowledge)
    for questions_set in question_sets("all", knowledge):
        report = evaluate(bot.send, questions_set, judge)
        result.quality[report.name] = report.figures()
        print(f"[{result.name}] {report.summary().splitlines()[0]}", flush=True)


def measure(
    name: str, config: Path, args: argparse.Namespace, workdir: Path, env: dict[str, str]
) -> Result:
    result = Result(name)
    print(f"[{name}] training {config.name} ...", flush=True)
    model, result.train_seconds = train(config, workdir / name, env)
    print(f"[{name}] trained in {result.train_seconds:.1f} s; starting", flush=True)
    texts = questions()
    with running_bot(env={"RASA_MODEL": str(model), **env}, timeout=300) as bot:
        result.first_reply_seconds = bot.first_reply_seconds
        ask_question_sets(bot, result)
        result.latency_ms = sequential(bot, texts, args.sequential)
        result.rss_mb = rss_mb(bot)
        for users in USERS:
            rate, p95, cpu = concurrent(bot, texts, users, args.messages)
            result.load[users] = (rate, p95)
            if users == 16:
                result.cpu_ms = cpu
            print(f"[{name}] {users} users: {rate:.0f} msg/s, p95 {p95:.0f} ms", flush=True)
        result.profile = profile(bot, texts)
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


TARGETS = [
    # (what, measure, target, higher is better, minimum ratio stock/ours or ours/stock)
    ("Start to first reply", "first_reply", 5.0, False, 1.8),
    ("REST p50, custom action included", "p50", 10.0, False, 2.5),
    ("Throughput with 16 users (msg/s)", "msgs16", 150.0, True, 3.0),
    ("p95 with 16 users (ms)", "p95_16", 250.0, False, None),
    ("Rasa process RSS (MB)", "rss", 600.0, False, None),
    ("Training (s)", "train", 10.0, False, None),
]


def figure(result: Result, measure: str) -> float:
    return {
        "first_reply": result.first_reply_seconds,
        "p50": result.latency_ms["p50"],
        "msgs16": result.load[16][0],
        "p95_16": result.load[16][1],
        "rss": result.rss_mb["rasa"],
        "train": result.train_seconds,
    }[measure]


def target_rows(ours: Result, stock: Result) -> list[str]:
    rows = ["| Target | Ours | Stock | Speed-up | Met? |", "|---|---|---|---|---|"]
    for what, measure, limit, higher, min_ratio in TARGETS:
        a, b = figure(ours, measure), figure(stock, measure)
        speedup = (a / b if higher else b / a) if a and b else 0.0
        met = (a >= limit) if higher else (a <= limit)
        wanted = f"{'≥' if higher else '≤'} {limit:g}"
        if min_ratio:
            wanted += f", ≥ {min_ratio:g}×"
            met_ratio = speedup >= min_ratio
            verdict = {
                (True, True): "yes",
                (False, True): "ratio only",
                (True, False): "absolute only",
                (False, False): "no",
            }[(met, met_ratio)]
        else:
            verdict = "yes" if met else "no"
        rows.append(f"| {what} ({wanted}) | {a:.1f} | {b:.1f} | {speedup:.1f}× | {verdict} |")
    return rows


QUALITY = [
    ("in-scope answered correctly", "in_scope_correct"),
    ("in-scope wrongly declined", "in_scope_wrongly_declined"),
    ("out-of-scope declined", "out_of_scope_declined"),
    ("near-misses declined", "near_miss_declined"),
    ("follow-up turns correct", "follow_up_turns_correct"),
]
QUALITY_TARGETS = {
    "in_scope_correct": "≥ 97",
    "in_scope_wrongly_declined": "≤ 2",
    "out_of_scope_declined": "≥ 95",
    "near_miss_declined": "≥ 93",
    "follow_up_turns_correct": "≥ 90",
}


def quality_section(ours: Result) -> list[str]:
    """Before (the code when the sealed set was written, judged as today) and now, per
    set, and the sealed set's figures per kind. The sealed set's individual failures are
    never printed."""
    baseline = json.loads(BASELINE.read_text("utf-8"))
    before = baseline.get("rejudged", {}).get("sets") or {
        "heldout": baseline["dev"],
        "sealed": baseline["sealed"],
    }
    names = list(ours.quality)
    lines = [
        "Question sets: `tests/heldout/*.yml` (development; tuned on) and `tests/sealed/`",
        "(written once by a helper who saw only the article; never tuned on). Each cell is",
        "*before → now*; before is the code when the sealed set was committed, asked the",
        "same sets and judged the same way (bench/eval-baseline.json). A set with one",
        "figure was written after that baseline: the figure is today's.",
        "",
        "| Set | " + " | ".join(f"{label} (%)" for label, _ in QUALITY) + " |",
        "|---|" + "---|" * len(QUALITY),
        "| target | " + " | ".join(QUALITY_TARGETS[key] for _, key in QUALITY) + " |",
    ]
    for name in names:
        cells = []
        for _, key in QUALITY:
            old = before.get(name, {}).get(key)
            now = f"{ours.quality[name][key] * 100:.1f}"
            cells.append(f"{old * 100:.1f} → {now}" if old is not None else now)
        lines.append(
            f"| {'**sealed**' if name == 'sealed' else name} | " + " | ".join(cells) + " |"
        )
    counts = ", ".join(
        f"{n}: {q['counts']['in_scope']} in-scope, {q['counts']['out_of_scope']} out-of-scope, "
        f"{q['counts']['follow_up_turns']} follow-up turns"
        for n, q in ours.quality.items()
    )
    lines += ["", f"Sizes: {counts}.", "", "Sealed set, per kind (% correct / questions):", ""]
    sealed = ours.quality["sealed"]
    for title, key in (
        ("In-scope by topic", "in_scope_by_topic"),
        ("In-scope by style", "in_scope_by_style"),
        ("Out-of-scope by kind", "out_of_scope_by_kind"),
        ("Follow-up turns by kind", "follow_up_by_kind"),
    ):
        kinds = ", ".join(f"{k} {rate * 100:.0f}/{n}" for k, (rate, n) in sealed[key].items())
        lines.append(f"- {title}: {kinds}")
    return lines


TENSORFLOW_HEADING = "## Without TensorFlow (the placeholder)"


def write_report(
    ours: Result,
    stock: Result,
    args: argparse.Namespace,
    seconds: float,
    sections: list[tuple[str, list[str]]],
) -> None:
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
        (f"CPU per message at 16 users, {role} (ms)", ours.cpu_ms[key], stock.cpu_ms[key], "{:.1f}")
        for role, key in (("Rasa process", "rasa"), ("action server", "actions"))
    ]
    rows += [
        (
            f"Sealed set: {label} (%)",
            ours.quality["sealed"][key] * 100,
            stock.quality["sealed"][key] * 100,
            "{:.1f}",
        )
        for label, key in QUALITY
    ]
    table = ["| Measure | Ours | Stock Rasa (DIET + TED) | Ours / stock |", "|---|---|---|---|"]
    table += [
        f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {ratio(a, b)} |"
        for label, a, b, fmt in rows
    ]
    parts = list(dict.fromkeys([*ours.profile, *stock.profile]))
    where = ["| Part of handling a message | Ours (%) | Stock (%) |", "|---|---|---|"]
    where += [
        f"| {part} | {ours.profile.get(part, 0):.0f} | {stock.profile.get(part, 0):.0f} |"
        for part in parts
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
            f"Latency: {args.sequential} REST messages sent one at a time (held-out questions, "
            f"conversations of {CONVERSATION_TURNS} messages, one kept-alive connection); "
            f"load: {args.messages} messages per level, each user sending one message at a "
            f"time over its own kept-alive connection, a new conversation every "
            f"{CONVERSATION_TURNS} messages.",
            "",
            QUALITY_HEADING,
            "",
            *quality_section(ours),
            "",
            "## Targets (issue 5)",
            "",
            *target_rows(ours, stock),
            "",
            "## All figures",
            "",
            *table,
            "",
            "![latency and throughput against concurrent users](benchmarks.png)",
            "",
            *(line for heading, lines in sections for line in (heading, "", *lines, "")),
            "## Where the Rasa process's time goes",
            "",
            "py-spy samples (250 a second for 10 s) of the Rasa process under a 16-user load,",
            "each sample put in the innermost of these parts found on its stack:",
            "",
            *where,
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


QUALITY_HEADING = "## Answer quality (issue 9)"


def quality_part(args: argparse.Namespace) -> tuple[str, list[str]]:
    """Every question set asked of the bot as it is, without the speed measurements."""
    ours = Result("ours")
    with running_bot(timeout=300) as bot:
        ask_question_sets(bot, ours)
    return QUALITY_HEADING, quality_section(ours)


def tensorflow_part(args: argparse.Namespace) -> tuple[str, list[str]]:
    variants, floor = bench_tensorflow.measure(args.sequential)
    return TENSORFLOW_HEADING, bench_tensorflow.section(variants, floor, args.sequential)


def length_part(args: argparse.Namespace) -> tuple[str, list[str]]:
    from scripts import bench_length

    return bench_length.HEADING, bench_length.section(bench_length.measure())


def scale_out_part(args: argparse.Namespace) -> tuple[str, list[str]]:
    from scripts import bench_scale_out  # it uses this module's load generator

    return bench_scale_out.HEADING, bench_scale_out.section(bench_scale_out.measure(1600))


# Sections measured apart from the two systems' comparison, each with its heading.
PARTS: dict[str, Callable[[argparse.Namespace], tuple[str, list[str]]]] = {
    "tensorflow": tensorflow_part,
    "length": length_part,
    "scale-out": scale_out_part,
}
# Sections that a full run writes itself, and that can also be measured alone.
ALONE: dict[str, Callable[[argparse.Namespace], tuple[str, list[str]]]] = {
    **PARTS,
    "quality": quality_part,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sequential", type=int, default=500)
    parser.add_argument("--messages", type=int, default=256, help="per concurrency level")
    parser.add_argument(
        "--part",
        choices=("all", *ALONE),
        default="all",
        help="one section only, measured and rewritten in place",
    )
    args = parser.parse_args()
    started = time.monotonic()
    if args.part != "all":
        heading, lines = ALONE[args.part](args)
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        lines = [*lines, "", f"(Measured on {stamp}, {machine()}.)"]
        bench_tensorflow.splice(lines, heading, ROOT / "BENCHMARKS.md")
        print("\n".join(lines))
        return
    sections = [PARTS[part](args) for part in PARTS]
    with tempfile.TemporaryDirectory(prefix="osteo-bench-") as tmp:
        ours = measure("ours", ROOT / "config.yml", args, Path(tmp), {})
        stock = measure(
            "stock",
            STOCK_CONFIG,
            args,
            Path(tmp),
            {"ENDPOINTS": str(STOCK_ENDPOINTS), "STOCK_RASA": "1"},
        )
    write_report(ours, stock, args, time.monotonic() - started, sections)
    plot(ours, stock)
    print((ROOT / "BENCHMARKS.md").read_text("utf-8"))


if __name__ == "__main__":
    main()
