"""A query worker: one process that evaluates operations on the store, one at a time.

pyoxigraph cannot cancel a running query (and ``COUNT(*)`` over a join computes everything
before its first row), so the only way to really stop a query at its deadline is to kill the
process evaluating it. The server keeps a pool of these workers; each opens the store itself
(``Store.read_only``, or read-write for the single update worker) and reopens it when the store
link points at a new version or the server names a newer snapshot (taken after each update).

Wire format, so the server can read frames without trusting their content: the server writes
one JSON request per line on stdin; the worker answers with frames on its original stdout, each
``kind (1 byte) + length (4 bytes, big-endian) + payload``:

- ``R`` ready (JSON ``{"pid": ...}``), once after the store opened;
- ``E`` error before any result (JSON ``{"status": ..., "message": ...}``), ends the answer;
- ``H`` result header (JSON: ``kind``, ``truncated``, ``rows``), then ``D`` data chunks;
- ``Z`` end of a result; ``X`` failure in the middle of a result (the server aborts the reply).

Run as ``python -m spacecoop.endpoint.worker STORE_LINK ro|rw``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from collections.abc import Iterable
from itertools import islice
from typing import IO, Any

import pyoxigraph as ox

CHUNK = 64 * 1024
RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
_POSITION = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.S)


class Failure(Exception):
    """An error answered before any result, with its HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Frames:
    """Frame writer on the worker's protocol channel; also a file-like sink for serializers."""

    def __init__(self, channel: IO[bytes]):
        self.channel = channel
        self.buffer = bytearray()

    def send(self, kind: bytes, payload: bytes = b"") -> None:
        self.channel.write(kind + len(payload).to_bytes(4, "big") + payload)
        self.channel.flush()

    def send_json(self, kind: bytes, value: Any) -> None:
        self.send(kind, json.dumps(value).encode("utf-8"))

    # file-like interface used by pyoxigraph's serializers
    def write(self, data: bytes) -> int:
        self.buffer.extend(data)
        if len(self.buffer) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.send(b"D", bytes(self.buffer))
            self.buffer.clear()


def syntax_message(exc: SyntaxError, what: str) -> str:
    """pyoxigraph's 'error at L:C: detail' as a sentence naming line and column."""
    text = str(exc.msg if getattr(exc, "msg", None) else exc)
    match = _POSITION.match(text)
    if match:
        line, column, detail = match.groups()
        return f"SPARQL {what} syntax error at line {line}, column {column}: {detail}"
    return f"SPARQL {what} syntax error: {text}"


def tsv_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """A term in SPARQL TSV syntax (N-Triples terms; triple terms as ``<<( s p o )>>``)."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        parts = (tsv_term(term.subject), tsv_term(term.predicate), tsv_term(term.object))
        return "<<( " + " ".join(parts) + " )>>"
    return str(term)


def solutions_as_tsv(variables: list[str], rows: Iterable[ox.QuerySolution]) -> bytes:
    """Rows already fetched, as TSV that pyoxigraph parses back and re-serialises in any format."""
    lines = ["\t".join("?" + v for v in variables)]
    lines.extend("\t".join(tsv_term(row[v]) for v in variables) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


class Worker:
    """The store this process reads (or, in ``rw`` mode, writes) and the operations on it."""

    def __init__(self, link: str, mode: str, frames: Frames):
        self.link = link
        self.mode = mode
        self.frames = frames
        self.target = ""
        self.store: ox.Store | None = None

    def open(self, target: str | None = None) -> ox.Store:
        """The store at ``target`` (a snapshot) or at the link, reopened when either moved."""
        path = os.path.realpath(target or self.link)
        if self.store is None or path != self.target:
            self.store = None
            self.store = ox.Store(path) if self.mode == "rw" else ox.Store.read_only(path)
            self.target = path
        return self.store

    # ------------------------------------------------------------------ operations

    def handle(self, request: dict[str, Any]) -> None:
        op = request.get("op")
        try:
            store = self.open(request.get("store"))
            if op == "query":
                self.query(store, request)
            elif op == "update":
                self.update(store, request)
            elif op == "graphs":
                self.graphs(store)
            elif op == "snapshot":
                self.snapshot(store, request["snapshot"])
            else:
                raise Failure(400, f"unknown operation {op!r}")
        except Failure as failure:
            self.frames.send_json(b"E", {"status": failure.status, "message": failure.message})
        except Exception as exc:  # the store could not be read: report, do not die
            self.frames.send_json(b"E", {"status": 500, "message": f"{type(exc).__name__}: {exc}"})

    def check_local(self, store: ox.Store, iris: Iterable[str]) -> None:
        for iri in iris:
            try:
                node = ox.NamedNode(iri)
            except ValueError as exc:
                raise Failure(400, f"<{iri}> is not a valid IRI: {exc}") from None
            if not store.contains_named_graph(node):
                raise Failure(
                    400,
                    f"graph <{iri}> is not in this store: this endpoint only reads its own "
                    "graphs (listed in its service description: GET /sparql) and never fetches "
                    "documents from other hosts or files",
                )

    def query(self, store: ox.Store, request: dict[str, Any]) -> None:
        default_graphs = request.get("default_graphs") or []
        named_graphs = request.get("named_graphs") or []
        self.check_local(store, [*request.get("dataset", []), *default_graphs, *named_graphs])
        options: dict[str, Any] = {"base_iri": request.get("base")}
        if default_graphs or named_graphs:  # §2.1.4: the protocol dataset replaces FROM
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        elif not request.get("has_dataset_clause"):
            options["use_default_graph_as_union"] = True
        try:
            result = store.query(request["text"], **options)
        except SyntaxError as exc:
            raise Failure(400, syntax_message(exc, "query")) from None
        formats: dict[str, str | None] = request.get("formats", {})
        max_rows = int(request.get("max_rows") or 0)
        if isinstance(result, ox.QueryBoolean):
            self.answer_boolean(result, formats.get("boolean"))
        elif isinstance(result, ox.QuerySolutions):
            self.answer_solutions(result, formats.get("solutions"), max_rows)
        else:
            self.answer_triples(result, formats.get("triples"), max_rows, request)

    def _format(self, kind: str, key: str | None) -> str:
        if key is None:
            raise Failure(406, kind)  # the server words the message (it knows the offers)
        return key

    def answer_boolean(self, result: ox.QueryBoolean, key: str | None) -> None:
        fmt = RESULT_FORMATS[self._format("boolean", key)]
        self.frames.send_json(b"H", {"kind": "boolean", "truncated": False, "rows": None})
        result.serialize(self.frames, format=fmt)
        self.frames.flush()
        self.frames.send(b"Z")

    def answer_solutions(self, result: ox.QuerySolutions, key: str | None, max_rows: int) -> None:
        fmt = RESULT_FORMATS[self._format("solutions", key)]
        if not max_rows:  # no cap: stream straight from the evaluator
            self.frames.send_json(b"H", {"kind": "solutions", "truncated": False, "rows": None})
            self.stream(lambda: result.serialize(self.frames, format=fmt))
            return
        variables = [v.value for v in result.variables]
        rows = list(islice(result, max_rows + 1))  # evaluation errors still become 4xx/5xx
        truncated = len(rows) > max_rows
        del rows[max_rows:]
        self.frames.send_json(
            b"H", {"kind": "solutions", "truncated": truncated, "rows": len(rows)}
        )
        capped = ox.parse_query_results(
            solutions_as_tsv(variables, rows), format=RESULT_FORMATS["tsv"]
        )
        self.stream(lambda: capped.serialize(self.frames, format=fmt))

    def answer_triples(
        self, result: ox.QueryTriples, key: str | None, max_rows: int, request: dict[str, Any]
    ) -> None:
        fmt = RDF_FORMATS[self._format("triples", key)]
        prefixes = request.get("prefixes") or None
        if not max_rows:
            self.frames.send_json(b"H", {"kind": "triples", "truncated": False, "rows": None})
            self.stream(lambda: ox.serialize(result, self.frames, format=fmt, prefixes=prefixes))
            return
        triples = list(islice(result, max_rows + 1))
        truncated = len(triples) > max_rows
        del triples[max_rows:]
        self.frames.send_json(
            b"H", {"kind": "triples", "truncated": truncated, "rows": len(triples)}
        )
        self.stream(lambda: ox.serialize(triples, self.frames, format=fmt, prefixes=prefixes))

    def stream(self, write: Any) -> None:
        try:
            write()
            self.frames.flush()
        except Exception as exc:
            self.frames.buffer.clear()
            self.frames.send(b"X", f"{type(exc).__name__}: {exc}".encode())
            return
        self.frames.send(b"Z")

    def update(self, store: ox.Store, request: dict[str, Any]) -> None:
        if self.mode != "rw":
            raise Failure(403, "this worker is read-only")
        self.check_local(store, request.get("dataset", []))
        try:
            store.update(request["text"], base_iri=request.get("base"))
        except SyntaxError as exc:
            raise Failure(400, syntax_message(exc, "update")) from None
        store.flush()
        if request.get("snapshot"):
            store.backup(request["snapshot"])
        self.frames.send_json(b"H", {"kind": "update", "truncated": False, "rows": None})
        self.frames.send(b"Z")

    def snapshot(self, store: ox.Store, target: str) -> None:
        """A consistent copy (RocksDB checkpoint: hard links) that readers can open safely.

        Opening a store read-only while another process writes it is undefined behaviour in
        RocksDB (compaction deletes files the reader still needs), so with updates enabled the
        query workers read snapshots taken after each update, never the live store.
        """
        store.flush()
        store.backup(target)
        self.frames.send_json(b"H", {"kind": "snapshot", "truncated": False, "rows": None})
        self.frames.send(b"Z")

    def graphs(self, store: ox.Store) -> None:
        counts = {
            row["g"].value: int(row["n"].value)
            for row in store.query(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            )
        }
        names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        total = len(store)
        self.frames.send_json(
            b"H",
            {
                "kind": "graphs",
                "graphs": [[name, counts.get(name, 0)] for name in names],
                "quads": total,
            },
        )
        self.frames.send(b"Z")


def main(argv: list[str]) -> int:
    link, mode = argv[1], argv[2]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by accident goes to stderr, never into the frames
    sys.stdout = sys.stderr
    frames = Frames(channel)
    worker = Worker(link, mode, frames)
    try:
        worker.open()
    except Exception as exc:
        frames.send_json(b"E", {"status": 500, "message": f"cannot open the store: {exc}"})
        return 1
    frames.send_json(b"R", {"pid": os.getpid()})
    for line in sys.stdin.buffer:
        if line.strip():
            worker.handle(json.loads(line))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
