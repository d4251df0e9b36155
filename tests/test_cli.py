"""The command line end to end, in subprocesses, as a user or CI runs it."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from spacecoop import build as build_module
from spacecoop.config import load_config
from tests.conftest import FIXTURES, run_cli


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_build_then_rebuild_is_byte_identical(mini_project: Path) -> None:
    first = run_cli("build", cwd=mini_project)
    assert first.returncode == 0, first.stderr
    dist = mini_project / "dist"
    produced = tree_digest(dist)
    assert {"mini.ttl", "mini.nt", "mini.jsonld", "vocabulary.rdf", "SHA256SUMS"} <= set(produced)
    assert "Time per stage" in first.stdout and "competency questions: 1/1 passed" in first.stdout
    shutil.rmtree(mini_project / ".spacecoop")
    second = run_cli("build", cwd=mini_project)
    assert second.returncode == 0, second.stderr
    assert tree_digest(dist) == produced


def test_build_json_summary(mini_project: Path) -> None:
    result = run_cli("build", "--json", cwd=mini_project)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["ok"] is True
    assert summary["triples"] == sum(f["triples"] for f in summary["files"]) > 0
    assert summary["instances"] == 3 and summary["classes"] == 2
    assert summary["findings_by_severity"]["violation"] == 0
    assert set(summary["timings_seconds"]) == {"load", "validate", "export", "store", "queries"}
    sums = (mini_project / "dist" / "SHA256SUMS").read_text()
    for output in summary["outputs"]:
        if output["name"] != "SHA256SUMS":
            assert f"{output['sha256']}  {output['name']}" in sums


def test_python_dash_m_and_version(mini_project: Path) -> None:
    result = run_cli("version", cwd=mini_project)
    assert result.returncode == 0 and result.stdout.strip()


@pytest.mark.parametrize(
    "hostile", sorted((FIXTURES / "hostile").glob("*.ttl")), ids=lambda p: p.stem
)
def test_syntax_error_exits_2_and_leaves_outputs(mini_project: Path, hostile: Path) -> None:
    assert run_cli("build", cwd=mini_project).returncode == 0
    before = tree_digest(mini_project / "dist")
    store_before = (mini_project / ".spacecoop" / "store").resolve()
    shutil.copy(hostile, mini_project / "data" / hostile.name)
    expected = json.loads(hostile.with_suffix(".expected.json").read_text())
    result = run_cli("build", cwd=mini_project)
    assert result.returncode == 2
    assert f"data/{hostile.name}:{expected['line']}:{expected['column']}: error: " in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert tree_digest(mini_project / "dist") == before
    assert (mini_project / ".spacecoop" / "store").resolve() == store_before


def test_missing_path_exits_2(mini_project: Path) -> None:
    result = run_cli("validate", "data/nope.ttl", cwd=mini_project)
    assert result.returncode == 2
    assert "data/nope.ttl:1:1: error: file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2(mini_project: Path) -> None:
    result = run_cli("no-such-command", cwd=mini_project)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_findings_exit_1_and_fail_level(mini_project: Path) -> None:
    books = mini_project / "data" / "books.ttl"
    books.write_text(books.read_text().replace('    rdfs:label "Fiasco"@en ;\n', ""))
    assert run_cli("build", cwd=mini_project).returncode == 1
    assert not (mini_project / "dist").exists()
    assert run_cli("validate", cwd=mini_project).returncode == 1
    assert run_cli("validate", "--fail-on", "never", cwd=mini_project).returncode == 0


def test_warning_fails_only_at_warning_level(mini_project: Path) -> None:
    books = mini_project / "data" / "books.ttl"
    books.write_text(books.read_text().replace('"1961"^^xsd:gYear', '"1961"'))
    assert run_cli("validate", cwd=mini_project).returncode == 0
    result = run_cli("validate", "--fail-on", "warning", cwd=mini_project)
    assert result.returncode == 1
    assert "data/books.ttl:10:5: warning: The publication year is an xsd:gYear." in result.stdout


def test_failed_build_keeps_previous_dist(mini_project: Path) -> None:
    assert run_cli("build", cwd=mini_project).returncode == 0
    before = tree_digest(mini_project / "dist")
    books = mini_project / "data" / "books.ttl"
    books.write_text(books.read_text().replace('    rdfs:label "Fiasco"@en ;\n', ""))
    result = run_cli("build", cwd=mini_project)
    assert result.returncode == 1 and "left as they were" in result.stderr
    assert tree_digest(mini_project / "dist") == before


def test_interrupted_export_keeps_previous_dist(mini_project: Path, monkeypatch) -> None:
    config = load_config(mini_project)
    assert not build_module.build(config).failed
    before = tree_digest(config.dist)

    def explode(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("spacecoop.export.iter_ntriples", explode)
    with pytest.raises(KeyboardInterrupt):
        build_module.build(config)
    assert tree_digest(config.dist) == before
    leftovers = [p.name for p in config.dist.parent.iterdir() if "staging" in p.name]
    assert leftovers == []


def test_competency_question_failure_is_a_finding(mini_project: Path) -> None:
    expected = mini_project / "queries" / "books-by-author.expected.tsv"
    expected.write_text(expected.read_text().replace("Fiasco", "Fiasko"))
    result = run_cli("build", cwd=mini_project)
    assert result.returncode == 1
    assert (
        "queries/books-by-author.rq:1:1: violation: competency question answer changed"
        in result.stdout
    )
