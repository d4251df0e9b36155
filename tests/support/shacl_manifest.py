"""A small reader for the W3C SHACL test manifests (mf:include trees of sht:Validate entries).

Each test file is published under ``urn:x-shacl-test:/`` + its path in the suite; its entries
name a data graph and a shapes graph (usually the test file itself) and the expected
``sh:ValidationReport``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from spacecoop.graphs import to_rdflib

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
BASE = "urn:x-shacl-test:/"


@dataclass(frozen=True)
class ShaclEntry:
    iri: str
    label: str
    status: str
    data: Path
    shapes: Path
    file: Path  # the test file holding the expected report
    graph: rdflib.Graph
    result: rdflib.term.Node  # the expected sh:ValidationReport node in ``graph``


def base_iri(root: Path, path: Path) -> str:
    """The published IRI of a suite file."""
    return BASE + path.resolve().relative_to(root.resolve()).as_posix()


def read_suite(root: Path) -> list[ShaclEntry]:
    """Every sht:Validate entry of the suite: those its manifests include, then test files
    that no manifest includes (the suite ships sparql/component/nodeValidator-001.ttl so)."""
    entries = read_manifest(root, root / "manifest.ttl")
    seen = {e.file.resolve() for e in entries}
    for path in sorted(root.rglob("*.ttl")):
        if path.resolve() not in seen and "mf:entries" in path.read_text(encoding="utf-8"):
            entries.extend(read_manifest(root, path))
    return entries


def read_manifest(root: Path, manifest: Path) -> list[ShaclEntry]:
    """Every sht:Validate entry reachable from ``manifest`` through mf:include."""
    # pyoxigraph resolves relative IRIs against a urn: base; rdflib refuses to.
    quads = ox.parse(path=manifest, format=ox.RdfFormat.TURTLE, base_iri=base_iri(root, manifest))
    graph = to_rdflib(q.triple for q in quads)

    def local(node: rdflib.term.Node) -> Path:
        return root / str(node)[len(BASE) :]

    entries: list[ShaclEntry] = []
    for included in sorted(graph.objects(None, MF.include), key=str):
        entries.extend(read_manifest(root, local(included)))
    for head in graph.objects(None, MF.entries):
        for item in rdflib.collection.Collection(graph, head):
            if graph.value(item, RDF.type) != SHT.Validate:
                continue
            action = graph.value(item, MF.action)
            entries.append(
                ShaclEntry(
                    iri=str(item),
                    label=str(graph.value(item, rdflib.RDFS.label) or ""),
                    status=str(graph.value(item, MF.status) or "").rsplit("#", 1)[-1],
                    data=local(graph.value(action, SHT.dataGraph)),
                    shapes=local(graph.value(action, SHT.shapesGraph)),
                    file=manifest,
                    graph=graph,
                    result=graph.value(item, MF.result),
                )
            )
    return entries


def expects_failure(entry: ShaclEntry) -> bool:
    """The entry expects the processor to refuse the shapes (mf:result sht:Failure)."""
    return entry.result == SHT.Failure


def expected_conforms(entry: ShaclEntry) -> bool:
    return bool(entry.graph.value(entry.result, SH.conforms).toPython())
