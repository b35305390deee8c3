"""The "Without TensorFlow" section of BENCHMARKS.md: our assistant with the TensorFlow
placeholder (as served) and with TensorFlow (RASA_TENSORFLOW=1), in the same run, and
what is left of start-up once TensorFlow is gone.

Run alone: python -m scripts.bench --part tensorflow   (rewrites only this section)
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.servers import ROOT, running_bot

VARIANTS = {"placeholder": {}, "tensorflow": {"RASA_TENSORFLOW": "1"}}
TARGETS = {"rss": 350.0, "first_reply": 3.5, "train": 10.0}  # the targets
WARM_UP = 100  # messages before RSS is read
# The next levers, each imported alone in a fresh interpreter (with what it imports).
LEVERS = [
    ("spacy", "spaCy"),
    ("sklearn", "scikit-learn"),
    ("scipy", "SciPy"),
    ("sqlalchemy", "SQLAlchemy"),
    ("sanic", "Sanic"),
    ("jax", "jax"),
    ("tensorflow", "TensorFlow"),
]
PYTHON = str(ROOT / ".venv/bin/python")
ENV = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


@dataclass
class Variant:
    name: str
    train_seconds: float = 0.0
    import_seconds: float = 0.0
    import_mb: float = 0.0
    first_reply_seconds: float = 0.0
    rss_mb: float = 0.0
    p50_ms: float = 0.0


@dataclass
class Floor:
    phases: list[tuple[str, float, float]] = field(default_factory=list)  # (phase, s, MB)
    imports_ms: list[tuple[str, float]] = field(default_factory=list)  # package, self time
    load_ms: list[tuple[str, float]] = field(default_factory=list)  # model load, by part
    spacy_loads: int = 0
    levers: list[tuple[str, float, float, bool]] = field(default_factory=list)
    baseline_mb: float = 0.0
    train_seconds: float = 0.0  # under py-spy, which slows it a little
    training: list[tuple[str, float]] = field(default_factory=list)  # part, seconds


def _run(
    code: str, env: dict[str, str], *flags: str, args: Sequence[str] = (), timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`code` run by a fresh interpreter in the project (with `flags` before it and `args`
    after it), its output captured."""
    return subprocess.run(
        [PYTHON, *flags, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, **ENV, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    )


def _last_json(output: str) -> Any:
    return json.loads(output.strip().splitlines()[-1])


# The launcher's work, then Rasa's imports for `rasa run`, the model and a first parse, each
# phase timed and its RSS read: run in a fresh interpreter.
PHASES = """
import asyncio, json, sys, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
phases = []
start = time.perf_counter()
def mark(name):
    global start
    now = time.perf_counter()
    phases.append((name, now - start, rss()))
    start = now
mark("Python itself")
from rasa_patches.__main__ import prepare
prepare(["run", "--model", "models/osteo-hair-faq.tar.gz"])
mark("launcher: decision and fixes (imports most of Rasa)")
import rasa.__main__, rasa.core.run
mark("the rest of Rasa's imports for `rasa run`")
from rasa.core.agent import Agent
agent = Agent.load("models/osteo-hair-faq.tar.gz")
mark("loading the model (graph components)")
asyncio.run(agent.parse_message("does osteoporosis cause hair loss?"))
mark("first message through the NLU graph")
from rasa_patches.tensorflow_placeholder import PlaceholderModule
loaded = sorted(
    {n.split(".")[0] for n, m in sys.modules.items() if not isinstance(m, PlaceholderModule)}
)
print(json.dumps({"phases": phases, "loaded": loaded}))
"""

LOAD_PROFILE = """
import cProfile, json, pstats
from rasa_patches.__main__ import prepare
prepare(["run", "--model", "models/osteo-hair-faq.tar.gz"])
import rasa.__main__, rasa.core.run
from rasa.core.agent import Agent
profile = cProfile.Profile()
profile.runcall(Agent.load, "models/osteo-hair-faq.tar.gz")
stats = pstats.Stats(profile).stats
parts = {
    "spaCy: importing it": ("spacy/__init__.py", "<module>"),
    "spaCy: loading the lookup-lemmatizer model": ("spacy/__init__.py", "load"),
    "intent classifier": ("components/intent_classifier.py", "load"),
    "count-vector featurizers": ("count_vectors_featurizer.py", "load"),
    "rule policy": ("rule_policy.py", "load"),
    "all of Agent.load": ("rasa/core/agent.py", "load"),
}
found = {name: 0.0 for name in parts}
calls = 0
for (path, _, function), (_, ncalls, _, cumulative, _) in stats.items():
    for name, (file_end, wanted) in parts.items():
        if path.endswith(file_end) and function == wanted:
            found[name] = max(found[name], cumulative * 1000)
    if path.endswith("spacy/__init__.py") and function == "load":
        calls = ncalls
print(json.dumps({"parts": found, "spacy_loads": calls}))
"""

IMPORT_ALONE = """
import json, sys, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
before, start = rss(), time.perf_counter()
if sys.argv[2] == "placeholder":  # as in our Rasa process (thinc imports TensorFlow if it can)
    from rasa_patches import tensorflow_placeholder
    tensorflow_placeholder.install("bench")
if sys.argv[1] == "rasa":
    from rasa_patches.__main__ import prepare
    prepare(["run", "--model", "models/osteo-hair-faq.tar.gz"])
    import rasa.core.agent
elif sys.argv[1] != "-":
    __import__(sys.argv[1])
print(json.dumps([time.perf_counter() - start, rss(), before]))
"""


def _import_alone(
    what: str, env: dict[str, str], placeholder: bool = False, runs: int = 3
) -> tuple[float, float]:
    """Seconds (best of `runs`) and RSS (MB) of importing `what` in a fresh interpreter,
    with the TensorFlow placeholder installed first if `placeholder`."""
    results = []
    for _ in range(runs):
        out = _run(
            IMPORT_ALONE, env, args=(what, "placeholder" if placeholder else "-"), timeout=300
        ).stdout
        seconds, mb, _ = _last_json(out)
        results.append((seconds, mb))
    return min(r[0] for r in results), statistics.median(r[1] for r in results)


def _imports_by_package() -> list[tuple[str, float]]:
    """Self time (ms) of every module `rasa run` imports with the placeholder (python
    -X importtime), summed per top-level package, largest first."""
    result = _run(PHASES, {}, "-X", "importtime")
    per_package: defaultdict[str, float] = defaultdict(float)
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            per_package[match[2].split(".")[0]] += int(match[1]) / 1000
    return sorted(per_package.items(), key=lambda item: -item[1])[:12]


# Where training's time goes: the outermost of these frames on each sampled stack.
TRAIN_PARTS = [
    # rasa_patches/training_data.py: the validation's reading of the data is the training's.
    (
        "validate_files (rasa/cli/utils.py)",
        "Validating the data (rasa train's own check, reading it for the training too)",
    ),
    ("logistic_regression_classifier.py", "Fitting the logistic regression (the classifier)"),
    ("(components/intent_classifier.py)", "Fitting the logistic regression (the classifier)"),
    ("on_before_node (rasa/engine/training/hooks.py)", "Fingerprinting node inputs (cache)"),
    ("on_after_node (rasa/engine/training/hooks.py)", "Fingerprinting node outputs (cache)"),
    ("count_vectors_featurizer.py", "Count-vector featurizers"),
    ("(components/featurizer.py)", "Count-vector featurizers"),
    ("spacy_utils.py", "spaCy: loading and processing"),
    ("spacy_tokenizer.py", "spaCy: loading and processing"),
    ("rule_policy.py", "Rule policy"),
    ("(rasa/shared/importers/", "Reading the training data"),
    ("(rasa/engine/storage/", "Writing the model"),
    ("_find_and_load (<frozen importlib._bootstrap>)", "Imports"),
]


IDLE_WORKER = "_worker (concurrent/futures/thread.py)"


def training_profile(workdir: Path) -> tuple[float, list[tuple[str, float]]]:
    """py-spy samples of `make train`'s command with the placeholder: its wall time and
    the seconds spent in each part of TRAIN_PARTS."""
    raw = workdir / "train-profile.txt"
    spy = [str(ROOT / ".venv/bin/py-spy"), "record", "--rate", "100", "--format", "raw"]
    spy += ["--output", str(raw), "--", PYTHON, "-m", "rasa_patches", "train", "--force"]
    spy += ["--quiet", "--out", str(workdir / "profiled"), "--fixed-model-name", "bench"]
    from scripts.bench import TRAINING_CACHE  # bench imports this module

    start = time.monotonic()
    subprocess.run(
        spy,
        cwd=ROOT,
        env={**TRAINING_CACHE, **os.environ, **ENV},
        capture_output=True,
        check=True,
        timeout=900,
    )
    seconds = time.monotonic() - start
    parts: defaultdict[str, float] = defaultdict(float)
    total = 0
    for line in raw.read_text("utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        if frames[-1] == IDLE_WORKER:
            continue  # a thread of the classifier's pool waiting for its next product
        part = next(
            (name for frame in frames for key, name in TRAIN_PARTS if key in frame), "Other"
        )
        parts[part] += int(count)
        total += int(count)
    shares = sorted(parts.items(), key=lambda item: -item[1])
    return seconds, [(name, seconds * n / max(total, 1)) for name, n in shares]


def measure_floor() -> Floor:
    floor = Floor()
    runs = [_last_json(_run(PHASES, {}).stdout) for _ in range(3)]
    floor.phases = [
        (
            name,
            statistics.median(r["phases"][i][1] for r in runs),
            statistics.median(r["phases"][i][2] for r in runs),
        )
        for i, (name, _, _) in enumerate(runs[0]["phases"])
    ]
    served = set(runs[0]["loaded"])
    floor.imports_ms = _imports_by_package()
    loaded = _last_json(_run(LOAD_PROFILE, {}).stdout)
    floor.load_ms = list(loaded["parts"].items())
    floor.spacy_loads = int(loaded["spacy_loads"])
    _, floor.baseline_mb = _import_alone("-", {})
    for module, label in LEVERS:
        seconds, mb = _import_alone(module, {}, placeholder=module != "tensorflow")
        floor.levers.append((label, seconds, mb - floor.baseline_mb, module in served))
    with tempfile.TemporaryDirectory(prefix="osteo-bench-train-") as tmp:
        floor.train_seconds, floor.training = training_profile(Path(tmp))
    return floor


def _serve(variant: Variant, model: Path, env: dict[str, str], sequential: int) -> None:
    """Start the bot on `model`; its start to first reply (the best of this and any
    earlier start), and with `sequential`, RSS after warm-up and p50."""
    from scripts.bench import percentile, questions, rss_mb  # bench imports this module

    texts = questions()
    with running_bot(env={"RASA_MODEL": str(model), **env}, timeout=300) as bot:
        first = bot.first_reply_seconds
        variant.first_reply_seconds = min(variant.first_reply_seconds or first, first)
        if not sequential:
            return
        for i in range(WARM_UP):
            bot.send(f"warm-{i // 10}", texts[i % len(texts)])
        variant.rss_mb = rss_mb(bot)["rasa"]
        latencies = []
        for i in range(sequential):
            start = time.perf_counter()
            bot.send(f"p50-{i // 10}", texts[i % len(texts)])
            latencies.append((time.perf_counter() - start) * 1000)
        variant.p50_ms = percentile(latencies, 50)


def measure(sequential: int) -> tuple[dict[str, Variant], Floor]:
    """Both variants, alternated twice so that the machine's drift falls on both: training
    and start to first reply are the best of two; RSS and p50 come from the second start."""
    from scripts.bench import train  # bench imports this module

    variants = {name: Variant(name) for name in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="osteo-bench-tf-") as tmp:
        models: dict[str, Path] = {}
        for round_ in (1, 2):
            for name, env in VARIANTS.items():
                print(f"[{name}] training ({round_}/2) ...", flush=True)
                models[name], seconds = train(ROOT / "config.yml", Path(tmp) / name, env)
                best = variants[name].train_seconds
                variants[name].train_seconds = min(best or seconds, seconds)
            for name, env in VARIANTS.items():
                _serve(variants[name], models[name], env, sequential if round_ == 2 else 0)
        for name, env in VARIANTS.items():
            variant = variants[name]
            variant.import_seconds, variant.import_mb = _import_alone("rasa", env)
            print(
                f"[{name}] train {variant.train_seconds:.1f} s, first reply "
                f"{variant.first_reply_seconds:.1f} s, RSS {variant.rss_mb:.0f} MB, "
                f"p50 {variant.p50_ms:.1f} ms, import {variant.import_seconds:.1f} s",
                flush=True,
            )
    print("[floor] profiling start-up without TensorFlow ...", flush=True)
    return variants, measure_floor()


def section(variants: dict[str, Variant], floor: Floor, sequential: int) -> list[str]:
    ours, tf = variants["placeholder"], variants["tensorflow"]
    rows = [
        ("Importing Rasa (`rasa.core.agent`, launcher included) (s)", "import_seconds", None, 2),
        ("RSS after that import (MB)", "import_mb", None, 0),
        ("Training `make train` (s)", "train_seconds", "train", 1),
        ("Start to first reply (s)", "first_reply_seconds", "first_reply", 2),
        (f"Rasa process RSS after {WARM_UP} messages (MB)", "rss_mb", "rss", 0),
        (f"REST p50 over {sequential} messages (ms)", "p50_ms", None, 1),
    ]
    lines = [
        "Our assistant trained and served twice in this run: as `make run` serves it (the",
        "TensorFlow placeholder: the model's graph has no component that needs TensorFlow),",
        "and with `RASA_TENSORFLOW=1`, alternated: training and start to first reply are the",
        "best of two each. The replies are the same (tests/integration/",
        "test_tensorflow_placeholder.py, test_conversations.py).",
        "",
        "| Measure | Placeholder | TensorFlow | Placeholder / TensorFlow | Target | Met? |",
        "|---|---|---|---|---|---|",
    ]
    for label, key, target, digits in rows:
        a, b = getattr(ours, key), getattr(tf, key)
        limit = TARGETS.get(target or "")
        met = ("yes" if a <= limit else "no") if limit else ""
        wanted = f"≤ {limit:g}" if limit else ""
        lines.append(
            f"| {label} | {a:.{digits}f} | {b:.{digits}f} | {a / b:.2f} | {wanted} | {met} |"
        )
    lines += [
        "",
        "### What is left of start-up without TensorFlow",
        "",
        "One fresh interpreter doing what `rasa run` does before its first reply, each phase",
        "timed and its RSS read after it (median of 3; Sanic and the action server not",
        "included):",
        "",
        "| Phase | s | RSS after (MB) |",
        "|---|---|---|",
        *(f"| {name} | {seconds:.2f} | {mb:.0f} |" for name, seconds, mb in floor.phases),
        "",
        "Import time by package (`python -X importtime`, each module's own time summed per",
        "top-level package; the instrumentation inflates it):",
        "",
        "| Package | ms |",
        "|---|---|",
        *(f"| {package} | {ms:.0f} |" for package, ms in floor.imports_ms),
        "",
        "Loading the model, by part (cProfile, cumulative ms; spaCy's `load` runs "
        f"{floor.spacy_loads} time(s) for the graph's two SpacyNLP nodes):",
        "",
        "| Part | ms |",
        "|---|---|",
        *(f"| {part} | {ms:.0f} |" for part, ms in floor.load_ms),
        "",
        "The next levers: each package imported alone in a fresh interpreter with the",
        "placeholder (TensorFlow itself without), with what it imports itself; RSS above a",
        f"bare interpreter's {floor.baseline_mb:.0f} MB, best time of 3; and whether the",
        "interpreter above had it loaded after its first message:",
        "",
        "| Package | Import alone (s) | RSS alone (MB) | Loaded by `rasa run` |",
        "|---|---|---|---|",
        *(
            f"| {label} | {seconds:.2f} | {mb:.0f} | {'yes' if loaded else 'no'} |"
            for label, seconds, mb, loaded in floor.levers
        ),
        "",
        f"Training without TensorFlow ({floor.train_seconds:.1f} s under py-spy, 100 samples",
        "a second, of every thread but the classifier's pool threads while they wait; each",
        "sample put in the outermost of these parts found on its stack, and the wall time",
        "shared out in proportion, so that the fit's two threads count twice):",
        "",
        "| Part of `make train` | s |",
        "|---|---|",
        *(f"| {part} | {seconds:.1f} |" for part, seconds in floor.training),
    ]
    return lines


def splice(lines: list[str], heading: str, report: Path) -> None:
    """Put this section into BENCHMARKS.md in place of its earlier version (or before
    the hand-kept notes), leaving every other section as the last full run wrote it."""
    text = report.read_text("utf-8")
    block = "\n".join([heading, "", *lines, ""]) + "\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## )", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        anchor = "## What was changed"
        index = text.find(anchor)
        text = text[:index] + block + text[index:] if index >= 0 else text + "\n" + block
    report.write_text(text, "utf-8")


if __name__ == "__main__":
    sys.exit("run: python -m scripts.bench --part tensorflow")
