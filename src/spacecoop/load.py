"""Strict loading: every source file parsed by pyoxigraph into its own named graph.

pyoxigraph rejects every W3C negative-syntax case that rdflib accepts, so a file that loads
here is valid RDF. Relative IRIs resolve against the configured base IRI, never against the
file system. Each file keeps its text so that a position index can be built on demand for
``file:line:column`` findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.errors import ConfigError, SourceError
from spacecoop.findings import Finding, Location, Severity
from spacecoop.positions import PositionIndex, SubjectIndex, build_index, targetable, term_key

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
_INDEXABLE = {ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS}
_QUADS_FORMATS = {ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS}
BOM = "\ufeff"


@dataclass
class SourceFile:
    """One parsed source file: its named graph in a store, and its text.

    Files without blank nodes are parsed by pyoxigraph straight into the store, with no Python
    object per triple; their quads are parsed again from the text when a caller asks for them
    (the same quads every time: IRIs and literals only). Files with blank nodes keep the quads
    of their one parse, so that blank node labels stay the same everywhere.
    """

    kind: str
    path: Path
    display: str
    graph: str
    format: ox.RdfFormat
    text: str
    base_iri: str
    store: ox.Store = field(repr=False)
    triple_count: int = 0
    _quads: list[ox.Quad] | None = field(default=None, repr=False)
    _prefixes: dict[str, str] | None = field(default=None, repr=False)
    _directives: tuple[bool, dict[str, str]] | None = field(default=None, repr=False)
    _index: PositionIndex | SubjectIndex | None = field(default=None, repr=False)
    _targetable: bool | None = field(default=None, repr=False)

    @property
    def quads(self) -> list[ox.Quad]:
        """The quads as written (original lexical forms), in the file's named graph."""
        return self._quads if self._quads is not None else list(self.iter_quads())

    def iter_quads(self) -> Iterator[ox.Quad]:
        """The quads one by one, without holding them all."""
        if self._quads is not None:
            yield from self._quads
            return
        yield from _into_graph(self.iter_parsed(), ox.NamedNode(self.graph))

    def iter_parsed(self) -> Iterator[ox.Quad]:
        """The parser's quads as they come (in the default graph): the cheapest full read."""
        if self._quads is not None:
            yield from self._quads
            return
        yield from ox.parse(self.text.encode("utf-8"), format=self.format, base_iri=self.base_iri)

    def copy_into(self, store: ox.Store, bulk: bool = False) -> None:
        """Add this file's quads to another store: parsed there from the text when the file
        has no blank nodes (in Rust), else the quads of its one parse (labels kept).

        ``bulk`` uses the store's bulk loader (for a fresh on-disk store)."""
        if self._quads is not None:
            (store.bulk_extend if bulk else store.extend)(self._quads)
            return
        (store.bulk_load if bulk else store.load)(
            self.text.encode("utf-8"),
            format=self.format,
            base_iri=self.base_iri,
            to_graph=ox.NamedNode(self.graph),
        )

    @property
    def prefixes(self) -> dict[str, str]:
        """The prefixes the file declares (the last declaration of a name wins)."""
        if self._prefixes is None:
            found = self.certain_prefixes()
            if found is None:
                parser = ox.parse(
                    self.text.encode("utf-8"), format=self.format, base_iri=self.base_iri
                )
                for _ in parser:
                    pass
                found = dict(parser.prefixes) if self.format in _INDEXABLE else {}
            self._prefixes = found
        return self._prefixes

    def certain_prefixes(self) -> dict[str, str] | None:
        """The prefixes read from the directives, when that is certain (scanned once)."""
        if self.format not in _TURTLE_LIKE:
            return None
        if self._directives is None:
            found = declared_prefixes(self.text.encode("utf-8"))
            self._directives = (found is not None, found or {})
        certain, found = self._directives
        return found if certain else None

    def positions(self) -> PositionIndex | SubjectIndex | None:
        """The position index, built the first time a finding needs it.

        A large file is searched subject by subject instead, when that gives the same answers
        (the usual case for generated or exported Turtle and N-Triples).
        """
        if self._index is None and self.format in _INDEXABLE:
            self._index = self.subject_index() if len(self.text) > _WHOLE_INDEX_UP_TO else None
            if self._index is None:
                self._index = build_index(self.text, self.display, self.base_iri)
        return self._index

    def triples_about(self, subjects: set[ox.NamedNode | ox.BlankNode]) -> list[ox.Triple]:
        """The triples of ``subjects`` in this file as written (lexical forms kept).

        A large file reads only the statements of those subjects when its subject index can
        find them, and when they give as many triples as the store holds for those subjects;
        otherwise the whole file is read.
        """
        named = all(isinstance(s, ox.NamedNode) for s in subjects)
        if self._quads is None and named and len(self.text) > _WHOLE_INDEX_UP_TO:
            if self._index is None:
                self._index = self.subject_index()
            if isinstance(self._index, SubjectIndex):
                text = self._index.statements(s.value for s in subjects)
                found = [
                    q.triple
                    for q in ox.parse(
                        text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=self.base_iri
                    )
                ]
                probe = ox.Store()
                probe.extend(ox.Quad(t.subject, t.predicate, t.object) for t in found)
                graph = ox.NamedNode(self.graph)
                held = sum(
                    1 for s in subjects for _ in self.store.quads_for_pattern(s, None, None, graph)
                )
                if len(probe) == held:
                    return found
        return [q.triple for q in self.iter_parsed() if q.subject in subjects]

    def typed_literals(self, names: set[str]) -> list[tuple[str, ox.Literal]]:
        """(predicate, literal as written) for every literal whose datatype IRI ends in one of
        the local ``names`` (after "#" or "/").

        A large text with no blank nodes, escapes or long strings is read only on the lines
        that spell one of the names, each parsed as a predicate-object list (or a whole
        statement); when a line does not give exactly as many such literals as it spells
        names, the whole file is read instead.
        """
        found = self._typed_lines(names) if len(self.text) > _WHOLE_INDEX_UP_TO else None
        return found if found is not None else _typed(self.iter_parsed(), names)

    def _typed_lines(self, names: set[str]) -> list[tuple[str, ox.Literal]] | None:
        prefixes = self.certain_prefixes() if self.format == ox.RdfFormat.TURTLE else {}
        if (
            self._quads is not None
            or self.format not in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)
            or not self.targetable()
            or any(not ns.endswith(("#", "/")) for ns in (prefixes or {}).values())
        ):
            return None  # a name could be spelled across a prefix, or a line not stand alone
        text = self.text
        lines: dict[int, int] = {}  # line start -> names spelled on it
        for at in spelled_names(text, names):
            start = text.rfind("\n", 0, at) + 1
            lines[start] = lines.get(start, 0) + 1
        header = "".join(f"@prefix {n}: <{ns}> .\n" for n, ns in (prefixes or {}).items())
        bodies = []
        for start in lines:
            end = text.find("\n", start)
            bodies.append(text[start : len(text) if end < 0 else end].strip().rstrip(";,. \t\r"))
        # Most lines are predicate-object lists: all of them in one parse, each under its own
        # subject; a line that is not (a whole statement, say) sends every line to its own.
        together = header + "".join(
            f"<urn:x-spacecoop:line:{i}> {body} .\n" for i, body in enumerate(bodies)
        )
        per_line: list[list[tuple[str, ox.Literal]]] = [[] for _ in bodies]
        try:
            quads = list(
                ox.parse(
                    together.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=self.base_iri
                )
            )
            for q in quads:
                for pair in _typed([q], names):
                    per_line[int(q.subject.value.rsplit(":", 1)[1])].append(pair)
        except SyntaxError:
            per_line = [_typed_in_line(header, body, names, self.base_iri) for body in bodies]
        found: list[tuple[str, ox.Literal]] = []
        for typed, spelled_here in zip(per_line, lines.values(), strict=True):
            if len(typed) != spelled_here:
                return None
            found.extend(typed)
        return found

    def targetable(self) -> bool:
        """Whether statements can be found in the text by how their subjects are written
        (see :func:`spacecoop.positions.targetable`); worked out once."""
        if self._targetable is None:
            certain = self.certain_prefixes() if self.format == ox.RdfFormat.TURTLE else {}
            self._targetable = targetable(self.text, certain)
        return self._targetable

    def subject_index(self) -> SubjectIndex | None:
        """A :class:`SubjectIndex` of this file, or None where it could differ from a full one."""
        if self.format not in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
            return None
        certain = self.certain_prefixes() if self.format == ox.RdfFormat.TURTLE else {}
        if not self.targetable():
            return None
        return SubjectIndex(self.text, self.display, self.base_iri, certain or {})


_WHOLE_INDEX_UP_TO = 1_000_000  # characters; above, subjects are searched one by one


def _typed_in_line(
    header: str, body: str, names: set[str], base: str
) -> list[tuple[str, ox.Literal]]:
    """The typed literals of one line read as a predicate-object list, else as a statement."""
    typed: list[tuple[str, ox.Literal]] = []
    for statement in (f"<urn:x-spacecoop:line> {body} .", f"{body} ."):
        try:
            quads = list(
                ox.parse(
                    (header + statement).encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=base
                )
            )
        except SyntaxError:
            continue
        typed = _typed(quads, names)
        if typed:
            return typed
    return typed


def spelled_names(text: str, names: Iterable[str]) -> Iterator[int]:
    """Where ``text`` spells one of the local ``names`` after "#", ":" or "/" (as an IRI's or a
    prefixed name's end). One name at a time: a pattern that starts with literal text is found
    at memory speed, where a leading character class would be tried at every position."""
    for name in sorted(set(names)):
        for match in re.finditer(re.escape(name) + r"(?![\w\-])", text):
            if text[match.start() - 1 : match.start()] in ("#", ":", "/"):
                yield match.start()


def _typed(quads: Iterable[ox.Quad], names: set[str]) -> list[tuple[str, ox.Literal]]:
    """(predicate, literal) for the literal objects whose datatype has one of these local names."""
    literal = ox.Literal
    return [
        (q.predicate.value, o)
        for q in quads
        if type(o := q.object) is literal and _local_name(o.datatype.value) in names
    ]


def _local_name(iri: str) -> str:
    return iri[max(iri.rfind("#"), iri.rfind("/")) + 1 :]


def _into_graph(quads: Iterable[ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    default, quad = ox.DefaultGraph, ox.Quad
    for q in quads:
        yield (
            quad(q.subject, q.predicate, q.object, graph)
            if isinstance(q.graph_name, default)
            else q
        )


_TURTLE_LIKE = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG}
_DIRECTIVE = re.compile(
    rb"^[ \t]*(?:@prefix|prefix)[ \t]+([^\s:<>]*):[ \t]*<([^<>\\\s]*)>", re.I | re.M
)
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def declared_prefixes(data: bytes) -> dict[str, str] | None:
    """The prefix directives of a Turtle or TriG file, read without parsing its triples.

    Only when the answer is certain: every occurrence of the word "prefix" is a directive at
    the start of a line, before any long string, with an absolute IRI, and the file has no
    base directive. Otherwise None, and the caller parses the file. Works on bytes, where
    lowering ASCII letters is cheap.
    """
    lowered = data.lower()
    for start in _occurrences(lowered, b"base"):
        if _at_line_start(lowered, start):
            return None
    found: dict[str, str] = {}
    quotes = [i for i in (data.find(b'"""'), data.find(b"'''")) if i >= 0]
    first_long_quote = min(quotes) if quotes else len(data)
    for start in _occurrences(lowered, b"prefix"):
        line_start = lowered.rfind(b"\n", 0, start) + 1
        match = _DIRECTIVE.match(data, line_start)
        if match is None or match.start(1) <= start:
            return None  # "prefix" somewhere other than in a directive's keyword
        if first_long_quote < match.start():
            return None  # a directive after a long string might be inside it: parse instead
        name, namespace = match.group(1).decode("utf-8"), match.group(2).decode("utf-8")
        if not _ABSOLUTE.match(namespace):
            return None
        found[name] = namespace
    return found


def _occurrences(data: bytes, word: bytes) -> Iterator[int]:
    start = data.find(word)
    while start >= 0:
        yield start
        start = data.find(word, start + len(word))


def _at_line_start(data: bytes, start: int) -> bool:
    """Whether only blanks and an optional "@" stand between the line's start and ``start``."""
    line_start = data.rfind(b"\n", 0, start) + 1
    return data[line_start:start].strip(b" \t") in (b"", b"@")


@dataclass
class LoadedDataset:
    """All sources of a run, in configuration order, plus notes made while loading."""

    sources: list[SourceFile]
    notes: list[Finding] = field(default_factory=list)
    _merged: dict[tuple[str, ...], ox.Store] = field(default_factory=dict, repr=False)

    def of_kind(self, *kinds: str) -> list[SourceFile]:
        return [s for s in self.sources if s.kind in kinds]

    def quads(self, *kinds: str) -> Iterator[ox.Quad]:
        for source in self.of_kind(*kinds) if kinds else self.sources:
            yield from source.iter_quads()

    def graphs(self, *kinds: str) -> list[ox.NamedNode]:
        """The named graphs of the sources of these kinds (of all sources if none given)."""
        return [ox.NamedNode(s.graph) for s in (self.of_kind(*kinds) if kinds else self.sources)]

    def select(self, query: str, *kinds: str) -> list[ox.QuerySolution]:
        """A SELECT over the sources of ``kinds`` (all if none given) as one default graph.

        Runs where the sources were loaded (no copy): counts and term lists in Rust instead of
        a Python loop over every triple. Like the sources, a triple written in two files is
        seen twice.
        """
        selected = self.of_kind(*kinds) if kinds else self.sources
        stores = {id(s.store): s.store for s in selected}
        if len(stores) == 1:
            store = next(iter(stores.values()))
            return list(store.query(query, default_graph=self.graphs(*kinds)))  # type: ignore[arg-type]
        return list(self.store(*kinds).query(query, use_default_graph_as_union=True))  # type: ignore[arg-type]

    def store(self, *kinds: str) -> ox.Store:
        """A store whose named graphs are exactly the sources of ``kinds`` (all if none given).

        Query it with the union of its graphs as default graph. It is the store the sources
        were loaded into when that holds nothing else (as :func:`load` arranges for ontology
        plus data), so nothing is parsed again; otherwise one is built once from the sources.
        """
        selected = self.of_kind(*kinds) if kinds else self.sources
        stores = {id(s.store): s.store for s in selected}
        wanted = {s.graph for s in selected}
        if len(stores) == 1:
            store = next(iter(stores.values()))
            if {g.value for g in store.named_graphs()} == wanted:
                return store
        key = tuple(sorted(kinds))
        if key not in self._merged:
            merged = ox.Store()
            for source in selected:
                source.copy_into(merged)
            self._merged[key] = merged
        return self._merged[key]

    def triples(self, *kinds: str) -> Iterator[ox.Triple]:
        for source in self.of_kind(*kinds) if kinds else self.sources:
            for quad in source.iter_parsed():  # no quad re-made in the file's graph: cheaper
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

    def prefetch(self, subjects: Iterable[str]) -> None:
        """Look up where these subjects are written in one read of each large file, before
        :meth:`locate` is asked about them one by one."""
        wanted = list(subjects)
        for source in self.sources:
            if len(source.text) > _WHOLE_INDEX_UP_TO and isinstance(
                index := source.positions(), SubjectIndex
            ):
                index.prefetch(wanted)

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
                if index is None or not index.has(subject):
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
    path: Path,
    kind: str,
    config: Config,
    display: str | None = None,
    base_iri: str | None = None,
    store: ox.Store | None = None,
) -> tuple[SourceFile, list[Finding]]:
    """Parse one file strictly into ``store`` (a new one if None), in its own named graph.

    Raises :class:`SourceError` with file, line and column.
    """
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
    graph = ox.NamedNode(config.graph_name(path))
    target = store if store is not None else ox.Store()
    bom = data.startswith(BOM.encode("utf-8"))
    encoded = data[3:] if bom else data
    before = len(target)
    maybe_blank = _may_have_blank_nodes(encoded)
    # A triples file goes whole into its graph, where the store can tell whether a bracket was
    # a blank node; a quads file (TriG, N-Quads) may fill other graphs, so it is not tried.
    plain = fmt in _INDEXABLE and not (maybe_blank and fmt in _QUADS_FORMATS)
    # The store parses a plain file itself, with no Python object per triple, on another
    # thread (it releases the GIL): meanwhile this one decodes the text and reads what later
    # stages ask of it.
    loading: Future | None = None
    if plain:
        pool = ThreadPoolExecutor(max_workers=1)
        loading = pool.submit(target.load, encoded, format=fmt, base_iri=base, to_graph=graph)
        pool.shutdown(wait=False)  # the load goes on; its result is awaited below
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        _undo(loading, target, graph)
        line, column = _line_column(data, exc.start)
        raise SourceError(
            shown,
            line,
            column,
            f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; save the file as UTF-8",
        ) from None
    if bom:
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
    directives: tuple[bool, dict[str, str]] | None = None
    reachable: bool | None = None
    if plain and len(text) > _WHOLE_INDEX_UP_TO:
        if fmt in _TURTLE_LIKE:
            found = declared_prefixes(encoded)
            directives = (found is not None, found or {})
        certain = (directives[1] if directives[0] else None) if directives else {}
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
            reachable = targetable(text, certain)
    quads: list[ox.Quad] | None = None
    prefixes: dict[str, str] | None = None
    try:
        if loading is not None:
            loading.result()
            if maybe_blank and _has_blank_nodes(target, graph):
                # A bracket may also sit in a literal ("(SMILE)"): the store has told.
                target.remove_graph(graph)
                plain = False
        if not plain:
            # Blank nodes: keep the quads of this one parse, so that their labels are the
            # same in the store and in every later read.
            parser = ox.parse(encoded, format=fmt, base_iri=base)
            quads = list(_into_graph(parser, graph))
            target.extend(quads)
            prefixes = dict(parser.prefixes) if fmt in _INDEXABLE else {}
            directives = reachable = None
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
    count = len(quads) if quads is not None else len(target) - before
    source = SourceFile(
        kind, path, shown, graph.value, fmt, text, base, target, count, quads, prefixes
    )
    source._directives, source._targetable = directives, reachable
    return source, notes


def _undo(loading: Future | None, store: ox.Store, graph: ox.NamedNode) -> None:
    """Wait for a background load and take back what it added (the file is refused)."""
    if loading is None:
        return
    try:
        loading.result()
    except Exception:
        return
    store.remove_graph(graph)


def _has_blank_nodes(store: ox.Store, graph: ox.NamedNode) -> bool:
    found = store.query(
        f"ASK {{ GRAPH <{graph.value}> {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
    )
    return bool(found)


def _may_have_blank_nodes(data: bytes) -> bool:
    """Whether the file may hold a blank node (labelled, anonymous or a collection).

    Conservative: a bracket inside a literal also says yes (the store is then asked).
    """
    return b"_:" in data or b"[" in data or b"(" in data


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
    # Shapes apart from what they validate: a store per group, queried as one union graph.
    stores = {"shapes": ox.Store(), "": ox.Store()}
    for kind, path in selected:
        if progress:
            progress(config.relative(path))
        store = stores["shapes" if kind == "shapes" else ""]
        source, file_notes = parse_file(path, kind, config, store=store)
        sources.append(source)
        notes.extend(file_notes)
    return LoadedDataset(sources, notes)
