"""Focus nodes (SHACL §2.1.3 targets, and the value nodes that nested shapes are applied to).

A :class:`FocusSource` says where the focus nodes of a group of compiled checks come from, in
two forms: ``pattern(var)`` enumerates them (a sub-select, so its inner variables never leak
into the query around it), and ``members(var)`` tests a bound node, which lets a query scan the
few violating triples first and check target membership only for those. Checks that share a
focus source run in the same queries: that is how focus-node sets are shared.

Class targets use the rdfs:subClassOf closure of the data graph, as pySHACL does even without
inference; the closure is looked up once per run and written into the queries as a VALUES
list, which the query planner handles far better than ``rdf:type/rdfs:subClassOf*``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spacecoop.engine.shapes import Targets
from spacecoop.engine.terms import RDF_TYPE, same_term_in, term

Closure = Callable[[tuple[str, ...]], list[str]]


def class_members(var: str, classes: list[str], inner: str) -> str:
    """A pattern: ``var`` has an rdf:type among ``classes`` (already closed under subclasses)."""
    return f"{var} {RDF_TYPE} {inner} . VALUES {inner} {{ {' '.join(classes)} }}"


class FocusSource:
    """Where focus nodes come from; subclasses render SPARQL for a given variable."""

    key: str

    def pattern(self, var: str) -> str:
        """A group pattern binding ``var`` to each focus node exactly once."""
        raise NotImplementedError

    def members(self, var: str) -> str:
        """A boolean expression: the bound ``var`` is a focus node."""
        raise NotImplementedError

    @property
    def scannable(self) -> bool:
        """Whether a query may start from data triples and test membership afterwards."""
        return True


@dataclass(eq=False)
class TargetSource(FocusSource):
    """The focus nodes a shape's target declarations select."""

    targets: Targets
    closure: Closure
    selects: list[str] = field(default_factory=list)  # SPARQL targets: SELECT ?this ... texts
    # SPARQL targets already run once (select text -> its IRIs): listed, not run per query
    selected: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.nodes = [term(n) for n in self.targets.nodes]
        self.classes = (
            self.closure(tuple(term(c) for c in self.targets.classes))
            if self.targets.classes
            else []
        )
        self.subjects_of = [term(p) for p in self.targets.subjects_of]
        self.objects_of = [term(p) for p in self.targets.objects_of]
        self.key = "targets:" + "|".join(
            [
                ",".join(self.nodes),
                ",".join(self.classes),
                ",".join(self.subjects_of),
                ",".join(self.objects_of),
                *self.selects,
            ]
        )

    def _branches(self, var: str) -> list[str]:
        branches = []
        if self.nodes:
            branches.append(f"VALUES {var} {{ {' '.join(self.nodes)} }}")
        if self.classes:
            branches.append(class_members(var, self.classes, "?_tc"))
        branches.extend(f"{var} {p} ?_ts" for p in self.subjects_of)
        branches.extend(f"?_to {p} {var}" for p in self.objects_of)
        for select in self.selects:
            if select in self.selected:
                branches.append(f"VALUES {var} {{ {' '.join(self.selected[select])} }}")
                continue
            projection = "?this" if var == "?this" else f"(?this AS {var})"
            branches.append(f"{{ SELECT {projection} WHERE {{ {{ {select} }} }} }}")
        return branches

    def pattern(self, var: str) -> str:
        branches = self._branches(var)
        body = " UNION ".join(f"{{ {b} }}" for b in branches) if len(branches) > 1 else branches[0]
        return f"{{ SELECT DISTINCT {var} WHERE {{ {body} }} }}"

    def members(self, var: str) -> str:
        tests = []
        if self.nodes:
            tests.append(same_term_in(var, self.nodes))
        if self.classes:
            tests.append(f"EXISTS {{ {class_members(var, self.classes, '?_mc')} }}")
        tests.extend(f"EXISTS {{ {var} {p} ?_ms }}" for p in self.subjects_of)
        tests.extend(f"EXISTS {{ ?_mo {p} {var} }}" for p in self.objects_of)
        for select in self.selects:
            if select in self.selected:
                listed = self.selected[select]
                tests.append(f"{var} IN ({', '.join(listed)})" if listed else "false")
                continue
            tests.append(
                f"EXISTS {{ {{ SELECT (?this AS ?_mt) WHERE {{ {{ {select} }} }} }} "
                f"FILTER(sameTerm(?_mt, {var})) }}"
            )
        return "(" + " || ".join(tests) + ")" if tests else "false"

    @property
    def opaque(self) -> bool:
        """Whether a SPARQL target of this source is run inside each query."""
        return any(select not in self.selected for select in self.selects)

    @property
    def scannable(self) -> bool:
        # Listed nodes only (sh:targetNode, SPARQL targets run once): start from the list.
        listed = not (self.classes or self.subjects_of or self.objects_of)
        return not self.opaque and not listed


@dataclass(eq=False)
class ValueSource(FocusSource):
    """The value nodes of a path at the focus nodes of another source (sh:node, sh:property)."""

    parent: FocusSource
    path: str  # SPARQL path text
    depth: int = 1

    def __post_init__(self) -> None:
        self.key = f"values({self.parent.key}, {self.path})"

    def pattern(self, var: str) -> str:
        outer = f"?_p{self.depth}"
        return (
            f"{{ SELECT DISTINCT {var} WHERE {{ {self.parent.pattern(outer)} "
            f"{outer} {self.path} {var} }} }}"
        )

    def members(self, var: str) -> str:
        outer = f"?_p{self.depth}"
        return f"EXISTS {{ {outer} {self.path} {var} . FILTER({self.parent.members(outer)}) }}"

    @property
    def scannable(self) -> bool:
        return False


@dataclass(eq=False)
class RestrictedSource(FocusSource):
    """Only the listed nodes of another source (incremental validation)."""

    inner: FocusSource
    nodes: list[str]

    def __post_init__(self) -> None:
        self.key = f"only({self.inner.key}, {len(self.nodes)})"

    def pattern(self, var: str) -> str:
        if not self.nodes:
            return "FILTER(false)"
        values = f"VALUES {var} {{ {' '.join(self.nodes)} }}"
        if isinstance(self.inner, TargetSource) and self.inner.opaque:
            # A SPARQL target is a subquery: tested per node, it would run once per node;
            # joined, it runs once.
            return f"{{ SELECT DISTINCT {var} WHERE {{ {values} {self.inner.pattern(var)} }} }}"
        return f"{{ SELECT DISTINCT {var} WHERE {{ {values} FILTER({self.inner.members(var)}) }} }}"

    def members(self, var: str) -> str:
        return f"({same_term_in(var, self.nodes)} && {self.inner.members(var)})"

    @property
    def scannable(self) -> bool:
        return False
