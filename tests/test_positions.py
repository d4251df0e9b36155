"""Source positions: the subject-by-subject search of large files equals the full index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from spacecoop.load import declared_prefixes
from spacecoop.positions import (
    PositionIndex,
    SubjectIndex,
    build_index,
    line_offsets,
    statement_subjects,
    targetable,
    trie_pattern,
)

BASE = "http://example.org/base/"


def _same_answers(text: str, name: str) -> int:
    """Compare both indexes on every subject of the full one; returns how many."""
    prefixes = declared_prefixes(text.encode("utf-8"))
    assert targetable(text, prefixes)
    full = build_index(text, name, BASE)
    searched = SubjectIndex(text, name, BASE, prefixes or {})
    by_subject: dict[str, PositionIndex] = {}
    for key, value in full.triples.items():
        by_subject.setdefault(key[0], PositionIndex(name)).triples[key] = value
    for subject, location in full.subjects.items():
        assert searched.has(subject), subject
        assert searched.subject(subject) == location, subject
        for (s, p, o), (at, _) in by_subject.get(subject, PositionIndex(name)).triples.items():
            assert searched.triple(s, p, o) == at, (s, p, o)
    assert not searched.has("http://example.org/never-written")
    return len(full.subjects)


def test_subject_search_equals_the_full_index_on_the_project(repo: Path) -> None:
    compared = 0
    for path in sorted(repo.glob("data/*.ttl")) + sorted(repo.glob("ontology/*.ttl")):
        text = path.read_text(encoding="utf-8")
        if targetable(text, declared_prefixes(text.encode("utf-8"))):
            compared += _same_answers(text, path.name)
    assert compared > 200


def test_subject_search_equals_the_full_index_on_w3c_files(shared: Path) -> None:
    compared = 0
    for path in sorted((shared / "w3c").rglob("*.ttl")):
        try:
            for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE):
                pass
        except (SyntaxError, ValueError):
            continue
        text = path.read_text(encoding="utf-8")
        if targetable(text, declared_prefixes(text.encode("utf-8"))):
            compared += _same_answers(text, path.name)
    assert compared > 200


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('<http://a/s> <http://a/p> """x""" .\n', "long string"),
        ('<http://a/s> <http://a/p> "a\\"b" .\n', "escape"),
        ("<s> <http://a/p> <o> .\n", "relative IRI"),
    ],
)
def test_subject_search_is_not_used_where_it_could_differ(text: str, reason: str) -> None:
    assert not targetable(text, {}), reason


def test_a_candidate_inside_another_statement_is_not_taken() -> None:
    text = (
        "@prefix ex: <http://e/> .\n"
        "ex:a ex:p\n"
        "    ex:s ;\n"
        "    ex:q ex:r .\n"
        "ex:b ex:p [\n"
        "    ex:s ex:o ] .\n"
        "ex:s ex:t ex:u .\n"
    )
    searched = SubjectIndex(text, "f.ttl", BASE, {"ex": "http://e/"})
    location = searched.subject("http://e/s")
    assert location is not None and location.line == 7
    assert searched.triple("http://e/s", "http://e/q", ("I", "http://e/r")) is None
    assert searched.triple("http://e/s", "http://e/t", ("I", "http://e/u")).line == 7


def test_subject_search_equals_the_full_index_on_generated_data(repo: Path, tmp_path: Path) -> None:
    """The benchmark's generated Turtle: the case the subject search is for."""
    import subprocess
    import sys

    out = tmp_path / "gen"
    done = subprocess.run(
        [sys.executable, str(repo / "scripts" / "generate.py"), "--size", "3k", "--seed", "5",
         "--project", str(repo), "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = (out / "data" / "generated.ttl").read_text(encoding="utf-8")
    assert _same_answers(text, "generated.ttl") > 100


def test_located_findings_are_the_same_either_way(repo: Path, tmp_path: Path, monkeypatch) -> None:
    """Validation of the real project locates every finding identically with both indexes."""
    import spacecoop.load as load_module
    from spacecoop.config import load_config
    from spacecoop.load import load
    from spacecoop.validate import validate

    config = load_config(repo)
    whole = validate(load(config)).findings
    monkeypatch.setattr(load_module, "_WHOLE_INDEX_UP_TO", 0)
    dataset = load(config)
    searched = validate(dataset).findings
    assert any(isinstance(s._index, SubjectIndex) for s in dataset.sources)

    def canonical(findings: list) -> list[str]:
        return sorted(json.dumps(f.to_json(), sort_keys=True) for f in findings)

    assert canonical(searched) == canonical(whole)
    assert sum(1 for f in whole if f.line) > 20


def test_line_offsets_equal_a_full_line_table() -> None:
    text = "".join(f"line {i}{' ' * (i % 7)}\n" for i in range(250_000)) + "last"
    table = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    numbers = [0, 1, 2, 1000, 117_000, 249_999, 250_000, 250_001, 300_000]
    found = line_offsets(text, numbers)
    assert found == {n: table[n] if n < len(table) else len(text) for n in numbers}


STATEMENTS = """@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:a a ex:T ;
    ex:p "one" ,
        "two" ;
    ex:q ex:b .
# a comment between statements
ex:b ex:p "x" . ex:c ex:p "y" .

<https://example.org/d> ex:p "z" .
ex:e ex:p [ ex:q 1 ] .
"""


def _range(text: str, first: int, count: int) -> tuple[int, int]:
    offsets = line_offsets(text, [first, first + count])
    return offsets[first], offsets[first + count]


@pytest.mark.parametrize(
    ("first", "count", "subjects"),
    [
        (5, 1, {"a"}),  # an object in the middle of a statement
        (3, 4, {"a"}),  # the whole statement
        (7, 1, set()),  # a comment between statements
        (7, 2, {"b", "c"}),  # two statements on one line
        (8, 3, {"b", "c", "d"}),
        (11, 1, {"e"}),  # a blank node object belongs to its subject's statement
        (0, 1, None),  # a prefix directive: not certain, the caller compares whole files
    ],
)
def test_statement_subjects_of_changed_lines(first: int, count: int, subjects) -> None:  # type: ignore[no-untyped-def]
    prefixes = declared_prefixes(STATEMENTS.encode())
    assert prefixes is not None
    found = statement_subjects(
        STATEMENTS, [_range(STATEMENTS, first, count)], "https://example.org/", prefixes
    )
    expected = None if subjects is None else {f"https://example.org/{s}" for s in subjects}
    assert found == expected


def test_statement_subjects_refuse_a_blank_node_subject() -> None:
    text = "@prefix ex: <https://example.org/> .\n[ ex:p 1 ] ex:q 2 .\n"
    assert (
        statement_subjects(
            text, [_range(text, 1, 1)], "https://example.org/", {"ex": "https://example.org/"}
        )
        is None
    )


@pytest.mark.parametrize(
    "words", [["<a>", "<ab>", "<b>", "ex:a", "ex:ab"], ["x"], ["", "y"], ["a.b", "a+b", "a"]]
)
def test_trie_pattern_matches_exactly_the_words(words: list[str]) -> None:
    pattern = re.compile(trie_pattern(words))
    assert all(pattern.fullmatch(w) for w in words)
    for other in ("<", "ex:", "<abc>", "ab", "a-b", "z"):
        assert (pattern.fullmatch(other) is not None) == (other in words)


PREFETCHED = """@prefix ex: <https://example.org/> .
ex:a ex:p ex:ab , <https://example.org/c> .
ex:ab ex:p ex:a .
   <https://example.org/c> ex:p "ex:a at a line start inside a literal" .
ex:a ex:q 1 .
ex:abc ex:p ex:a .
"""


def test_prefetch_finds_what_the_search_per_subject_finds() -> None:
    prefixes = {"ex": "https://example.org/"}
    subjects = [f"https://example.org/{s}" for s in ("a", "ab", "c", "abc", "missing")]
    one_by_one = SubjectIndex(PREFETCHED, "f.ttl", "https://example.org/", prefixes)
    together = SubjectIndex(PREFETCHED, "f.ttl", "https://example.org/", prefixes)
    together.prefetch(subjects)
    assert set(together._done) == set(subjects)
    for subject in subjects:
        assert together._for(subject) == one_by_one._for(subject)
    assert together.subject("https://example.org/a").line == 2  # type: ignore[union-attr]
    assert together.triple("https://example.org/a", "https://example.org/q", None) is not None
