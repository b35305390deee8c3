"""The cost of a message against the length of its conversation: one visitor sends 400
messages in one conversation, and the median latency of each stretch of ten is taken,
for this project and for stock Rasa (STOCK_RASA=1: no fixes) in one run.

Part of `make bench` (scripts/bench.py); alone: python -m scripts.bench --part length.
"""

from __future__ import annotations

import statistics
import time
import uuid

import requests

from scripts.servers import running_bot, send_message

HEADING = "## Cost of a message against the length of its conversation"
# Issue 10's target: messages 391-400 within this factor of messages 1-10.
TARGET = 1.5
MESSAGES = 400
# The stretches of the conversation whose median latency is reported (1-based, inclusive).
STRETCHES = ((1, 10), (91, 100), (191, 200), (291, 300), (391, 400))
# A visitor's questions, follow-ups and "where does it say that?", in turn.
TURNS = [
    "How much calcium do adults need?",
    "what about vitamin D?",
    "does stress affect hair?",
    "tell me more",
    "where does it say that?",
]


def stretches(env: dict[str, str]) -> dict[str, float]:
    """Median latency (ms) of each stretch of one long conversation."""
    with running_bot(env=env) as bot, requests.Session() as session:
        sender = f"long-{uuid.uuid4().hex[:8]}"
        latencies = []
        for n in range(MESSAGES):
            start = time.perf_counter()
            send_message(bot.url, sender, TURNS[n % len(TURNS)], session=session)
            latencies.append((time.perf_counter() - start) * 1000)
    return {f"{a}-{b}": statistics.median(latencies[a - 1 : b]) for a, b in STRETCHES}


def measure() -> dict[str, dict[str, float]]:
    """Both systems' medians per stretch, ours first, one after the other."""
    figures = {"ours": stretches({}), "stock": stretches({"STOCK_RASA": "1"})}
    for name, medians in figures.items():
        print(f"[length] {name}: " + ", ".join(f"{k}: {v:.1f} ms" for k, v in medians.items()))
    return figures


def section(figures: dict[str, dict[str, float]]) -> list[str]:
    """The BENCHMARKS.md section: a row per system, a column per stretch."""
    names = {"ours": "Ours", "stock": "Stock Rasa 3.6 (STOCK_RASA=1)"}
    header = " | ".join(f"messages {k}" for k in figures["ours"])
    lines = [
        f"One visitor sends {MESSAGES} messages in one conversation (questions, follow-ups,",
        '"tell me more", "where does it say that?" in turn); each cell is the median latency',
        "(ms) of that stretch of ten messages. Target: messages 391–400 within "
        f"{TARGET}× of messages 1–10.",
        "",
        f"| System | {header} | last / first |",
        "|---|" + "---|" * (len(figures["ours"]) + 1),
    ]
    for key, medians in figures.items():
        cells = " | ".join(f"{v:.1f}" for v in medians.values())
        growth = medians["391-400"] / medians["1-10"]
        lines.append(f"| {names[key]} | {cells} | {growth:.2f}× |")
    return lines
