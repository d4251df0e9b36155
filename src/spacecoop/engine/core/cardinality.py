"""Cardinality constraint components (SHACL §4.2): sh:minCount, sh:maxCount."""

from __future__ import annotations

from rdflib.namespace import SH

from spacecoop.engine.core import Component, integer


class MinCount(Component):
    iri = SH.MinCountConstraintComponent
    parameters = (SH.minCount,)
    kind = "focus"

    def focus_checks(self, focus: str) -> list:
        self.require_property_shape()
        count = integer(self.one(SH.minCount), "sh:minCount")
        if count == 0:
            return []
        return [(self.iri, f"!({self.compiler.at_least(self.shape, focus, count)})")]


class MaxCount(Component):
    iri = SH.MaxCountConstraintComponent
    parameters = (SH.maxCount,)
    kind = "focus"

    def focus_checks(self, focus: str) -> list:
        self.require_property_shape()
        count = integer(self.one(SH.maxCount), "sh:maxCount")
        return [(self.iri, self.compiler.at_least(self.shape, focus, count + 1))]
