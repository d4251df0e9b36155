"""The real project end to end: `spacecoop build` on a fresh copy of the repository."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from spacecoop.config import load_config
from tests.conftest import copy_repo, run_cli
from tests.test_cli import tree_digest


def _update_readme_module(repo: Path):
    spec = importlib.util.spec_from_file_location(
        "update_readme", repo / "scripts" / "update_readme.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict, dict[str, str]]:
    project = copy_repo(tmp_path_factory.mktemp("repository") / "spacecoop")
    result = run_cli("build", "--json", cwd=project)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return project, json.loads(result.stdout), tree_digest(project / "dist")


def test_build_has_no_violations_and_every_question_passes(built) -> None:
    _, summary, _ = built
    assert summary["ok"] is True
    assert summary["findings_by_severity"]["violation"] == 0
    assert summary["findings_by_severity"]["error"] == 0
    assert len(summary["questions"]) >= 20
    failed = [q["file"] for q in summary["questions"] if not q["passed"]]
    assert not failed, failed
    assert summary["instances"] > 300 and summary["sources_cited"] > 50
    assert set(summary["languages"]) >= {"en", "zh"}


def test_rebuild_is_byte_identical(built) -> None:
    project, _, first = built
    result = run_cli("-q", "build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert tree_digest(project / "dist") == first


def test_readme_figures_match_the_build(built, repo: Path) -> None:
    _, summary, _ = built
    module = _update_readme_module(repo)
    expected = module.render(summary, load_config(repo).vocabulary_namespace)
    readme = (repo / "README.md").read_text(encoding="utf-8")
    block = re.search(re.escape(module.START) + ".*?" + re.escape(module.END), readme, re.DOTALL)
    assert block is not None
    assert block.group(0) == expected, "run: .venv/bin/python scripts/update_readme.py"
