"""VoID and DCAT: numbers checked against SPARQL, files against their real sizes and hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.support.exports import build, extended_project

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
DATASET = "<https://example.org/mini/dataset>"
PREFIXES = f"PREFIX void: <{VOID}> PREFIX dcat: <{DCAT}> PREFIX spdx: <{SPDX}> "


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    project = extended_project(tmp_path_factory.mktemp("voiddcat") / "mini")
    (project / "releases" / "1.0.0").mkdir(parents=True)  # an earlier release
    (project / "releases" / "2.0.0").mkdir()  # a later one is not "previous"
    config, dist = build(project)
    graph = ox.Store()
    graph.load(path=str(dist / f"{config.name}.nt"), format=ox.RdfFormat.N_TRIPLES)
    void = ox.Store()
    void.load(path=str(dist / "void.ttl"), format=ox.RdfFormat.TURTLE)
    dcat = ox.Store()
    dcat.load(path=str(dist / "dcat.ttl"), format=ox.RdfFormat.TURTLE)
    return config, dist, graph, void, dcat


def one(store: ox.Store, query: str) -> object:
    rows = list(store.query(PREFIXES + query))
    assert len(rows) == 1, (query, rows)
    value = rows[0][0]
    return int(value.value) if isinstance(value, ox.Literal) and value.value.isdigit() else value


def test_void_statistics_match_the_graph(built) -> None:
    _config, _dist, graph, void, _dcat = built
    expected = {
        "triples": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
        "distinctSubjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }",
        "distinctObjects": "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }",
        "properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }",
        "classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }",
        "entities": "SELECT (COUNT(DISTINCT ?s) AS ?n) "
        '{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://example.org/mini/id/")) }',
    }
    for predicate, query in expected.items():
        counted = one(void, f"SELECT ?n {{ {DATASET} void:{predicate} ?n }}")
        assert counted == one(graph, query), predicate
        assert counted > 0


def test_void_partitions_match_the_graph(built) -> None:
    _config, _dist, graph, void, _dcat = built
    classes = {
        (str(r["c"]), int(r["n"].value))
        for r in graph.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c } GROUP BY ?c")
    }
    described = {
        (str(r["c"]), int(r["n"].value))
        for r in void.query(
            PREFIXES
            + f"SELECT ?c ?n {{ {DATASET} void:classPartition [ void:class ?c ; void:entities ?n ] }}"
        )
    }
    assert described == classes and ("<https://example.org/mini/def/Book>", 2) in described
    properties = {
        (str(r["p"]), int(r["n"].value))
        for r in graph.query("SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p")
    }
    described = {
        (str(r["p"]), int(r["n"].value))
        for r in void.query(
            PREFIXES
            + f"SELECT ?p ?n {{ {DATASET} void:propertyPartition [ void:property ?p ; void:triples ?n ] }}"
        )
    }
    assert described == properties


def test_void_linksets_to_wikidata(built) -> None:
    _config, _dist, _graph, void, _dcat = built
    rows = {
        (str(r["p"]), int(r["n"].value))
        for r in void.query(
            PREFIXES
            + f"""SELECT ?p ?n {{ {DATASET} void:subset ?l . ?l a void:Linkset ;
                void:subjectsTarget {DATASET} ; void:objectsTarget ?t ; void:linkPredicate ?p ;
                void:triples ?n . ?t void:uriSpace "http://www.wikidata.org/entity/" }}"""
        )
    }
    assert rows == {
        ("<http://www.w3.org/2002/07/owl#sameAs>", 2),
        ("<https://schema.org/sameAs>", 1),
    }


def test_void_access_points(built) -> None:
    config, _dist, _graph, void, _dcat = built
    assert (
        str(one(void, f"SELECT ?u {{ {DATASET} void:uriSpace ?u }}"))
        == '"https://example.org/mini/id/"'
    )
    assert one(void, f"SELECT ?e {{ {DATASET} void:sparqlEndpoint ?e }}") == ox.NamedNode(
        config.sparql_endpoint
    )
    dumps = {
        str(r[0]) for r in void.query(PREFIXES + f"SELECT ?d {{ {DATASET} void:dataDump ?d }}")
    }
    assert dumps == {
        f"<https://example.org/mini/dist/mini.{s}>" for s in ("ttl", "nt", "nq", "jsonld")
    }


def test_dcat_describes_every_file_with_its_real_size_and_hash(built) -> None:
    _config, dist, _graph, _void, dcat = built
    rows = list(
        dcat.query(
            PREFIXES
            + f"""SELECT ?url ?size ?sum ?type {{ {DATASET} dcat:distribution ?d .
                ?d dcat:downloadURL ?url ; dcat:byteSize ?size ; dcat:mediaType ?type ;
                   spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                                   spdx:checksumValue ?sum ] }}"""
        )
    )
    described = {r["url"].value.removeprefix("https://example.org/mini/dist/"): r for r in rows}
    files = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}
    assert set(described) == files - {"dcat.ttl", "SHA256SUMS"}
    for name, row in described.items():
        data = (dist / name).read_bytes()
        assert int(row["size"].value) == len(data), name
        assert row["sum"].value == hashlib.sha256(data).hexdigest(), name
        assert row["type"].value.startswith("https://www.iana.org/assignments/media-types/")
    assert described["mini.ttl"]["type"].value.endswith("/text/turtle")
    assert described["frames/books.jsonld"]["type"].value.endswith("/application/ld+json")


def test_dcat_service_version_and_previous_version(built) -> None:
    config, _dist, _graph, _void, dcat = built
    service = one(
        dcat,
        f"SELECT ?s {{ ?s a dcat:DataService ; dcat:servesDataset {DATASET} ; dcat:endpointURL ?s }}",
    )
    assert service == ox.NamedNode(config.sparql_endpoint)
    assert one(dcat, f"SELECT ?v {{ {DATASET} dcat:version ?v }}") == ox.Literal("1.2.3")
    previous = one(dcat, f"SELECT ?v {{ {DATASET} dcat:previousVersion ?v }}")
    assert previous == ox.NamedNode("https://example.org/mini/dataset/1.0.0")


def test_dates_come_only_from_the_sources(built) -> None:
    _config, _dist, _graph, void, dcat = built
    for store in (void, dcat):
        dates = {
            r[0].value
            for r in store.query(
                "SELECT ?o { ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) IN "
                "(<http://www.w3.org/2001/XMLSchema#date>, <http://www.w3.org/2001/XMLSchema#dateTime>)) }"
            )
        }
        assert dates == {"2024-05-01", "2020-01-15"}


def test_sha256sums_lists_every_other_file(built) -> None:
    _config, dist, *_rest = built
    lines = (dist / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in lines}
    files = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}
    assert set(listed) == files - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest


def test_without_releases_there_is_no_previous_version(tmp_path: Path) -> None:
    _config, dist = build(extended_project(tmp_path / "mini"))
    assert "previousVersion" not in (dist / "dcat.ttl").read_text()
