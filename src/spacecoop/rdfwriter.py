"""Deterministic RDF writers: pretty Turtle and sorted N-Triples that diff cleanly in git.

The same triples always give the same bytes, whatever order a parser produced them in:
subjects and predicates are sorted (ontology headers first, ``rdf:type`` and labels first),
blank nodes referenced once are written inline as ``[ ... ]`` or ``( ... )``, and any other
blank node gets a label derived from its content and position in the graph, never from the
parser's random identifiers.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"
_FIRST_PREDICATES = (
    RDF + "type",
    RDFS + "label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://purl.org/dc/terms/title",
)
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*(?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?[0-9]*\.[0-9]+$")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class _Graph:
    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.out: dict[Term, dict[ox.NamedNode, set[Term]]] = defaultdict(lambda: defaultdict(set))
        self.incoming: dict[ox.BlankNode, list[tuple[Term, ox.NamedNode]]] = defaultdict(list)
        for t in set(triples):
            self.out[t.subject][t.predicate].add(t.object)
            if isinstance(t.object, ox.BlankNode):
                self.incoming[t.object].append((t.subject, t.predicate))


def _content_digest(graph: _Graph, node: ox.BlankNode, seen: frozenset = frozenset()) -> str:
    """A digest of what a blank node says, recursively (cycles cut by 'seen')."""
    parts = []
    for predicate, objects in graph.out.get(node, {}).items():
        for obj in objects:
            if isinstance(obj, ox.BlankNode):
                text = "_" if obj in seen else _content_digest(graph, obj, seen | {node})
            else:
                text = str(obj)
            parts.append(f"{predicate.value} {text}")
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def canonical_bnode_labels(triples: Iterable[ox.Triple]) -> dict[ox.BlankNode, str]:
    """Deterministic labels: content digest plus the (subject, predicate) that points at it."""
    graph = _Graph(triples)
    nodes = {n for n in graph.out if isinstance(n, ox.BlankNode)} | set(graph.incoming)
    labels: dict[ox.BlankNode, str] = {}
    memo: dict[ox.BlankNode, str] = {}

    def context(node: ox.BlankNode, depth: int = 0) -> str:
        if node in memo:
            return memo[node]
        refs = []
        for subject, predicate in graph.incoming.get(node, []):
            if isinstance(subject, ox.BlankNode):
                parent = context(subject, depth + 1) if depth < 50 else "deep"
            else:
                parent = str(subject)
            refs.append(f"{parent} {predicate.value}")
        memo[node] = hashlib.sha256(
            (_content_digest(graph, node) + "|" + "|".join(sorted(refs))).encode()
        ).hexdigest()
        return memo[node]

    counts: dict[str, int] = defaultdict(int)
    for node in sorted(nodes, key=lambda n: context(n)):
        digest = context(node)[:16]
        # Nodes with identical content and context are interchangeable: numbering them in any
        # order gives the same output.
        labels[node] = f"b{digest}{counts[digest] or ''}"
        counts[digest] += 1
    return labels


def relabel(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples with every blank node replaced by its canonical label."""
    triples = list(triples)
    # Only triples that touch a blank node decide its label: index just those.
    involved = [
        t
        for t in triples
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
    ]
    labels = canonical_bnode_labels(involved) if involved else {}
    if not labels:
        return triples

    def fix(term: Term) -> Term:
        return ox.BlankNode(labels[term]) if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(fix(t.subject), t.predicate, fix(t.object)) for t in triples]


#: Bytes of lines a sort keeps in memory before it spills a sorted run to a temporary file.
RUN_BYTES = 48 * 2**20
#: Statements handed to pyoxigraph's N-Triples/N-Quads serializer per call.
BATCH = 20_000
_NT, _NQ = ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS
_ONTOLOGY_LINE = f" <{RDF}type> <{OWL_ONTOLOGY}> ".encode()


class SortedLines:
    """Distinct byte lines in sorted order, in bounded memory: an external merge sort.

    Why: sorting a 1M-triple graph as Python strings or term objects costs gigabytes. Lines are
    kept in memory up to ``run_bytes``, then sorted and written to a temporary file (a "run");
    reading merges the runs with :func:`heapq.merge`. Bytes sort in code point order, exactly as
    the same lines would as ``str``. Every line ends with ``\\n`` and contains no other newline.
    """

    def __init__(self, run_bytes: int = RUN_BYTES) -> None:
        self.lines: list[bytes] = []
        self.size = 0
        self.run_bytes = run_bytes
        self.runs: list[IO[bytes]] = []

    def extend(self, lines: list[bytes]) -> None:
        self.lines.extend(lines)
        self.size += sum(map(len, lines)) + 48 * len(lines)  # with the bytes objects' overhead
        if self.size >= self.run_bytes:
            self._spill()

    def _spill(self) -> None:
        self.lines.sort()
        run = tempfile.TemporaryFile(prefix="spacecoop-sort-")  # noqa: SIM115 (closed by merged)
        run.writelines(_unique(self.lines))
        run.seek(0)
        self.runs.append(run)
        self.lines, self.size = [], 0

    def merged(self, keep: Callable[[bytes], bool] | None = None) -> Iterator[bytes]:
        """Each distinct line once, in order (only those ``keep`` accepts, if given)."""
        if self.runs and self.lines:
            self._spill()
        self.lines.sort()
        runs, self.runs = self.runs, []
        try:
            merged = heapq.merge(*runs) if runs else self.lines
            for line in _unique(merged):
                if keep is None or keep(line):
                    yield line
        finally:
            self.lines = []
            for run in runs:
                run.close()


def _unique(lines: Iterable[bytes]) -> Iterator[bytes]:
    previous = None
    for line in lines:
        if line != previous:
            yield line
            previous = line


def _chunked(lines: Iterable[bytes], size: int = 8192) -> Iterator[bytes]:
    """Lines as a few large byte chunks, never the whole file as one string."""
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)


def _line(statement: ox.Triple | ox.Quad) -> bytes:
    graph = getattr(statement, "graph_name", None)
    suffix = "" if graph is None or isinstance(graph, ox.DefaultGraph) else f" {graph}"
    return f"{statement.subject} {statement.predicate} {statement.object}{suffix} .\n".encode()


@dataclass(frozen=True)
class HeaderStamp:
    """Triples that replace, in every ontology header, those of ``predicates`` (versions).

    ``values`` gives, for an ontology IRI, the (predicate IRI, object) pairs to add. Applied
    while streaming, it gives what :func:`spacecoop.versions.stamp` gives on a list.
    """

    predicates: tuple[str, ...]
    values: Callable[[str], list[tuple[str, Term]]]

    def drop(self, ontologies: Iterable[str]) -> tuple[bytes, ...]:
        """Line prefixes of the triples the stamp replaces."""
        return tuple(f"<{o}> <{p}> ".encode() for o in ontologies for p in self.predicates)


#: Makes the sort records of a batch of lines (given with their positions in the input).
Record = Callable[[list[bytes], Iterable[int]], list[bytes]]


class FirstPass:
    """One pass over a graph or dataset as N-Triples (N-Quads) lines, made by pyoxigraph.

    Lines without blank nodes go, through ``record``, into a :class:`SortedLines`; the few
    statements with blank nodes are kept as terms (``blank``, with their positions), since
    their labels can only be chosen once all of them are known (:func:`canonical_bnode_labels`).
    Lines that declare an ``owl:Ontology`` are noted: they decide the header order and the
    version stamp.
    """

    def __init__(
        self,
        statements: Iterable[ox.Triple] | Iterable[ox.Quad] = (),
        quads: bool = False,
        record: Record | None = None,
        note: tuple[bytes, ...] = (),
    ) -> None:
        self.quads = quads
        self.record = record
        self.sorted = SortedLines()
        self.blank: list[tuple[int, Any]] = []
        self.ontology: list[ox.Quad] = []
        #: Statements, in input order, of the lines that contain one of ``note`` (parsed).
        self.noted: list[Any] = []
        self.note = note
        self.count = 0
        fmt = _NQ if quads else _NT
        iterator = iter(statements)
        while blob := ox.serialize(islice(iterator, BATCH), format=fmt):
            self.add(blob)

    def add(self, blob: bytes) -> None:
        """One more batch of the input, as pyoxigraph serialized it (N-Triples or N-Quads).

        Why a batch of bytes: one read of a dataset can then feed several passes (see
        :func:`spacecoop.export.GraphStreams`), each sorting its own records.
        """
        fmt = _NQ if self.quads else _NT
        lines = blob.splitlines(keepends=True)
        if self.note and any(marker in blob for marker in self.note):
            found = [line for line in lines if any(marker in line for marker in self.note)]
            parsed = ox.parse(b"".join(found), format=fmt)
            self.noted += [q if self.quads else q.triple for q in parsed]
        start = self.count
        self.count += len(lines)
        positions: Iterable[int] = range(start, self.count)
        if b"_:" in blob:
            lines, positions = self._take_blank(lines, start, fmt)
        if _ONTOLOGY_LINE in blob:
            found = [line for line in lines if _ONTOLOGY_LINE in line]
            self.ontology += list(ox.parse(b"".join(found), format=fmt)) if found else []
        self.sorted.extend(self.record(lines, positions) if self.record else lines)

    def spill(self) -> None:
        """Write the lines still in memory to a run if there are runs already (frees memory
        while other passes of the same read are merged)."""
        if self.sorted.runs and self.sorted.lines:
            self.sorted._spill()

    def _take_blank(
        self, lines: list[bytes], start: int, fmt: ox.RdfFormat
    ) -> tuple[list[bytes], list[int]]:
        candidates = [n for n, line in enumerate(lines) if b"_:" in line]
        parsed = ox.parse(b"".join(lines[n] for n in candidates), format=fmt)
        blank = set()
        for n, statement in zip(candidates, parsed, strict=True):
            if isinstance(statement.subject, ox.BlankNode) or isinstance(
                statement.object, ox.BlankNode
            ):
                self.blank.append((start + n, statement if self.quads else statement.triple))
                blank.add(n)
        kept = [n for n in range(len(lines)) if n not in blank]
        return [lines[n] for n in kept], [start + n for n in kept]

    def headers(self) -> dict[str, ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
        """Ontology IRIs, each with the graph that first declared it (as stamp_quads)."""
        found: dict[str, ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = {}
        for q in self.ontology:
            if (
                isinstance(q.subject, ox.NamedNode)
                and q.predicate.value == RDF + "type"
                and q.object == ox.NamedNode(OWL_ONTOLOGY)
            ):
                found.setdefault(q.subject.value, q.graph_name)
        return found

    def finish(
        self, stamp: HeaderStamp | None, keep_line: Callable[[bytes], bytes] | None = None
    ) -> Iterator[bytes]:
        """All records in order: version triples replaced, blank nodes relabelled.

        ``keep_line`` gives the line inside a record (for the stamp's filter).
        """
        headers = self.headers() if stamp is not None else {}
        keep = None
        if headers:
            assert stamp is not None
            drop = stamp.drop(headers)
            predicates = set(stamp.predicates)
            self.blank = [
                (n, s)
                for n, s in self.blank
                if not (s.subject.value in headers and s.predicate.value in predicates)
            ]

            def keep(record: bytes) -> bool:
                return not (keep_line(record) if keep_line else record).startswith(drop)

        positions = [n for n, _s in self.blank]
        statements = [s for _n, s in self.blank]
        relabelled = _relabel_quads(statements) if self.quads else relabel(statements)
        extra: list[tuple[int, ox.Triple | ox.Quad]] = list(zip(positions, relabelled, strict=True))
        self.relabelled = list(relabelled)
        count = self.count
        for ontology in sorted(headers):
            assert stamp is not None
            for predicate, value in stamp.values(ontology):
                triple = ox.Triple(ox.NamedNode(ontology), ox.NamedNode(predicate), value)
                extra.append((count, ox.Quad(*triple, headers[ontology]) if self.quads else triple))
                count += 1
        lines = [_line(s) for _n, s in extra]
        records = self.record(lines, [n for n, _s in extra]) if self.record else lines
        return heapq.merge(self.sorted.merged(keep), sorted(set(records)))


def _relabel_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Quads with blank nodes relabelled canonically, graph by graph (order kept)."""
    quads = list(quads)
    by_graph: dict[object, list[ox.Triple]] = defaultdict(list)
    for q in quads:
        by_graph[q.graph_name].append(q.triple)
    relabelled = {graph: iter(relabel(triples)) for graph, triples in by_graph.items()}
    return [ox.Quad(*next(relabelled[q.graph_name]), q.graph_name) for q in quads]


class Replay:
    """The lines of a one-shot iterator, readable any number of times.

    Why: several writers of one export read the same sorted stream. The first reading merges
    the sort's runs and copies each line into a temporary file; later readings read that
    file, which costs far less than reading the graph and sorting it again. Readings must not
    overlap.
    """

    def __init__(self, lines: Iterable[bytes]) -> None:
        self.source: Iterable[bytes] | None = lines
        self.file: IO[bytes] | None = None

    def __iter__(self) -> Iterator[bytes]:
        if self.source is None:
            assert self.file is not None
            self.file.seek(0)
            yield from self.file
            return
        source, self.source = self.source, None
        if self.file is not None:
            self.file.close()
        self.file = tempfile.TemporaryFile(prefix="spacecoop-replay-")  # noqa: SIM115
        write = self.file.write
        try:
            for line in source:
                write(line)
                yield line
        except BaseException:
            self.file.close()
            self.file = None
            raise
        self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


@dataclass
class CanonicalLines:
    """Lines known to be canonical N-Triples already (relabelled, distinct, sorted, stamped):
    what :func:`sorted_ntriples` gives, computed once and shared by several writers."""

    lines: Iterable[bytes]


@dataclass
class SubjectStream:
    """A graph sorted by subject: sorted :func:`subject_records` (stamped), the relabelled
    statements with blank nodes, and the ontology header IRIs. Computed once, it can feed
    both the Turtle writer and the JSON-LD documents."""

    records: Iterable[bytes]
    relabelled: list[ox.Triple]
    ontologies: set[str]

    @classmethod
    def of(cls, triples: Iterable[ox.Triple], stamp: HeaderStamp | None = None) -> SubjectStream:
        first = FirstPass(triples, record=subject_records)
        return cls.of_pass(first, stamp)

    @classmethod
    def of_pass(cls, first: FirstPass, stamp: HeaderStamp | None = None) -> SubjectStream:
        """The stream of a :class:`FirstPass` made with ``record=subject_records``."""
        records = first.finish(stamp, record_line)
        return cls(records, first.relabelled, set(first.headers()))


def sorted_ntriples(
    triples: Iterable[ox.Triple] | CanonicalLines, stamp: HeaderStamp | None = None
) -> Iterator[bytes]:
    """Canonical N-Triples lines (relabelled, distinct, sorted), streamed in bounded memory."""
    if isinstance(triples, CanonicalLines):
        return iter(triples.lines)
    return _unique(FirstPass(triples).finish(stamp))


def iter_ntriples(
    triples: Iterable[ox.Triple] | CanonicalLines, stamp: HeaderStamp | None = None
) -> Iterator[bytes]:
    """:func:`write_ntriples` streamed in chunks (for large graphs)."""
    return _chunked(sorted_ntriples(triples, stamp))


def write_ntriples(triples: Iterable[ox.Triple]) -> bytes:
    """Canonical N-Triples, one sorted line per distinct triple."""
    return b"".join(iter_ntriples(triples))


def iter_nquads(quads: Iterable[ox.Quad], stamp: HeaderStamp | None = None) -> Iterator[bytes]:
    """:func:`write_nquads` streamed in chunks (for large datasets)."""
    return _chunked(_unique(FirstPass(quads, quads=True).finish(stamp)))


def write_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """Sorted N-Quads (blank nodes relabelled per graph)."""
    return b"".join(iter_nquads(quads))


def _parsed(lines: Iterable[bytes], fmt: ox.RdfFormat, size: int = BATCH) -> Iterator:
    """Lines parsed back into terms, a batch at a time."""
    for batch in _chunked(lines, size):
        yield from ox.parse(batch, format=fmt)


def _via_file(write: Callable[[IO[bytes]], None]) -> Iterator[bytes]:
    """What ``write`` writes into a temporary file, read back in chunks."""
    with tempfile.TemporaryFile(prefix="spacecoop-out-") as out:
        write(out)
        out.seek(0)
        while chunk := out.read(1 << 20):
            yield chunk


def iter_sorted_serialization(
    triples: Iterable[ox.Triple],
    fmt: ox.RdfFormat,
    prefixes: dict[str, str],
    stamp: HeaderStamp | None = None,
) -> Iterator[bytes]:
    """pyoxigraph's serializer fed the distinct relabelled triples in N-Triples line order
    (which is the order of (subject, predicate, object) as strings)."""
    lines = sorted_ntriples(triples, stamp)
    triples_in_order = (q.triple for q in _parsed(lines, _NT))
    return _via_file(lambda out: ox.serialize(triples_in_order, out, format=fmt, prefixes=prefixes))


def iter_trig(
    quads: Iterable[ox.Quad], prefixes: dict[str, str], stamp: HeaderStamp | None = None
) -> Iterator[bytes]:
    """TriG ordered by graph, then subject, predicate, object (blank nodes relabelled per graph).

    Records are ``graph line``: graph names hold no space, and a space sorts before every
    character that can follow a term, so the records sort as (graph, subject, predicate,
    object) tuples of strings would.
    """
    first = FirstPass(quads, quads=True, record=_graph_first)

    def records() -> Iterator[bytes]:
        for record in _unique(first.finish(stamp, lambda r: r.split(b" ", 1)[1])):
            graph, line = record.split(b" ", 1)
            yield line if graph == b"DEFAULT" else line[:-3] + b" " + graph + b" .\n"

    quads_in_order = _parsed(records(), _NQ)
    return _via_file(
        lambda out: ox.serialize(quads_in_order, out, format=ox.RdfFormat.TRIG, prefixes=prefixes)
    )


_NQUADS_LINE = re.compile(
    rb'(?:<[^>]*>|_:\S+) <[^>]*> (?:<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)'
    rb"(?: (<[^>]*>|_:\S+))? \.\n"
)


def _graph_first(lines: list[bytes], _positions: Iterable[int] = ()) -> list[bytes]:
    """N-Quads lines as ``graph triple-line`` records (``DEFAULT`` for the default graph)."""
    records = []
    for line in lines:
        match = _NQUADS_LINE.fullmatch(line)
        if match is None:
            raise ValueError(f"not an N-Quads line: {line!r}")
        if match.start(1) < 0:
            records.append(b"DEFAULT " + line)
        else:
            records.append(match.group(1) + b" " + line[: match.start(1) - 1] + b" .\n")
    return records


def subject_records(lines: list[bytes], positions: Iterable[int]) -> list[bytes]:
    """``subject-IRI TAB position TAB line`` for lines with an IRI subject (others are left out).

    A tab sorts before every character an IRI may hold, so records sort by subject IRI (as
    strings), then by position in the input: a subject's triples come out in input order.
    """
    return [
        b"%s\t%010d\t%s" % (line[1 : line.index(b">")], n, line)
        for line, n in zip(lines, positions, strict=True)
        if line[:1] == b"<"
    ]


def record_line(record: bytes) -> bytes:
    return record.split(b"\t", 2)[2]


def subject_groups(records: Iterable[bytes]) -> Iterator[tuple[str, list[ox.Quad]]]:
    """(subject IRI, its statements in input order) from sorted :func:`subject_records`.

    The statements are the parser's quads in the default graph (``subject``, ``predicate``
    and ``object`` as a triple has them): making a triple of each would cost a second object.
    """
    keys: list[bytes] = []
    lines: list[bytes] = []

    def flush() -> Iterator[tuple[str, list[ox.Quad]]]:
        triples = list(ox.parse(b"".join(lines), format=_NT))
        start = 0
        while start < len(keys):
            end = start + 1
            while end < len(keys) and keys[end] == keys[start]:
                end += 1
            yield keys[start].decode(), triples[start:end]
            start = end

    for record in records:
        key, _position, line = record.split(b"\t", 2)
        if len(lines) >= BATCH and key != keys[-1]:
            yield from flush()
            keys, lines = [], []
        keys.append(key)
        lines.append(line)
    if lines:
        yield from flush()


class TurtleWriter:
    """Pretty, sorted Turtle for a set of triples."""

    def __init__(
        self,
        triples: Iterable[ox.Triple] | SubjectStream,
        prefixes: dict[str, str],
        stamp: HeaderStamp | None = None,
    ) -> None:
        # Triples with an IRI subject stream through a bounded sort; blank nodes stay in memory
        # (inlining them needs all their triples and references).
        stream = triples if isinstance(triples, SubjectStream) else SubjectStream.of(triples, stamp)
        self.records = stream.records
        self.ontologies = stream.ontologies
        self.graph = _Graph(stream.relabelled)
        self.prefixes = dict(sorted(prefixes.items(), key=lambda kv: -len(kv[1])))
        self.used: set[str] = set()
        self._written: dict[str, tuple[str, str | None]] = {}
        self.inlinable = {
            node
            for node, refs in self.graph.incoming.items()
            if len(refs) == 1 and refs[0][0] != node and not self._is_ancestor(node, refs[0][0])
        }

    def _is_ancestor(self, node: ox.BlankNode, subject: Term) -> bool:
        seen: set[Term] = set()
        current: Term = subject
        while isinstance(current, ox.BlankNode) and current not in seen:
            if current == node:
                return True
            seen.add(current)
            refs = self.graph.incoming.get(current, [])
            if len(refs) != 1:
                return False
            current = refs[0][0]
        return False

    def iri(self, value: str) -> str:
        # Predicates, classes and linked entities come back again and again: remember them
        # (a bounded memo, since most subjects are met once).
        hit = self._written.get(value)
        if hit is None:
            hit = self._iri(value)
            if len(self._written) >= 200_000:
                self._written.clear()
            self._written[value] = hit
        if hit[1] is not None:
            self.used.add(hit[1])
        return hit[0]

    def _iri(self, value: str) -> tuple[str, str | None]:
        for name, namespace in self.prefixes.items():
            if value.startswith(namespace):
                local = value[len(namespace) :]
                if local == "" or _LOCAL.match(local):
                    return f"{name}:{local}", name
        return f"<{value}>", None

    def literal(self, literal: ox.Literal) -> str:
        quoted = str(ox.Literal(literal.value))  # N-Triples escaping of the lexical form
        if literal.language:
            return f"{quoted}@{literal.language}"
        datatype = literal.datatype.value
        if datatype == XSD + "string":
            return quoted
        if datatype == XSD + "integer" and _INTEGER.match(literal.value):
            return literal.value
        if datatype == XSD + "decimal" and _DECIMAL.match(literal.value):
            return literal.value
        if datatype == XSD + "boolean" and literal.value in ("true", "false"):
            return literal.value
        return f"{quoted}^^{self.iri(datatype)}"

    def term(self, term: Term, indent: int) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            return self.literal(term)
        if term in self.inlinable:
            items = self._collection(term)
            if items is not None:
                return "( " + " ".join(self.term(i, indent) for i in items) + " )"
            body = self.predicate_objects(term, indent + 1)
            pad = "    " * indent
            return "[\n" + body + f"\n{pad}]" if body else "[]"
        return f"_:{term.value}"

    def _collection(self, node: ox.BlankNode) -> list[Term] | None:
        items: list[Term] = []
        current: Term = node
        seen: set[Term] = set()
        while current != ox.NamedNode(RDF + "nil"):
            if not isinstance(current, ox.BlankNode) or current in seen:
                return None
            if current != node and current not in self.inlinable:
                return None
            seen.add(current)
            props = self.graph.out.get(current, {})
            keys = {p.value for p in props}
            first = props.get(ox.NamedNode(RDF + "first"), set())
            rest = props.get(ox.NamedNode(RDF + "rest"), set())
            if keys != {RDF + "first", RDF + "rest"} or len(first) != 1 or len(rest) != 1:
                return None
            items.append(next(iter(first)))
            current = next(iter(rest))
        return items

    @staticmethod
    def _predicate_order(predicate: ox.NamedNode) -> tuple[int, str]:
        value = predicate.value
        rank = (
            _FIRST_PREDICATES.index(value) if value in _FIRST_PREDICATES else len(_FIRST_PREDICATES)
        )
        return (rank, value)

    def predicate_objects(
        self, subject: Term, indent: int, props: dict[ox.NamedNode, set[Term]] | None = None
    ) -> str:
        pad = "    " * indent
        lines = []
        props = self.graph.out.get(subject, {}) if props is None else props
        for predicate in sorted(props, key=self._predicate_order):
            objects = sorted(self.term(o, indent + 1) for o in props[predicate])
            joined = (
                " ,\n".join(o if i == 0 else pad + "    " + o for i, o in enumerate(objects))
                if any("\n" in o for o in objects) or len(objects) > 3
                else " , ".join(objects)
            )
            # "a" abbreviates rdf:type only as a predicate; as an object it is a syntax error.
            verb = "a" if predicate.value == RDF + "type" else self.iri(predicate.value)
            lines.append(f"{pad}{verb} {joined}")
        return " ;\n".join(lines)

    def _is_ontology(self, node: ox.BlankNode) -> bool:
        types = self.graph.out[node].get(ox.NamedNode(RDF + "type"), set())
        return ox.NamedNode(OWL_ONTOLOGY) in types

    def chunks(self) -> Iterator[bytes]:
        """Prefixes, ontology headers, IRI subjects, then blank nodes, each group sorted.

        IRI subjects arrive sorted from the stream and are written to a temporary file, since
        the prefix lines (only the prefixes used) can be known only at the end.
        """
        headers: list[tuple[str, str]] = []
        tail: list[tuple[str, str]] = []
        with tempfile.SpooledTemporaryFile(max_size=16 * 2**20) as body:
            written = 0
            for subject, triples in subject_groups(self.records):
                props: dict[ox.NamedNode, set[Term]] = defaultdict(set)
                for t in triples:
                    props[t.predicate].add(t.object)
                node = ox.NamedNode(subject)
                block = f"{self.iri(subject)}\n" + self.predicate_objects(node, 1, props) + " .\n"
                if subject in self.ontologies:
                    headers.append((subject, block))
                    continue
                body.write((b"\n" if written else b"") + block.encode("utf-8"))
                written += 1
            for node in self.graph.out:
                if isinstance(node, ox.BlankNode) and node not in self.inlinable:
                    block = f"_:{node.value}\n" + self.predicate_objects(node, 1) + " .\n"
                    (headers if self._is_ontology(node) else tail).append((node.value, block))
            header = "".join(
                f"@prefix {name}: <{namespace}> .\n"
                for name, namespace in sorted(self.prefixes.items())
                if name in self.used
            )
            yield (header + "\n").encode("utf-8")
            parts = ["\n".join(block for _v, block in sorted(headers))] if headers else []
            if parts and written:
                parts.append("\n")
            yield "".join(parts).encode("utf-8")
            body.seek(0)
            while chunk := body.read(1 << 20):
                yield chunk
            if tail:
                before = "\n" if headers or written else ""
                yield (before + "\n".join(block for _v, block in sorted(tail))).encode("utf-8")

    def write(self) -> bytes:
        return b"".join(self.chunks())


def iter_turtle(
    triples: Iterable[ox.Triple] | SubjectStream,
    prefixes: dict[str, str],
    stamp: HeaderStamp | None = None,
) -> Iterator[bytes]:
    """:func:`write_turtle` in chunks, in bounded memory (for large graphs)."""
    return TurtleWriter(triples, prefixes, stamp).chunks()


def write_turtle(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    return TurtleWriter(triples, prefixes).write()
