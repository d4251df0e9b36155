"""Project configuration from ``[tool.spacecoop]`` in pyproject.toml.

The toolkit knows nothing about the domain: source globs, base IRIs, output folders and
languages all come from this table, so the same code can publish any vocabulary.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from spacecoop.errors import ConfigError

SOURCE_KINDS = ("ontology", "shapes", "data")
SEVERITY_LEVELS = ("violation", "warning", "info", "never")


@dataclass(frozen=True)
class Config:
    """Resolved configuration of one project checkout."""

    root: Path
    base_iri: str
    vocabulary_namespace: str
    instance_namespace: str
    globs: dict[str, list[str]] = field(default_factory=dict)
    query_globs: list[str] = field(default_factory=list)
    dist: Path = Path("dist")
    store: Path = Path(".spacecoop/store")
    languages: tuple[str, ...] = ("en",)
    fail_on: str = "violation"
    version: str = "0.0.0"
    name: str = "project"

    def sources(self, kind: str) -> list[Path]:
        """Files of one source kind, sorted so every run sees them in the same order."""
        found: set[Path] = set()
        for pattern in self.globs.get(kind, []):
            # A dangling link is kept so that loading reports it instead of skipping it.
            found.update(p for p in self.root.glob(pattern) if p.is_file() or p.is_symlink())
        return sorted(found)

    def all_sources(self) -> list[tuple[str, Path]]:
        """Every RDF source as (kind, path), ontology first, then shapes, then data."""
        return [(kind, path) for kind in SOURCE_KINDS for path in self.sources(kind)]

    def queries(self) -> list[Path]:
        found: set[Path] = set()
        for pattern in self.query_globs:
            found.update(p for p in self.root.glob(pattern) if p.is_file())
        return sorted(found)

    def relative(self, path: Path) -> str:
        """A path as users see it in messages: relative to the project root when inside it."""
        try:
            return path.absolute().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def graph_name(self, path: Path) -> str:
        """The named graph that holds one source file's triples."""
        return f"{self.base_iri}graph/{self.relative(path)}"


def find_root(start: Path | None = None) -> Path:
    """The nearest folder upwards that holds a pyproject.toml with ``[tool.spacecoop]``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "tool.spacecoop" in candidate.read_text(encoding="utf-8"):
            return folder
    raise ConfigError(f"no pyproject.toml with a [tool.spacecoop] table in {here} or above")


def _string_list(table: dict, key: str, default: list[str]) -> list[str]:
    value = table.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[tool.spacecoop] {key} must be a string or a list of strings")
    return list(value)


def load_config(root: Path | None = None) -> Config:
    """Read ``[tool.spacecoop]``; every path in it is relative to the project root."""
    root = (root or find_root()).resolve()
    pyproject = root / "pyproject.toml"
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: {exc}") from exc
    table = document.get("tool", {}).get("spacecoop")
    if table is None:
        raise ConfigError(f"{pyproject}: missing [tool.spacecoop] table")
    base_iri = table.get("base_iri")
    if not isinstance(base_iri, str) or not base_iri.startswith(("http://", "https://")):
        raise ConfigError("[tool.spacecoop] base_iri must be an absolute http(s) IRI")
    if not base_iri.endswith("/"):
        raise ConfigError("[tool.spacecoop] base_iri must end with '/'")
    fail_on = table.get("fail_on", "violation")
    if fail_on not in SEVERITY_LEVELS:
        raise ConfigError(f"[tool.spacecoop] fail_on must be one of {', '.join(SEVERITY_LEVELS)}")
    project = document.get("project", {})
    return Config(
        root=root,
        base_iri=base_iri,
        vocabulary_namespace=table.get("vocabulary_namespace", base_iri + "def/"),
        instance_namespace=table.get("instance_namespace", base_iri + "id/"),
        globs={kind: _string_list(table, kind, []) for kind in SOURCE_KINDS},
        query_globs=_string_list(table, "queries", []),
        dist=root / table.get("dist", "dist"),
        store=root / table.get("store", ".spacecoop/store"),
        languages=tuple(_string_list(table, "languages", ["en"])),
        fail_on=fail_on,
        version=str(project.get("version", "0.0.0")),
        name=str(project.get("name", root.name)),
    )
