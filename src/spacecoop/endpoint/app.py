"""The starlette application: ``/sparql`` per the SPARQL 1.1 Protocol, with limits.

Request path: read the operation (``protocol``), refuse what a public endpoint never does
(``guard``), negotiate the format (``negotiation``), borrow a worker (``pool``; 503 with
``Retry-After`` when every worker is busy and the queue is full), then stream its frames to the
client until the answer ends or the deadline passes (504; the worker is killed and replaced).

Result rows are capped: a longer result is truncated to ``max_rows`` and the response says so
in a ``Results-Truncated: true`` header (``Results-Row-Limit`` gives the cap). Truncating, not
refusing, keeps exploratory queries in the browser useful; clients that need every row add
their own ``LIMIT``/``OFFSET`` pages.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import os
import shutil
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from spacecoop.endpoint import guard, negotiation
from spacecoop.endpoint.description import PREFIXES, service_description
from spacecoop.endpoint.page import Example, build_page
from spacecoop.endpoint.pool import Busy, WorkerFailed, WorkerPool, WorkerProcess
from spacecoop.endpoint.protocol import Operation, ProtocolError, from_get, from_post, read_body

log = logging.getLogger("spacecoop.endpoint")

ALLOW = "GET, HEAD, POST, OPTIONS"
# every method reaches the handler, so that the refusal can say what to use instead
METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE"]
EXPOSED = ["Results-Truncated", "Results-Row-Limit", "Retry-After", "Content-Type"]
READ_AHEAD = 256 * 1024  # results up to this size are sent whole, with Content-Length
RDF_OUT = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


@dataclass
class EndpointSettings:
    """Everything the endpoint needs; ``update_token`` set means updates are enabled."""

    store: Path
    base_iri: str
    title: str = "SPARQL endpoint"
    examples: list[Example] = field(default_factory=list)
    timeout: float = 10.0
    max_rows: int = 10_000
    max_body: int = 1_000_000
    max_concurrent: int = 4
    max_queue: int = 64
    update_token: str | None = None
    path: str = "/sparql"
    # More routes (the linked-data pages of ``spacecoop.site``), matched after the endpoint.
    routes: list[BaseRoute] = field(default_factory=list)


class StreamAborted(Exception):
    """The result cannot be finished (deadline or worker failure) after its headers went out."""


class AbortableStream(StreamingResponse):
    """A streamed result that can be cut short: the body then ends without its final chunk,
    so the client sees an incomplete response instead of a silently shortened one."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        except StreamAborted as exc:
            log.warning("%s", exc)
        except BaseExceptionGroup as group:
            rest = group.subgroup(lambda e: not isinstance(e, StreamAborted))
            if rest is not None:
                raise rest from None
            log.warning("%s", group.exceptions[0])


def text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text answer: the body is the reason, ending with a newline."""
    return Response(
        message.rstrip("\n") + "\n",
        status_code=status,
        media_type="text/plain; charset=utf-8",
        headers={"X-Content-Type-Options": "nosniff", **(headers or {})},
    )


class Endpoint:
    """Routes and state of one running endpoint."""

    def __init__(self, settings: EndpointSettings):
        self.settings = settings
        self.queries: WorkerPool | None = None
        self.updates: WorkerPool | None = None
        self.generation = 0  # bumped by every update
        self.description_cache: tuple[int, list[tuple[str, int]]] | None = None
        # With updates enabled, query workers read snapshots, never the store being written.
        self.snapshots: Path | None = None
        self.snapshot: str | None = None
        self.snapshot_users: Counter[str] = Counter()
        self.page = build_page(
            settings.title, settings.path, settings.examples, settings.timeout, settings.max_rows
        )

    # ------------------------------------------------------------------ lifecycle

    @asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        s = self.settings
        source = s.store
        try:
            if s.update_token is not None:
                self.updates = WorkerPool(s.store, "rw", 1, s.max_queue)
                await self.updates.start()
                self.snapshots = _snapshot_folder(s.store)
                first = str(self.snapshots / "0")
                await self._call(self.updates, {"op": "snapshot", "snapshot": first})
                self._switch(first)
                source = Path(first)
            self.queries = WorkerPool(source, "ro", s.max_concurrent, s.max_queue)
            await self.queries.start()
            log.info("query workers: %s", self.queries.pids)
            yield
        finally:
            for pool in (self.queries, self.updates):
                if pool is not None:
                    await pool.stop()
            if self.snapshots is not None:
                shutil.rmtree(self.snapshots, ignore_errors=True)

    # ------------------------------------------------------------------ snapshots

    def _lease(self) -> str | None:
        """The snapshot a query will read (None: the store link), counted until released."""
        if self.snapshot is not None:
            self.snapshot_users[self.snapshot] += 1
        return self.snapshot

    def _unlease(self, path: str | None) -> None:
        if path is not None:
            self.snapshot_users[path] -= 1
            self._collect()

    def _switch(self, path: str) -> None:
        """Make ``path`` the snapshot new queries read; older ones go once no query reads them."""
        self.snapshot = path
        self.snapshot_users[path] += 0  # known, even before its first reader
        self._collect()

    def _collect(self) -> None:
        for old in [p for p, n in self.snapshot_users.items() if n <= 0 and p != self.snapshot]:
            del self.snapshot_users[old]
            shutil.rmtree(old, ignore_errors=True)

    async def _call(self, pool: WorkerPool, request: dict[str, Any]) -> Any:
        """A request whose whole answer is one ``H`` frame and ``Z``; returns the header."""
        worker = await self._borrow(pool)
        deadline = asyncio.get_running_loop().time() + self.settings.timeout
        frame = await self._first_frame(pool, worker, request, deadline)
        if frame.kind != b"H":
            self._error(pool, worker, frame, {})
        try:
            end = await worker.frame(deadline)
        except (TimeoutError, WorkerFailed):
            end = None
        pool.release(worker, healthy=end is not None and end.kind == b"Z")
        return frame.json()

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(self.settings.path, self.sparql, methods=METHODS),
                *self.settings.routes,
                Route("/", self.root),
            ],
            middleware=[
                Middleware(
                    CORSMiddleware,
                    allow_origins=["*"],
                    allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
                    allow_headers=["Accept", "Content-Type", "Authorization"],
                    expose_headers=EXPOSED,
                    max_age=86400,
                )
            ],
            lifespan=self.lifespan,
        )

    async def root(self, _request: Request) -> Response:
        return RedirectResponse(self.settings.path, status_code=303)

    # ------------------------------------------------------------------ /sparql

    async def sparql(self, request: Request) -> Response:
        try:
            return await self._sparql(request)
        except ProtocolError as exc:
            return text(exc.status, exc.message, exc.headers)

    async def _sparql(self, request: Request) -> Response:
        s = self.settings
        accept = request.headers.get("accept")
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": ALLOW})
        if request.method in ("GET", "HEAD"):
            if len(request.url.query) > s.max_body:
                raise ProtocolError(
                    414, f"query string too long: at most {s.max_body} bytes; use POST"
                )
            operation = from_get(request.url.query)
            if operation is None:
                if negotiation.prefers_html(accept, negotiation.TRIPLES):
                    return self.query_page()
                return await self.description(request, accept)
            if negotiation.prefers_html(accept, negotiation.SOLUTIONS + negotiation.TRIPLES):
                return self.query_page()  # a shared link: the page runs the query itself
        elif request.method == "POST":
            body = await read_body(
                request.stream(), request.headers.get("content-length"), s.max_body
            )
            operation = from_post(request.url.query, request.headers.get("content-type"), body)
        else:
            raise ProtocolError(
                405,
                f"method {request.method} is not allowed: send queries with GET or POST "
                "and updates with POST",
                {"Allow": ALLOW},
            )
        if operation.kind == "update":
            return await self.update(request, operation)
        return await self.query(operation, accept)

    def query_page(self) -> Response:
        return Response(
            self.page.html,
            media_type="text/html; charset=utf-8",
            headers={
                "Content-Security-Policy": self.page.csp,
                "X-Content-Type-Options": "nosniff",
                "Vary": "Accept",
            },
        )

    # ------------------------------------------------------------------ running operations

    def _scan(self, operation: Operation) -> guard.Scan:
        try:
            return guard.scan(operation.text, self.settings.base_iri)
        except guard.Refused as exc:
            raise ProtocolError(400, str(exc)) from None

    async def _borrow(self, pool: WorkerPool) -> WorkerProcess:
        try:
            return await pool.acquire(self.settings.timeout)
        except Busy as exc:
            retry = max(1, math.ceil(self.settings.timeout / 2))
            raise ProtocolError(
                503,
                f"the endpoint is busy ({exc}); retry after {retry} s",
                {"Retry-After": str(retry)},
            ) from None

    async def _first_frame(
        self, pool: WorkerPool, worker: WorkerProcess, request: dict[str, Any], deadline: float
    ) -> Any:
        """Send a request and read its first frame; kill the worker at the deadline."""
        try:
            await worker.send(request)
            return await worker.frame(deadline)
        except TimeoutError:
            pool.release(worker, healthy=False)
            what = "update" if request["op"] == "update" else "query"
            raise ProtocolError(504, self._timeout_message(what)) from None
        except WorkerFailed as exc:
            pool.release(worker, healthy=False)
            raise ProtocolError(500, f"the query worker failed: {exc}") from None
        except BaseException:
            pool.release(worker, healthy=False)
            raise

    def _error(self, pool: WorkerPool, worker: WorkerProcess, frame: Any, offers: dict) -> None:
        """Turn an ``E`` frame (or any unexpected frame) into a ProtocolError."""
        if frame.kind != b"E":
            pool.release(worker, healthy=False)
            raise ProtocolError(500, f"unexpected answer from the query worker: {frame.kind!r}")
        pool.release(worker)
        error = frame.json()
        if error["status"] == 406:
            kind = error["message"]
            table = {
                "solutions": negotiation.SOLUTIONS,
                "boolean": negotiation.BOOLEAN,
                "triples": negotiation.TRIPLES,
            }[kind]
            raise ProtocolError(
                406,
                f"none of the formats in the Accept header can carry a {kind} result; "
                f"this endpoint offers: {negotiation.supported_list(table)}",
            )
        raise ProtocolError(error["status"], error["message"])

    async def query(self, operation: Operation, accept: str | None) -> Response:
        s = self.settings
        scan = self._scan(operation)
        offers = negotiation.negotiate_results(accept)
        if all(offer is None for offer in offers.values()):
            everything = negotiation.SOLUTIONS + negotiation.TRIPLES
            raise ProtocolError(
                406,
                "none of the formats in the Accept header is on offer; this endpoint offers: "
                + negotiation.supported_list(everything),
            )
        assert self.queries is not None
        pool = self.queries
        worker = await self._borrow(pool)
        deadline = asyncio.get_running_loop().time() + s.timeout
        lease = self._lease()
        request = {
            "op": "query",
            "store": lease,
            "text": operation.text,
            "base": s.base_iri,
            "default_graphs": operation.default_graphs,
            "named_graphs": operation.named_graphs,
            "dataset": scan.dataset,
            "has_dataset_clause": scan.has_dataset_clause,
            "formats": {k: (o.format if o else None) for k, o in offers.items()},
            "prefixes": scan.prefixes,
            "max_rows": s.max_rows,
        }
        try:
            frame = await self._first_frame(pool, worker, request, deadline)
            if frame.kind != b"H":
                self._error(pool, worker, frame, offers)
            header = frame.json()
            # Read ahead: a small result goes out whole, with Content-Length and a proper
            # status if it fails; a large one is streamed from here on.
            chunks: list[bytes] = []
            size = 0
            while size < READ_AHEAD:
                frame = await self._next_frame(pool, worker, deadline)
                if frame.kind == b"D":
                    chunks.append(frame.payload)
                    size += len(frame.payload)
                elif frame.kind == b"Z":
                    pool.release(worker)
                    break
                else:
                    pool.release(worker)
                    raise ProtocolError(
                        500, f"the result could not be written: {frame.payload.decode()}"
                    )
        except BaseException:
            self._unlease(lease)
            raise
        offer = offers[header["kind"]]
        assert offer is not None
        headers = {"Vary": "Accept", "X-Content-Type-Options": "nosniff"}
        if s.max_rows:
            headers["Results-Row-Limit"] = str(s.max_rows)
        if header.get("truncated"):
            headers["Results-Truncated"] = "true"
        if frame.kind == b"Z":
            self._unlease(lease)
            return Response(b"".join(chunks), media_type=offer.media_type, headers=headers)
        return AbortableStream(
            self._stream(pool, worker, deadline, chunks, lambda: self._unlease(lease)),
            media_type=offer.media_type,
            headers=headers,
        )

    async def _next_frame(self, pool: WorkerPool, worker: WorkerProcess, deadline: float) -> Any:
        try:
            return await worker.frame(deadline)
        except TimeoutError:
            pool.release(worker, healthy=False)
            raise ProtocolError(504, self._timeout_message("query")) from None
        except WorkerFailed as exc:
            pool.release(worker, healthy=False)
            raise ProtocolError(500, f"the query worker failed: {exc}") from None

    def _timeout_message(self, what: str) -> str:
        return (
            f"{what} stopped: it ran longer than this endpoint's limit of "
            f"{self.settings.timeout:g} s (its worker process was killed)"
        )

    async def _stream(
        self,
        pool: WorkerPool,
        worker: WorkerProcess,
        deadline: float,
        first: list[bytes],
        done: Callable[[], None],
    ) -> AsyncIterator[bytes]:
        """Relay ``D`` frames until ``Z``; anything else aborts the response mid-way."""
        finished = False
        try:
            for chunk in first:
                yield chunk
            while True:
                try:
                    frame = await worker.frame(deadline)
                except TimeoutError:
                    raise StreamAborted(
                        f"query stopped while streaming its result after "
                        f"{self.settings.timeout:g} s; worker {worker.pid} killed"
                    ) from None
                except WorkerFailed as exc:
                    raise StreamAborted(f"result cut short: {exc}") from None
                if frame.kind == b"D":
                    yield frame.payload
                elif frame.kind == b"Z":
                    finished = True
                    return
                else:
                    raise StreamAborted(
                        f"result failed mid-way: {frame.payload.decode(errors='replace')}"
                    )
        finally:
            pool.release(worker, healthy=finished)
            done()

    async def update(self, request: Request, operation: Operation) -> Response:
        s = self.settings
        if s.update_token is None or self.updates is None:
            raise ProtocolError(
                403,
                "SPARQL Update is disabled: this endpoint is read-only "
                "(an operator can start it with --enable-update --token-env VAR)",
            )
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8"), s.update_token.encode("utf-8")
        ):
            raise ProtocolError(
                401,
                "SPARQL Update needs 'Authorization: Bearer <token>' with the endpoint's token",
                {"WWW-Authenticate": 'Bearer realm="sparql-update"'},
            )
        scan = self._scan(operation)
        if operation.has_protocol_dataset:
            if scan.has_using_or_with:
                raise ProtocolError(
                    400,
                    "using-graph-uri/using-named-graph-uri conflict with USING/WITH in the "
                    "update (SPARQL 1.1 Protocol §2.2.3)",
                )
            raise ProtocolError(
                400,
                "using-graph-uri and using-named-graph-uri are not supported by this endpoint; "
                "write USING <graph> in the update instead",
            )
        assert self.snapshots is not None
        self.generation += 1
        snapshot = str(self.snapshots / str(self.generation))
        message = {
            "op": "update",
            "text": operation.text,
            "base": s.base_iri,
            "dataset": scan.dataset,
            "snapshot": snapshot,
        }
        try:
            await self._call(self.updates, message)
        except BaseException:
            shutil.rmtree(snapshot, ignore_errors=True)
            raise
        self._switch(snapshot)  # later queries read the new state
        self.description_cache = None
        return Response(status_code=204)

    # ------------------------------------------------------------------ service description

    async def description(self, request: Request, accept: str | None) -> Response:
        offer = negotiation.choose(negotiation.parse_accept(accept), negotiation.TRIPLES)
        if offer is None:
            raise ProtocolError(
                406,
                "the service description is RDF; this endpoint offers: "
                + negotiation.supported_list(negotiation.TRIPLES),
            )
        graphs = await self._graphs()
        endpoint = str(request.url.replace(query="", fragment=""))
        try:
            triples = service_description(endpoint, graphs, self.updates is not None)
        except ValueError:
            raise ProtocolError(400, f"the request URL {endpoint!r} is not a valid IRI") from None
        body = ox.serialize(triples, format=RDF_OUT[offer.format], prefixes=PREFIXES)
        return Response(
            body,
            media_type=offer.media_type,
            headers={"Vary": "Accept", "X-Content-Type-Options": "nosniff"},
        )

    async def _graphs(self) -> list[tuple[str, int]]:
        cached = self.description_cache
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        assert self.queries is not None
        generation = self.generation
        lease = self._lease()
        try:
            info = await self._call(self.queries, {"op": "graphs", "store": lease})
        finally:
            self._unlease(lease)
        graphs = [(name, size) for name, size in info["graphs"]]
        self.description_cache = (generation, graphs)
        return graphs


def _snapshot_folder(store: Path) -> Path:
    """A private folder for this server's snapshots; stale ones of dead servers are removed."""
    prefix = f".{store.name}.serve-"
    for old in store.parent.glob(prefix + "*"):
        try:
            os.kill(int(old.name[len(prefix) :]), 0)
        except (ValueError, ProcessLookupError):
            shutil.rmtree(old, ignore_errors=True)
        except PermissionError:
            continue
    folder = store.parent / f"{prefix}{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def create_app(settings: EndpointSettings) -> Starlette:
    """The ASGI application for ``settings`` (workers start with the app's lifespan)."""
    return Endpoint(settings).app()
