"""Baselines: stable keys without line numbers; only new findings fail; fixed ones are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spacecoop.baseline import (
    BASELINE_FORMAT,
    baseline_document,
    compare,
    read_baseline,
    write_baseline,
)
from spacecoop.errors import SpacecoopError
from spacecoop.findings import Finding, Severity
from tests.conftest import run_cli
from tests.test_report import break_project, validate_json

BOOK = "https://example.org/mini/id/book/"


def finding(focus: str, line: int, value: str | None = None, shape: str = "s:Shape") -> Finding:
    return Finding(
        Severity.VIOLATION,
        f"problem at {line}",
        "shacl",
        focus=focus,
        path="p:path",
        value=value,
        shape=shape,
        file="data/x.ttl",
        line=line,
        column=5,
    )


def test_key_has_no_line_numbers() -> None:
    assert (
        finding("a", 3).key() == finding("a", 300).key() == ("shacl", "s:Shape", "a", "p:path", "")
    )


def test_document_is_deterministic_sorted_and_line_free() -> None:
    findings = [finding("b", 9, "v"), finding("a", 3), finding("a", 4)]  # a twice: one key
    data = baseline_document(findings)
    assert data == baseline_document(list(reversed(findings)))
    document = json.loads(data)
    assert document["format"] == BASELINE_FORMAT and document["version"] == 1
    assert [e["focus"] for e in document["findings"]] == ["a", "b"]
    assert set(document["findings"][0]) == {"checker", "shape", "focus", "path", "value"}
    assert b'"line"' not in data and data.endswith(b"}\n")


def test_compare_splits_new_unchanged_and_fixed(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    assert write_baseline(path, [finding("a", 1), finding("gone", 2)]) == 2
    keys = read_baseline(path)
    comparison = compare([finding("a", 40), finding("new", 41)], keys, "baseline.json")
    assert [f.focus for f in comparison.new] == ["new"]
    assert [f.focus for f in comparison.unchanged] == ["a"]
    assert comparison.fixed == [("shacl", "s:Shape", "gone", "p:path", "")]
    assert comparison.state(finding("a", 99)) == "unchanged"
    assert comparison.to_json()["fixed"][0]["focus"] == "gone"


@pytest.mark.parametrize(
    "content,message",
    [
        (None, "baseline file not found"),
        (
            '{"format": "spacecoop-baseline",\n  "version": 1,, }',
            r"b.json:2:16: error: baseline is not JSON",
        ),
        ('{"findings": []}', "not a spacecoop baseline"),
        (
            '{"format": "spacecoop-baseline", "version": 9, "findings": []}',
            "version 9 is not supported",
        ),
        ('{"format": "spacecoop-baseline", "version": 1, "findings": [{"focus": 1}]}', "entry 1"),
    ],
    ids=["missing", "not-json", "not-baseline", "version", "bad-entry"],
)
def test_bad_baseline_files_are_clear_errors(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SpacecoopError, match=message) as raised:
        read_baseline(path, "b.json")
    assert raised.value.exit_code == 2


def test_only_new_findings_fail_and_fixed_ones_are_reported(mini_project: Path) -> None:
    break_project(mini_project)
    assert run_cli("validate", cwd=mini_project).returncode == 1

    update = run_cli(
        "validate", "--baseline", "baseline.json", "--update-baseline", cwd=mini_project
    )
    assert update.returncode == 0, update.stdout + update.stderr
    recorded = (mini_project / "baseline.json").read_bytes()
    assert len(json.loads(recorded)["findings"]) == 3
    assert b'"line"' not in recorded

    # Known findings do not fail, even after lines moved; they are marked as known.
    books = mini_project / "data" / "books.ttl"
    books.write_text("# moved down\n\n" + books.read_text(encoding="utf-8"), encoding="utf-8")
    known = run_cli("validate", "--baseline", "baseline.json", cwd=mini_project)
    assert known.returncode == 0, known.stdout
    assert "data/books.ttl:14:1: violation: A book needs an English label." in known.stdout
    assert "baseline: known (does not fail the run)" in known.stdout
    assert "baseline baseline.json: 0 new, 3 known, 0 fixed" in known.stdout

    # A new finding fails; a fixed one is reported as fixed.
    text = books.read_text(encoding="utf-8")
    text = text.replace('"1961"', '"1961"^^xsd:gYear')  # fixes the warning
    books.write_text(text + "\nbook:eden a m:Book .\n", encoding="utf-8")  # a new violation
    result = run_cli(
        "validate", "--baseline", "baseline.json", "--format", "json", cwd=mini_project
    )
    assert result.returncode == 1
    document = validate_json(result.stdout)
    new = [f for f in document["findings"] if f["baseline"] == "new"]
    assert [f["focus"] for f in new] == [BOOK + "eden"] and document["baseline"]["new"] == 1
    assert document["baseline"]["unchanged"] == 2
    assert [k["focus"] for k in document["baseline"]["fixed"]] == [BOOK + "solaris"]
    text_run = run_cli("validate", "--baseline", "baseline.json", cwd=mini_project)
    assert (
        f"    fixed: shacl: https://example.org/mini/shapes/BookPublished, focus {BOOK}solaris"
        in text_run.stdout
    )


def test_baseline_in_sarif_and_markdown(mini_project: Path) -> None:
    break_project(mini_project)
    (mini_project / "baseline.json").write_bytes(baseline_document([]))
    sarif = run_cli(
        "validate", "--baseline", "baseline.json", "--format", "sarif", cwd=mini_project
    )
    assert sarif.returncode == 1
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert {r["baselineState"] for r in results} == {"new"}
    markdown = run_cli(
        "validate", "--baseline", "baseline.json", "--format", "markdown", cwd=mini_project
    )
    assert "Baseline `baseline.json`: 3 new, 0 known, 0 fixed." in markdown.stdout
