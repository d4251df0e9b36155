"""Helpers for comparing the fast engine with pySHACL (the reference) on the same inputs."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pyshacl
import rdflib
from rdflib.namespace import SH

from spacecoop.config import Config
from spacecoop.engine import engine_results
from spacecoop.engine.run import reduced_shapes
from spacecoop.engine.shapes import ShapesGraph
from spacecoop.graphs import to_rdflib
from spacecoop.load import LoadedDataset, parse_file
from spacecoop.validate import (
    bind_prefixes,
    report_results,
    run_pyshacl,
    shapes_and_data,
)

Key = tuple


def keys(results: list) -> set[Key]:
    return {r.key() for r in results}


def show(results: set[Key], limit: int = 12) -> str:
    def short(term: object) -> str:
        text = str(term)
        return text if len(text) < 70 else text[:67] + "..."

    lines = [" | ".join(short(t) for t in key) for key in sorted(results, key=str)[:limit]]
    more = f"\n  ... {len(results) - limit} more" if len(results) > limit else ""
    return "\n  ".join(["", *lines]) + more


def dataset_of(paths: list[tuple[str, Path]], base_iri, root: Path) -> LoadedDataset:  # type: ignore[no-untyped-def]
    """Parse files strictly as (kind, path); a file listed twice is parsed once (same bnodes)."""
    config = Config(root, "urn:x-local:/", "urn:x-local:/def/", "urn:x-local:/id/")
    parsed = {}
    sources = []
    for kind, path in paths:
        if path not in parsed:
            parsed[path], _ = parse_file(path, kind, config, base_iri=base_iri(path))
        sources.append(replace(parsed[path], kind=kind))
    return LoadedDataset(sources, [])


def pyshacl_keys(dataset: LoadedDataset) -> set[Key]:
    data, shapes = shapes_and_data(dataset)
    return keys(report_results(run_pyshacl(data, shapes)))


def fast_keys(dataset: LoadedDataset) -> set[Key]:
    return keys(engine_results(dataset)[0].results)


def split_shapes(dataset: LoadedDataset) -> tuple[rdflib.Graph, set, set]:
    """The shapes graph, its SHACL-SPARQL top-level shapes and its other top-level shapes."""
    shapes_graph = to_rdflib(dataset.triples("shapes"))
    bind_prefixes(dataset, shapes_graph, rdflib.Graph())
    top = ShapesGraph(shapes_graph).top_level()
    rules = {s.node for s in top if next(shapes_graph.objects(s.node, SH.sparql), None) is not None}
    return shapes_graph, rules, {s.node for s in top} - rules


def compare_core(dataset: LoadedDataset) -> tuple[set[Key], set[Key]]:
    """(pySHACL, fast) results of every top-level shape without SPARQL, on all focus nodes."""
    shapes_graph, _, core = split_shapes(dataset)
    reduced = reduced_shapes(shapes_graph, core)
    data, _ = shapes_and_data(dataset)
    reference = keys(report_results(run_pyshacl(data, reduced)))
    fast = keys(engine_results(dataset, shapes_graph=reduced)[0].results)
    return reference, fast


def compare_rules(dataset: LoadedDataset, sample: int = 40, seed: int = 1) -> tuple[set, set]:
    """(pySHACL, fast) results of the SHACL-SPARQL shapes on a sample of focus nodes.

    pySHACL evaluates a SPARQL constraint once per focus node with rdflib, which takes
    minutes on project-sized graphs; both engines are therefore asked about the focus nodes
    either engine reports for these shapes plus a seeded sample of the others. (pySHACL's
    focus-node filter also skips nested shapes, so it is used for SPARQL shapes only.)
    """
    shapes_graph, rules, _ = split_shapes(dataset)
    reduced = reduced_shapes(shapes_graph, rules)
    full = engine_results(dataset, shapes_graph=reduced)[0].results
    candidates = sorted(
        {
            t.subject.value
            for t in dataset.triples("ontology", "data")
            if type(t.subject).__name__ == "NamedNode"
        }
    )
    chosen = set(random.Random(seed).sample(candidates, min(sample, len(candidates))))
    chosen |= {str(r.focus) for r in full if isinstance(r.focus, rdflib.URIRef)}
    focus = sorted(chosen)
    data, _ = shapes_and_data(dataset)
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=reduced,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
        focus_nodes=[rdflib.URIRef(f) for f in focus],
    )
    reference = keys(report_results(report))
    fast = keys(engine_results(dataset, focus_nodes=focus, shapes_graph=reduced)[0].results)
    return reference, fast
