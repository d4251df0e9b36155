"""JSON-LD: generated context, compaction, frames, the document loader, the W3C fromRdf suite."""

from __future__ import annotations

import json
import random
import socket
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld as pyld
from rdflib.compare import isomorphic

from spacecoop import jsonld
from spacecoop.config import load_config
from spacecoop.errors import ConfigError
from spacecoop.export import JsonLdOutputs, export_graphs
from spacecoop.load import load
from tests.support.exports import (
    build,
    canonical,
    extended_project,
    jsonld_triples,
    load_json,
    rdflib_graph,
)
from tests.support.spills import record_spills

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
M = "https://example.org/mini/def/"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extended_project(tmp_path_factory.mktemp("jsonld") / "mini")


@pytest.fixture(scope="module")
def built(project: Path):
    return build(project)


@pytest.fixture(scope="module")
def outputs(project: Path) -> JsonLdOutputs:
    config = load_config(project)
    dataset = load(config)
    graph, vocabulary = export_graphs(dataset, config)
    return JsonLdOutputs(graph, vocabulary, config, dataset.prefixes())


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --- the context --------------------------------------------------------------------------


def test_context_shape(built) -> None:
    _config, dist = built
    context = load_json(dist / "context.jsonld")["@context"]
    assert context["@version"] == 1.1 and context["@protected"] is True
    assert context["id"] == "@id" and context["type"] == "@type"
    # vocabulary terms: local names; object properties @id; datatype coercion from the range
    assert context["Book"] == M + "Book" and context["Novel"] == M + "Novel"
    assert context["author"] == {"@id": M + "author", "@type": "@id"}
    assert context["pages"] == {
        "@id": M + "pages",
        "@type": "http://www.w3.org/2001/XMLSchema#integer",
    }
    assert context["published"] == M + "published"  # no range: no coercion
    # external terms used in the data, with the fixed short names
    assert context["label"] == {
        "@id": "http://www.w3.org/2000/01/rdf-schema#label",
        "@container": "@language",
    }
    assert context["definition"]["@container"] == "@language"
    assert context["sameAs"] == {"@id": "http://www.w3.org/2002/07/owl#sameAs", "@type": "@id"}
    assert context["source"] == {"@id": "http://purl.org/dc/terms/source", "@type": "@id"}
    # a second "sameAs" gets its prefix; the reverse key from the configuration is there
    assert context["schemaSameAs"]["@id"] == "https://schema.org/sameAs"
    assert context["books"] == {"@reverse": M + "author", "@type": "@id"}
    # deterministic order: keywords and aliases, prefixes, then terms case-insensitively
    keys = list(context)
    assert keys[:4] == ["@version", "@protected", "id", "type"]
    terms = [k for k in keys if k not in ("@version", "@protected", "id", "type", "rdf", "xsd")]
    assert terms == sorted(terms, key=lambda k: (k.lower(), k))


def test_every_predicate_and_class_has_a_term(built) -> None:
    config, dist = built
    context = load_json(dist / "context.jsonld")["@context"]
    mapped = {
        d if isinstance(d, str) else d.get("@id")
        for d in context.values()
        if isinstance(d, str | dict)
    }
    graph = list(ox.parse(path=str(dist / f"{config.name}.nt"), format=ox.RdfFormat.N_TRIPLES))
    used = {t.predicate.value for t in graph if t.predicate.value != RDF_TYPE}
    used |= {t.object.value for t in graph if t.predicate.value == RDF_TYPE}
    assert used and not used - mapped, sorted(used - mapped)


def test_compacted_graph_drops_no_key_and_round_trips(built, no_network) -> None:
    config, dist = built
    context = load_json(dist / "context.jsonld")
    document = load_json(dist / f"{config.name}.jsonld")
    dropped: list[str | None] = []
    loader = jsonld.document_loader({config.context_iri: context})
    pyld.expand(document, {"documentLoader": loader}, on_property_dropped=dropped.append)
    assert dropped == []
    triples = jsonld_triples(document, config.context_iri, context)
    source = list(ox.parse(path=str(dist / f"{config.name}.nt"), format=ox.RdfFormat.N_TRIPLES))
    assert isomorphic(rdflib_graph(triples), rdflib_graph(source))


def test_an_unmapped_key_is_detected(built, no_network) -> None:
    """The coverage check above can fail: a key outside the context is reported as dropped."""
    config, dist = built
    context = load_json(dist / "context.jsonld")
    document = {"@context": config.context_iri, "id": "https://example.org/x", "colour": "red"}
    dropped: list[str | None] = []
    loader = jsonld.document_loader({config.context_iri: context})
    pyld.expand(document, {"documentLoader": loader}, on_property_dropped=dropped.append)
    assert dropped == ["colour"]


def test_language_maps_and_coercions_as_a_developer_sees_them(built) -> None:
    config, dist = built
    members = {m["id"]: m for m in load_json(dist / f"{config.name}.jsonld")["@graph"]}
    eden = members["https://example.org/mini/id/book/eden"]
    assert eden["type"] == "Novel"
    assert eden["label"] == {"en": "Eden", "pl": "Eden"}
    assert eden["pages"] == "250"  # xsd:integer by the context, lexical form kept
    assert eden["author"] == "https://example.org/mini/id/person/lem"
    assert eden["chapters"] == {"@list": ["one", "two"]}
    # blank nodes used once are nested, without an identifier
    assert eden["review"]["label"] == {"en": "A review"} and "id" not in eden["review"]
    # a value that does not fit the coercion keeps its property IRI as key (nothing is lost)
    solaris = members["https://example.org/mini/id/book/solaris"]
    assert solaris[M + "pages"] == "about 200"
    # a blank node used twice is a member of its own, with a canonical label
    shared = [m for m in members.values() if m["id"].startswith("_:")]
    assert len(shared) == 1 and shared[0]["label"] == {"en": "shared review"}


# --- compaction: the fast path agrees with PyLD -------------------------------------------


def _fast_and_pyld_agree(outputs: JsonLdOutputs) -> int:
    ld = outputs.whole
    documents = [ld.documents.expanded(root) for root in ld.documents.roots]
    for frame in ld.frames:
        tree = frame.tree()
        documents += [ld.documents.framed(r, tree) for r in ld.documents.of_class(frame.class_iri)]
    for document in documents:
        fast = ld.compactor.compact(document)
        reference = ld.compactor.compact_pyld(document)
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(reference, ensure_ascii=False)
    return len(documents)


def test_fast_compaction_equals_pyld(outputs: JsonLdOutputs) -> None:
    assert _fast_and_pyld_agree(outputs) > 10


@pytest.mark.slow
def test_fast_compaction_equals_pyld_on_the_project(repo: Path) -> None:
    config = load_config(repo)
    dataset = load(config)
    graph, vocabulary = export_graphs(dataset, config)
    assert _fast_and_pyld_agree(JsonLdOutputs(graph, vocabulary, config, dataset.prefixes())) > 100


def test_json_ld_bytes_do_not_depend_on_parse_order_or_blank_node_labels(outputs) -> None:
    graph = list(outputs.graph)
    first = b"".join(
        JsonLdOutputs(graph, outputs.vocabulary, outputs.config, outputs.prefixes).compacted()
    )
    shuffled = graph[:]
    random.Random(7).shuffle(shuffled)
    renamed = {}
    relabelled = [
        ox.Triple(
            renamed.setdefault(t.subject, ox.BlankNode())
            if isinstance(t.subject, ox.BlankNode)
            else t.subject,
            t.predicate,
            renamed.setdefault(t.object, ox.BlankNode())
            if isinstance(t.object, ox.BlankNode)
            else t.object,
        )
        for t in shuffled
    ]
    second = b"".join(
        JsonLdOutputs(relabelled, outputs.vocabulary, outputs.config, outputs.prefixes).compacted()
    )
    assert first == second


# --- frames -------------------------------------------------------------------------------


def test_frames_are_subsets_that_cover_their_roots(built, no_network) -> None:
    config, dist = built
    context = load_json(dist / "context.jsonld")
    graph = list(ox.parse(path=str(dist / f"{config.name}.nt"), format=ox.RdfFormat.N_TRIPLES))
    everything = canonical(graph)
    for name in ("books", "people"):
        document = load_json(dist / "frames" / f"{name}.jsonld")
        framed = jsonld_triples(document, config.context_iri, context)
        assert canonical(framed) <= everything, name
        roots = {m["id"] for m in document["@graph"]}
        assert roots
        owned = _owned(graph, roots)
        assert canonical(owned) <= canonical(framed), name


def _owned(graph: list[ox.Triple], roots: set[str]) -> list[ox.Triple]:
    """The triples of the roots plus those of every blank node they reach."""
    result: list[ox.Triple] = []
    seen: set[object] = set()
    frontier: set[object] = {ox.NamedNode(r) for r in roots}
    while frontier:
        seen |= frontier
        found = [t for t in graph if t.subject in frontier]
        result += found
        frontier = {t.object for t in found if isinstance(t.object, ox.BlankNode)} - seen
    return result


def test_frames_embed_along_paths_including_reverse_keys(built) -> None:
    _config, dist = built
    books = {m["id"]: m for m in load_json(dist / "frames" / "books.jsonld")["@graph"]}
    # subclass instances are roots of the class frame (the data is not inferred)
    assert set(books) == {
        f"https://example.org/mini/id/book/{b}" for b in ("eden", "fiasco", "solaris")
    }
    lem = books["https://example.org/mini/id/book/fiasco"]["author"]
    assert lem["label"] == {"en": "Stanisław Lem"}
    assert lem["sameAs"] == "http://www.wikidata.org/entity/Q2"
    # the genre is not a frame path: a reference, not an embedded node
    assert (
        books["https://example.org/mini/id/book/eden"]["genre"]
        == "https://example.org/mini/id/genre/science-fiction"
    )
    people = load_json(dist / "frames" / "people.jsonld")["@graph"]
    assert [p["id"] for p in people] == ["https://example.org/mini/id/person/lem"]
    titles = sorted(b["label"]["en"] for b in people[0]["books"])
    assert titles == ["Eden", "Fiasco", "Solaris"]


def test_frame_configuration_errors_name_the_key(tmp_path: Path) -> None:
    project = extended_project(tmp_path / "mini")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('embed = ["author"]', 'embed = ["writer"]'))
    config = load_config(project)
    dataset = load(config)
    graph, vocabulary = export_graphs(dataset, config)
    with pytest.raises(
        ConfigError, match=r"frames.books\] embed path 'writer': 'writer' is not a key"
    ):
        jsonld.prepare(graph, vocabulary, config)
    pyproject.write_text(pyproject.read_text().replace('books = "https', 'author = "https'))
    with pytest.raises(ConfigError, match="'author' is not a free JSON-LD key"):
        jsonld.prepare(graph, vocabulary, load_config(project))


# --- the document loader ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, reason",
    [
        ("https://example.com/context.jsonld", "remote documents are never fetched"),
        ("http://127.0.0.1:9/context.jsonld", "remote documents are never fetched"),
        ("file:///etc/passwd", "file: URLs are never read"),
        ("FILE:///etc/hostname", "file: URLs are never read"),
    ],
)
def test_loader_refuses_remote_and_file_contexts(url: str, reason: str, no_network) -> None:
    loader = jsonld.document_loader({"https://example.org/mini/context.jsonld": {"@context": {}}})
    document = {"@context": url, "@id": "https://example.org/x", "p": "v"}
    with pytest.raises(pyld.JsonLdError) as caught:
        pyld.expand(document, {"documentLoader": loader})
    chain = []
    error: BaseException | None = caught.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__
    assert any(reason in text and "refused" in text for text in chain), chain


def test_loader_serves_the_packaged_context(no_network) -> None:
    context = {"@context": {"name": "https://example.org/name"}}
    loader = jsonld.document_loader({"https://example.org/ctx": context})
    document = {"@context": "https://example.org/ctx", "@id": "https://example.org/x", "name": "n"}
    expanded = pyld.expand(document, {"documentLoader": loader})
    assert expanded == [
        {"@id": "https://example.org/x", "https://example.org/name": [{"@value": "n"}]}
    ]


def test_compaction_uses_no_other_loader(outputs: JsonLdOutputs, no_network) -> None:
    """A whole export runs with the network closed (the context comes from memory)."""
    assert b"".join(outputs.compacted()).startswith(b'{\n  "@context": "https://example.org/mini/')


# --- W3C JSON-LD 1.1 fromRdf suite --------------------------------------------------------

SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "w3c" / "json-ld-api"
KNOWN_FAILURES = {
    "#t0008": "a JSON-LD 1.0-only expectation: a 1.1 processor converts the nested lists "
    "(the 1.1 version of this case is #tli03, which passes)",
}
SKIPPED: dict[str, str] = {}


def _entries() -> list[dict]:
    manifest = SUITE / "fromRdf-manifest.jsonld"
    if not manifest.is_file():
        return []
    return json.loads(manifest.read_text())["sequence"]


def _normalise(value: object) -> object:
    """JSON-LD test comparison: arrays are unordered except @list values."""
    if isinstance(value, dict):
        return {
            k: ([_normalise(v) for v in value[k]] if k == "@list" else _normalise(value[k]))
            for k in value
        }
    if isinstance(value, list):
        items = [_normalise(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _case(entry: dict):
    marks = []
    if entry["@id"] in KNOWN_FAILURES:
        marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES[entry["@id"]], strict=True))
    if entry["@id"] in SKIPPED:
        marks.append(pytest.mark.skip(reason=SKIPPED[entry["@id"]]))
    return pytest.param(entry, id=f"{entry['@id'][1:]}-{entry['name']}", marks=marks)


@pytest.mark.parametrize("entry", [_case(e) for e in _entries()])
def test_w3c_from_rdf(entry: dict, shared: Path) -> None:
    options = entry.get("option", {})
    quads = list(ox.parse(path=str(SUITE / entry["input"]), format=ox.RdfFormat.N_QUADS))
    arguments = {
        "use_native_types": options.get("useNativeTypes", False),
        "use_rdf_type": options.get("useRdfType", False),
        "rdf_direction": options.get("rdfDirection"),
        "processing_mode": options.get("processingMode", "json-ld-1.1"),
    }
    if "jld:NegativeEvaluationTest" in entry["@type"]:
        with pytest.raises(pyld.JsonLdError) as caught:
            jsonld.from_rdf(quads, **arguments)
        assert caught.value.code == entry["expectErrorCode"]
        return
    expected = json.loads((SUITE / entry["expect"]).read_text())
    assert _normalise(jsonld.from_rdf(quads, **arguments)) == _normalise(expected)


def test_w3c_suite_is_present(shared: Path) -> None:
    assert len(_entries()) >= 50


def _round_trip_cases() -> list:
    cases = []
    for entry in _entries():
        if "jld:PositiveEvaluationTest" not in entry["@type"] or entry.get("option", {}).get(
            "rdfDirection"
        ):
            continue
        cases.append(pytest.param(entry, id=f"{entry['@id'][1:]}-{entry['name']}"))
    return cases


@pytest.mark.filterwarnings("ignore:.*weird:UserWarning")  # rdflib on ill-typed literals
@pytest.mark.parametrize("entry", _round_trip_cases())
def test_w3c_from_rdf_inputs_round_trip_through_the_export(
    entry: dict, shared: Path, tmp_path: Path, no_network
) -> None:
    """Each fromRdf input graph, exported as compacted JSON-LD and read back, is unchanged."""
    from tests.support.exports import FIXTURES

    quads = list(ox.parse(path=str(SUITE / entry["input"]), format=ox.RdfFormat.N_QUADS))
    triples = [q.triple for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    if not triples:
        pytest.skip("only named graphs: the export writes one graph")
    config = replace(load_config(FIXTURES / "miniproject"), frames={}, reverse_terms={})
    in_memory = jsonld.prepare(triples, [], config)
    # The export path: documents sorted by subject in bounded memory (StreamedDocuments).
    export = jsonld.prepare_streamed(triples, config, in_memory.context)
    data = b"".join(jsonld.compacted_chunks(export.documents, export.compactor))
    assert data == b"".join(jsonld.compacted_chunks(in_memory.documents, in_memory.compactor))
    document = json.loads(data)
    back = jsonld_triples(document, config.context_iri, export.context.document)
    assert isomorphic(rdflib_graph(back), rdflib_graph(triples))


def test_streamed_documents_equal_in_memory_ones_when_sorts_spill(
    outputs: JsonLdOutputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compacted graph and every frame: the same bytes from the bounded-memory path, with runs
    so small that the subject sort spills and merges many temporary files."""
    from spacecoop import rdfwriter

    context = outputs.generated_context
    in_memory = jsonld.prepare(outputs.graph, outputs.vocabulary, outputs.config, context=context)
    expected = {None: b"".join(jsonld.compacted_chunks(in_memory.documents, in_memory.compactor))}
    for spec in in_memory.frames:
        expected[spec.name] = b"".join(
            jsonld.framed_chunks(in_memory.documents, in_memory.compactor, spec)
        )
    spills = record_spills(monkeypatch)
    monkeypatch.setattr(rdfwriter, "RUN_BYTES", 4096)
    monkeypatch.setattr(rdfwriter.SortedLines.__init__, "__defaults__", (4096,))
    monkeypatch.setattr(rdfwriter, "BATCH", 7)
    streamed = jsonld.prepare_streamed(outputs.graph, outputs.config, context)
    assert isinstance(streamed.documents, jsonld.StreamedDocuments)
    assert len(spills) > 3
    assert (
        b"".join(jsonld.compacted_chunks(streamed.documents, streamed.compactor)) == expected[None]
    )
    assert len(expected) > 1
    for spec in streamed.frames:
        framed = b"".join(jsonld.framed_chunks(streamed.documents, streamed.compactor, spec))
        assert framed == expected[spec.name], spec.name


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        "text",
        {"id": "x", "label": {"en": 'a\n"b"', "zh": "条目"}, "n": [1, 2.5, -0.0, True, None]},
        [[[]], {"a": {}}, [{"b": [{}]}]],
        {"bad float": float("nan")},
        {1: "non-string key"},
    ],
)
def test_fast_json_dump_is_the_standard_one(value) -> None:
    import json as standard

    assert jsonld.dump_json(value) == standard.dumps(value, ensure_ascii=False, indent=2)
    expected = standard.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n    ")
    assert jsonld.dump_json(value, "    ") == expected
