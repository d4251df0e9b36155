"""Deterministic writers: isomorphic to the input, byte-identical whatever the parse order."""

from __future__ import annotations

import random

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

from spacecoop.graphs import to_rdflib
from spacecoop.rdfwriter import write_nquads, write_ntriples, write_turtle

TURTLE = b"""@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:s a ex:C ; ex:p ex:a, ex:b ;
  sh:property [ sh:path ex:p ; sh:minCount 1 ], [ sh:path ex:q ; sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYear ] ) ] ;
  ex:list ( 1 2.5 "three"@en ) ; ex:text "line\\nbreak \\"quoted\\"" , "x"^^ex:custom , true , 1e3 .
ex:o a owl:Ontology .
ex:t ex:p ex:s , [ ex:q [ ex:r "deep" ] ] .
_:shared ex:p ex:s . ex:u ex:p _:shared . ex:v ex:p _:shared .
_:loop ex:p _:loop .
"""
PREFIXES = {
    "ex": "http://example.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def parsed() -> list[ox.Triple]:
    triples = [q.triple for q in ox.parse(TURTLE, format=ox.RdfFormat.TURTLE)]
    random.shuffle(triples)
    return triples


def test_turtle_round_trip_is_isomorphic() -> None:
    source = parsed()
    written = write_turtle(source, PREFIXES)
    assert isomorphic(
        to_rdflib(source, normalize=True), rdflib.Graph().parse(data=written, format="turtle")
    )


def test_turtle_is_byte_identical_across_parses() -> None:
    assert write_turtle(parsed(), PREFIXES) == write_turtle(parsed(), PREFIXES)


def test_ontology_header_comes_first() -> None:
    text = write_turtle(parsed(), PREFIXES).decode()
    body = text.split("\n\n", 1)[1]
    assert body.startswith("ex:o\n    a owl:Ontology")


def test_ntriples_sorted_and_stable() -> None:
    first, second = write_ntriples(parsed()), write_ntriples(parsed())
    assert first == second
    lines = first.decode().splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))
    assert isomorphic(
        to_rdflib(parsed(), normalize=True), rdflib.Graph().parse(data=first, format="nt")
    )


def test_nquads_keep_graphs() -> None:
    graph = ox.NamedNode("http://example.org/g")
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in parsed()]
    text = write_nquads(quads).decode()
    assert all(line.endswith("<http://example.org/g> .") for line in text.splitlines())
