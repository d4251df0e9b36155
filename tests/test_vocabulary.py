"""The project's own vocabulary and knowledge graph: current, versioned, sourced."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest

from spacecoop.config import load_config
from spacecoop.load import LoadedDataset, load
from spacecoop.namespace import generate
from tests.conftest import SHARED

OWL = "http://www.w3.org/2002/07/owl#"
DCTERMS_SOURCE = "http://purl.org/dc/terms/source"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
WIKIDATA = "http://www.wikidata.org/entity/"


@pytest.fixture(scope="module")
def dataset(repo: Path) -> LoadedDataset:
    return load(load_config(repo))


def test_namespace_module_is_current(repo: Path, dataset: LoadedDataset) -> None:
    config = load_config(repo)
    expected = generate(dataset, config.vocabulary_namespace)
    committed = (repo / "ontology" / "namespace.py").read_text(encoding="utf-8")
    assert committed == expected, "run: .venv/bin/python scripts/generate_namespace.py"


def test_version_info_matches_package_version(repo: Path, dataset: LoadedDataset) -> None:
    version = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["version"]
    headers = {
        t.subject.value: t.object.value
        for t in dataset.triples("ontology")
        if t.predicate.value == OWL + "versionInfo"
    }
    assert headers, "no owl:versionInfo in the ontology"
    assert set(headers.values()) == {version}, headers


def _facts() -> str:
    path = SHARED / "facts.md"
    if not path.exists():
        pytest.skip("../shared/facts.md is not beside the repository")
    return path.read_text(encoding="utf-8")


def test_every_cited_source_is_in_the_facts_file(dataset: LoadedDataset) -> None:
    facts = _facts()
    cited = {
        t.object.value
        for t in dataset.triples("data")
        if t.predicate.value in (DCTERMS_SOURCE, PROV_DERIVED)
        and isinstance(t.object, ox.NamedNode)
    }
    assert len(cited) > 50
    local = {iri for iri in cited if iri.startswith("https://w3id.org/")}
    missing = sorted(iri for iri in cited - local if iri not in facts)
    assert not missing, missing


def test_wikidata_links_only_to_listed_q_ids(dataset: LoadedDataset) -> None:
    facts = _facts()
    listed = set(re.findall(r"\bQ[0-9]+\b", facts))
    linked = {
        t.object.value
        for t in dataset.triples("data")
        if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(WIKIDATA)
    }
    assert linked, "no Wikidata links at all"
    assert {iri[len(WIKIDATA) :] for iri in linked} <= listed


def test_every_data_subject_is_typed_labelled_and_sourced(
    dataset: LoadedDataset, repo: Path
) -> None:
    config = load_config(repo)
    subjects: dict[str, set[str]] = {}
    for t in dataset.triples("data"):
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(
            config.instance_namespace
        ):
            subjects.setdefault(t.subject.value, set()).add(t.predicate.value)
    assert len(subjects) > 300
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    problems = [
        s
        for s, predicates in subjects.items()
        if not {rdf_type, label} <= predicates or not predicates & {DCTERMS_SOURCE, PROV_DERIVED}
    ]
    assert not problems, problems[:20]
