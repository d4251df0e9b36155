"""Exports: round trips through a second parser, version stamping, determinism, CLI, releases."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from spacecoop.config import load_config
from spacecoop.export import export_chunks, export_graphs, serialize_dataset
from spacecoop.graphs import to_rdflib
from spacecoop.load import load
from spacecoop.versions import stamp_quads, version_iri, version_key
from tests.conftest import run_cli
from tests.support.exports import build, extended_project, load_json, tree_digest
from tests.support.spills import record_spills

OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    project = extended_project(tmp_path_factory.mktemp("export") / "mini")
    config, dist = build(project)
    dataset = load(config)
    graph, vocabulary = export_graphs(dataset, config)
    shapes = list(dataset.triples("shapes"))
    return config, dist, {"graph": graph, "vocabulary": vocabulary, "shapes": shapes}


def _with_context(data: bytes, dist: Path) -> bytes:
    document = json.loads(data)
    document["@context"] = load_json(dist / "context.jsonld")["@context"]
    return json.dumps(document).encode()


# (file, expected graph, rdflib format, pyoxigraph format); JSON-LD gets its context inline,
# since neither parser may fetch it.
SINGLE_GRAPH_FILES = [
    ("{name}.ttl", "graph", "turtle", ox.RdfFormat.TURTLE),
    ("{name}.nt", "graph", "nt", ox.RdfFormat.N_TRIPLES),
    ("{name}.jsonld", "graph", "json-ld", ox.RdfFormat.JSON_LD),
    ("vocabulary.ttl", "vocabulary", "turtle", ox.RdfFormat.TURTLE),
    ("vocabulary.rdf", "vocabulary", "xml", ox.RdfFormat.RDF_XML),
    ("vocabulary.jsonld", "vocabulary", "json-ld", ox.RdfFormat.JSON_LD),
    ("shapes.ttl", "shapes", "turtle", ox.RdfFormat.TURTLE),
]


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("name, expected, rdflib_format, ox_format", SINGLE_GRAPH_FILES)
def test_every_export_round_trips_through_both_parsers(
    built, name: str, expected: str, rdflib_format: str, ox_format: ox.RdfFormat
) -> None:
    config, dist, graphs = built
    data = (dist / name.format(name=config.name)).read_bytes()
    if rdflib_format == "json-ld":
        data = _with_context(data, dist)
    source = to_rdflib(graphs[expected], normalize=True)
    by_rdflib = rdflib.Graph().parse(data=data, format=rdflib_format)
    by_oxigraph = to_rdflib((q.triple for q in ox.parse(data, format=ox_format)), normalize=True)
    assert len(source) > 0
    assert isomorphic(by_rdflib, source), f"{name} read by rdflib"
    assert isomorphic(by_oxigraph, source), f"{name} read by pyoxigraph"


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_dataset_exports_round_trip_per_graph(built, fmt: str) -> None:
    config, _dist, _graphs = built
    dataset = load(config)
    data = serialize_dataset(dataset, fmt, config)
    expected: dict[str, list[ox.Triple]] = {}
    for q in stamp_quads(dataset.quads(), config):
        expected.setdefault(q.graph_name.value, []).append(q.triple)
    by_oxigraph: dict[str, list[ox.Triple]] = {}
    format_ = ox.RdfFormat.N_QUADS if fmt == "nq" else ox.RdfFormat.TRIG
    for q in ox.parse(data, format=format_):
        by_oxigraph.setdefault(q.graph_name.value, []).append(q.triple)
    by_rdflib = rdflib.Dataset()
    by_rdflib.parse(data=data, format="nquads" if fmt == "nq" else "trig")
    assert set(by_oxigraph) == set(expected) and len(expected) >= 4
    for name, triples in expected.items():
        assert isomorphic(
            to_rdflib(by_oxigraph[name], normalize=True), to_rdflib(triples, normalize=True)
        ), name
        assert isomorphic(
            by_rdflib.graph(rdflib.URIRef(name)), to_rdflib(triples, normalize=True)
        ), name


def test_rdfxml_and_trig_of_the_whole_graph_round_trip(built) -> None:
    config, _dist, graphs = built
    dataset = load(config)
    source = to_rdflib(graphs["graph"], normalize=True)
    rdfxml = b"".join(export_chunks(dataset, config, "rdfxml"))
    assert isomorphic(rdflib.Graph().parse(data=rdfxml, format="xml"), source)


# --- versions -----------------------------------------------------------------------------


def test_versions_are_stamped_in_the_export_only(tmp_path: Path) -> None:
    project = extended_project(tmp_path / "mini")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.2.3"', 'version = "2.0.0"'))
    config, dist = build(project)
    exported = rdflib.Graph().parse(dist / "vocabulary.ttl", format="turtle")
    ontology = rdflib.URIRef("https://example.org/mini/def")
    assert list(exported.objects(ontology, rdflib.OWL.versionInfo)) == [rdflib.Literal("2.0.0")]
    assert list(exported.objects(ontology, rdflib.OWL.versionIRI)) == [
        rdflib.URIRef("https://example.org/mini/def/2.0.0/")
    ]
    source = (project / "ontology" / "mini.ttl").read_text()
    assert 'owl:versionInfo "1.2.3"' in source  # the sources keep their own values
    assert version_iri("https://example.org/mini/def/modules/a", "2.0.0", config) == (
        "https://example.org/mini/def/2.0.0/modules/a"
    )


def test_source_version_info_equals_package_version(repo: Path) -> None:
    """One version source: every ontology header in ontology/ says the pyproject version."""
    config = load_config(repo)
    dataset = load(config, kinds=("ontology",))
    ontologies = {
        t.subject
        for t in dataset.triples()
        if t.predicate.value == RDF_TYPE and t.object == ox.NamedNode(OWL + "Ontology")
    }
    assert ontologies
    for ontology in ontologies:
        values = {
            t.object.value
            for t in dataset.triples()
            if t.subject == ontology and t.predicate.value == OWL + "versionInfo"
        }
        assert values == {config.version}, f"{ontology.value}: {values}"


def test_version_order() -> None:
    versions = ["0.10.0", "0.2.0", "1.0.0", "1.0.0-rc1", "0.9.1"]
    assert sorted(versions, key=version_key) == ["0.2.0", "0.9.1", "0.10.0", "1.0.0-rc1", "1.0.0"]


# --- determinism --------------------------------------------------------------------------


def test_two_builds_are_byte_identical_whatever_the_blank_node_labels(tmp_path: Path) -> None:
    first = extended_project(tmp_path / "first")
    second = extended_project(tmp_path / "second")
    extra = second / "data" / "extra.ttl"
    text = extra.read_text().replace("_:shared", "_:renamedNode")
    # statements in another order: move the last block to the top
    head, _, last = text.rpartition("\ngenre:science-fiction")
    prefixes, _, body = head.partition("\n\n#")
    extra.write_text(prefixes + "\n\ngenre:science-fiction" + last + "\n\n#" + body)
    _config, dist_one = build(first)
    _config, dist_two = build(second)
    one, two = tree_digest(dist_one), tree_digest(dist_two)
    assert one == two
    assert {"context.jsonld", "frames/books.jsonld", "void.ttl", "dcat.ttl"} <= set(one)


def test_json_ld_is_streamed_entity_by_entity(built) -> None:
    config, _dist, _graphs = built
    chunks = export_chunks(load(config), config, "jsonld")
    assert not isinstance(chunks, bytes | list)
    first = next(iter(chunks))
    assert first.startswith(b'{\n  "@context"') and b'"id"' not in first


# --- the command line ---------------------------------------------------------------------


def test_cli_export_formats_and_frames(tmp_path: Path) -> None:
    project = extended_project(tmp_path / "mini")
    result = run_cli("export", "--format", "jsonld", "-o", "out.jsonld", cwd=project)
    assert result.returncode == 0, result.stderr
    compacted = json.loads((project / "out.jsonld").read_text())
    assert compacted["@context"] == "https://example.org/mini/context.jsonld"
    framed = run_cli("export", "--frame", "people", cwd=project)
    assert framed.returncode == 0, framed.stderr
    people = json.loads(framed.stdout)["@graph"]
    assert {b["label"]["en"] for b in people[0]["books"]} == {"Eden", "Fiasco", "Solaris"}
    nt = run_cli("export", "--format", "nt", cwd=project)
    assert nt.returncode == 0 and nt.stdout.splitlines() == sorted(nt.stdout.splitlines())
    for args, message in [
        (["--frame", "nope"], "unknown frame 'nope' (known: books, people)"),
        (["--format", "nt", "--frame", "books"], "--frame writes JSON-LD"),
        (["--format", "yaml"], "unknown export format 'yaml'"),
    ]:
        failed = run_cli("export", *args, cwd=project)
        assert failed.returncode == 2, args
        assert message in failed.stderr and "Traceback" not in failed.stderr


# --- releases -----------------------------------------------------------------------------


def _set_version(project: Path, version: str) -> None:
    pyproject = project / "pyproject.toml"
    text = re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', pyproject.read_text())
    pyproject.write_text(text)
    ontology = project / "ontology" / "mini.ttl"
    ontology.write_text(
        re.sub(r'owl:versionInfo "[^"]*"', f'owl:versionInfo "{version}"', ontology.read_text())
    )


def test_release_snapshots_are_immutable_and_changelog_grows(tmp_path: Path) -> None:
    project = extended_project(tmp_path / "mini")
    first = run_cli("release", cwd=project)
    assert first.returncode == 0, first.stdout + first.stderr
    snapshot = project / "releases" / "1.2.3"
    assert (snapshot / "mini.nt").is_file() and (snapshot / "frames" / "books.jsonld").is_file()
    assert tree_digest(snapshot) == tree_digest(project / "dist")
    assert not os.stat(snapshot / "mini.ttl").st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    changelog = (project / "CHANGELOG.md").read_text()
    assert "## 1.2.3 (2024-05-01)" in changelog and "First release" in changelog

    again = run_cli("release", cwd=project)
    assert again.returncode == 2
    assert "releases/1.2.3 exists" in again.stderr and "Traceback" not in again.stderr
    assert tree_digest(snapshot) == tree_digest(project / "dist")

    _set_version(project, "1.3.0")
    books = project / "data" / "books.ttl"
    books.write_text(books.read_text().replace('"1961"^^xsd:gYear', '"1962"^^xsd:gYear'))
    extra_ontology = project / "ontology" / "extra.ttl"
    text = extra_ontology.read_text()
    extra_ontology.write_text(text[: text.index("m:chapters a")])  # a term removed
    extra_data = project / "data" / "extra.ttl"
    extra_data.write_text(extra_data.read_text().replace('    m:chapters ( "one" "two" ) ;\n', ""))
    second = run_cli("release", cwd=project)
    assert second.returncode == 0, second.stdout + second.stderr
    changelog = (project / "CHANGELOG.md").read_text()
    assert changelog.index("## 1.3.0") < changelog.index("## 1.2.3")
    section = changelog[changelog.index("## 1.3.0") : changelog.index("## 1.2.3")]
    assert "Changes since 1.2.3" in section
    assert "`m:chapters`: property removed" in section
    assert "`book:solaris` — Solaris: `m:published`" in section
    dcat = rdflib.Graph().parse(project / "releases" / "1.3.0" / "dcat.ttl", format="turtle")
    previous = rdflib.URIRef("http://www.w3.org/ns/dcat#previousVersion")
    assert list(dcat.objects(None, previous)) == [
        rdflib.URIRef("https://example.org/mini/dataset/1.2.3")
    ]


def _independent_outputs(dataset, config) -> dict[str, bytes]:
    """The graph files and VoID as each writer makes them alone, reading the dataset itself."""
    from spacecoop import catalog, export

    graph = export.Triples(dataset, "ontology", "data")
    stamp_ = export.header_stamp(config)
    prefixes = dataset.prefixes()
    stamped = export.StampedTriples(graph, config)
    return {
        f"{config.name}.ttl": b"".join(export.serialize_chunks(graph, "ttl", prefixes, stamp_)),
        f"{config.name}.nt": b"".join(export.serialize_chunks(graph, "nt", prefixes, stamp_)),
        f"{config.name}.nq": export.serialize_dataset(dataset, "nq", config),
        "void.ttl": catalog.void_description(stamped, config, export.graph_dumps(config)),
    }


def test_one_shared_read_gives_the_bytes_of_separate_writers(tmp_path: Path, monkeypatch) -> None:
    """dist/ reads the dataset once (GraphStreams) and replays sorted streams for several
    writers: each file must be what its writer gives alone, also when every sort spills."""
    from spacecoop import export, rdfwriter

    config, dist = build(extended_project(tmp_path / "mini"))
    dataset = load(config)
    expected = _independent_outputs(dataset, config)
    assert b"_:" in expected[f"{config.name}.nq"]  # the fixtures have blank nodes
    for name, data in expected.items():
        assert (dist / name).read_bytes() == data, name
    spills = record_spills(monkeypatch)
    monkeypatch.setattr(rdfwriter.SortedLines.__init__, "__defaults__", (600,))
    monkeypatch.setattr(rdfwriter, "BATCH", 5)
    monkeypatch.setattr(export, "BATCH", 5)
    before = {p.relative_to(dist): p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    export.build_dist(dataset, config)
    after = {p.relative_to(dist): p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    assert len(spills) > 10
    assert after == before


def test_replayed_stream_reads_the_same_lines_again() -> None:
    from spacecoop.rdfwriter import Replay

    lines = [b"<a> <b> <c> .\n", b'<a> <b> "x\\ny" .\n']
    replay = Replay(iter(lines))
    assert list(replay) == lines
    assert list(replay) == lines
    replay.close()
