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
class FrameConfig:
    """One ``[tool.spacecoop.frames.NAME]`` entry: root class and the key paths to embed."""

    class_: str
    embed: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetConfig:
    """``[tool.spacecoop.dataset]``: how VoID and DCAT name and describe the published graph."""

    iri: str = ""
    title: str = ""
    description: str = ""
    license: str = ""
    downloads: str = ""


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
    # Exports (see jsonld.py, catalog.py, release.py); every default derives from base_iri.
    frames: dict[str, FrameConfig] = field(default_factory=dict)
    reverse_terms: dict[str, str] = field(default_factory=dict)
    context_iri: str = ""
    sparql_endpoint: str = ""
    dataset: DatasetConfig = field(default_factory=lambda: DatasetConfig())
    releases: Path = Path("releases")
    # OWL-RL (owlrl, pure Python) is skipped above this many ontology + data triples.
    reasoning_max_triples: int = 50_000
    publish_graph: str = ""  # the live graph `spacecoop publish` replaces in a remote store

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
        """A path as users see it in messages: relative to the project root when inside it
        (also when one of the two is reached through a symbolic link and the other is not)."""
        for inside, root in ((path.absolute(), self.root), (path.resolve(), self.root.resolve())):
            try:
                return inside.relative_to(root).as_posix()
            except ValueError:
                continue
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
        reasoning_max_triples=_positive_int(table, "reasoning_max_triples", 50_000),
        **_export_settings(table, project, root, base_iri),
    )


def _positive_int(table: dict, key: str, default: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"[tool.spacecoop] {key} must be a whole number >= 0")
    return value


def _string_table(table: dict, key: str) -> dict[str, str]:
    value = table.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"[tool.spacecoop.{key}] must map names to strings")
    return dict(value)


def _export_settings(table: dict, project: dict, root: Path, base_iri: str) -> dict:
    """Frames, reverse keys, endpoint, dataset description and release folder."""
    frames: dict[str, FrameConfig] = {}
    raw_frames = table.get("frames", {})
    if not isinstance(raw_frames, dict):
        raise ConfigError("[tool.spacecoop.frames] must be a table of frames")
    for name, frame in raw_frames.items():
        if not isinstance(frame, dict) or not isinstance(frame.get("class"), str):
            raise ConfigError(f'[tool.spacecoop.frames.{name}] needs class = "<IRI or key>"')
        frames[name] = FrameConfig(frame["class"], tuple(_string_list(frame, "embed", [])))
    dataset = _string_table(table, "dataset")
    unknown = set(dataset) - {"iri", "title", "description", "license", "downloads"}
    if unknown:
        raise ConfigError(f"[tool.spacecoop.dataset] unknown keys: {', '.join(sorted(unknown))}")
    license_ = project.get("license", "")
    return {
        "frames": frames,
        "reverse_terms": _string_table(table, "reverse_terms"),
        "context_iri": str(table.get("context_iri", base_iri + "context.jsonld")),
        "sparql_endpoint": str(table.get("sparql_endpoint", base_iri + "sparql")),
        "dataset": DatasetConfig(
            iri=dataset.get("iri", base_iri + "dataset"),
            title=dataset.get("title", str(project.get("name", root.name))),
            description=dataset.get("description", str(project.get("description", ""))),
            license=dataset.get("license", license_ if isinstance(license_, str) else ""),
            downloads=dataset.get("downloads", base_iri + "dist/"),
        ),
        "releases": root / str(table.get("releases", "releases")),
        "publish_graph": str(table.get("publish_graph", base_iri + "graph/published")),
    }
