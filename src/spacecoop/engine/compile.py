"""Compilation of a shapes graph into SPARQL SELECT queries that return violations.

The compiler walks, for every shape with targets, the tree of checks whose results pySHACL
reports (the shape's own constraints, its sh:property shapes, and the node shapes behind
sh:node, whose results pySHACL adds as details), and files each check under the *focus
source* it applies to. Checks that share a focus source share queries:

* one "flags" query per source evaluates every per-focus check (sh:minCount, sh:maxCount,
  sh:hasValue, sh:qualified*Count, and the checks of node shapes) as one boolean column
  each, enumerating the focus nodes once;
* one "values" query per source and path evaluates every per-value check on that path
  (sh:class, sh:datatype, sh:nodeKind, sh:in, sh:or, sh:node, ...): it scans the path's
  triples first, keeps the violating ones, and tests target membership only for those;
* one "rows" query per remaining component (sh:uniqueLang, sh:equals, sh:closed, ...) and
  per SPARQL-based constraint.

A top-level shape whose tree contains something the compiler does not handle (recursive
shapes, SHACL-AF, blank nodes as constants, SPARQL-based constraint components) is left out
of the plan as a whole and validated by pySHACL instead; :class:`Plan` lists those shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import rdflib
from rdflib.namespace import SH

from spacecoop.engine.core import Component, RowSpec, any_of
from spacecoop.engine.core.cardinality import MaxCount, MinCount
from spacecoop.engine.core.logical import And, Not, Or, Xone
from spacecoop.engine.core.other import Closed, HasValue, In
from spacecoop.engine.core.property_pair import Disjoint, Equals, LessThan, LessThanOrEquals
from spacecoop.engine.core.shape_based import Node, Property, QualifiedValueShape
from spacecoop.engine.core.string_based import (
    LanguageIn,
    MaxLength,
    MinLength,
    Pattern,
    UniqueLang,
)
from spacecoop.engine.core.value_range import MaxExclusive, MaxInclusive, MinExclusive, MinInclusive
from spacecoop.engine.core.value_type import Class, Datatype, NodeKind
from spacecoop.engine.paths import has_zero_length, sparql_path
from spacecoop.engine.shapes import CannotCompile, Shape, ShapesGraph
from spacecoop.engine.sparql_constraints import (
    Select,
    SparqlConstraint,
    custom_components,
    target_select,
)
from spacecoop.engine.targets import FocusSource, RestrictedSource, TargetSource, ValueSource
from spacecoop.engine.terms import Variables, term

COMPONENTS: tuple[type[Component], ...] = (
    Class,
    Datatype,
    NodeKind,
    MinCount,
    MaxCount,
    MinExclusive,
    MinInclusive,
    MaxExclusive,
    MaxInclusive,
    Not,
    And,
    Or,
    Xone,
    MinLength,
    MaxLength,
    Pattern,
    LanguageIn,
    UniqueLang,
    Equals,
    Disjoint,
    LessThan,
    LessThanOrEquals,
    Node,
    Property,
    QualifiedValueShape,
    Closed,
    HasValue,
    In,
    SparqlConstraint,
)
PARAMETERS: dict[rdflib.URIRef, type[Component]] = {p: c for c in COMPONENTS for p in c.parameters}
_UNSUPPORTED = {
    SH.target: "SHACL-AF custom targets (sh:target)",
    SH.expression: "SHACL-AF node expressions (sh:expression)",
    SH.rule: "SHACL-AF rules (sh:rule)",
}
_MAX_FLAGS = 24  # boolean columns per "flags" query
_MAX_DEPTH = 12  # nesting of sh:node / sh:property chains


@dataclass
class DataFacts:
    """What compilation needs to know about the data: class closures, ill-typed literals."""

    closures: dict[str, list[str]] = field(default_factory=dict)  # class -> subclasses
    bad: dict[str, list[str]] = field(default_factory=dict)  # datatype -> rejected literals
    # Datatypes the store does not keep -> the stored forms of the literals that have them.
    good: dict[str, list[str]] = field(default_factory=dict)
    # Datatypes the store does not keep and that cannot be listed (remote endpoints, or too
    # many values): an xsd:integer in the datatype's value range is taken to have it.
    approximate: set[str] = field(default_factory=set)
    # SPARQL targets run once (select text -> the IRIs it selects), when they are few
    selected: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Check:
    """One kind of result a query column or row stands for."""

    shape: Shape
    component: rdflib.URIRef
    value: str  # "focus": the focus node; "none": no value; else a variable name
    path: str | None = None  # a variable holding sh:resultPath, else the shape's path
    detail: rdflib.term.Node | None = None  # under sh:node: the node shape (a detail result)


@dataclass
class CompiledQuery:
    """A SELECT whose solutions are validation results."""

    text: str
    kind: str  # "flags" | "values" | "rows" | "sparql"
    checks: list[tuple[str | None, Check]]  # (boolean column or None for every row, check)
    sparql: Select | None = None
    shape: Shape | None = None
    detail: rdflib.term.Node | None = None


@dataclass
class Plan:
    """The compiled queries of a shapes graph, and the shapes left to pySHACL."""

    queries: list[CompiledQuery]
    fallback: dict[rdflib.term.Node, str]  # top-level shape -> why it was not compiled
    compiled: list[rdflib.term.Node]


@dataclass
class _Group:
    source: FocusSource
    flags: list[tuple[Check, str]] = field(default_factory=list)
    values: dict[str, list[tuple[Check, Callable[[str], list[str]], bool]]] = field(
        default_factory=dict
    )
    rows: list[tuple[Check, RowSpec]] = field(default_factory=list)
    sparql: list[tuple[Shape, Select, rdflib.term.Node | None]] = field(default_factory=list)


class Compiler:
    """Builds SPARQL for the shapes of one shapes graph, given facts about the data."""

    def __init__(
        self, shapes: ShapesGraph, facts: DataFacts, namespaces: dict[str, str] | None = None
    ) -> None:
        self.shapes = shapes
        self.facts = facts
        self.namespaces = (
            namespaces or {}
        )  # prefixes of the data graph (pySHACL's SPARQL sees them)
        self.vars = Variables()
        self._components: dict[rdflib.term.Node, list[Component]] = {}
        self._stack: list[tuple[rdflib.term.Node, str]] = []
        self._custom = custom_components(shapes.graph)

    # --- helpers used by components -------------------------------------------------------

    def components(self, shape: Shape) -> list[Component]:
        found = self._components.get(shape.node)
        if found is None:
            classes: dict[type[Component], None] = {}
            for predicate in set(shape.graph.predicates(shape.node)):
                if predicate in _UNSUPPORTED and predicate != SH.target:
                    raise CannotCompile(_UNSUPPORTED[predicate])
                if predicate == SH.js:
                    raise CannotCompile("SHACL-JS constraints")
                component = PARAMETERS.get(predicate)  # type: ignore[call-overload]
                if component is not None:
                    classes[component] = None
            for custom in self._custom:
                if custom.applies_to(shape):
                    raise CannotCompile("SPARQL-based constraint components")
            found = [c(shape, self) for c in classes]
            self._components[shape.node] = found
        return found

    def path(self, shape: Shape) -> str:
        if shape.path is None:
            raise CannotCompile("a path is needed on a node shape")
        return sparql_path(shape.graph, shape.path)

    def scannable(self, shape: Shape) -> bool:
        """Whether the shape's values can be found by scanning triples (no zero-length path)."""
        return shape.path is not None and not has_zero_length(shape.graph, shape.path)

    def values(self, shape: Shape, focus: str) -> tuple[str, str]:
        v = self.vars("v")
        return f"{focus} {self.path(shape)} {v} .", v

    def at_least(
        self,
        shape: Shape,
        focus: str,
        count: int,
        qualifies: Callable[[str], str] | None = None,
    ) -> str:
        """An expression: ``focus`` has at least ``count`` distinct (qualifying) values."""
        if count <= 0:
            return "true"
        path = self.path(shape)
        if count <= 3:
            names = [self.vars("c") for _ in range(count)]
            patterns = " ".join(f"{focus} {path} {n} ." for n in names)
            tests = [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1 :]]
            if qualifies is not None:
                tests.extend(qualifies(n) for n in names)
            where = f" FILTER({' && '.join(tests)})" if tests else ""
            return f"EXISTS {{ {patterns}{where} }}"
        v, n = self.vars("c"), self.vars("n")
        where = f" FILTER({qualifies(v)})" if qualifies is not None else ""
        return (
            f"EXISTS {{ {{ SELECT {focus} (COUNT(DISTINCT {v}) AS {n}) WHERE {{ "
            f"{focus} {path} {v} .{where} }} GROUP BY {focus} }} FILTER({n} >= {count}) }}"
        )

    def closure(self, classes: tuple[str, ...]) -> list[str]:
        found: set[str] = set()
        for c in classes:
            found.update(self.facts.closures.get(c, [c]))
        return sorted(found)

    def bad_literals(self, datatype: str) -> list[str]:
        return self.facts.bad.get(datatype, [])

    def approximate(self, datatype: str) -> bool:
        return datatype in self.facts.approximate

    def good_literals(self, datatype: str) -> list[str] | None:
        """For a datatype the store does not keep: the values that have it, else None."""
        return self.facts.good.get(datatype)

    # --- nested conformance -------------------------------------------------------------------

    def _guard(self, node: rdflib.term.Node, mode: str) -> None:
        if (node, mode) in self._stack or len(self._stack) > 40:
            raise CannotCompile("recursive shapes")

    def reports(self, node: rdflib.term.Node, x: str) -> str:
        """True when validating ``x`` against the shape yields at least one result."""
        shape = self.shapes.get(node)
        if shape.deactivated:
            return "false"
        self._guard(node, "r")
        self._stack.append((node, "r"))
        try:
            return any_of([c.fails(x) for c in self.components(shape)])
        finally:
            self._stack.pop()

    def nonconforms(self, node: rdflib.term.Node, x: str) -> str:
        """True when ``x`` does not conform to the shape, as pySHACL decides with warnings
        allowed: a shape of severity sh:Warning or sh:Info always conforms."""
        shape = self.shapes.get(node)
        if shape.deactivated or shape.severity in (SH.Warning, SH.Info):
            return "false"
        self._guard(node, "c")
        self._stack.append((node, "c"))
        try:
            parts = [
                c.nonconforms(x) if isinstance(c, Property) else c.fails(x)
                for c in self.components(shape)
            ]
            return any_of(parts)
        finally:
            self._stack.pop()


class Planner:
    """Files every reported check of every top-level shape under its focus source."""

    def __init__(
        self,
        shapes: ShapesGraph,
        facts: DataFacts,
        focus_nodes: list[str] | None = None,
        namespaces: dict[str, str] | None = None,
    ) -> None:
        self.shapes = shapes
        self.facts = facts
        self.focus_nodes = focus_nodes
        self.compiler = Compiler(shapes, facts, namespaces)

    def plan(self) -> Plan:
        queries: list[CompiledQuery] = []
        fallback: dict[rdflib.term.Node, str] = {}
        compiled: list[rdflib.term.Node] = []
        for shape in self.shapes.top_level():
            if shape.deactivated:
                continue
            groups: dict[str, _Group] = {}
            try:
                if shape.targets.advanced:
                    raise CannotCompile("SHACL-AF parameterised or JavaScript targets")
                selects = [
                    target_select(shape, node, self.compiler.namespaces)
                    for node in shape.targets.sparql
                ]
                source: FocusSource = TargetSource(
                    shape.targets, self.compiler.closure, selects, self.facts.selected
                )
                self._report(shape, self._restrict(source), groups, [])
                shape_queries = [q for g in groups.values() for q in self._queries(g)]
            except CannotCompile as exc:
                fallback[shape.node] = str(exc)
                continue
            queries.extend(shape_queries)
            compiled.append(shape.node)
        return Plan(queries, fallback, compiled)

    def _restrict(self, source: FocusSource) -> FocusSource:
        if self.focus_nodes is None:
            return source
        return RestrictedSource(source, self.focus_nodes)

    def _group(self, groups: dict[str, _Group], source: FocusSource) -> _Group:
        group = groups.get(source.key)
        if group is None:
            group = groups[source.key] = _Group(source)
        return group

    def _report(
        self,
        shape: Shape,
        source: FocusSource,
        groups: dict[str, _Group],
        chain: list,
        detail: rdflib.term.Node | None = None,
    ) -> None:
        """File the checks whose results pySHACL reports for ``shape`` at ``source``.

        Under sh:node (``detail`` set) the results are details of the sh:node result: they
        locate it, but are not results of the report themselves.
        """
        if shape.deactivated:
            return
        if shape.node in chain or len(chain) > _MAX_DEPTH:
            raise CannotCompile("recursive shapes")
        chain = [*chain, shape.node]
        group = self._group(groups, source)
        compiler = self.compiler
        value_source: FocusSource | None = None
        if shape.is_property:
            value_source = ValueSource(source, compiler.path(shape), len(chain))
            if self.focus_nodes is not None:
                value_source = RestrictedSource(value_source, self.focus_nodes)
        for component in compiler.components(shape):
            if isinstance(component, Property):
                for member in component.param(SH.property):
                    child = self.shapes.get(member)
                    if not child.is_property:
                        raise CannotCompile(f"{member} under sh:property is not a property shape")
                    self._report(child, value_source or source, groups, chain, detail)
                continue
            if isinstance(component, SparqlConstraint):
                group.sparql.extend((shape, select, detail) for select in component.selects)
                continue
            if component.kind == "value":
                if shape.is_property:
                    path = compiler.path(shape)
                    check = Check(shape, component.iri, "?v", detail=detail)
                    group.values.setdefault(path, []).append(
                        (check, component.value_checks, compiler.scannable(shape))
                    )
                else:
                    for expression in component.value_checks("?this"):
                        check = Check(shape, component.iri, "focus", detail=detail)
                        group.flags.append((check, expression))
                if isinstance(component, Node):
                    for node in component.param(SH.node):
                        target = self.shapes.get(node)
                        if target.is_property:
                            raise CannotCompile("sh:node names a property shape")
                        self._report(target, value_source or source, groups, chain, target.node)
            elif component.kind == "focus":
                for iri, expression in component.focus_checks("?this"):
                    group.flags.append((Check(shape, iri, "none", detail=detail), expression))
            elif component.kind == "rows":
                for spec in component.row_specs("?this"):
                    check = Check(shape, spec.component, spec.value or "none", spec.path, detail)
                    group.rows.append((check, spec))

    # --- query text ------------------------------------------------------------------------

    def _queries(self, group: _Group) -> Iterator[CompiledQuery]:
        source = group.source
        for start in range(0, len(group.flags), _MAX_FLAGS):
            chunk = group.flags[start : start + _MAX_FLAGS]
            columns = [f"?_f{i}" for i in range(len(chunk))]
            projection = " ".join(f"({e} AS {c})" for (_, e), c in zip(chunk, columns, strict=True))
            text = (
                f"SELECT ?this {projection} WHERE {{ {source.pattern('?this')} "
                f"FILTER({any_of([e for _, e in chunk])}) }}"
            )
            yield CompiledQuery(
                text, "flags", [(c, check) for (check, _), c in zip(chunk, columns, strict=True)]
            )
        for path, entries in sorted(group.values.items()):
            columns, expressions, checks = [], [], []
            scannable = source.scannable
            for check, value_checks, path_scannable in entries:
                scannable = scannable and path_scannable
                for expression in value_checks("?v"):
                    columns.append(f"?_f{len(columns)}")
                    expressions.append(expression)
                    checks.append(check)
            if not expressions:
                continue
            pairs = zip(expressions, columns, strict=True)
            projection = " ".join(f"({e} AS {c})" for e, c in pairs)
            if scannable:
                text = (
                    f"SELECT ?this ?v {projection} WHERE {{ {{ SELECT DISTINCT ?this ?v WHERE {{ "
                    f"?this {path} ?v . FILTER({any_of(expressions)}) }} }} "
                    f"FILTER({source.members('?this')}) }}"
                )
            else:
                text = (
                    f"SELECT DISTINCT ?this ?v {projection} WHERE {{ {source.pattern('?this')} "
                    f"?this {path} ?v . FILTER({any_of(expressions)}) }}"
                )
            yield CompiledQuery(text, "values", list(zip(columns, checks, strict=True)))
        for check, spec in group.rows:
            variables = ["?this"] + [
                v for v in (spec.value, spec.path, *spec.keys) if v and v != "?this"
            ]
            selected = " ".join(dict.fromkeys(variables))
            if spec.binds_focus and source.scannable:
                text = (
                    f"SELECT {selected} WHERE {{ {{ SELECT DISTINCT {selected} WHERE {{ "
                    f"{spec.pattern} }} }} FILTER({source.members('?this')}) }}"
                )
            else:
                text = (
                    f"SELECT DISTINCT {selected} WHERE {{ {source.pattern('?this')} "
                    f"{spec.pattern} }}"
                )
            yield CompiledQuery(text, "rows", [(None, check)])
        for shape, select, detail in group.sparql:
            yield CompiledQuery(
                select.query(source), "sparql", [], sparql=select, shape=shape, detail=detail
            )


def class_references(shapes: ShapesGraph) -> list[str]:
    """Every class a compiled query may need the subclass closure of (targets, sh:class)."""
    found: set[str] = set()
    for shape in shapes.shapes.values():
        for c in (*shape.targets.classes, *shape.objects(SH["class"])):
            if isinstance(c, rdflib.URIRef):
                found.add(term(c))
    return sorted(found)


def datatype_predicates(shapes: ShapesGraph, datatypes: set[str]) -> list[str] | None:
    """The predicates whose objects may meet a sh:datatype check of ``datatypes``; None when
    a check may meet other nodes too (complex paths, focus nodes checked directly)."""
    graph = shapes.graph
    members = (SH["or"], SH["and"], SH.xone)
    single = (SH["not"], SH.node, SH.qualifiedValueShape)

    def checks(node: rdflib.term.Node, seen: set) -> bool:
        """Whether values checked against this shape may meet a datatype check themselves."""
        if node in seen:
            return False
        seen.add(node)
        if any(str(d) in datatypes for d in graph.objects(node, SH.datatype)):
            return True
        nested = [m for p in single for m in graph.objects(node, p)]
        nested += [m for p in members for head in graph.objects(node, p) for m in graph.items(head)]
        return any(checks(m, seen) for m in nested if next(graph.objects(m, SH.path), None) is None)

    found: set[str] = set()
    for shape in shapes.shapes.values():
        if not checks(shape.node, set()):
            continue
        if not shape.is_property:
            if shape.targets:
                return None  # a focus node itself is checked
            continue  # reached through a property shape, whose path is listed below
        if not isinstance(shape.path, rdflib.URIRef):
            return None
        found.add(term(shape.path))
    # node shapes used as values (sh:or members...) are checked at the paths that use them
    return sorted(found)


def datatype_references(shapes: ShapesGraph) -> list[str]:
    """Every sh:datatype whose lexical forms rdflib checks."""
    from spacecoop.engine.core.value_type import CHECKED

    found = {
        str(d)
        for s in shapes.shapes.values()
        for d in s.objects(SH.datatype)
        if isinstance(d, rdflib.URIRef)
    }
    return sorted(found & CHECKED)
