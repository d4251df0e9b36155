"""Deterministic writers: isomorphic to the input, byte-identical whatever the parse order."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from spacecoop import rdfwriter
from spacecoop.graphs import to_rdflib
from spacecoop.rdfwriter import write_nquads, write_ntriples, write_turtle
from tests.support.spills import record_spills

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


# --- Bounded memory: the same bytes when every sort spills to temporary files ---------------


def _in_memory() -> tuple[bytes, bytes, bytes]:
    triples = parsed()
    graph = ox.NamedNode("http://example.org/g")
    quads = [ox.Quad(*t, graph) for t in triples]
    return write_turtle(triples, PREFIXES), write_ntriples(triples), write_nquads(quads)


def test_spilled_sorts_give_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _in_memory()
    spilled = record_spills(monkeypatch)
    monkeypatch.setattr(rdfwriter, "BATCH", 3)
    original_init = rdfwriter.SortedLines.__init__
    monkeypatch.setattr(
        rdfwriter.SortedLines, "__init__", lambda self, run_bytes=300: original_init(self, 300)
    )
    assert _in_memory() == expected
    assert len(spilled) > 3  # the runs really went through temporary files


def test_sorted_lines_merge_runs_and_drop_duplicates() -> None:
    lines = rdfwriter.SortedLines(run_bytes=200)
    words = [
        f"{w}\n".encode() for w in ("delta", "alpha", "charlie", "alpha", "bravo", "echo", "delta")
    ] * 5
    for start in range(0, len(words), 4):
        lines.extend(words[start : start + 4])
    assert lines.runs  # spilled
    assert list(lines.merged()) == sorted(set(words))
    assert all(run.closed for run in lines.runs) or not lines.runs


def test_duplicates_and_parse_order_do_not_change_the_bytes() -> None:
    triples = parsed()
    assert write_ntriples(triples + triples[:5]) == write_ntriples(parsed())
    assert write_turtle(triples + triples[:5], PREFIXES) == write_turtle(parsed(), PREFIXES)


def test_streamed_stamp_equals_the_stamped_list() -> None:
    """The version stamp applied while streaming gives the bytes of stamp() on a list."""
    from spacecoop.versions import VERSION_INFO, VERSION_IRI

    old = [
        ox.Triple(ox.NamedNode("http://example.org/o"), VERSION_INFO, ox.Literal("0.0.1")),
        ox.Triple(ox.NamedNode("http://example.org/s"), VERSION_INFO, ox.Literal("kept")),
    ]
    triples = parsed() + old

    def values(ontology: str) -> list[tuple[str, rdfwriter.Term]]:
        return [
            (VERSION_INFO.value, ox.Literal("9.9.9")),
            (VERSION_IRI.value, ox.NamedNode(ontology + "/9.9.9")),
        ]

    stamp = rdfwriter.HeaderStamp((VERSION_INFO.value, VERSION_IRI.value), values)
    listed = [t for t in triples if t != old[0]] + [
        ox.Triple(ox.NamedNode("http://example.org/o"), VERSION_INFO, ox.Literal("9.9.9")),
        ox.Triple(
            ox.NamedNode("http://example.org/o"),
            VERSION_IRI,
            ox.NamedNode("http://example.org/o/9.9.9"),
        ),
    ]
    assert b"".join(rdfwriter.iter_ntriples(triples, stamp)) == write_ntriples(listed)
    assert b"".join(rdfwriter.iter_turtle(triples, PREFIXES, stamp)) == write_turtle(
        listed, PREFIXES
    )
    assert b'"kept"' in write_ntriples(listed) and b'"0.0.1"' not in write_ntriples(listed)


def test_trig_is_byte_identical_across_parses() -> None:
    """TriG relabels blank nodes per graph too (pyoxigraph's labels are random per parse)."""

    def trig() -> bytes:
        graph = ox.NamedNode("http://example.org/g")
        quads = [ox.Quad(*t, graph) for t in parsed()]
        return b"".join(rdfwriter.iter_trig(quads, PREFIXES))

    first = trig()
    assert first == trig()
    back = [q.triple for q in ox.parse(first, format=ox.RdfFormat.TRIG)]
    assert all(
        q.graph_name == ox.NamedNode("http://example.org/g")
        for q in ox.parse(first, format=ox.RdfFormat.TRIG)
    )
    assert isomorphic(to_rdflib(back, normalize=True), to_rdflib(parsed(), normalize=True))
