"""SHACL Core constraint components (SHACL §4), each compiled to SPARQL.

A component compiles to one of three forms, chosen by what its results are about:

* value checks (``value_checks``): a boolean expression per value node, true when the value
  node violates; one result per violating value node (sh:class, sh:datatype, sh:in, ...);
* focus checks (``focus_checks``): a boolean expression per focus node, true when there is a
  result without a value (sh:minCount, sh:hasValue, sh:qualifiedMinCount, ...);
* rows (``row_specs``): a graph pattern whose solutions are the results (sh:uniqueLang,
  sh:equals, sh:closed, SPARQL-based constraints).

Every form also yields ``fails(focus)``, an expression true when the component reports at
least one result for a bound focus node; nested shapes (sh:node, sh:or, sh:not, ...) are
built from those. Expressions never raise SPARQL errors: where a built-in can fail on an
unexpected term, the expression says what the reference engine decides in that case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import rdflib

from spacecoop.engine.shapes import CannotCompile, Shape

if TYPE_CHECKING:
    from spacecoop.engine.compile import Compiler


@dataclass
class RowSpec:
    """A graph pattern whose solutions are results at the bound focus variable.

    ``pattern`` is placed in the same group as the pattern that binds the focus, so its
    filters see the focus; ``binds_focus`` says the pattern itself binds it with a triple
    pattern (so a query may scan it first and test target membership afterwards).
    """

    pattern: str
    component: rdflib.URIRef
    value: str | None = None  # variable holding sh:value
    path: str | None = None  # variable holding sh:resultPath (default: the shape's path)
    binds_focus: bool = False
    keys: tuple[str, ...] = ()  # further variables that make a row distinct


class Component:
    """One constraint component of one shape."""

    iri: ClassVar[rdflib.URIRef]
    parameters: ClassVar[tuple[rdflib.URIRef, ...]]
    kind: ClassVar[str] = "value"  # "value" | "focus" | "rows" | "structure"

    def __init__(self, shape: Shape, compiler: Compiler) -> None:
        self.shape = shape
        self.compiler = compiler

    def param(self, predicate: rdflib.URIRef) -> list[rdflib.term.Node]:
        return self.shape.objects(predicate)

    def one(self, predicate: rdflib.URIRef) -> rdflib.term.Node:
        values = self.param(predicate)
        if len(values) != 1:
            raise CannotCompile(f"{self.shape.node} needs exactly one {predicate}")
        return values[0]

    def require_property_shape(self) -> None:
        if not self.shape.is_property:
            raise CannotCompile(f"{type(self).__name__} on a node shape")

    # --- the three forms ------------------------------------------------------------------

    def value_checks(self, v: str) -> list[str]:
        raise NotImplementedError

    def focus_checks(self, focus: str) -> list[tuple[rdflib.URIRef, str]]:
        raise NotImplementedError

    def row_specs(self, focus: str) -> list[RowSpec]:
        raise NotImplementedError

    def fails(self, focus: str) -> str:
        """True when this component reports at least one result at the bound ``focus``."""
        if self.kind == "value":
            if not self.shape.is_property:
                return any_of(self.value_checks(focus))
            pattern, v = self.compiler.values(self.shape, focus)
            return f"EXISTS {{ {pattern} FILTER({any_of(self.value_checks(v))}) }}"
        if self.kind == "focus":
            return any_of([check for _, check in self.focus_checks(focus)])
        if self.kind == "rows":
            return any_of([f"EXISTS {{ {spec.pattern} }}" for spec in self.row_specs(focus)])
        return "false"


def any_of(expressions: list[str]) -> str:
    if not expressions:
        return "false"
    return expressions[0] if len(expressions) == 1 else "(" + " || ".join(expressions) + ")"


def all_of(expressions: list[str]) -> str:
    if not expressions:
        return "true"
    return expressions[0] if len(expressions) == 1 else "(" + " && ".join(expressions) + ")"


def integer(node: rdflib.term.Node, what: str, whole: bool = False) -> int:
    """A non-negative integer parameter, as pySHACL accepts it."""
    from rdflib.namespace import XSD

    if (
        not isinstance(node, rdflib.Literal)
        or not isinstance(node.value, int)
        or isinstance(node.value, bool)
    ):
        raise CannotCompile(f"{what} is not an integer literal")
    if not whole and node.datatype != XSD.integer:
        raise CannotCompile(f"{what} is not an xsd:integer")
    if node.value < 0:
        raise CannotCompile(f"{what} is negative")
    return int(node.value)
