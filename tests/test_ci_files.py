"""The reuse files (pre-commit hook, composite action, this repository's CI) parse and name
commands and options that exist, so that a renamed option cannot break them silently."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main
import yaml

from spacecoop.cli import app
from spacecoop.config import SEVERITY_LEVELS
from spacecoop.report import FORMATS
from tests.conftest import REPO


def load_yaml(name: str) -> object:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


def validate_options() -> set[str]:
    group = typer.main.get_command(app)
    command = group.commands["validate"]  # type: ignore[attr-defined]
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


def check_validate_invocation(words: list[str]) -> None:
    """Options of a `spacecoop validate` invocation exist and their values are accepted."""
    options = validate_options()
    for index, word in enumerate(words):
        if not word.startswith("-"):
            continue
        assert word in options, f"unknown validate option {word}"
        value = words[index + 1] if index + 1 < len(words) else ""
        if word == "--format":
            assert value in FORMATS
        if word == "--fail-on" and not value.startswith(("$", "_")):  # a shell variable
            assert value in SEVERITY_LEVELS


def test_pre_commit_hook() -> None:
    hooks = load_yaml(".pre-commit-hooks.yaml")
    assert isinstance(hooks, list)
    (hook,) = [h for h in hooks if h["id"] == "spacecoop-validate"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    words = shlex.split(hook["entry"]) + list(hook.get("args", []))
    assert words[:2] == ["spacecoop", "validate"]
    check_validate_invocation(words[2:])
    assert re.search(hook["files"], "data/books.ttl") and not re.search(hook["files"], "README.md")


def action_steps() -> list[dict]:
    action = load_yaml("action.yml")
    assert isinstance(action, dict)
    assert action["runs"]["using"] == "composite"
    return action["runs"]["steps"]


def test_action_installs_validates_and_uploads() -> None:
    action = load_yaml("action.yml")
    steps = action_steps()
    runs = [step["run"] for step in steps if "run" in step]
    assert all(step.get("shell") == "bash" for step in steps if "run" in step)
    install = next(r for r in runs if "pip install" in r)
    assert "$GITHUB_ACTION_PATH" in install  # installs this very checkout of spacecoop
    validate = next(r for r in runs if "spacecoop validate" in r)
    args = re.search(r"args=\((.*)\)", validate).group(1)
    words = shlex.split(args.replace('"$', '"_').replace("$", "_"))
    assert words[:2] == ["--format", "sarif"] and "-o" in words
    check_validate_invocation(words)
    assert "--baseline" in validate and "--baseline" in validate_options()
    upload = next(
        step
        for step in steps
        if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert "steps.validate.outputs.sarif-file" in upload["with"]["sarif_file"]
    assert "GITHUB_OUTPUT" in validate and "sarif-file=" in validate
    inputs = action["inputs"]
    assert inputs["fail-on"]["default"] in SEVERITY_LEVELS
    # Every ${{ inputs.x }} the action uses is declared.
    used = set(re.findall(r"inputs\.([\w-]+)", (REPO / "action.yml").read_text(encoding="utf-8")))
    assert used <= set(inputs), used - set(inputs)


def test_ci_workflow_runs_the_tests_and_uses_the_action() -> None:
    workflow = load_yaml(".github/workflows/ci.yml")
    jobs = workflow["jobs"]
    steps = [step for job in jobs.values() for step in job["steps"]]
    assert any(step.get("run") == "make test" for step in steps)
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test:", makefile, flags=re.MULTILINE)
    local = [
        (name, step)
        for name, job in jobs.items()
        for step in job["steps"]
        if step.get("uses") == "./"
    ]
    assert local, "CI must use this repository's own action"
    name, step = local[0]
    assert jobs[name]["permissions"]["security-events"] == "write"  # for the SARIF upload
    declared = set(load_yaml("action.yml")["inputs"])
    assert set(step.get("with", {})) <= declared


@pytest.mark.parametrize(
    "name", [".pre-commit-hooks.yaml", "action.yml", ".github/workflows/ci.yml"]
)
def test_yaml_files_exist_and_parse(name: str) -> None:
    assert (REPO / name).is_file()
    assert load_yaml(name)


def test_console_script_is_declared() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'spacecoop = "spacecoop.cli:main"' in pyproject
    assert Path(REPO / "src" / "spacecoop" / "cli.py").is_file()
