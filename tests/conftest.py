"""Shared fixtures: the repository, the shared W3C suites, and throw-away project copies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a test that runs the whole pipeline on the real data")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "w3c").is_dir():
        pytest.skip("../shared/w3c is not beside the repository")
    return SHARED


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """A private copy of the small, domain-neutral fixture project."""
    target = tmp_path / "mini"
    shutil.copytree(
        FIXTURES / "miniproject", target, ignore=shutil.ignore_patterns("dist", ".spacecoop")
    )
    return target


def copy_repo(target: Path) -> Path:
    """A copy of the project's sources (not its venv or outputs) for end-to-end runs."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("pyproject.toml", "README.md", "ontology", "shapes", "data", "queries"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy2(source, target / name)
    return target


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as a user or CI would."""
    environment = {**os.environ, "CI": "true", "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "spacecoop", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
