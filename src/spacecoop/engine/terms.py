"""RDF terms written as SPARQL, and fresh variable names for compiled queries.

Compiled queries spell every constant out as a full IRI or a typed literal, so they need no
prefixes and mean the same on the embedded store and on any remote endpoint. Blank nodes
cannot be written as constants in SPARQL (a blank node in a query is a variable), so a shape
that names one as a parameter falls back to pySHACL.
"""

from __future__ import annotations

import itertools

import pyoxigraph as ox
import rdflib

from spacecoop.engine.shapes import CannotCompile

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = f"<{RDF}type>"
SUBCLASS = f"<{RDFS}subClassOf>"

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ \t\n'):
        raise CannotCompile(f"IRI {value!r} cannot be written in a query")
    return f"<{value}>"


def literal(lexical: str, datatype: str | None = None, language: str | None = None) -> str:
    text = f'"{lexical.translate(_ESCAPES)}"'
    if language:
        return f"{text}@{language}"
    if datatype and datatype != XSD + "string":
        return f"{text}^^{iri(datatype)}"
    return text


def term(node: object) -> str:
    """An rdflib or pyoxigraph term as SPARQL text; blank nodes cannot be constants."""
    if isinstance(node, rdflib.URIRef | ox.NamedNode):
        return iri(str(node) if isinstance(node, rdflib.URIRef) else node.value)
    if isinstance(node, rdflib.Literal):
        return literal(str(node), str(node.datatype) if node.datatype else None, node.language)
    if isinstance(node, ox.Literal):
        return literal(node.value, node.datatype.value, node.language)
    raise CannotCompile(f"a blank node ({node}) is used as a constant")


def same_term_in(var: str, nodes: list[str]) -> str:
    """``var`` is one of ``nodes`` by RDF term identity (``IN`` would compare values)."""
    if not nodes:
        return "false"
    return "(" + " || ".join(f"sameTerm({var}, {n})" for n in nodes) + ")"


class Variables:
    """Fresh variable names; the leading underscore keeps them apart from users' variables."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def __call__(self, hint: str = "v") -> str:
        return f"?_{hint}{next(self._counter)}"
