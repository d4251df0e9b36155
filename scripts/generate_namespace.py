"""Regenerate ontology/namespace.py, the typed rdflib namespace of the vocabulary.

Run: .venv/bin/python scripts/generate_namespace.py
(tests/test_vocabulary.py checks that it is current)
"""

from __future__ import annotations

from pathlib import Path

from spacecoop.config import load_config
from spacecoop.export import write_atomic
from spacecoop.load import load
from spacecoop.namespace import generate

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "ontology" / "namespace.py"


def main() -> None:
    config = load_config(ROOT)
    source = generate(load(config, kinds=("ontology",)), config.vocabulary_namespace)
    write_atomic(TARGET, source.encode("utf-8"))
    print(f"wrote {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
