"""``[tool.spacecoop.site]``: what the pages single out, read from the project's pyproject.toml.

The toolkit knows no domain: which classes are entry points on the home page, and which
classes get a map of their partners (and which properties feed it), are configuration.
Class and property names are full IRIs or local names in the vocabulary namespace.

Example::

    [tool.spacecoop.site]
    entry_points = ["Book", "Person"]          # main classes, listed on the home page

    [tool.spacecoop.site.map]                  # a partner table (and diagram) on some pages
    classes = ["Book"]                         # pages of these classes get one
    node_classes = ["Contribution"]            # nodes of these classes pointing to the entity
    links = ["contributesTo"]                  # ... or nodes pointing to it through these
    partners = ["contributor"]                 # the node's properties that name the partners
    details = ["role"]                         # further columns of the table
    title = { en = "Partners", zh = "合作方" }
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field

from spacecoop.config import Config
from spacecoop.errors import ConfigError


@dataclass(frozen=True)
class MapSettings:
    """Which entities get a partner map and which nodes and properties feed it."""

    classes: tuple[str, ...] = ()
    node_classes: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    title: dict[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.classes and self.partners)


@dataclass(frozen=True)
class SiteSettings:
    """The site's configuration, with every name resolved to a full IRI."""

    languages: tuple[str, ...]
    entry_points: tuple[str, ...] = ()
    map: MapSettings = field(default_factory=MapSettings)

    @property
    def default_language(self) -> str:
        return self.languages[0]


def _iri(name: str, config: Config, key: str) -> str:
    if not isinstance(name, str) or not name:
        raise ConfigError(f"[tool.spacecoop.site] {key}: expected class or property names")
    if name.startswith(("http://", "https://", "urn:")):
        return name
    if ":" in name or "/" in name:
        raise ConfigError(
            f"[tool.spacecoop.site] {key}: {name!r} is neither a full IRI nor a local name "
            f"in {config.vocabulary_namespace}"
        )
    return config.vocabulary_namespace + name


def _names(table: dict, key: str, config: Config, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError(f"[tool.spacecoop.{where}] {key} must be a list of names")
    return tuple(_iri(v, config, key) for v in value)


def load_site_settings(config: Config) -> SiteSettings:
    """Read ``[tool.spacecoop.site]`` (optional: every key has a default)."""
    path = config.root / "pyproject.toml"
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    table = document.get("tool", {}).get("spacecoop", {}).get("site", {})
    if not isinstance(table, dict):
        raise ConfigError("[tool.spacecoop.site] must be a table")
    unknown = set(table) - {"entry_points", "map"}
    if unknown:
        raise ConfigError(f"[tool.spacecoop.site] unknown keys: {', '.join(sorted(unknown))}")
    raw_map = table.get("map", {})
    if not isinstance(raw_map, dict):
        raise ConfigError("[tool.spacecoop.site.map] must be a table")
    known = {"classes", "node_classes", "links", "partners", "details", "title"}
    unknown = set(raw_map) - known
    if unknown:
        raise ConfigError(
            f"[tool.spacecoop.site.map] unknown keys: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(sorted(known))})"
        )
    title = raw_map.get("title", {})
    if isinstance(title, str):
        title = {config.languages[0] if config.languages else "en": title}
    if not isinstance(title, dict) or not all(isinstance(v, str) for v in title.values()):
        raise ConfigError("[tool.spacecoop.site.map] title must be a string or a table lang = text")
    where = "site.map"
    map_settings = MapSettings(
        classes=_names(raw_map, "classes", config, where),
        node_classes=_names(raw_map, "node_classes", config, where),
        links=_names(raw_map, "links", config, where),
        partners=_names(raw_map, "partners", config, where),
        details=_names(raw_map, "details", config, where),
        title=dict(title),
    )
    if map_settings.classes and not map_settings.partners:
        raise ConfigError(
            "[tool.spacecoop.site.map] classes needs partners (the properties "
            "that name the partners)"
        )
    return SiteSettings(
        languages=tuple(config.languages) or ("en",),
        entry_points=_names(table, "entry_points", config, "site"),
        map=map_settings,
    )
