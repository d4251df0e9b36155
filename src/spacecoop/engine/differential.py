"""Differential checking: the fast engine's results against pySHACL's on the same inputs.

Equivalence with the reference engine is the fast engine's contract; the tests and the
benchmark use these functions to check it on any project. pySHACL evaluates SHACL-SPARQL
constraints once per focus node in rdflib, which takes minutes to hours on graphs of a few
thousand nodes, so shapes without SPARQL are compared on every focus node, and SHACL-SPARQL
shapes on the focus nodes either engine reports for them plus a seeded random sample.
"""

from __future__ import annotations

import random

import pyshacl
import rdflib
from rdflib.namespace import SH

from spacecoop.engine import engine_results
from spacecoop.engine.run import reduced_shapes
from spacecoop.engine.shapes import ShapesGraph
from spacecoop.graphs import to_rdflib
from spacecoop.load import LoadedDataset
from spacecoop.validate import bind_prefixes, report_results, run_pyshacl, shapes_and_data

Keys = set[tuple]


def keys(results: list) -> Keys:
    """Results as {(focus, path, value, source shape, component, severity)}."""
    return {r.key() for r in results}


def split_shapes(dataset: LoadedDataset) -> tuple[rdflib.Graph, set, set]:
    """The shapes graph, its top-level SHACL-SPARQL shapes and its other top-level shapes."""
    shapes_graph = to_rdflib(dataset.triples("shapes"))
    bind_prefixes(dataset, shapes_graph, rdflib.Graph())
    top = ShapesGraph(shapes_graph).top_level()
    rules = {s.node for s in top if next(shapes_graph.objects(s.node, SH.sparql), None) is not None}
    return shapes_graph, rules, {s.node for s in top} - rules


def compare_core(dataset: LoadedDataset) -> tuple[Keys, Keys]:
    """(pySHACL, fast) results of every top-level shape without SPARQL, on all focus nodes."""
    shapes_graph, _, core = split_shapes(dataset)
    reduced = reduced_shapes(shapes_graph, core)
    data, _ = shapes_and_data(dataset)
    reference = keys(report_results(run_pyshacl(data, reduced)))
    fast = keys(engine_results(dataset, shapes_graph=reduced)[0].results)
    return reference, fast


def compare_rules(dataset: LoadedDataset, sample: int = 40, seed: int = 1) -> tuple[Keys, Keys]:
    """(pySHACL, fast) results of the SHACL-SPARQL shapes on a sample of focus nodes: those
    either engine reports plus ``sample`` others, chosen with ``seed``. (pySHACL's focus-node
    option also skips nested shapes, so it is only used for SPARQL shapes.)"""
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
