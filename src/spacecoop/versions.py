"""One version source: the package version in pyproject.toml, stamped into the exports.

Why: a vocabulary whose ``owl:versionInfo`` says 0.3.0 in a release tagged 0.4.0 misleads every
consumer, and hand-editing seven headers per release is how that happens. The sources keep the
values their authors wrote (a test checks they agree with the package version); the exported
ontology headers get ``owl:versionInfo`` = the package version and an ``owl:versionIRI`` derived
from it at build time, so a release can never ship a stale header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from spacecoop.config import Config

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OWL_ONTOLOGY = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
VERSION_IRI = ox.NamedNode("http://www.w3.org/2002/07/owl#versionIRI")


def version_iri(ontology: str, version: str, config: Config) -> str:
    """``{namespace}{version}/`` for the umbrella, ``{namespace}{version}/{path}`` for modules.

    The umbrella ontology is the namespace without its trailing ``/`` or ``#``; an ontology
    outside the namespace gets ``{ontology}/{version}``.
    """
    namespace = config.vocabulary_namespace
    if ontology == namespace.rstrip("/#") or ontology == namespace:
        return f"{namespace}{version}/"
    if ontology.startswith(namespace):
        return f"{namespace}{version}/{ontology[len(namespace) :]}"
    return f"{ontology.rstrip('/')}/{version}"


def ontologies(triples: Iterable[ox.Triple]) -> set[ox.NamedNode]:
    return {
        t.subject
        for t in triples
        if t.predicate == RDF_TYPE
        and t.object == OWL_ONTOLOGY
        and isinstance(t.subject, ox.NamedNode)
    }


def stamp_quads(quads: Iterable[ox.Quad], config: Config) -> list[ox.Quad]:
    """The quads with every ontology header's version values replaced by the package version.

    Each ontology keeps one ``owl:versionInfo`` and one ``owl:versionIRI``, written in the
    graph that declared it an ``owl:Ontology``.
    """
    quads = list(quads)
    headers: dict[ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = {}
    for q in quads:
        if (
            q.predicate == RDF_TYPE
            and q.object == OWL_ONTOLOGY
            and isinstance(q.subject, ox.NamedNode)
        ):
            headers.setdefault(q.subject, q.graph_name)
    if not headers:
        return quads
    kept = [
        q
        for q in quads
        if not (q.subject in headers and q.predicate in (VERSION_INFO, VERSION_IRI))
    ]
    for ontology, graph in sorted(headers.items(), key=lambda kv: kv[0].value):
        kept.append(ox.Quad(ontology, VERSION_INFO, ox.Literal(config.version), graph))
        iri = version_iri(ontology.value, config.version, config)
        kept.append(ox.Quad(ontology, VERSION_IRI, ox.NamedNode(iri), graph))
    return kept


def stamp(triples: Iterable[ox.Triple], config: Config) -> list[ox.Triple]:
    """:func:`stamp_quads` for a single graph (without building a quad per triple)."""
    triples = list(triples)
    headers = sorted(ontologies(triples), key=lambda node: node.value)
    if not headers:
        return triples
    stamped = set(headers)
    kept = [
        t
        for t in triples
        if not (t.predicate in (VERSION_INFO, VERSION_IRI) and t.subject in stamped)
    ]
    for ontology in headers:
        kept.append(ox.Triple(ontology, VERSION_INFO, ox.Literal(config.version)))
        iri = version_iri(ontology.value, config.version, config)
        kept.append(ox.Triple(ontology, VERSION_IRI, ox.NamedNode(iri)))
    return kept


_NUMBER = re.compile(r"(\d+)")


def version_key(version: str) -> tuple:
    """Order versions numerically (0.10.0 after 0.9.0); pre-release tags sort before the release."""
    main, _, tag = version.partition("-")
    parts = tuple(int(p) if p.isdigit() else p for p in re.split(r"[.+]", main))
    numbers = tuple(p for p in parts if isinstance(p, int))
    return (numbers, 0 if tag else 1, tuple(_NUMBER.split(tag)))
