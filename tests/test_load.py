"""Strict loading: hostile inputs give one clear error with file, line and column."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

import spacecoop.load as load_module
from spacecoop.config import load_config
from spacecoop.errors import ConfigError, SourceError
from spacecoop.load import SourceFile, load, parse_file
from tests.conftest import FIXTURES

HOSTILE = sorted((FIXTURES / "hostile").glob("*.ttl"))


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_file_error_has_location(path: Path, mini_project: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text())
    config = load_config(mini_project)
    with pytest.raises(SourceError) as caught:
        parse_file(path, "data", config, display=path.name)
    error = caught.value
    assert (error.line, error.column) == (expected["line"], expected["column"])
    assert expected["message"] in error.message
    assert str(error).startswith(f"{path.name}:{expected['line']}:{expected['column']}: error: ")


def test_missing_file(mini_project: Path) -> None:
    config = load_config(mini_project)
    with pytest.raises(SourceError, match="file not found"):
        parse_file(mini_project / "data" / "nope.ttl", "data", config)


def test_directory_given_as_a_file(mini_project: Path) -> None:
    (mini_project / "data" / "folder.ttl").mkdir()
    config = load_config(mini_project)
    with pytest.raises(SourceError, match=r"data/folder\.ttl:1:1: error: is a directory"):
        load(config, paths=[mini_project / "data" / "folder.ttl"])


def test_dangling_link_is_reported_not_skipped(mini_project: Path) -> None:
    (mini_project / "data" / "gone.ttl").symlink_to(mini_project / "data" / "nowhere.ttl")
    with pytest.raises(SourceError, match=r"data/gone\.ttl:1:1: error: file not found"):
        load(load_config(mini_project))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(mini_project: Path) -> None:
    path = mini_project / "data" / "books.ttl"
    path.chmod(0)
    with pytest.raises(SourceError, match="permission denied"):
        load(load_config(mini_project))


def test_empty_source_folder(mini_project: Path) -> None:
    for path in (mini_project / "data").iterdir():
        path.unlink()
    with pytest.raises(ConfigError, match="no source files match data/"):
        load(load_config(mini_project))


def test_byte_order_mark_is_stripped_with_a_warning(mini_project: Path) -> None:
    path = mini_project / "data" / "books.ttl"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    dataset = load(load_config(mini_project))
    assert dataset.triple_count > 0
    [note] = dataset.notes
    assert note.severity.label == "warning" and "byte order mark" in note.message
    assert (note.file, note.line, note.column) == ("data/books.ttl", 1, 1)


def test_relative_iri_resolves_against_configured_base(mini_project: Path, monkeypatch) -> None:
    monkeypatch.chdir(mini_project / "data")
    (mini_project / "data" / "relative.ttl").write_text("<thing> <p> <../other> .\n")
    dataset = load(load_config(mini_project))
    [source] = [s for s in dataset.sources if s.display == "data/relative.ttl"]
    [quad] = source.quads
    assert quad.subject == ox.NamedNode("https://example.org/mini/thing")
    assert quad.object == ox.NamedNode("https://example.org/other")
    assert not any(str(term).startswith("<file:") for term in (quad.subject, quad.object))


@pytest.mark.parametrize("opening,closing", [("[ <p> ", " ]"), ("( ", " )")])
def test_ten_thousand_deep_nesting_is_parsed(
    mini_project: Path, opening: str, closing: str
) -> None:
    depth = 10_000
    text = "<a> <p> " + opening * depth + "1" + closing * depth + " .\n"
    (mini_project / "data" / "deep.ttl").write_text(text)
    dataset = load(load_config(mini_project))
    [source] = [s for s in dataset.sources if s.display == "data/deep.ttl"]
    assert source.triple_count >= depth
    index = source.positions()  # walking the nesting must not recurse
    assert index.subject("https://example.org/mini/a") is not None


def test_one_named_graph_per_file(mini_project: Path) -> None:
    config = load_config(mini_project)
    dataset = load(config)
    for source in dataset.sources:
        assert {q.graph_name.value for q in source.quads} == {config.graph_name(source.path)}


def test_other_source_formats(mini_project: Path) -> None:
    data = mini_project / "data"
    (data / "extra.nt").write_text('<https://example.org/x> <https://example.org/p> "1" .\n')
    (data / "extra.jsonld").write_text(
        '{"@id": "https://example.org/y", "https://example.org/p": "2"}'
    )
    (data / "extra.trig").write_text(
        "<https://example.org/g> { <https://example.org/z> <https://example.org/p> 3 }\n"
    )
    config = load_config(mini_project)
    config.globs["data"] = ["data/*.ttl", "data/*.nt", "data/*.jsonld", "data/*.trig"]
    dataset = load(config)
    counts = {s.display: s.triple_count for s in dataset.sources}
    assert counts["data/extra.nt"] == counts["data/extra.jsonld"] == counts["data/extra.trig"] == 1


def test_jsonld_remote_context_is_not_fetched(mini_project: Path) -> None:
    path = mini_project / "data" / "remote.jsonld"
    path.write_text('{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "x", "name": "y"}')
    with pytest.raises(SourceError) as caught:
        parse_file(path, "data", load_config(mini_project))
    assert caught.value.path == "data/remote.jsonld"


# --- the store as the primary form of a loaded dataset ------------------------------------


def _parsed(path: Path, fmt: ox.RdfFormat, base: str) -> tuple[set[ox.Triple], dict[str, str]]:
    parser = ox.parse(path=str(path), format=fmt, base_iri=base)
    triples = {q.triple for q in parser}
    return triples, dict(parser.prefixes)


def test_file_without_blank_nodes_is_parsed_by_the_store(mini_project: Path) -> None:
    """No Python quads are held; asking for them parses the same quads again, every time."""
    path = mini_project / "data" / "plain.ttl"
    path.write_text(
        '@prefix ex: <https://example.org/> .\nex:a ex:p "4.0"^^<http://www.w3.org/2001/'
        "XMLSchema#decimal> ; ex:q ex:b .\n",
        encoding="utf-8",
    )
    config = load_config(mini_project)
    source, _ = parse_file(path, "data", config)
    assert source._quads is None and source.triple_count == 2
    first, second = source.quads, source.quads
    assert first == second and len(first) == 2
    assert all(q.graph_name == ox.NamedNode(source.graph) for q in first)
    assert {q.object for q in first} >= {
        ox.Literal("4.0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    }, "the quads keep the lexical form as written"
    assert source.prefixes == {"ex": "https://example.org/"}
    assert len(source.store) == 2


def test_blank_node_labels_are_the_same_in_quads_and_store(mini_project: Path) -> None:
    path = mini_project / "data" / "blank.ttl"
    path.write_text(
        "@prefix ex: <https://example.org/> .\n_:x ex:p [ ex:q 1 ] .\n", encoding="utf-8"
    )
    source, _ = parse_file(path, "data", load_config(mini_project))
    assert source._quads is not None
    assert set(source.quads) == set(source.store.quads_for_pattern(None, None, None))
    assert ox.BlankNode("x") in {q.subject for q in source.quads}


def test_store_of_kinds_holds_exactly_their_graphs(mini_project: Path) -> None:
    dataset = load(load_config(mini_project))
    data_and_vocabulary = dataset.store("ontology", "data")
    graphs = {g.value for g in data_and_vocabulary.named_graphs()}
    assert graphs == {s.graph for s in dataset.of_kind("ontology", "data")}
    assert len(data_and_vocabulary) == sum(
        s.triple_count for s in dataset.of_kind("ontology", "data")
    )
    shapes = dataset.store("shapes")
    assert {g.value for g in shapes.named_graphs()} == {s.graph for s in dataset.of_kind("shapes")}
    # Sources from two loads share no store: a merged one is built, with every graph.
    from spacecoop.load import LoadedDataset

    again = load(load_config(mini_project))
    mixed = LoadedDataset(dataset.of_kind("ontology") + again.of_kind("data"))
    merged = mixed.store()
    assert {g.value for g in merged.named_graphs()} == {s.graph for s in mixed.sources}
    assert mixed.store() is merged, "built once"


def test_prefixes_read_without_parsing_equal_the_parsers(repo: Path, shared: Path) -> None:
    """The directive scan answers only when certain, and then as the parser does."""
    from spacecoop.load import declared_prefixes

    files = sorted((shared / "w3c").rglob("*.ttl")) + sorted(repo.glob("*/*.ttl"))
    answered = 0
    for path in files:
        try:
            _, expected = _parsed(path, ox.RdfFormat.TURTLE, "http://example.org/base/")
        except (SyntaxError, ValueError):
            continue
        found = declared_prefixes(path.read_bytes())
        if found is not None:
            answered += 1
            assert found == expected, path
    assert answered > 300


def test_prefix_scan_declines_when_unsure() -> None:
    from spacecoop.load import declared_prefixes

    assert declared_prefixes(b"@prefix a: <http://a/> .\n") == {"a": "http://a/"}
    assert declared_prefixes(b"PREFIX a: <http://a/>\n") == {"a": "http://a/"}
    assert declared_prefixes(b"@base <http://b/> .\n@prefix a: <x/> .\n") is None
    assert declared_prefixes(b'<s> <p> """\n@prefix a: <http://a/> .\n""" .\n') is None
    assert declared_prefixes(b"<s> <p> <o> . @prefix a: <http://a/> .\n") is None
    assert declared_prefixes(b'<s> <p> "prefix" .\n') is None


XSD = "http://www.w3.org/2001/XMLSchema#"
TYPED = (
    "@prefix ex: <https://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    'ex:a a ex:T ;\n    ex:n "01"^^xsd:positiveInteger , "2"^^xsd:positiveInteger ;\n'
    '    ex:label "a positiveInteger in words" ;\n'
    '    ex:m "3"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .\n'
    'ex:b ex:n "+4"^^xsd:positiveInteger .\n'
    'ex:c ex:n 5 ; ex:o "x"^^xsd:string .\n'
)


def _large(mini_project: Path, text: str, monkeypatch) -> SourceFile:  # type: ignore[no-untyped-def]
    """A source the loader treats as large (read by lines or statements, not whole)."""
    monkeypatch.setattr(load_module, "_WHOLE_INDEX_UP_TO", 0)
    path = mini_project / "data" / "large.ttl"
    path.write_text(text, encoding="utf-8")
    source, _ = parse_file(path, "data", load_config(mini_project))
    return source


def _whole(source: SourceFile, names: set[str]) -> list[tuple[str, ox.Literal]]:
    return [
        (q.predicate.value, q.object)
        for q in source.iter_parsed()
        if isinstance(q.object, ox.Literal) and q.object.datatype.value.rsplit("#", 1)[-1] in names
    ]


@pytest.mark.parametrize(
    ("text", "by_lines"),
    [
        (TYPED, True),
        # a literal on a line of its own after its predicate: the line alone says nothing
        (TYPED.replace('ex:n "+4"', 'ex:n\n    "+4"'), False),
        # a datatype's name in a string, where no literal has that datatype
        (TYPED.replace('"x"^^xsd:string', '"see xsd:positiveInteger"'), False),
        # a prefix that ends inside XML Schema's namespace could spell any name
        (
            TYPED.replace(
                "@prefix ex:", "@prefix p: <http://www.w3.org/2001/XMLSchema#pos> .\n@prefix ex:"
            ),
            False,
        ),
    ],
)
def test_typed_literals_read_by_lines_equal_a_whole_read(
    mini_project: Path, monkeypatch, text: str, by_lines: bool
) -> None:  # type: ignore[no-untyped-def]
    """Literals of some datatypes, with lexical forms as written: from the lines that spell
    the datatype where that is certain to find them all, else from the whole file."""
    source = _large(mini_project, text, monkeypatch)
    names = {"positiveInteger", "nonNegativeInteger"}
    found = source.typed_literals(names)
    assert sorted(map(str, found)) == sorted(map(str, _whole(source, names)))
    assert ox.Literal("01", datatype=ox.NamedNode(XSD + "positiveInteger")) in {o for _, o in found}
    assert (source._typed_lines(names) is not None) is by_lines


@pytest.mark.parametrize(
    "text",
    [
        TYPED,
        # a statement that does not start its line is not found by its subject: counted short,
        # so the whole file is read
        TYPED.replace("\nex:b ex:n", " ex:b ex:n"),
    ],
)
def test_triples_about_some_subjects_equal_a_whole_read(
    mini_project: Path, monkeypatch, text: str
) -> None:  # type: ignore[no-untyped-def]
    source = _large(mini_project, text, monkeypatch)
    wanted = {ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/b")}
    expected = {q.triple for q in source.iter_parsed() if q.subject in wanted}
    found = source.triples_about(wanted)
    assert set(found) == expected and len(expected) == 6
    assert ox.Literal("+4", datatype=ox.NamedNode(XSD + "positiveInteger")) in {
        t.object for t in found
    }


def _source(mini_project: Path, name: str, text: str) -> SourceFile:
    """``text`` written as ``data/name`` of the mini project, parsed as the loader does."""
    path = mini_project / "data" / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path, "data", load_config(mini_project))[0]


def test_brackets_in_literals_keep_the_fast_path(mini_project: Path) -> None:
    """A "(" or "[" in a literal is no blank node: the store's own parse is kept (no Python
    quads); a real blank node still gets the quads of one parse."""
    prefix = "@prefix ex: <https://example.org/> .\n"
    source = _source(
        mini_project, "words.ttl", prefix + 'ex:a ex:label "Solar wind (SMILE) [2025]" .\n'
    )
    assert source._quads is None and source.triple_count == 1 and len(source.store) == 1
    source = _source(
        mini_project, "words.ttl", prefix + 'ex:a ex:label "(x)" ; ex:part [ ex:n 1 ] .\n'
    )
    assert source._quads is not None and source.triple_count == 3
    assert set(source.quads) == set(source.store.quads_for_pattern(None, None, None))


def test_quads_file_with_brackets_keeps_its_blank_node_labels(mini_project: Path) -> None:
    """A TriG file may put blank nodes in graphs of its own: it is not loaded on trial."""
    text = (
        "@prefix ex: <https://example.org/> .\n"
        'ex:a ex:label "(x)" .\nex:g { ex:a ex:part [ ex:n 1 ] . }\n'
    )
    source = _source(mini_project, "graphs.trig", text)
    assert source._quads is not None and source.triple_count == 3
    assert set(source.quads) == set(source.store.quads_for_pattern(None, None, None))
