"""Build the offline spaCy pipeline used by SpacyNLP: blank English + lookup lemmas.

The official en_core_web_* pipelines cannot be downloaded here, so the model is
spaCy's English tokenizer plus the lookup lemmatizer whose tables ship in the
`spacy-lookups-data` package. Usage: python scripts/build_spacy_model.py OUT_DIR
"""

import sys
from pathlib import Path

import spacy


def build(out_dir: Path) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lemma tables from spacy-lookups-data, offline
    assert [t.lemma_ for t in nlp("bones were breaking")] == ["bone", "be", "break"]
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
