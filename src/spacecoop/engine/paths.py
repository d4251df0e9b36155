"""Property paths (SHACL §2.3.1) as SPARQL 1.1 property paths.

Each SHACL path form has a direct SPARQL counterpart: a list is a sequence ``a/b``,
sh:alternativePath ``a|b``, sh:inversePath ``^p``, and the three repetitions ``*``, ``+``
and ``?``. The inverse of a sequence is written ``^(a/b)``, which is what the specification
defines (``^b/^a``); pySHACL 0.40 evaluates it as ``^a/^b``, see the equivalence tests.
"""

from __future__ import annotations

import rdflib
from rdflib.namespace import RDF, SH

from spacecoop.engine.shapes import CannotCompile
from spacecoop.engine.terms import term

_UNARY = {
    SH.inversePath: ("^(", ")"),
    SH.zeroOrMorePath: ("(", ")*"),
    SH.oneOrMorePath: ("(", ")+"),
    SH.zeroOrOnePath: ("(", ")?"),
}


def simple_path(path: rdflib.term.Node | None) -> str | None:
    """The predicate IRI of a path that is a single IRI, else None."""
    return term(path) if isinstance(path, rdflib.URIRef) else None


def sparql_path(graph: rdflib.Graph, path: rdflib.term.Node, depth: int = 0) -> str:
    """SPARQL text for a SHACL path rooted at ``path`` in the shapes graph."""
    if depth > 20:
        raise CannotCompile("a property path nests too deeply")
    if isinstance(path, rdflib.URIRef):
        return term(path)
    if isinstance(path, rdflib.Literal):
        raise CannotCompile("a property path is a literal")
    if next(graph.objects(path, RDF.first), None) is not None:
        items = list(graph.items(path))
        if len(items) < 2 and depth == 0:
            raise CannotCompile("a sequence path needs at least two members")
        return "(" + " / ".join(sparql_path(graph, i, depth + 1) for i in items) + ")"
    alternatives = next(graph.objects(path, SH.alternativePath), None)
    if alternatives is not None:
        items = list(graph.items(alternatives))
        if len(items) < 2:
            raise CannotCompile("an alternative path needs at least two members")
        return "(" + " | ".join(sparql_path(graph, i, depth + 1) for i in items) + ")"
    for predicate, (before, after) in _UNARY.items():
        inner = next(graph.objects(path, predicate), None)
        if inner is not None:
            return before + sparql_path(graph, inner, depth + 1) + after
    raise CannotCompile(f"{path} is not a SHACL property path")


def has_zero_length(graph: rdflib.Graph, path: rdflib.term.Node, depth: int = 0) -> bool:
    """Whether the path can match without an edge (so it yields nodes absent from the data)."""
    if isinstance(path, rdflib.URIRef) or depth > 20:
        return False
    if next(graph.objects(path, RDF.first), None) is not None:
        return all(has_zero_length(graph, i, depth + 1) for i in graph.items(path))
    alternatives = next(graph.objects(path, SH.alternativePath), None)
    if alternatives is not None:
        return any(has_zero_length(graph, i, depth + 1) for i in graph.items(alternatives))
    if next(graph.objects(path, SH.zeroOrMorePath), None) is not None:
        return True
    if next(graph.objects(path, SH.zeroOrOnePath), None) is not None:
        return True
    for predicate in (SH.inversePath, SH.oneOrMorePath):
        inner = next(graph.objects(path, predicate), None)
        if inner is not None:
            return has_zero_length(graph, inner, depth + 1)
    return False
