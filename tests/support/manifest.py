"""A small reader for W3C test manifests (mf:Manifest with an mf:entries list)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import RDF

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")


@dataclass(frozen=True)
class Entry:
    iri: str
    name: str
    kind: str  # local name of the rdf:type, e.g. TestTurtleNegativeSyntax
    action: Path
    result: Path | None
    action_iri: str


def read_manifest(manifest: Path, base: str) -> list[Entry]:
    """Entries of a manifest whose published base IRI is ``base`` (mapped onto its folder)."""
    graph = rdflib.Graph().parse(manifest, format="turtle", publicID=base + manifest.name)
    folder = manifest.parent

    def local(node: rdflib.term.Node) -> Path:
        return folder / str(node)[len(base) :]

    entries = []
    for head in graph.objects(None, MF.entries):
        for item in rdflib.collection.Collection(graph, head):
            action = graph.value(item, MF.action)
            result = graph.value(item, MF.result)
            kind = str(graph.value(item, RDF.type)).rsplit("#", 1)[-1]
            entries.append(
                Entry(
                    str(item),
                    str(graph.value(item, MF.name)),
                    kind,
                    local(action),
                    local(result) if result is not None else None,
                    str(action),
                )
            )
    return entries
