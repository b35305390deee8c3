"""Cross-validate an NLU pipeline on the training data, and calibrate its fallback.

Splits data/ NLU examples into stratified folds, trains the pipeline of CONFIG on
each training part and parses the left-out part. Prints intent accuracy on topic
questions, the share of out_of_scope examples recognised, and, for a sweep of
FallbackClassifier thresholds, what would be answered, declined or wrongly answered.
Nothing here reads the held-out test set.

Run: python -m scripts.nlu_crossval [--config config.yml] [--folds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from scripts.nlu_examples import nlu_files, training_examples

ROOT = Path(__file__).resolve().parent.parent
OUT_OF_SCOPE = "out_of_scope"
# Intents that are not questions about the article (their mistakes cost less).
CHAT_INTENTS = {"greet", "goodbye", "thank", "bot_challenge", "ask_capabilities", "emergency"}


@dataclass
class Record:
    text: str
    gold: str
    pred: str | None
    conf: float


def folds(examples: list[tuple[str, str]], k: int, seed: int = 7) -> list[list[int]]:
    by_intent: dict[str, list[int]] = defaultdict(list)
    for i, (_, intent) in enumerate(examples):
        by_intent[intent].append(i)
    rng = random.Random(seed)
    parts: list[list[int]] = [[] for _ in range(k)]
    for indices in by_intent.values():
        rng.shuffle(indices)
        for j, i in enumerate(indices):
            parts[j % k].append(i)
    return parts


async def predict_fold(config: Path, train_dir: Path, texts: list[str]) -> list[list[dict]]:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    model = train_nlu(
        str(config), str(train_dir), output=str(train_dir / "models"), domain="domain.yml"
    )
    agent = Agent.load(model)
    rankings = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
        rankings.append(ranking)
    return rankings


def write_fold(directory: Path, examples: list[tuple[str, str]], keep: set[int]) -> None:
    """Training part of a fold: the kept examples plus the lookups/synonyms files."""
    from rasa.shared.nlu.training_data.loading import load_data

    parts = [load_data(str(p)) for p in nlu_files(ROOT)]
    full = parts[0].merge(*parts[1:])
    kept_texts = {examples[i][0] for i in keep}
    full.training_examples = [
        m for m in full.training_examples if m.get("text") is None or m.get("text") in kept_texts
    ]
    (directory / "nlu.yml").write_text(full.nlu_as_yaml(), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", default="results/crossval.json")
    args = parser.parse_args()
    # Rasa as the launcher runs it (rasa_patches): the fixes, and no TensorFlow for a
    # config that needs none. Before anything imports Rasa.
    from rasa_patches.__main__ import prepare

    print(f"rasa_patches: {prepare(['train', '--config', args.config])}")

    examples = training_examples(ROOT)
    parts = folds(examples, args.folds)
    records: list[Record] = []
    for n, test_part in enumerate(parts):
        keep = set(range(len(examples))) - set(test_part)
        with tempfile.TemporaryDirectory() as tmp:
            write_fold(Path(tmp), examples, keep)
            texts = [examples[i][0] for i in test_part]
            rankings = asyncio.run(predict_fold(ROOT / args.config, Path(tmp), texts))
        for i, ranking in zip(test_part, rankings, strict=True):
            name, conf = (ranking[0]["name"], ranking[0]["confidence"]) if ranking else (None, 0)
            records.append(Record(*examples[i], name, float(conf)))
        print(f"fold {n + 1}/{len(parts)} done")

    topic = [r for r in records if r.gold not in CHAT_INTENTS | {OUT_OF_SCOPE}]
    oos = [r for r in records if r.gold == OUT_OF_SCOPE]
    accuracy = sum(r.gold == r.pred for r in records) / len(records)
    print(f"examples: {len(records)}; topic/follow-up questions {len(topic)}, oos {len(oos)}")
    print(f"intent accuracy, all: {accuracy:.1%}")
    print("threshold  topic-correct  topic-fallback  oos-declined(oos or fallback)")
    for t in [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6]:
        correct = sum(r.pred == r.gold and r.conf >= t for r in topic) / len(topic)
        fallback = sum(r.conf < t for r in topic) / len(topic)
        declined = sum(r.pred == OUT_OF_SCOPE or r.conf < t for r in oos) / len(oos)
        print(f"{t:9.2f}  {correct:13.1%}  {fallback:14.1%}  {declined:13.1%}")
    Path(args.out).parent.mkdir(exist_ok=True)
    Path(args.out).write_text(json.dumps([asdict(r) for r in records], indent=1), "utf-8")


if __name__ == "__main__":
    main()
