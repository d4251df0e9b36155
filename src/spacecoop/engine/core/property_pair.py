"""Property pair constraint components (SHACL §4.5): sh:equals, sh:disjoint, sh:lessThan,
sh:lessThanOrEquals.

The comparison of sh:lessThan follows pySHACL: IRIs and string literals compare as strings,
a string never compares with a non-string, and other literals use SPARQL's ``<``.
"""

from __future__ import annotations

import rdflib
from rdflib.namespace import SH

from spacecoop.engine.core import Component, RowSpec
from spacecoop.engine.core.value_range import is_string
from spacecoop.engine.shapes import CannotCompile
from spacecoop.engine.terms import term


def _property(node: rdflib.term.Node) -> str:
    if not isinstance(node, rdflib.URIRef):
        raise CannotCompile("a property pair parameter is not an IRI")
    return term(node)


class _Pair(Component):
    kind = "rows"
    parameter: rdflib.URIRef

    def _values(self, focus: str) -> tuple[str, str]:
        if self.shape.is_property:
            return self.compiler.values(self.shape, focus)
        v = self.compiler.vars("v")
        return f"BIND({focus} AS {v})", v

    def _scannable(self) -> bool:
        return self.shape.is_property and self.compiler.scannable(self.shape)


class Equals(_Pair):
    iri = SH.EqualsConstraintComponent
    parameters = (SH.equals,)

    def row_specs(self, focus: str) -> list[RowSpec]:
        specs = []
        for other in self.param(SH.equals):
            prop = _property(other)
            values, v = self._values(focus)
            specs.append(
                RowSpec(
                    f"{values} FILTER NOT EXISTS {{ {focus} {prop} {v} }}",
                    self.iri,
                    value=v,
                    binds_focus=self._scannable(),
                )
            )
            o = self.compiler.vars("o")
            if self.shape.is_property:
                path = self.compiler.path(self.shape)
                missing = f"FILTER NOT EXISTS {{ {focus} {path} {o} }}"
            else:
                missing = f"FILTER(!sameTerm({o}, {focus}))"
            specs.append(
                RowSpec(f"{focus} {prop} {o} {missing}", self.iri, value=o, binds_focus=True)
            )
        return specs


class Disjoint(_Pair):
    iri = SH.DisjointConstraintComponent
    parameters = (SH.disjoint,)

    def row_specs(self, focus: str) -> list[RowSpec]:
        specs = []
        for other in self.param(SH.disjoint):
            prop = _property(other)
            values, v = self._values(focus)
            specs.append(
                RowSpec(
                    f"{values} FILTER EXISTS {{ {focus} {prop} {v} }}",
                    self.iri,
                    value=v,
                    binds_focus=self._scannable(),
                )
            )
        return specs


class _Order(_Pair):
    operator = "<"

    def row_specs(self, focus: str) -> list[RowSpec]:
        self.require_property_shape()
        specs = []
        for other in self.param(self.parameter):
            prop = _property(other)
            values, v = self._values(focus)
            o = self.compiler.vars("o")
            both = f"(isIRI({v}) || {is_string(v)}) && (isIRI({o}) || {is_string(o)})"
            either = f"(isIRI({v}) || {is_string(v)} || isIRI({o}) || {is_string(o)})"
            ordered = (
                f"IF({both}, STR({v}) {self.operator} STR({o}), "
                f"IF({either}, false, COALESCE({v} {self.operator} {o}, false)))"
            )
            specs.append(
                RowSpec(
                    f"{values} {focus} {prop} {o} FILTER(!COALESCE({ordered}, false))",
                    self.iri,
                    value=v,
                    binds_focus=self._scannable(),
                    keys=(o,),
                )
            )
        return specs


class LessThan(_Order):
    iri = SH.LessThanConstraintComponent
    parameters = (SH.lessThan,)
    parameter = SH.lessThan
    operator = "<"


class LessThanOrEquals(_Order):
    iri = SH.LessThanOrEqualsConstraintComponent
    parameters = (SH.lessThanOrEquals,)
    parameter = SH.lessThanOrEquals
    operator = "<="
