"""Value range constraint components (SHACL §4.3): sh:minExclusive ... sh:maxInclusive.

The comparison is SPARQL's, as the specification defines it; a value that cannot be compared
(an IRI, a blank node, a literal of another type) violates. As in pySHACL, a string never
compares with a non-string.
"""

from __future__ import annotations

import rdflib
from rdflib.namespace import SH, XSD

from spacecoop.engine.core import Component
from spacecoop.engine.shapes import CannotCompile
from spacecoop.engine.terms import term

_STRING_TYPES = (XSD.string, XSD.normalizedString, XSD.token, XSD.language, XSD.anyURI)


def is_string(v: str) -> str:
    """SPARQL: ``v`` is a literal whose rdflib value is a Python string."""
    types = ", ".join(term(t) for t in _STRING_TYPES)
    return f'(isLiteral({v}) && (lang({v}) != "" || datatype({v}) IN ({types})))'


class _Range(Component):
    operator = "<"
    parameter: rdflib.URIRef

    def value_checks(self, v: str) -> list[str]:
        checks = []
        for bound in self.param(self.parameter):
            if not isinstance(bound, rdflib.Literal):
                raise CannotCompile(f"{self.parameter} is not a literal")
            bound_is_string = isinstance(bound.value, str)
            same_kind = is_string(v) if bound_is_string else f"!{is_string(v)}"
            compare = f"COALESCE({term(bound)} {self.operator} {v}, false)"
            checks.append(f"!(isLiteral({v}) && {same_kind} && {compare})")
        return checks


class MinExclusive(_Range):
    iri = SH.MinExclusiveConstraintComponent
    parameters = (SH.minExclusive,)
    parameter = SH.minExclusive
    operator = "<"


class MinInclusive(_Range):
    iri = SH.MinInclusiveConstraintComponent
    parameters = (SH.minInclusive,)
    parameter = SH.minInclusive
    operator = "<="


class MaxExclusive(_Range):
    iri = SH.MaxExclusiveConstraintComponent
    parameters = (SH.maxExclusive,)
    parameter = SH.maxExclusive
    operator = ">"


class MaxInclusive(_Range):
    iri = SH.MaxInclusiveConstraintComponent
    parameters = (SH.maxInclusive,)
    parameter = SH.maxInclusive
    operator = ">="
