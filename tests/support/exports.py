"""Helpers shared by the export tests: an extended mini project, builds, graph comparisons."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyld import jsonld as pyld

from spacecoop.config import Config, load_config
from spacecoop.export import build_dist, export_graphs
from spacecoop.graphs import to_rdflib
from spacecoop.jsonld import document_loader
from spacecoop.load import load

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def extended_project(target: Path) -> Path:
    """The mini project plus the export fixtures (blank nodes, lists, links, dates)."""
    shutil.copytree(
        FIXTURES / "miniproject", target, ignore=shutil.ignore_patterns("dist", ".spacecoop")
    )
    shutil.copy(FIXTURES / "exports" / "ontology-extra.ttl", target / "ontology" / "extra.ttl")
    shutil.copy(FIXTURES / "exports" / "data-extra.ttl", target / "data" / "extra.ttl")
    return target


def build(project: Path) -> tuple[Config, Path]:
    """Export only (no validation, no store): the files of dist/ for ``project``."""
    config = load_config(project)
    build_dist(load(config), config)
    return config, config.dist


def export_graph(config: Config) -> list[ox.Triple]:
    graph, _vocabulary = export_graphs(load(config), config)
    return graph


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def with_inline_context(document: dict, context: dict) -> dict:
    """The document with its context IRI replaced by the context itself (for other parsers)."""
    return {**document, "@context": context["@context"]}


def jsonld_triples(document: dict, context_iri: str, context: dict) -> list[ox.Triple]:
    """RDF of a JSON-LD document that uses the generated context, read by PyLD."""
    options = {
        "documentLoader": document_loader({context_iri: context}),
        "format": "application/n-quads",
    }
    nquads = pyld.to_rdf(document, options)
    return [q.triple for q in ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS)]


def canonical(triples: list[ox.Triple]) -> set[str]:
    """Triples as strings, each blank node named by a digest of what it says (recursively).

    Unlike the export's canonical labels, these ignore who points at a blank node, so the
    same node keeps its name in a subset of the graph (subset checks of framed documents).
    """
    out: dict[object, list[ox.Triple]] = {}
    for t in triples:
        out.setdefault(t.subject, []).append(t)
    memo: dict[object, str] = {}

    def name(term: object, seen: frozenset = frozenset()) -> str:
        if not isinstance(term, ox.BlankNode):
            return str(term)
        if term in memo:
            return memo[term]
        if term in seen:
            return "_:cycle"
        parts = sorted(f"{t.predicate} {name(t.object, seen | {term})}" for t in out.get(term, []))
        memo[term] = "_:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
        return memo[term]

    return {f"{name(t.subject)} {t.predicate} {name(t.object)}" for t in triples}


def rdflib_graph(triples: list[ox.Triple]) -> rdflib.Graph:
    return to_rdflib(triples, normalize=True)


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
