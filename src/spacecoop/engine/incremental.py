"""Incremental validation for pull requests: which focus nodes a change can affect.

``spacecoop validate --changed-since REV`` compares the configured source files with their
version at ``REV`` (git) and validates only the *affected* focus nodes: the subjects whose
description differs between the two versions (blank nodes count as part of the subject that
holds them), and the nodes that reference one of those subjects (a changed type or a removed
node can break the link constraints of its neighbours). The results equal those of a full
validation restricted to these focus nodes. A change to the shapes or the ontology can
affect any node, so it makes the run a full one.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.errors import SpacecoopError
from spacecoop.load import BOM, FORMATS, LoadedDataset, SourceFile, declared_prefixes
from spacecoop.positions import line_offsets, statement_subjects, targetable


@dataclass
class Change:
    """What changed since a revision, and the focus nodes to validate (None: all)."""

    revision: str
    files: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    focus_nodes: list[str] | None = None
    reason: str = ""

    def summary(self) -> str:
        scope = (
            f"{len(self.focus_nodes)} affected nodes ({len(self.subjects)} changed subjects)"
            if self.focus_nodes is not None
            else f"all nodes ({self.reason})"
        )
        return f"changed since {self.revision}: {len(self.files)} files; validating {scope}"


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise SpacecoopError("--changed-since needs git, which is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SpacecoopError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout


def changed_files(config: Config, revision: str) -> list[Path]:
    """Configured source files that differ from ``revision`` (edited, added, deleted, new)."""
    root = config.root
    _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    names = _git(["diff", "--name-only", "--relative", revision, "--"], root).decode().split("\n")
    names += _git(["ls-files", "--others", "--exclude-standard"], root).decode().split("\n")
    sources = {p.resolve() for _, p in config.all_sources()}
    patterns = [g for kind in ("ontology", "shapes", "data") for g in config.globs.get(kind, [])]
    found = []
    for name in sorted({n for n in names if n}):
        path = (root / name).resolve()
        if path in sources or any(Path(name).match(p) for p in patterns):
            found.append(root / name)
    return found


def _describe(quads: list[ox.Quad]) -> dict[str, str]:
    """Each IRI subject's description, blank nodes written out in place (a canonical text)."""
    by_subject: dict[object, list[tuple[str, object]]] = defaultdict(list)
    for q in quads:
        by_subject[q.subject].append((str(q.predicate), q.object))

    def text(node: object, depth: int = 0) -> str:
        if isinstance(node, ox.BlankNode):
            if depth > 20:
                return "[...]"
            inner = sorted(f"{p} {text(o, depth + 1)}" for p, o in by_subject.get(node, []))
            return "[" + "; ".join(inner) + "]"
        return str(node)

    return {
        subject.value: "\n".join(sorted(f"{p} {text(o)}" for p, o in pairs))
        for subject, pairs in by_subject.items()
        if isinstance(subject, ox.NamedNode)
    }


def _changed_subjects(new: list[ox.Quad], old: list[ox.Quad]) -> set[str]:
    """IRI subjects whose description differs between two versions of a file.

    Triples that are in one version only name them, when no such triple has a blank node (the
    usual case, and a set difference). Blank nodes get new labels in every parse, so with
    them each subject's description is written out canonically and compared.
    """
    differ = {q.triple for q in new} ^ {q.triple for q in old}
    blank = ox.BlankNode
    if not any(isinstance(t.subject, blank) or isinstance(t.object, blank) for t in differ):
        return {t.subject.value for t in differ}
    now, before = _describe(new), _describe(old)
    return {s for s in now.keys() | before.keys() if now.get(s) != before.get(s)}


_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.M)
_LARGE = 1_000_000  # characters: below, comparing the whole file is cheap enough


def _subjects_of_changed_lines(
    config: Config, revision: str, source: SourceFile
) -> set[str] | None:
    """The subjects of the statements on the lines git reports as changed, in the old and
    the new text: a large file is not parsed twice for a few edited lines.

    The answer may hold a subject whose statement was only reformatted (validated needlessly,
    never missed). None where the texts do not allow it (see
    :func:`spacecoop.positions.statement_subjects`).
    """
    if len(source.text) <= _LARGE or not source.targetable() or source.text.startswith(BOM):
        return None
    relative = source.path.relative_to(config.root).as_posix()
    try:
        old_text = _git(["show", f"{revision}:./{relative}"], config.root).decode("utf-8")
        diff = _git(
            ["diff", "-U0", "--no-color", "--no-ext-diff", revision, "--", relative], config.root
        )
    except (SpacecoopError, UnicodeDecodeError):
        return None
    new_prefixes = source.certain_prefixes() if source.format == ox.RdfFormat.TURTLE else {}
    old_prefixes = (
        declared_prefixes(old_text.encode("utf-8")) if source.format == ox.RdfFormat.TURTLE else {}
    )
    if new_prefixes is None or old_prefixes is None or not targetable(old_text, old_prefixes):
        return None
    old_ranges, new_ranges = [], []
    for match in _HUNK.finditer(diff):
        a, b, c, d = (int(g) if g is not None else 1 for g in match.groups())
        if b:
            old_ranges.append((a - 1, b))
        if d:
            new_ranges.append((c - 1, d))
    subjects: set[str] = set()
    for text, ranges, prefixes in (
        (old_text, old_ranges, old_prefixes),
        (source.text, new_ranges, new_prefixes),
    ):
        offsets = line_offsets(text, [n for first, count in ranges for n in (first, first + count)])
        spans = [(offsets[first], offsets[first + count]) for first, count in ranges]
        found = statement_subjects(text, spans, source.base_iri, prefixes)
        if found is None:
            return None
        subjects |= found
    return subjects


def _old_quads(config: Config, revision: str, path: Path) -> list[ox.Quad]:
    relative = "./" + path.relative_to(config.root).as_posix()
    try:
        data = _git(["show", f"{revision}:{relative}"], config.root)
    except SpacecoopError:
        return []  # the file did not exist at the revision
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        return []
    try:
        return list(ox.parse(data, format=fmt, base_iri=config.base_iri))
    except SyntaxError:
        return []  # an unparsable old version: every subject of the new one counts as changed


def changes_since(config: Config, revision: str, dataset: LoadedDataset) -> Change:
    """The focus nodes to validate after the changes since ``revision``."""
    files = changed_files(config, revision)
    change = Change(revision, [config.relative(p) for p in files])
    current = {s.path.resolve(): s for s in dataset.sources}
    kinds = {kind: {p.resolve() for p in config.sources(kind)} for kind in ("ontology", "shapes")}
    for path in files:
        resolved = path.resolve()
        if resolved in kinds["shapes"] or resolved in kinds["ontology"]:
            change.reason = (
                f"{config.relative(path)} changed: shapes and vocabulary affect all nodes"
            )
            return change
    subjects: set[str] = set()
    for path in files:
        source = current.get(path.resolve())
        found = _subjects_of_changed_lines(config, revision, source) if source else None
        if found is None:
            found = _changed_subjects(
                list(source.iter_parsed()) if source else [],
                _old_quads(config, revision, path),
            )
        subjects.update(found)
    change.subjects = sorted(subjects)
    change.focus_nodes = sorted(subjects | referrers(dataset, subjects))
    return change


def referrers(dataset: LoadedDataset, subjects: set[str]) -> set[str]:
    """IRI subjects with a triple whose object is one of ``subjects`` (asked of the store)."""
    if not subjects:
        return set()
    values = " ".join(f"<{s}>" for s in sorted(subjects))
    rows = dataset.select(
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?o {{ {values} }} ?s ?p ?o FILTER(isIRI(?s)) }}",
        "ontology",
        "data",
    )
    return {row["s"].value for row in rows}  # type: ignore[union-attr]
