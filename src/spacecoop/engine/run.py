"""Running a compiled plan: facts about the data, the queries on two threads, the results.

A run has three steps. First two small queries learn what compilation needs from the data
(the rdfs:subClassOf closure of the classes the shapes name, and the literals whose lexical
form rdflib rejects for a sh:datatype the shapes use). Then the plan's queries run on a pool
of two threads (pyoxigraph releases the GIL while evaluating). Last, the solutions become
results as pySHACL would report them, and the shapes the compiler left out run through
pySHACL on the same data graph, with every other shape's targets removed.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import RDF, RDFS, SH

from spacecoop.engine.compile import (
    CompiledQuery,
    DataFacts,
    Plan,
    Planner,
    class_references,
    datatype_predicates,
    datatype_references,
)
from spacecoop.engine.core.value_type import candidate_filter, pyshacl_accepts
from spacecoop.engine.executors import Executor, Row, collapsed_datatypes
from spacecoop.engine.messages import generic
from spacecoop.engine.shapes import CannotCompile, ShapesGraph
from spacecoop.engine.sparql_constraints import target_select
from spacecoop.engine.terms import SUBCLASS, term
from spacecoop.validate import ShaclResult as Result

Node = rdflib.term.Node


@dataclass
class EngineReport:
    """What a run of the fast engine produced."""

    results: list[Result]
    fallback: dict[Node, str] = field(default_factory=dict)  # shape -> reason
    queries: int = 0
    timings: dict[str, float] = field(default_factory=dict)


_MAX_GOOD = 5000  # distinct values listed per datatype the store does not keep
_XSD = "http://www.w3.org/2001/XMLSchema#"
_FAMILY = """byte short int long nonNegativeInteger positiveInteger nonPositiveInteger
negativeInteger unsignedByte unsignedShort unsignedInt unsignedLong"""
_INTEGER_FAMILY = [_XSD + t for t in _FAMILY.split()]


def gather_facts(executor: Executor, shapes: ShapesGraph) -> DataFacts:
    """Class closures and ill-typed literals: the data-dependent parts of compilation."""
    facts = DataFacts()
    classes = class_references(shapes)
    if classes:
        facts.closures = subclass_closures(executor, classes)
    datatypes = datatype_references(shapes)
    if datatypes:
        predicates = datatype_predicates(shapes, set(datatypes))
        scope = f"VALUES ?p {{ {' '.join(predicates)} }} " if predicates is not None else ""
        raw = (
            executor.select_raw(
                f"SELECT DISTINCT ?o WHERE {{ {scope}?s ?p ?o . "
                f"FILTER({candidate_filter(datatypes)}) }}"
            )
            if predicates != []
            else []
        )
        bad: dict[str, list[str]] = defaultdict(list)
        for row in raw:
            literal = row["o"]  # a pyoxigraph literal: its lexical form as stored
            datatype = literal.datatype.value
            if not pyshacl_accepts(literal.value, datatype):
                bad[datatype].append(term(literal))
        facts.bad = {d: sorted(v) for d, v in bad.items()}
        collapsed = collapsed_datatypes(datatypes)
        integer = _XSD + "integer"
        family = collapsed_datatypes(_INTEGER_FAMILY) if integer in datatypes else set()
        if (collapsed or family) and hasattr(executor, "stored_forms"):
            # The store answers xsd:integer for these: list the literals that really have the
            # datatype (as written in the data) and that rdflib accepts, in their stored form.
            good: dict[str, set[str]] = defaultdict(set)
            genuine, impostors = set(), set()
            only = {p[1:-1] for p in predicates} if predicates is not None else None
            asked = collapsed | family | ({integer} if family else set())
            for written, stored in executor.stored_forms(asked, only):
                kind = written.datatype.value
                if kind in collapsed and pyshacl_accepts(written.value, kind):
                    good[kind].add(term(stored))
                if kind == integer:
                    genuine.add(term(stored))
                elif kind in family:
                    impostors.add(term(stored))  # an xsd:byte that now looks like an integer
            if impostors - genuine:
                facts.bad[integer] = sorted(set(facts.bad.get(integer, [])) | (impostors - genuine))
            for d in collapsed:
                if len(good.get(d, ())) <= _MAX_GOOD:
                    facts.good[d] = sorted(good.get(d, ()))
                else:
                    facts.approximate.add(d)
        else:
            facts.approximate.update(collapsed)
    return facts


_MAX_SELECTED = 2000  # focus nodes of a SPARQL target listed in the queries


def selected_targets(
    executor: Executor, shapes: ShapesGraph, namespaces: dict[str, str]
) -> dict[str, list[str]]:
    """The IRIs each SPARQL target (sh:target with sh:select) selects, run once.

    Queries then start from the list instead of running the target's query again in each of
    them (an engine joins a sub-select in any order; a short VALUES list comes first). Targets
    that select many nodes, or blank nodes or literals, stay sub-selects.
    """
    selected: dict[str, list[str]] = {}
    for shape in shapes.top_level():
        for node in shape.targets.sparql:
            try:
                select = target_select(shape, node, namespaces)
            except CannotCompile:
                continue  # the planner says why
            if select in selected:
                continue
            rows = executor.select(f"SELECT DISTINCT ?this WHERE {{ {{ {select} }} }}")
            nodes = [row.get("this") for row in rows]
            if len(nodes) <= _MAX_SELECTED and all(isinstance(n, rdflib.URIRef) for n in nodes):
                selected[select] = sorted(term(n) for n in nodes)  # type: ignore[arg-type]
    return selected


def subclass_closures(executor: Executor, classes: list[str]) -> dict[str, list[str]]:
    """Each class with its IRI subclasses, at any depth (``rdfs:subClassOf*``).

    The edges are read and closed here rather than with ``?sub rdfs:subClassOf* ?c`` from a
    VALUES list, which not every store evaluates (Virtuoso 7: "transitive start not given").
    Blank nodes are walked through, as the path would, but are never members.
    """
    below: dict[Node, set[Node]] = defaultdict(set)
    for row in executor.select(f"SELECT DISTINCT ?sub ?sup WHERE {{ ?sub {SUBCLASS} ?sup }}"):
        below[row["sup"]].add(row["sub"])
    closures = {}
    for c in classes:
        start = rdflib.URIRef(c[1:-1])
        seen, pending = {start}, [start]
        while pending:
            for sub in below.get(pending.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    pending.append(sub)
        closures[c] = sorted({c} | {term(n) for n in seen if isinstance(n, rdflib.URIRef)})
    return closures


def _true(value: Node | None) -> bool:
    return isinstance(value, rdflib.Literal) and str(value) in ("true", "1")


class Decoder:
    """Turns query solutions into results, with pySHACL's messages."""

    def __init__(self, describe: Callable[[Node], rdflib.Graph] | None = None) -> None:
        self.describe = describe

    def messages(self, shape, component: Node, focus: Node, value: Node | None) -> tuple:  # type: ignore[no-untyped-def]
        if shape.messages:
            return tuple(str(m) for m in shape.messages)
        return tuple(generic(shape, component, focus, value, self.describe))  # type: ignore[arg-type]

    def decode(self, query: CompiledQuery, rows: list[Row]) -> list[tuple[Node | None, Result]]:
        """(detail root or None, result) for every result the solutions stand for."""
        if query.kind == "sparql":
            return self._sparql(query, rows)
        found = []
        for row in rows:
            focus = row.get("this")
            if focus is None:
                continue
            for column, check in query.checks:
                if column is not None and not _true(row.get(column[1:])):
                    continue
                shape = check.shape
                if check.value == "focus":
                    value = focus
                elif check.value == "none":
                    value = None
                else:
                    value = row.get(check.value[1:])
                path = row.get(check.path[1:]) if check.path else shape.path
                result = Result(
                    focus,
                    path,
                    value,
                    shape.node,
                    check.component,
                    shape.severity,
                    self.messages(shape, check.component, focus, value),
                )
                found.append((check.detail, result))
        return found

    def _sparql(self, query: CompiledQuery, rows: list[Row]) -> list[tuple[Node | None, Result]]:
        select, shape = query.sparql, query.shape
        assert select is not None and shape is not None
        names = None if select.star else set(select.projected)
        seen: set = set()
        found = []
        for row in rows:
            focus = row.get("this")
            if focus is None:
                continue
            bound = {k: v for k, v in row.items() if names is None or k in names}
            default_value = None if shape.is_property else focus
            if "failure" in bound:
                key = (focus, "failure")
                if key in seen:
                    continue
                seen.add(key)
                others = {k: v for k, v in bound.items() if k != "failure"}
                result_value, result_path, variables = default_value, shape.path, others
            else:
                t = bound.pop("this", None)
                p = bound.pop("path", None)
                v = bound.pop("value", None)
                if t is None and p is None and v is None:
                    continue
                key = (focus, t, p, v, tuple(sorted(bound.items())))
                if key in seen:
                    continue
                seen.add(key)
                v = default_value if v is None else v
                variables = dict(bound)
                if t is not None:
                    variables["this"] = t
                if p is not None:
                    variables["path"] = p
                if v is not None:
                    variables["value"] = v
                result_value, result_path = v, (p if p is not None else shape.path)
            templates = [m for m in select.messages if m not in shape.messages]
            texts = [_fill(str(m), variables) for m in [*templates, *shape.messages]]
            result = Result(
                focus,
                result_path,
                result_value,
                shape.node,
                SH.SPARQLConstraintComponent,
                shape.severity,
                tuple(texts),
            )
            found.append((query.detail, result))
        return found


def _fill(message: str, variables: dict[str, Node]) -> str:
    """pySHACL's substitution of ``{?var}`` / ``{$var}`` placeholders."""
    for name, value in variables.items():
        message = re.sub(f"{{[?$]{name}}}", str(value), message)
    return message


_COST = {"sparql": 0, "flags": 1, "rows": 2, "values": 3}


def run_plan(
    executor: Executor,
    plan: Plan,
    workers: int = 2,
    describe: Callable[[Node], rdflib.Graph] | None = None,
) -> tuple[list[Result], dict[tuple[Node, Node], list[Result]]]:
    """Run every query; returns the report's results and the sh:node details by (shape, focus)."""
    decoder = Decoder(describe)
    # The likely slowest first (SHACL-SPARQL, then the per-focus queries), so that the two
    # threads end together.
    order = sorted(range(len(plan.queries)), key=lambda i: _COST.get(plan.queries[i].kind, 9))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        done = list(pool.map(lambda i: executor.select_raw(plan.queries[i].text), order))
    raw: list[list[dict]] = [[] for _ in plan.queries]
    for i, rows in zip(order, done, strict=True):
        raw[i] = rows
    answers = executor.convert(raw)
    results: list[Result] = []
    details: dict[tuple[Node, Node], list[Result]] = defaultdict(list)
    for query, rows in zip(plan.queries, answers, strict=True):
        for detail, result in decoder.decode(query, rows):
            if detail is None:
                results.append(result)
            else:
                details[(detail, result.focus)].append(result)
    return results, details


def attach_details(
    results: list[Result],
    details: dict[tuple[Node, Node], list[Result]],
    shapes: ShapesGraph,
    depth: int = 0,
) -> list[Result]:
    """Nest the results of sh:node shapes under the sh:node results, as pySHACL's sh:detail."""
    if not details or depth > 8:
        return results
    attached = []
    for result in results:
        if result.component == SH.NodeConstraintComponent and result.value is not None:
            shape = shapes.shapes.get(result.shape)
            nested = []
            for node in shape.objects(SH.node) if shape else []:
                nested.extend(details.get((node, result.value), []))
            if nested:
                children = attach_details(nested, details, shapes, depth + 1)
                result = Result(*result.key(), result.messages, tuple(children))  # type: ignore[misc]
        attached.append(result)
    return attached


def reduced_shapes(graph: rdflib.Graph, keep: set[Node]) -> rdflib.Graph:
    """The shapes graph with the targets of every top-level shape not in ``keep`` removed."""
    reduced = rdflib.Graph()
    for prefix, namespace in graph.namespaces():
        reduced.bind(prefix, namespace, override=True, replace=True)
    targets = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
    class_types = {RDFS.Class, *graph.subjects(RDFS.subClassOf, RDFS.Class)}
    for s, p, o in graph:
        if s not in keep and (p in targets or (p == RDF.type and o in class_types)):
            continue
        reduced.add((s, p, o))
    return reduced


def run_engine(
    executor: Executor,
    shapes_graph: rdflib.Graph,
    focus_nodes: list[str] | None = None,
    workers: int = 2,
    pyshacl_fallback: Callable[[rdflib.Graph, rdflib.Graph], list[Result]] | None = None,
    describe: Callable[[Node], rdflib.Graph] | None = None,
    namespaces: dict[str, str] | None = None,
) -> EngineReport:
    """Validate the executor's data against ``shapes_graph``; compile, run, fall back."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    try:
        shapes: ShapesGraph | None = ShapesGraph(shapes_graph)
    except CannotCompile as exc:
        shapes, whole_reason = None, str(exc)
    if shapes is None:
        if pyshacl_fallback is None:
            raise CannotCompile(whole_reason)
        results = pyshacl_fallback(executor.data_graph(), shapes_graph)
        return EngineReport(results, {rdflib.URIRef("urn:spacecoop:all-shapes"): whole_reason})
    facts = gather_facts(executor, shapes)
    facts.selected = selected_targets(executor, shapes, namespaces or {})
    timings["facts"] = time.perf_counter() - start
    mark = time.perf_counter()
    nodes = [term(rdflib.URIRef(n)) for n in focus_nodes] if focus_nodes is not None else None
    plan = Planner(shapes, facts, nodes, namespaces).plan()
    timings["compile"] = time.perf_counter() - mark
    mark = time.perf_counter()
    results, details = run_plan(executor, plan, workers, describe)
    results = attach_details(results, details, shapes)
    timings["queries"] = time.perf_counter() - mark
    if plan.fallback:
        if pyshacl_fallback is None:
            raise CannotCompile("; ".join(f"{s}: {r}" for s, r in plan.fallback.items()))
        mark = time.perf_counter()
        extra = pyshacl_fallback(
            executor.data_graph(), reduced_shapes(shapes_graph, set(plan.fallback))
        )
        if focus_nodes is not None:
            wanted = {rdflib.URIRef(n) for n in focus_nodes}
            extra = [r for r in extra if r.focus in wanted]
        results.extend(extra)
        timings["pyshacl"] = time.perf_counter() - mark
    return EngineReport(results, dict(plan.fallback), len(plan.queries), timings)
