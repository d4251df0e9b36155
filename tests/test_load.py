"""Strict loading: hostile inputs give one clear error with file, line and column."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from spacecoop.config import load_config
from spacecoop.errors import ConfigError, SourceError
from spacecoop.load import load, parse_file
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
