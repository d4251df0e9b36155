"""The W3C RDF 1.1 Turtle suite through the strict loader (positive, negative, evaluation)."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from spacecoop.config import Config
from spacecoop.errors import SourceError
from spacecoop.graphs import to_rdflib
from spacecoop.load import parse_file
from spacecoop.positions import term_key
from tests.conftest import SHARED
from tests.support.manifest import read_manifest

BASE = "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/"
SUITE = SHARED / "w3c/rdf-tests/rdf/rdf11/rdf-turtle"
ENTRIES = read_manifest(SUITE / "manifest.ttl", BASE) if SUITE.is_dir() else []
NEGATIVE = [e for e in ENTRIES if "Negative" in e.kind]
POSITIVE = [e for e in ENTRIES if "Negative" not in e.kind]


def _config(tmp: Path) -> Config:
    return Config(root=tmp, base_iri=BASE, vocabulary_namespace=BASE, instance_namespace=BASE)


def _lower_languages(graph: rdflib.Graph) -> rdflib.Graph:
    """Language tags are case-insensitive (BCP 47); pyoxigraph lower-cases them, rdflib does not."""
    result = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.language:
            o = rdflib.Literal(str(o), lang=o.language.lower())
        result.add((s, p, o))
    return result


def test_suite_is_present() -> None:
    if not SUITE.is_dir():
        pytest.skip("../shared/w3c is not beside the repository")
    assert len(NEGATIVE) >= 90 and len(POSITIVE) >= 200


@pytest.mark.parametrize("entry", NEGATIVE, ids=lambda e: e.name)
def test_negative_case_rejected_with_location(entry, tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        parse_file(entry.action, "data", _config(tmp_path), base_iri=entry.action_iri)
    assert caught.value.line >= 1 and caught.value.column >= 1
    assert str(caught.value).startswith(f"{entry.action}:{caught.value.line}:")


@pytest.mark.parametrize("entry", POSITIVE, ids=lambda e: e.name)
def test_positive_case_accepted_and_indexed(entry, tmp_path: Path) -> None:
    source, _ = parse_file(entry.action, "data", _config(tmp_path), base_iri=entry.action_iri)
    if entry.result is not None:
        expected = rdflib.Graph().parse(entry.result, format="nt")
        assert isomorphic(
            _lower_languages(to_rdflib((q.triple for q in source.quads), normalize=True)),
            _lower_languages(expected),
        )
    # Every triple with a named subject can be located in the file.
    index = source.positions()
    for quad in source.quads:
        key = term_key(quad.object)
        if type(quad.subject).__name__ == "NamedNode" and key is not None:
            assert index.triple(quad.subject.value, quad.predicate.value, key) is not None, quad
