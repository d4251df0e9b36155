"""Other constraint components (SHACL §4.8): sh:closed, sh:hasValue, sh:in."""

from __future__ import annotations

import rdflib
from rdflib.namespace import RDF, RDFS, SH

from spacecoop.engine.core import Component, RowSpec
from spacecoop.engine.shapes import CannotCompile
from spacecoop.engine.terms import same_term_in, term


class In(Component):
    iri = SH.InConstraintComponent
    parameters = (SH["in"],)

    def value_checks(self, v: str) -> list[str]:
        head = self.one(SH["in"])
        members = [term(m) for m in dict.fromkeys(self.shape.graph.items(head))]
        return [f"!{same_term_in(v, members)}"]


class HasValue(Component):
    iri = SH.HasValueConstraintComponent
    parameters = (SH.hasValue,)
    kind = "focus"

    def focus_checks(self, focus: str) -> list:
        checks = []
        for wanted in dict.fromkeys(self.param(SH.hasValue)):
            constant = term(wanted)
            if self.shape.is_property:
                path = self.compiler.path(self.shape)
                checks.append((self.iri, f"NOT EXISTS {{ {focus} {path} {constant} }}"))
            else:
                checks.append((self.iri, f"!sameTerm({focus}, {constant})"))
        return checks


class Closed(Component):
    iri = SH.ClosedConstraintComponent
    parameters = (SH.closed, SH.ignoredProperties)
    kind = "rows"

    def row_specs(self, focus: str) -> list[RowSpec]:
        closed = self.param(SH.closed)
        if len(closed) != 1 or not isinstance(closed[0], rdflib.Literal):
            raise CannotCompile("sh:closed needs one boolean")
        if not bool(closed[0].value):
            return []
        allowed: dict[str, None] = {}
        for head in self.param(SH.ignoredProperties):
            for item in self.shape.graph.items(head):
                if isinstance(item, rdflib.URIRef):
                    allowed[term(item)] = None
        for member in self.param(SH.property):
            shape = self.compiler.shapes.get(member)
            if not shape.is_property:
                raise CannotCompile("sh:property names a node shape")
            if isinstance(shape.path, rdflib.URIRef):
                allowed[term(shape.path)] = None
        if self.shape.is_property:
            values, v = self.compiler.values(self.shape, focus)
            binds = self.compiler.scannable(self.shape)
        else:
            values, v, binds = "", focus, True
        p, o = self.compiler.vars("p"), self.compiler.vars("o")
        ignore = f"!(sameTerm({p}, {term(RDF.type)}) && sameTerm({o}, {term(RDFS.Resource)}))"
        keep = f"!{same_term_in(p, list(allowed))} && {ignore}" if allowed else ignore
        pattern = f"{values} {v} {p} {o} FILTER({keep})"
        return [RowSpec(pattern, self.iri, value=o, path=p, binds_focus=binds, keys=(v,))]
