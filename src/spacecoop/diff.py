"""Entity-level changelogs between two versions of a graph, with breaking changes flagged.

Why: a line diff of Turtle says that line 212 changed; a maintainer needs "the term
``launchDate`` was removed" and a consumer needs "this release narrows the range of a
property you use". This module compares two graphs entity by entity (a subject IRI with the
blank nodes it owns, such as ``owl:unionOf`` lists), separates vocabulary terms from data
entities, lists what was added, removed and changed (with the changed properties), and flags
the vocabulary changes that break existing data or queries:

- a term removed, or renamed (removed, and a new term of the same kind has its label or
  definition);
- ``rdfs:domain`` or ``rdfs:range`` narrowed (a restriction added, union members dropped,
  replaced by a subclass) or replaced by something unrelated;
- a term newly deprecated (``owl:deprecated true``) without ``dcterms:isReplacedBy``.

Either side can be a file, a folder (a project with ``[tool.spacecoop]``, a ``dist/`` or
release folder, or any folder of RDF files) or a git revision (``REV`` or ``REV:path``, read
with ``git archive``; the working tree is never touched).
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from spacecoop.config import Config, load_config
from spacecoop.errors import ConfigError, SpacecoopError
from spacecoop.load import FORMATS, load, parse_file

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = RDF + "type"
TERM_TYPES = {
    OWL + "Class": "class",
    RDFS + "Class": "class",
    OWL + "ObjectProperty": "property",
    OWL + "DatatypeProperty": "property",
    OWL + "AnnotationProperty": "property",
    RDF + "Property": "property",
    RDFS + "Datatype": "datatype",
    SKOS + "Concept": "concept",
    SKOS + "ConceptScheme": "concept scheme",
}
LABELS = (RDFS + "label", SKOS + "prefLabel")
DEFINITIONS = (SKOS + "definition", RDFS + "comment")


# ---------------------------------------------------------------------------------------------
# Reading one side
# ---------------------------------------------------------------------------------------------


@dataclass
class Side:
    """One version: a label for humans and its triples."""

    label: str
    triples: list[ox.Triple]
    prefixes: dict[str, str] = field(default_factory=dict)


def _scratch_config(root: Path, base: Config | None) -> Config:
    if base is not None:
        return base
    return Config(
        root=root,
        base_iri="http://localhost/",
        vocabulary_namespace="http://localhost/def/",
        instance_namespace="http://localhost/id/",
    )


def _read_files(paths: Iterable[Path], config: Config) -> tuple[list[ox.Triple], dict[str, str]]:
    triples: list[ox.Triple] = []
    prefixes: dict[str, str] = {}
    for path in paths:
        source, _notes = parse_file(path, "data", config, display=str(path))
        triples.extend(q.triple for q in source.quads)
        for name, namespace in source.prefixes.items():
            prefixes.setdefault(name, namespace)
    return triples, prefixes


def read_path(path: Path, label: str, config: Config | None = None) -> Side:
    """A file, a project folder, a ``dist/``/release folder, or a folder of RDF files."""
    if path.is_file():
        triples, prefixes = _read_files([path], _scratch_config(path.parent, config))
        return Side(label, triples, prefixes)
    if not path.is_dir():
        raise SpacecoopError(f"{label}: no such file or folder")
    pyproject = path / "pyproject.toml"
    if pyproject.is_file() and "tool.spacecoop" in pyproject.read_text(encoding="utf-8"):
        project = load_config(path)
        dataset = load(project, kinds=("ontology", "data"))
        return Side(label, list(dataset.triples()), dataset.prefixes())
    if (path / "SHA256SUMS").is_file():
        dumps = sorted(path.glob("*.nt"))
        if len(dumps) != 1:
            raise SpacecoopError(f"{label}: expected one N-Triples dump in a dist folder")
        triples, prefixes = _read_files(dumps, _scratch_config(path, config))
        turtle = dumps[0].with_suffix(".ttl")  # the same graph, read for its prefixes only
        if turtle.is_file():
            _same, prefixes = _read_files([turtle], _scratch_config(path, config))
        return Side(label, triples, prefixes)
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS)
    if not files:
        raise SpacecoopError(f"{label}: no RDF files in this folder")
    triples, prefixes = _read_files(files, _scratch_config(path, config))
    return Side(label, triples, prefixes)


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise SpacecoopError("git is not installed; pass files or folders instead") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SpacecoopError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout


def read_revision(spec: str, repository: Path, workdir: Path, config: Config | None) -> Side:
    """``REV`` (the project as committed) or ``REV:path`` via ``git archive`` into ``workdir``."""
    revision, _, inner = spec.partition(":")
    archive = _git(["archive", "--format=tar", revision, *([inner] if inner else [])], repository)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(workdir, filter="data")
    return read_path(workdir / inner if inner else workdir, spec, config)


def read_side(spec: str, repository: Path, config: Config | None = None) -> Side:
    """Resolve a command-line argument: an existing path first, else a git revision."""
    path = Path(spec)
    if path.exists():
        return read_path(path, spec, config)
    with tempfile.TemporaryDirectory(prefix="spacecoop-diff-") as workdir:
        return read_revision(spec, repository, Path(workdir), config)


# ---------------------------------------------------------------------------------------------
# Describing entities
# ---------------------------------------------------------------------------------------------


class Graph:
    """Triples indexed for comparison: subjects with their (predicate, value) pairs."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.out: dict[object, dict[str, set[object]]] = defaultdict(lambda: defaultdict(set))
        referenced: set[ox.BlankNode] = set()
        for t in set(triples):
            self.out[t.subject][t.predicate.value].add(t.object)
            if isinstance(t.object, ox.BlankNode):
                referenced.add(t.object)
        self._memo: dict[ox.BlankNode, str] = {}
        self.entities: dict[str, dict[str, set[str]]] = {}
        for subject in self.out:
            if isinstance(subject, ox.NamedNode):
                self.entities[subject.value] = self._describe(subject)
            elif subject not in referenced:
                text = self.value(subject)
                key = "_:" + hashlib.sha256(text.encode()).hexdigest()[:12]
                self.entities[key] = self._describe(subject)

    def _describe(self, subject: object) -> dict[str, set[str]]:
        return {
            predicate: {self.value(o) for o in objects}
            for predicate, objects in self.out[subject].items()
        }

    def value(self, term: object, seen: frozenset = frozenset()) -> str:
        """A canonical text for a term; a blank node is written out as ``[ p o ; ... ]``."""
        if not isinstance(term, ox.BlankNode):
            return str(term)
        if term in self._memo:
            return self._memo[term]
        if term in seen:
            return "[ … ]"
        parts = sorted(
            f"{p} {self.value(o, seen | {term})}"
            for p, objects in self.out.get(term, {}).items()
            for o in objects
        )
        text = "[ " + " ; ".join(f"<{p.split(' ', 1)[0]}> {p.split(' ', 1)[1]}" for p in parts)
        text += " ]"
        if not seen:
            self._memo[term] = text
        return text

    def types(self, entity: str) -> set[str]:
        return {v[1:-1] for v in self.entities.get(entity, {}).get(RDF_TYPE, set())}

    def kind(self, entity: str) -> str | None:
        kinds = sorted({TERM_TYPES[t] for t in self.types(entity) if t in TERM_TYPES})
        return kinds[0] if kinds else None

    def members(self, entity: str, predicate: str) -> list[frozenset[str]]:
        """The classes or datatypes of each ``rdfs:domain``/``rdfs:range`` statement."""
        result = []
        subject = ox.NamedNode(entity) if not entity.startswith("_:") else None
        for obj in self.out.get(subject, {}).get(predicate, set()):
            if isinstance(obj, ox.NamedNode):
                result.append(frozenset({obj.value}))
                continue
            union = self.out.get(obj, {}).get(OWL + "unionOf", set())
            items = self._list(next(iter(union))) if len(union) == 1 else None
            result.append(frozenset(items) if items else frozenset({self.value(obj)}))
        return sorted(result, key=sorted)

    def _list(self, head: object) -> list[str] | None:
        items: list[str] = []
        seen: set[object] = set()
        while head != ox.NamedNode(RDF + "nil"):
            if head in seen or not isinstance(head, ox.BlankNode):
                return None
            seen.add(head)
            first = self.out.get(head, {}).get(RDF + "first", set())
            rest = self.out.get(head, {}).get(RDF + "rest", set())
            if len(first) != 1 or len(rest) != 1:
                return None
            item = next(iter(first))
            items.append(item.value if isinstance(item, ox.NamedNode) else self.value(item))
            head = next(iter(rest))
        return items

    def superclasses(self) -> dict[str, set[str]]:
        direct: dict[str, set[str]] = defaultdict(set)
        for subject, props in self.out.items():
            if isinstance(subject, ox.NamedNode):
                for obj in props.get(RDFS + "subClassOf", set()):
                    if isinstance(obj, ox.NamedNode):
                        direct[subject.value].add(obj.value)
        closure: dict[str, set[str]] = {}
        for start in direct:
            seen, stack = set(), [start]
            while stack:
                for parent in direct.get(stack.pop(), set()):
                    if parent not in seen:
                        seen.add(parent)
                        stack.append(parent)
            closure[start] = seen
        return closure

    def label(self, entity: str) -> str:
        values = set().union(*(self.entities.get(entity, {}).get(p, set()) for p in LABELS))
        literals = sorted(values, key=lambda v: (not v.endswith("@en"), v))
        if not literals:
            return ""
        text = literals[0]
        return text[1 : text.rfind('"')] if text.startswith('"') else text


# ---------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------


@dataclass
class PropertyChange:
    property: str
    added: list[str]
    removed: list[str]


@dataclass
class EntityChange:
    iri: str
    label: str
    kind: str | None
    properties: list[PropertyChange] = field(default_factory=list)


@dataclass
class Breaking:
    term: str
    change: str  # removed | renamed | domain-narrowed | range-narrowed | ... | deprecated
    detail: str


@dataclass
class Changes:
    """Everything that differs between two versions, in a stable order."""

    old: str
    new: str
    terms_added: list[EntityChange] = field(default_factory=list)
    terms_removed: list[EntityChange] = field(default_factory=list)
    terms_changed: list[EntityChange] = field(default_factory=list)
    entities_added: list[EntityChange] = field(default_factory=list)
    entities_removed: list[EntityChange] = field(default_factory=list)
    entities_changed: list[EntityChange] = field(default_factory=list)
    breaking: list[Breaking] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.terms_added,
                self.terms_removed,
                self.terms_changed,
                self.entities_added,
                self.entities_removed,
                self.entities_changed,
            )
        )

    def summary(self) -> dict[str, int]:
        return {
            "terms_added": len(self.terms_added),
            "terms_removed": len(self.terms_removed),
            "terms_changed": len(self.terms_changed),
            "entities_added": len(self.entities_added),
            "entities_removed": len(self.entities_removed),
            "entities_changed": len(self.entities_changed),
            "breaking": len(self.breaking),
        }

    def to_json(self) -> dict:
        def entity(change: EntityChange) -> dict:
            result: dict = {"iri": change.iri, "label": change.label, "kind": change.kind}
            if change.properties:
                result["properties"] = [vars(p) for p in change.properties]
            return result

        return {
            "old": self.old,
            "new": self.new,
            "summary": self.summary(),
            "breaking": [vars(b) for b in self.breaking],
            "terms": {
                "added": [entity(c) for c in self.terms_added],
                "removed": [entity(c) for c in self.terms_removed],
                "changed": [entity(c) for c in self.terms_changed],
            },
            "entities": {
                "added": [entity(c) for c in self.entities_added],
                "removed": [entity(c) for c in self.entities_removed],
                "changed": [entity(c) for c in self.entities_changed],
            },
        }


def _is_true(values: set[str]) -> bool:
    return any(v.split("^^")[0].strip('"') in ("true", "1") for v in values)


def _compare_members(
    old: list[frozenset[str]], new: list[frozenset[str]], supers: dict[str, set[str]]
) -> str | None:
    """``narrowed``, ``changed`` (incompatible) or None (equal or widened)."""
    if old == new:
        return None
    if not new:
        return None  # restriction dropped: wider
    if not old:
        return "narrowed"
    if len(old) > 1 or len(new) > 1:
        return "changed"
    before, after = old[0], new[0]

    def within(member: str, group: frozenset[str]) -> bool:
        return member in group or bool(supers.get(member, set()) & group)

    if all(within(m, after) for m in before):
        return None  # every old member still allowed: widened
    if all(within(m, before) for m in after):
        return "narrowed"
    return "changed"


def compare(old: Side, new: Side) -> Changes:
    """The entity-level changes from ``old`` to ``new``."""
    before, after = Graph(old.triples), Graph(new.triples)
    changes = Changes(old.label, new.label, prefixes={**old.prefixes, **new.prefixes})
    supers = after.superclasses()
    for parent, ancestors in before.superclasses().items():
        supers.setdefault(parent, set()).update(ancestors)
    for iri in sorted(set(before.entities) | set(after.entities)):
        was, now = before.entities.get(iri), after.entities.get(iri)
        kind = after.kind(iri) if now is not None else before.kind(iri)
        if kind is None and was is not None:
            kind = before.kind(iri)
        label = after.label(iri) or before.label(iri)
        change = EntityChange(iri, label, kind)
        if was is None:
            (changes.terms_added if kind else changes.entities_added).append(change)
            continue
        if now is None:
            (changes.terms_removed if kind else changes.entities_removed).append(change)
            continue
        for prop in sorted(set(was) | set(now)):
            a, b = was.get(prop, set()), now.get(prop, set())
            if a != b:
                change.properties.append(PropertyChange(prop, sorted(b - a), sorted(a - b)))
        if change.properties:
            (changes.terms_changed if kind else changes.entities_changed).append(change)
    _flag_breaking(changes, before, after, supers)
    return changes


def _flag_breaking(
    changes: Changes, before: Graph, after: Graph, supers: dict[str, set[str]]
) -> None:
    added_by_kind: dict[str | None, list[EntityChange]] = defaultdict(list)
    for added in changes.terms_added:
        added_by_kind[added.kind].append(added)
    for removed in changes.terms_removed:
        if removed.iri.startswith("_:"):
            continue
        old_description = before.entities[removed.iri]
        renamed_to = None
        for candidate in added_by_kind.get(removed.kind, []):
            new_description = after.entities[candidate.iri]
            for predicates in (DEFINITIONS, LABELS):
                old_values = set().union(*(old_description.get(p, set()) for p in predicates))
                new_values = set().union(*(new_description.get(p, set()) for p in predicates))
                if old_values and old_values & new_values:
                    renamed_to = candidate.iri
                    break
            if renamed_to:
                break
        if renamed_to:
            changes.breaking.append(Breaking(removed.iri, "renamed", f"renamed to <{renamed_to}>"))
        else:
            changes.breaking.append(Breaking(removed.iri, "removed", f"{removed.kind} removed"))
    for changed in changes.terms_changed:
        iri = changed.iri
        if changed.kind == "property":
            for predicate, name in ((RDFS + "domain", "domain"), (RDFS + "range", "range")):
                verdict = _compare_members(
                    before.members(iri, predicate), after.members(iri, predicate), supers
                )
                if verdict:
                    old_text = _members_text(before.members(iri, predicate))
                    new_text = _members_text(after.members(iri, predicate))
                    changes.breaking.append(
                        Breaking(
                            iri, f"{name}-{verdict}", f"{name} {verdict}: {old_text} → {new_text}"
                        )
                    )
    for iri in sorted(after.entities):
        if after.kind(iri) is None or iri.startswith("_:"):
            continue
        now = after.entities[iri]
        was = before.entities.get(iri)
        if was is None:
            continue  # a term new in this version breaks nothing, deprecated or not
        if (
            _is_true(now.get(OWL + "deprecated", set()))
            and not now.get(DCTERMS + "isReplacedBy")
            and not _is_true(was.get(OWL + "deprecated", set()))
        ):
            changes.breaking.append(
                Breaking(iri, "deprecated", "deprecated without dcterms:isReplacedBy")
            )
    changes.breaking.sort(key=lambda b: (b.term, b.change))


def _members_text(members: list[frozenset[str]]) -> str:
    if not members:
        return "(none)"
    return " and ".join("|".join(f"<{m}>" if "://" in m else m for m in sorted(g)) for g in members)


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------


def _short(value: str, prefixes: dict[str, str]) -> str:
    """An IRI (bare, or as ``<...>`` in a value) as a prefixed name where a prefix fits."""
    bare = value[1:-1] if value.startswith("<") and value.endswith(">") else value
    if "://" not in bare or " " in bare:
        return value if len(value) <= 120 else value[:117] + "…"
    best = None
    for name, namespace in prefixes.items():
        if bare.startswith(namespace) and (best is None or len(namespace) > len(best[1])):
            best = (name, namespace)
    return f"{best[0]}:{bare[len(best[1]) :]}" if best else f"<{bare}>"


def to_markdown(changes: Changes, title: str | None = None, level: int = 2) -> str:
    """The changes as Markdown; ``level`` is the heading level of the title."""
    h = "#" * level
    p = changes.prefixes
    lines = [f"{h} {title or f'Changes from {changes.old} to {changes.new}'}", ""]
    s = changes.summary()
    lines.append(
        f"{s['terms_added']} terms added, {s['terms_removed']} removed, "
        f"{s['terms_changed']} changed; {s['entities_added']} entities added, "
        f"{s['entities_removed']} removed, {s['entities_changed']} changed; "
        f"{s['breaking']} breaking vocabulary changes."
    )
    lines.append("")
    if changes.breaking:
        lines += [f"{h}# Breaking vocabulary changes", ""]
        lines += [f"- `{_short(b.term, p)}`: {_describe_breaking(b, p)}" for b in changes.breaking]
        lines.append("")

    def section(name: str, items: list[EntityChange]) -> None:
        if not items:
            return
        lines.extend([f"{h}## {name} ({len(items)})", ""])
        for item in items:
            label = f" — {item.label}" if item.label else ""
            kind = f" ({item.kind})" if item.kind else ""
            if item.properties:
                changed = ", ".join(f"`{_short(pc.property, p)}`" for pc in item.properties)
                lines.append(f"- `{_short(item.iri, p)}`{label}: {changed}")
            else:
                lines.append(f"- `{_short(item.iri, p)}`{kind}{label}")
        lines.append("")

    if changes.terms_added or changes.terms_removed or changes.terms_changed:
        lines += [f"{h}# Vocabulary terms", ""]
        section("Added", changes.terms_added)
        section("Removed", changes.terms_removed)
        section("Changed", changes.terms_changed)
    if changes.entities_added or changes.entities_removed or changes.entities_changed:
        lines += [f"{h}# Entities", ""]
        section("Added", changes.entities_added)
        section("Removed", changes.entities_removed)
        section("Changed", changes.entities_changed)
    return "\n".join(lines).rstrip() + "\n"


def _describe_breaking(item: Breaking, prefixes: dict[str, str]) -> str:
    if item.change == "renamed":
        target = item.detail.removeprefix("renamed to ")
        return f"renamed to `{_short(target, prefixes)}`"
    if "<" in item.detail:
        words = [
            "|".join(_short(part, prefixes) for part in word.split("|")) if "<" in word else word
            for word in item.detail.split(" ")
        ]
        return " ".join(words)
    return item.detail


def to_json_text(changes: Changes) -> str:
    return json.dumps(changes.to_json(), ensure_ascii=False, indent=2) + "\n"


def diff(old: str, new: str, repository: Path, config: Config | None = None) -> Changes:
    """Read both sides (paths or git revisions) and compare them."""
    if old == new:
        raise ConfigError("OLD and NEW are the same")
    return compare(read_side(old, repository, config), read_side(new, repository, config))
