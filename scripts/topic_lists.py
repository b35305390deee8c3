"""Write the topic intents of domain.yml and data/rules.yml from the knowledge entries.

A topic is declared once, by its entry in `data/knowledge/<document>.entries.yml` (its
`intent`). Rasa needs the intent in two more places: the domain's intent list and the
`or:` list of the rule that sends questions to `action_answer`. Each of those holds a
marked block, between `# >>> topic intents` and `# <<< topic intents`, which this script
rewrites (only when it differs, so an unchanged file keeps its time stamp). Everything
outside the markers is left as it is. `make train` and `make validate` run it first;
tests/unit/test_topic_lists.py fails, naming the command, when a block is out of date.

Run: python -m scripts.topic_lists [--check]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from actions.knowledge import ENTRIES_SUFFIX, KNOWLEDGE_DIR, read_yaml

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "# >>> topic intents"
END = "# <<< topic intents"
_BEGIN_LINE = re.compile(rf"^(?P<indent>[ \t]*){re.escape(BEGIN)}.*\n", re.MULTILINE)
_END_LINE = re.compile(rf"^[ \t]*{re.escape(END)}.*\n", re.MULTILINE)


@dataclass(frozen=True)
class Target:
    """A file with a marked block and how one intent is written in it."""

    path: Path
    item: str  # format of one line, without its indentation: "- {intent}"


def targets(root: Path = ROOT) -> tuple[Target, ...]:
    return (
        Target(root / "domain.yml", "- {intent}"),
        Target(root / "data" / "rules.yml", "- intent: {intent}"),
    )


class TopicListError(ValueError):
    """A file lacks its marked block, or the entries name an intent twice."""


def topic_intents(knowledge_dir: Path = KNOWLEDGE_DIR) -> list[str]:
    """The intent of every entry, document by document (file name order), in file order.

    Read from the entries files alone (no quote checks), so that a topic list can be
    written even while an article is being edited."""
    intents: list[str] = []
    for path in sorted(knowledge_dir.glob("*" + ENTRIES_SUFFIX)):
        raw = read_yaml(path.read_text("utf-8")) or {}
        for entry in raw.get("entries") or ():
            intent = str(entry.get("intent") or "")
            if not intent:
                raise TopicListError(f"{path.name}: entry {entry.get('id')!r} has no intent")
            if intent in intents:
                raise TopicListError(f"{path.name}: intent {intent!r} is named twice")
            intents.append(intent)
    return intents


def rewritten(text: str, item: str, intents: Sequence[str], name: str) -> str:
    """`text` with its marked block listing `intents`, indented as the opening marker."""
    begin = _BEGIN_LINE.search(text)
    end = _END_LINE.search(text, begin.end()) if begin else None
    if begin is None or end is None:
        raise TopicListError(f"{name}: no '{BEGIN}' ... '{END}' block")
    indent = begin.group("indent")
    lines = "".join(f"{indent}{item.format(intent=i)}\n" for i in intents)
    return text[: begin.end()] + lines + text[end.start() :]


def stale(root: Path = ROOT) -> list[Path]:
    """The files whose block does not list the entries' intents."""
    intents = topic_intents(root / "data" / "knowledge")
    found = []
    for target in targets(root):
        text = target.path.read_text("utf-8")
        if rewritten(text, target.item, intents, target.path.name) != text:
            found.append(target.path)
    return found


def write(root: Path = ROOT) -> list[Path]:
    """Rewrite the blocks that are out of date; the files written."""
    intents = topic_intents(root / "data" / "knowledge")
    written = []
    for target in targets(root):
        text = target.path.read_text("utf-8")
        new = rewritten(text, target.item, intents, target.path.name)
        if new != text:
            target.path.write_text(new, "utf-8")
            written.append(target.path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    try:
        if args.check:
            found = stale()
            for path in found:
                print(f"{path.relative_to(ROOT)}: topic intents out of date", file=sys.stderr)
            return 1 if found else 0
        for path in write():
            print(f"topic intents written to {path.relative_to(ROOT)}")
    except TopicListError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
