"""The cost of a message against the length of its conversation: one visitor sends 400
messages in one conversation, and the median latency of each stretch of ten is taken,
for this project and for stock Rasa (STOCK_RASA=1: no fixes) in one run.

Run: python -m scripts.bench_length; it prints the figures and writes
results/bench-length.json, which `make bench` puts in BENCHMARKS.md.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid

import requests

from scripts.servers import ROOT, running_bot, send_message

RESULT = ROOT / "results" / "bench-length.json"
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


def main() -> None:
    figures = {"ours": stretches({}), "stock": stretches({"STOCK_RASA": "1"})}
    for name, medians in figures.items():
        first, last = medians["1-10"], medians["391-400"]
        print(
            f"[length] {name}: "
            + ", ".join(f"{k}: {v:.1f} ms" for k, v in medians.items())
            + f" ({last / first:.2f}× from first to last)",
            flush=True,
        )
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(figures, indent=2), "utf-8")


if __name__ == "__main__":
    main()
