"""Calibrate the retrieval thresholds in data/knowledge/retrieval.yml.

BM25 never sees the NLU training data, so those examples are fair calibration data
for it: topic examples should retrieve a sentence of their own entry, out_of_scope
examples should stay below the thresholds. The grid point with the best utility is
written: +1 for a right answer or a right decline, -1 for a wrong passage, and -2 for
answering an out-of-scope question (a wrong answer to a health question costs more
than an honest "I don't know").

Run: python -m scripts.calibrate_retrieval   (or `make calibrate`)
"""

from __future__ import annotations

import itertools
from pathlib import Path

import yaml

from actions.constants import INTENT_OUT_OF_SCOPE
from actions.knowledge import KNOWLEDGE_DIR, load_knowledge
from actions.retrieval import SETTINGS_FILE, Hit, PassageIndex, Settings
from scripts.nlu_examples import training_examples

ROOT = Path(__file__).resolve().parent.parent
SCORES = [x / 2 for x in range(0, 31)]
COVERAGES = [x / 20 for x in range(0, 21)]


InScope = list[tuple[Hit | None, set[str]]]
OutOfScope = list[Hit | None]


def collect() -> tuple[InScope, OutOfScope]:
    knowledge = load_knowledge()
    index = PassageIndex(knowledge.passages())
    in_scope: InScope = []
    out_of_scope: OutOfScope = []
    for text, intent in training_examples(ROOT):
        if intent == INTENT_OUT_OF_SCOPE:
            out_of_scope.append(index.search(text))
        elif intent in knowledge.by_intent:
            entry = knowledge.by_intent[intent]
            good = {q.text for q in entry.quotes + entry.more}
            in_scope.append((index.search(text), good))
    return in_scope, out_of_scope


def utility(
    settings: Settings, in_scope: InScope, out_of_scope: OutOfScope
) -> tuple[float, float, float]:
    right = wrong = 0
    for hit, good in in_scope:
        if hit and hit.clears(settings):
            if hit.passage.quote.text in good:
                right += 1
            else:
                wrong += 1
    answered_oos = sum(1 for hit in out_of_scope if hit and hit.clears(settings))
    declined_oos = len(out_of_scope) - answered_oos
    score = right - wrong + declined_oos - 2 * answered_oos
    return (
        score,
        right / max(1, len(in_scope)),
        declined_oos / max(1, len(out_of_scope)),
    )


# Not calibrated here (follow-ups carry no gold context in the training data): a
# design choice, "at least half of what the follow-up asks is in the passage".
FOLLOWUP_MIN_COVERAGE = 0.5
# Chosen with scripts/nlu_crossval.py records (BENCHMARKS.md): a third of the words
# in the passage the unsure classifier also points to.
AGREEMENT_MIN_COVERAGE = 0.33


def main() -> None:
    in_scope, out_of_scope = collect()
    best = max(
        (
            Settings(s, c, FOLLOWUP_MIN_COVERAGE, AGREEMENT_MIN_COVERAGE)
            for s, c in itertools.product(SCORES, COVERAGES)
        ),
        key=lambda st: (utility(st, in_scope, out_of_scope)[0], -st.min_score),
    )
    _score, right, declined = utility(best, in_scope, out_of_scope)
    path = KNOWLEDGE_DIR / SETTINGS_FILE
    path.write_text(
        "# Written by scripts/calibrate_retrieval.py from the NLU training examples.\n"
        f"# In-scope examples answered with their own entry's sentence: {right:.1%}\n"
        f"# Out-of-scope examples declined: {declined:.1%}\n"
        + "# followup_ and agreement_min_coverage: see scripts/calibrate_retrieval.py\n"
        + yaml.safe_dump(
            {
                "min_score": best.min_score,
                "min_coverage": best.min_coverage,
                "followup_min_coverage": best.followup_min_coverage,
                "agreement_min_coverage": best.agreement_min_coverage,
            }
        ),
        "utf-8",
    )
    print(f"{path.relative_to(ROOT)}: {best} right={right:.1%} declined={declined:.1%}")


if __name__ == "__main__":
    main()
