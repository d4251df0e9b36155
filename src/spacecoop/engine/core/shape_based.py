"""Shape-based constraint components (SHACL §4.7): sh:node, sh:property,
sh:qualifiedValueShape with sh:qualifiedMinCount / sh:qualifiedMaxCount.

sh:node fails for a value node when the node shape reports anything for it (of any severity,
as pySHACL decides), and pySHACL then also reports the node shape's own results as details of
that result; the compiler validates the node shape against those value nodes to produce them.
sh:property is structure: the compiler validates the property shape against the same focus
nodes (or, under a property shape, against its value nodes).
"""

from __future__ import annotations

import rdflib
from rdflib.namespace import SH

from spacecoop.engine.core import Component, all_of, any_of, integer


class Node(Component):
    iri = SH.NodeConstraintComponent
    parameters = (SH.node,)

    def value_checks(self, v: str) -> list[str]:
        return [self.compiler.reports(node, v) for node in self.param(SH.node)]


class Property(Component):
    iri = SH.PropertyConstraintComponent
    parameters = (SH.property,)
    kind = "structure"

    def fails(self, focus: str) -> str:
        return self._nested(focus, self.compiler.reports)

    def nonconforms(self, focus: str) -> str:
        return self._nested(focus, self.compiler.nonconforms)

    def _nested(self, focus: str, check) -> str:  # type: ignore[no-untyped-def]
        members = [self.compiler.shapes.get(p) for p in self.param(SH.property)]
        for member in members:
            if not member.is_property:
                from spacecoop.engine.shapes import CannotCompile

                raise CannotCompile(f"{member.node} under sh:property is not a property shape")
        if not self.shape.is_property:
            return any_of([check(m.node, focus) for m in members])
        pattern, v = self.compiler.values(self.shape, focus)
        return f"EXISTS {{ {pattern} FILTER({any_of([check(m.node, v) for m in members])}) }}"


class QualifiedValueShape(Component):
    iri = SH.QualifiedMinCountConstraintComponent  # (results name min or max)
    parameters = (
        SH.qualifiedValueShape,
        SH.qualifiedMinCount,
        SH.qualifiedValueShapesDisjoint,
        SH.qualifiedMaxCount,
    )
    kind = "focus"

    def focus_checks(self, focus: str) -> list:
        if not self.shape.is_property:
            return []  # pySHACL ignores it on a node shape (with a warning)
        minimum = self._count(SH.qualifiedMinCount)
        maximum = self._count(SH.qualifiedMaxCount)
        if minimum is None and maximum is None:
            from spacecoop.engine.shapes import CannotCompile

            raise CannotCompile("sh:qualifiedValueShape without a count")
        disjoint = any(
            isinstance(d, rdflib.Literal) and isinstance(d.value, bool) and d.value
            for d in self.param(SH.qualifiedValueShapesDisjoint)
        )
        checks = []
        for value_shape in dict.fromkeys(self.param(SH.qualifiedValueShape)):
            siblings = self._siblings(value_shape) if disjoint else []

            def qualifies(v: str, value_shape=value_shape, siblings=siblings) -> str:
                tests = [f"!({self.compiler.nonconforms(value_shape, v)})"]
                tests.extend(self.compiler.nonconforms(s, v) for s in siblings)
                return all_of(tests)

            if maximum is not None:
                checks.append(
                    (
                        SH.QualifiedMaxCountConstraintComponent,
                        self.compiler.at_least(self.shape, focus, maximum + 1, qualifies),
                    )
                )
            if minimum is not None and minimum > 0:
                checks.append(
                    (
                        SH.QualifiedMinCountConstraintComponent,
                        f"!({self.compiler.at_least(self.shape, focus, minimum, qualifies)})",
                    )
                )
        return checks

    def _count(self, predicate: rdflib.URIRef) -> int | None:
        values = self.param(predicate)
        if not values:
            return None
        if len(values) > 1:
            from spacecoop.engine.shapes import CannotCompile

            raise CannotCompile(f"several {predicate}")
        return integer(values[0], str(predicate), whole=True)

    def _siblings(self, value_shape: rdflib.term.Node) -> list[rdflib.term.Node]:
        g = self.shape.graph
        found: dict[rdflib.term.Node, None] = {}
        for parent in g.subjects(SH.property, self.shape.node):
            for sibling in g.objects(parent, SH.property):
                for other in g.objects(sibling, SH.qualifiedValueShape):
                    if other != value_shape:
                        found[other] = None
        return list(found)
