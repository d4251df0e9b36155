"""Strict loading: every source file parsed by pyoxigraph into its own named graph.

pyoxigraph rejects every W3C negative-syntax case that rdflib accepts, so a file that loads
here is valid RDF. Relative IRIs resolve against the configured base IRI, never against the
file system. Each file keeps its text so that a position index can be built on demand for
``file:line:column`` findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.errors import ConfigError, SourceError
from spacecoop.findings import Finding, Location, Severity
from spacecoop.positions import PositionIndex, build_index, term_key

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
_INDEXABLE = {ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS}
BOM = "\ufeff"


@dataclass
class SourceFile:
    """One parsed source file: its quads (in its own named graph) and its text."""

    kind: str
    path: Path
    display: str
    graph: str
    format: ox.RdfFormat
    text: str
    quads: list[ox.Quad]
    base_iri: str
    prefixes: dict[str, str] = field(default_factory=dict)
    _index: PositionIndex | None = field(default=None, repr=False)

    @property
    def triple_count(self) -> int:
        return len(self.quads)

    def positions(self) -> PositionIndex | None:
        """The position index, built the first time a finding needs it."""
        if self._index is None and self.format in _INDEXABLE:
            self._index = build_index(self.text, self.display, self.base_iri)
        return self._index


@dataclass
class LoadedDataset:
    """All sources of a run, in configuration order, plus notes made while loading."""

    sources: list[SourceFile]
    notes: list[Finding] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[SourceFile]:
        return [s for s in self.sources if s.kind in kinds]

    def quads(self, *kinds: str) -> Iterator[ox.Quad]:
        for source in self.of_kind(*kinds) if kinds else self.sources:
            yield from source.quads

    def triples(self, *kinds: str) -> Iterator[ox.Triple]:
        for quad in self.quads(*kinds):
            yield quad.triple

    @property
    def triple_count(self) -> int:
        return sum(s.triple_count for s in self.sources)

    def prefixes(self, *kinds: str) -> dict[str, str]:
        """Prefixes declared in the sources; the first declaration of a name wins."""
        merged: dict[str, str] = {}
        for source in self.of_kind(*kinds) if kinds else self.sources:
            for name, namespace in source.prefixes.items():
                merged.setdefault(name, namespace)
        return dict(sorted(merged.items()))

    def locate(
        self, subject: str | None, predicate: str | None, obj: object | None
    ) -> list[Location]:
        """Where (subject, predicate, obj) is written; else where subject's blocks start."""
        if subject is None:
            return []
        key = term_key(obj) if obj is not None else None
        found: list[Location] = []
        if predicate is not None:
            for source in self.sources:
                index = source.positions()
                if index is None or subject not in index.subjects:
                    continue
                if obj is None or key is not None:
                    location = index.triple(subject, predicate, key)
                    if location is None and key is not None and key[0] == "L":
                        # rdflib may rewrite a literal's lexical form (a dateTime's "Z"):
                        # the predicate's line is still where the value is written.
                        location = index.triple(subject, predicate, None)
                    if location is not None:
                        found.append(location)
            if found:
                return found
        for source in self.sources:
            index = source.positions()
            if index is not None and (location := index.subject(subject)) is not None:
                found.append(location)
        return found


def detect_format(path: Path) -> ox.RdfFormat:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise SourceError(
            str(path), 1, 1, f"unsupported source format {path.suffix!r} (known: {known})"
        ) from None


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def _clean_parser_message(message: str) -> str:
    # pyoxigraph prefixes "Parser error at line L between columns A and B: "; we print our own.
    if message.startswith("Parser error at line") and ": " in message:
        return message.split(": ", 1)[1]
    return message


def _explain(text: str, line: int, column: int, message: str) -> str:
    """Say what a terse parser message means for the common mistakes."""
    lines = text.splitlines()
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    before = current[: column - 1]
    if current[column - 1 : column + 1] == "^^" and re.search(r"@[A-Za-z][\w-]*\s*$", before):
        return "a literal cannot have both a language tag and a datatype: keep one of them"
    return message


def parse_file(
    path: Path, kind: str, config: Config, display: str | None = None, base_iri: str | None = None
) -> tuple[SourceFile, list[Finding]]:
    """Parse one file strictly. Raises :class:`SourceError` with file, line and column."""
    shown = display or config.relative(path)
    base = base_iri or config.base_iri
    notes: list[Finding] = []
    fmt = detect_format(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(shown, 1, 1, "file not found") from None
    except IsADirectoryError:
        raise SourceError(shown, 1, 1, "is a directory, not a file") from None
    except PermissionError:
        raise SourceError(shown, 1, 1, "permission denied: the file is not readable") from None
    except OSError as exc:
        raise SourceError(shown, 1, 1, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(data, exc.start)
        raise SourceError(
            shown,
            line,
            column,
            f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; save the file as UTF-8",
        ) from None
    if text.startswith(BOM):
        # Editors on some systems write a byte order mark; it carries no meaning in UTF-8.
        text = text[1:]
        notes.append(
            Finding(
                Severity.WARNING,
                "UTF-8 byte order mark stripped",
                "syntax",
                file=shown,
                line=1,
                column=1,
                hint="save the file as UTF-8 without BOM",
            )
        )
    graph = ox.NamedNode(config.graph_name(path))
    try:
        parser = ox.parse(text.encode("utf-8"), format=fmt, base_iri=base)
        quads = [
            ox.Quad(q.subject, q.predicate, q.object, graph)
            if isinstance(q.graph_name, ox.DefaultGraph)
            else q
            for q in parser
        ]
        prefixes = dict(parser.prefixes) if fmt in _INDEXABLE else {}
    except SyntaxError as exc:
        line, column = exc.lineno or 1, exc.offset or 1
        raise SourceError(
            shown, line, column, _explain(text, line, column, _clean_parser_message(str(exc.msg)))
        ) from None
    except MemoryError:
        raise SourceError(
            shown, 1, 1, "a term is larger than the parser accepts (16 MiB per literal)"
        ) from None
    except (ValueError, OSError) as exc:
        raise SourceError(shown, 1, 1, str(exc)) from None
    source = SourceFile(kind, path, shown, graph.value, fmt, text, quads, base, prefixes)
    return source, notes


def load(
    config: Config,
    kinds: Iterable[str] = ("ontology", "shapes", "data"),
    paths: Iterable[Path] | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoadedDataset:
    """Parse the configured sources (or the given paths, as data) into one dataset.

    Fails on the first unreadable or invalid file, before anything is written anywhere.
    """
    if paths is not None:
        selected = [("data", Path(p)) for p in paths]
    else:
        selected = [(kind, path) for kind in kinds for path in config.sources(kind)]
        missing = [
            kind for kind in kinds if kind in ("ontology", "data") and not config.sources(kind)
        ]
        if missing:
            patterns = ", ".join(g for kind in missing for g in config.globs.get(kind, []))
            raise ConfigError(f"no source files match {patterns or 'the configured globs'}")
    sources: list[SourceFile] = []
    notes: list[Finding] = []
    for kind, path in selected:
        if progress:
            progress(config.relative(path))
        source, file_notes = parse_file(path, kind, config)
        sources.append(source)
        notes.extend(file_notes)
    return LoadedDataset(sources, notes)
