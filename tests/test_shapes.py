"""The project's shapes: valid SHACL, and a node shape for every class of the vocabulary."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, SH

from spacecoop.config import load_config
from spacecoop.graphs import to_rdflib
from spacecoop.load import LoadedDataset, load


@pytest.fixture(scope="module")
def dataset(repo: Path) -> LoadedDataset:
    return load(load_config(repo))


def test_shapes_graph_conforms_to_shacl_for_shacl(dataset: LoadedDataset) -> None:
    shapes = to_rdflib(dataset.triples("shapes"))
    shsh = rdflib.Graph().parse(
        resources.files("pyshacl") / "assets" / "shacl-shacl.ttl", format="turtle"
    )
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=shsh, inference="none")
    assert conforms, text


def test_every_class_has_a_node_shape(dataset: LoadedDataset, repo: Path) -> None:
    namespace = load_config(repo).vocabulary_namespace
    ontology = to_rdflib(dataset.triples("ontology"))
    shapes = to_rdflib(dataset.triples("shapes"))
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(namespace)}
    targeted = set(shapes.objects(None, SH.targetClass))
    assert classes and not classes - targeted, sorted(classes - targeted)


def test_every_named_shape_is_documented(dataset: LoadedDataset) -> None:
    shapes = to_rdflib(dataset.triples("shapes"))
    named = {
        s
        for s in set(shapes.subjects(RDF.type, SH.NodeShape))
        | set(shapes.subjects(RDF.type, SH.PropertyShape))
        if isinstance(s, rdflib.URIRef)
    }
    assert len(named) > 50
    undocumented = [
        str(s)
        for s in named
        if not all(
            any(getattr(o, "language", None) == "en" for o in shapes.objects(s, p))
            for p in (SH.name, SH.description, SH.message)
        )
    ]
    assert not undocumented, undocumented[:10]
