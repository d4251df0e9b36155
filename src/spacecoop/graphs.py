"""Bridges between pyoxigraph terms (fast, strict) and rdflib graphs (pySHACL, owlrl)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib_term(term: object, normalize: bool = False) -> rdflib.term.Node:
    """One term; literals keep their lexical form unless ``normalize`` asks for rdflib's
    canonical one (rdflib would rewrite "…Z" to "…+00:00" and "1e3" to "1000.0")."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # rdflib's spelling of a simple literal
            return rdflib.Literal(term.value)
        return rdflib.Literal(
            term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=normalize
        )
    raise TypeError(f"unsupported term {term!r}")


def to_rdflib(
    triples: Iterable[ox.Triple], graph: rdflib.Graph | None = None, normalize: bool = False
) -> rdflib.Graph:
    """Copy triples into an rdflib graph without re-parsing any text.

    Lexical forms are kept as written, so SHACL sees what the sources say; ``normalize=True``
    gives what rdflib's own parsers produce (for comparing with graphs rdflib parsed)."""
    target = graph if graph is not None else rdflib.Graph()
    add = target.add
    cache: dict[object, rdflib.term.Node] = {}

    def convert(term: object) -> rdflib.term.Node:
        node = cache.get(term)
        if node is None:
            node = cache[term] = to_rdflib_term(term, normalize)
        return node

    for triple in triples:
        add((convert(triple.subject), convert(triple.predicate), convert(triple.object)))
    return target


def from_rdflib_term(node: rdflib.term.Node) -> object:
    if isinstance(node, rdflib.URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, rdflib.BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"unsupported node {node!r}")
