"""The fast validation engine: SHACL compiled to SPARQL, run on pyoxigraph (or any endpoint).

pySHACL checks one focus node at a time in Python; on a graph of 100k triples it takes tens
of seconds. This engine compiles every SHACL Core constraint component and every SHACL-SPARQL
constraint into a few SELECT queries that return only violations, and runs them in Rust on
an in-memory pyoxigraph store (or, unchanged, on a remote SPARQL 1.1 endpoint). It reports
what pySHACL reports, shape for shape: the equivalence tests compare both engines on the
project's data, on every invalid fixture, on generated data with violations of every kind
and on the W3C SHACL test suite. What it does not compile (SHACL-AF, recursive shapes,
SPARQL-based constraint components, blank nodes as parameters) falls back to pySHACL for
those shapes only, and the run says which.

Module names follow the specification: :mod:`~spacecoop.engine.shapes` (§2),
:mod:`~spacecoop.engine.targets` (§2.1.3), :mod:`~spacecoop.engine.paths` (§2.3.1),
:mod:`~spacecoop.engine.core` (§4, one module per group of components),
:mod:`~spacecoop.engine.sparql_constraints` (§5); :mod:`~spacecoop.engine.compile` plans the
queries and :mod:`~spacecoop.engine.run` runs them.
"""

from __future__ import annotations

import re

import rdflib
from rdflib.namespace import SH

from spacecoop.engine.executors import EndpointExecutor, Executor, StoreExecutor
from spacecoop.engine.run import EngineReport, run_engine
from spacecoop.findings import Finding, Severity
from spacecoop.graphs import to_rdflib
from spacecoop.load import LoadedDataset
from spacecoop.validate import (
    ValidationRun,
    bind_prefixes,
    located_findings,
    report_results,
    run_pyshacl,
    shape_id,
)

__all__ = [
    "EndpointExecutor",
    "EngineReport",
    "Executor",
    "StoreExecutor",
    "engine_results",
    "run_engine",
    "validate_fast",
]


def _aggregates(shapes_graph: rdflib.Graph) -> bool:
    """Whether a SPARQL constraint counts: then a triple written in two files must count once,
    so the store gets the triples (merged) rather than the quads of each file."""
    texts = [*shapes_graph.objects(None, SH.select), *shapes_graph.objects(None, SH.ask)]
    return any(_counts_repeats(str(t)) for t in texts)


# Aggregates whose answer does not change when a solution repeats: whether anything was
# counted at all, distinct counts, extremes. GROUP BY alone repeats no group.
_BLIND_TO_REPEATS = re.compile(
    r"COUNT\s*\(\s*DISTINCT\b|\b(?:MIN|MAX|SAMPLE)\s*\("
    r"|COUNT\s*\(\s*(?:\?\w+|\*)\s*\)\s*(?:=\s*0|!=\s*0|>\s*0|<\s*1|>=\s*1)(?![\d.])",
    re.I,
)
_AGGREGATE = re.compile(r"\b(?:COUNT|SUM|AVG|GROUP_CONCAT)\s*\(", re.I)


def _counts_repeats(query: str) -> bool:
    """Whether a query's answer may change when a triple is seen twice (an aggregate that
    counts or sums, other than the forms in ``_BLIND_TO_REPEATS``)."""
    return _AGGREGATE.search(_BLIND_TO_REPEATS.sub(" ", query)) is not None


def _repeats_triples(dataset: LoadedDataset) -> bool:
    """Whether a triple is written in more than one file (then the union graph repeats it).

    Counted in the store, so that a large graph without repeats is queried where it was
    loaded instead of being copied triple by triple into a merged store.
    """
    store = dataset.store("ontology", "data")
    [row] = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        use_default_graph_as_union=True,
    )  # type: ignore[misc]
    return int(row["n"].value) != len(store)


def _namespaces(dataset: LoadedDataset) -> dict[str, str]:
    """The prefixes pySHACL's SPARQL sees: rdflib's defaults plus the files' prefixes."""
    data = rdflib.Graph()
    bind_prefixes(dataset, rdflib.Graph(), data)
    return {prefix: str(namespace) for prefix, namespace in data.namespaces()}


def engine_results(
    dataset: LoadedDataset,
    focus_nodes: list[str] | None = None,
    endpoint: str | None = None,
    workers: int = 2,
    shapes_graph: rdflib.Graph | None = None,
) -> tuple[EngineReport, rdflib.Graph, Executor]:
    """The raw results of the compiled engine (and the shapes graph they refer to).

    ``shapes_graph`` replaces the dataset's shapes (the equivalence tests validate subsets).
    """
    if shapes_graph is None:
        shapes_graph = to_rdflib(dataset.triples("shapes"))
        bind_prefixes(dataset, shapes_graph, rdflib.Graph())
    executor: Executor
    if endpoint is not None:
        executor = EndpointExecutor(endpoint)
    else:
        executor = (
            StoreExecutor.from_triples(dataset.triples("ontology", "data"))
            if _aggregates(shapes_graph) and _repeats_triples(dataset)
            else StoreExecutor.from_dataset(dataset, "ontology", "data")
        )

    def fallback(data_graph: rdflib.Graph, shapes: rdflib.Graph) -> list:
        bind_prefixes(dataset, rdflib.Graph(), data_graph)
        return report_results(run_pyshacl(data_graph, shapes))

    report = run_engine(
        executor,
        shapes_graph,
        focus_nodes,
        workers,
        fallback,
        describe=getattr(executor, "describe", None),
        namespaces=_namespaces(dataset),
    )
    return report, shapes_graph, executor


def validate_fast(
    dataset: LoadedDataset,
    focus_nodes: list[str] | None = None,
    endpoint: str | None = None,
    workers: int = 2,
) -> ValidationRun:
    """Validate ontology + data against the shapes with the compiled engine.

    ``focus_nodes`` restricts the results to those focus nodes (incremental validation);
    ``endpoint`` runs the queries on a SPARQL endpoint that holds the data graph instead of
    on an in-memory store built from ``dataset``.
    """
    report, shapes_graph, _ = engine_results(dataset, focus_nodes, endpoint, workers)
    findings = located_findings(report.results, shapes_graph, dataset)
    fallback = {shape_id(shapes_graph, s): reason for s, reason in report.fallback.items()}
    for name, reason in sorted(fallback.items()):
        # Said in every report: these shapes ran on pySHACL, the reference engine.
        findings.append(
            Finding(
                Severity.INFO,
                f"validated with pySHACL: the fast engine does not compile {reason}",
                "shacl-engine",
                shape=name,
            )
        )
    local = endpoint is None
    data_triples = sum(s.triple_count for s in dataset.of_kind("ontology", "data")) if local else 0
    engine = f"fast (pySHACL for {len(fallback)} shapes)" if fallback else "fast"
    run = ValidationRun(findings, data_triples, len(shapes_graph), engine, "none")
    run.fallback_shapes = sorted(fallback)
    return run
