"""Configuration comes from pyproject.toml; the toolkit code names no domain term."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from spacecoop.config import load_config
from spacecoop.errors import ConfigError

# Words of this project's domain that must never appear in the toolkit code.
DOMAIN_WORDS = [
    r"w3id\.org/spacecoop",
    r"\bmission",
    r"\bspacecraft",
    r"\blunar\b",
    r"\bILRS\b",
    r"\bsatellite",
    r"\bastronaut",
    r"\bCNSA\b",
    r"\bESA\b",
    r"Chang'e",
    r"\bchange-[0-9]",
]


def test_toolkit_has_no_domain_terms(repo: Path) -> None:
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text())
    namespace = pyproject["tool"]["spacecoop"]["vocabulary_namespace"]
    sources = sorted((repo / "src").rglob("*.py"))
    assert sources, "no toolkit sources found"
    offenders = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        if namespace in text:
            offenders.append(f"{path}: vocabulary namespace {namespace}")
        for word in DOMAIN_WORDS:
            for match in re.finditer(word, text, flags=re.IGNORECASE):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path}:{line}: {match.group()}")
    assert not offenders, "\n".join(offenders)


def test_project_configuration(repo: Path) -> None:
    config = load_config(repo)
    assert config.base_iri == "https://w3id.org/spacecoop/"
    assert config.vocabulary_namespace.startswith(config.base_iri)
    assert config.languages == ("en", "zh")
    for kind in ("ontology", "shapes", "data"):
        assert config.sources(kind), f"no {kind} sources"
    assert config.queries()
    assert config.dist == repo / "dist"


def test_missing_table_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"missing \[tool.spacecoop\]"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    "table,message",
    [
        ('base_iri = "ftp://x/"', "absolute http"),
        ('base_iri = "https://x"', "must end with '/'"),
        ('base_iri = "https://x/"\nfail_on = "sometimes"', "fail_on must be one of"),
        ('base_iri = "https://x/"\ndata = 3', "data must be a string or a list"),
    ],
)
def test_invalid_values(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.spacecoop]\n{table}\n")
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path)


def test_paths_are_shown_relative_through_symbolic_links(
    mini_project: Path, tmp_path: Path
) -> None:
    """A project reached through a link, and a file named by its real path (or the reverse),
    are still shown relative to the project root."""
    link = tmp_path / "linked"
    link.symlink_to(mini_project, target_is_directory=True)
    through_link = load_config(link)
    real_file = (mini_project / "data" / "books.ttl").resolve()
    assert through_link.relative(real_file) == "data/books.ttl"
    assert load_config(mini_project).relative(link / "data" / "books.ttl") == "data/books.ttl"
    assert through_link.relative(tmp_path / "elsewhere.ttl") == str(tmp_path / "elsewhere.ttl")
