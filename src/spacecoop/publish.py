"""Publishing the export into a production triple store, atomically.

Any store that speaks the SPARQL 1.1 Protocol and the SPARQL 1.1 Graph Store HTTP Protocol
(GSP) can receive the graph: Oxigraph server, Apache Jena Fuseki, GraphDB, Virtuoso, Amazon
Neptune. A store type only names where its query, update and GSP services live and how it
authenticates (:data:`PROFILES`); the steps are the same everywhere:

1. the export (ontology + data, as ``spacecoop export --format nt`` writes it) is uploaded with
   GSP ``PUT`` then ``POST`` into a fresh *staging* graph ``<graph>-staging-<random>``, in chunks
   that never split a blank-node structure (each request is its own document, so a blank node
   cut in two would become two nodes);
2. the staging graph's triple count, read back with SPARQL ``COUNT``, must equal the export's;
3. one SPARQL Update ``MOVE <staging> TO <live>`` replaces the live graph. A store runs one
   update request in one transaction, so a reader sees the old graph or the new one, never a
   half-published graph -- provided its reads are isolated. Oxigraph, Fuseki (TDB2), GraphDB
   and Neptune read from snapshots. Virtuoso 7.2 has none: at read committed or repeatable
   read a query can count a partly moved graph, and under serializable reads (server-wide
   or ``DEFINE sql:table-option "ISOLATION SERIALIZABLE"``) a count can be off by a few
   triples while another graph sharing subjects is loaded, and readers and the swap
   deadlock. On Virtuoso the swap is atomic for writers (it commits whole or not at all),
   not for readers (see the README). A deadlock victim (SQLSTATE 40001) changed nothing, so
   a request answered with 40001 is sent again (:data:`DEADLOCK_RETRIES`).

On any failure before the swap (a refused request, a dropped connection, a count mismatch,
Ctrl-C) the staging graph is dropped and the live graph is untouched. A staging graph that
could not be dropped (the server went away mid-way) is removed by the next publish to the
same graph, which first drops every ``<graph>-staging-*`` graph it finds.

``plan_publish`` (``--dry-run``) downloads the live graph with GSP ``GET`` (or page by page
when the server caps answers) and compares it with the export, triple by triple (blank nodes
compared by content, literals by value as a store keeps them), without writing.

User values never become query text: graph IRIs are checked by pyoxigraph and written in
SPARQL as serialized terms (``<...>``, ``"..."``), which escape whatever they contain.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import httpx
import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.errors import ConfigError, SpacecoopError
from spacecoop.load import LoadedDataset
from spacecoop.rdfwriter import relabel

AuthScheme = Literal["basic", "digest"]
NTRIPLES = "application/n-triples"
SPARQL_JSON = "application/sparql-results+json"
#: Triples per upload request: a few MiB of N-Triples, well under common body limits.
DEFAULT_CHUNK_TRIPLES = 50_000
DEFAULT_TIMEOUT = 60.0
#: A request the server rolled back as a deadlock victim is sent again, after 0.5, 1, 2, 4 s.
DEADLOCK_RETRIES = 4
DEADLOCK_BACKOFF = 0.5


class PublishError(SpacecoopError):
    """A remote store could not be reached, refused a request, or answered unexpectedly."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status, when the server answered


@dataclass(frozen=True)
class StoreProfile:
    """Where one kind of store serves the three protocols, relative to its base URL.

    ``{dataset}`` stands for ``--dataset`` (a Fuseki dataset, a GraphDB repository). The
    ``*_auth`` paths, when set, replace the plain ones once credentials are given (Virtuoso
    serves authenticated SPARQL and GSP on separate paths).
    """

    name: str
    query: str
    update: str
    gsp: str
    auth_scheme: AuthScheme = "basic"
    query_auth: str | None = None
    update_auth: str | None = None
    gsp_auth: str | None = None

    @property
    def needs_dataset(self) -> bool:
        return any("{dataset}" in p for p in (self.query, self.update, self.gsp))


PROFILES: dict[str, StoreProfile] = {
    "oxigraph": StoreProfile("oxigraph", "/query", "/update", "/store"),
    "fuseki": StoreProfile("fuseki", "/{dataset}/sparql", "/{dataset}/update", "/{dataset}/data"),
    "graphdb": StoreProfile(
        "graphdb",
        "/repositories/{dataset}",
        "/repositories/{dataset}/statements",
        "/repositories/{dataset}/rdf-graphs/service",
    ),
    "virtuoso": StoreProfile(
        "virtuoso",
        "/sparql",
        "/sparql",
        "/sparql-graph-crud",
        auth_scheme="digest",
        query_auth="/sparql-auth",
        update_auth="/sparql-auth",
        gsp_auth="/sparql-graph-crud-auth",
    ),
    "generic": StoreProfile("generic", "", "", ""),
}
STORE_TYPES = tuple(PROFILES)


@dataclass(frozen=True)
class Credentials:
    """HTTP credentials: a user and password, or a bearer token (never both)."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __repr__(self) -> str:  # never print a secret
        return f"Credentials(user={self.user!r}, token={'***' if self.token else None})"


def credentials_from_env(
    user: str | None,
    password_env: str | None,
    token_env: str | None,
    environ: dict[str, str] | None = None,
) -> Credentials | None:
    """Credentials from options; secrets come from environment variables, never the command
    line, where other users of the machine could read them in the process list."""
    environ = dict(os.environ) if environ is None else environ
    if token_env and (user or password_env):
        raise ConfigError("use either --user/--password-env or --token-env, not both")
    if token_env:
        token = environ.get(token_env)
        if not token:
            raise ConfigError(f"--token-env {token_env}: the environment variable is not set")
        return Credentials(token=token)
    if password_env and not user:
        raise ConfigError("--password-env needs --user")
    if user:
        if not password_env:
            raise ConfigError("--user needs --password-env VAR (the variable holding the password)")
        password = environ.get(password_env)
        if password is None:
            raise ConfigError(f"--password-env {password_env}: the environment variable is not set")
        return Credentials(user=user, password=password)
    return None


@dataclass(frozen=True)
class Target:
    """A remote store: the three service URLs, credentials and a timeout per request."""

    base_url: str
    store_type: str
    query_url: str
    update_url: str
    gsp_url: str
    auth_scheme: AuthScheme = "basic"
    credentials: Credentials | None = None
    timeout: float = DEFAULT_TIMEOUT


def _join(base: str, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return base.rstrip("/") + "/" + path.lstrip("/")


def resolve_target(
    endpoint: str,
    store_type: str = "oxigraph",
    *,
    dataset: str | None = None,
    query_path: str | None = None,
    update_path: str | None = None,
    gsp_path: str | None = None,
    credentials: Credentials | None = None,
    auth_scheme: AuthScheme | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Target:
    """The service URLs of a store from its base URL and type; explicit paths win."""
    if not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"--endpoint must be an http(s) URL, got {endpoint!r}")
    profile = PROFILES.get(store_type)
    if profile is None:
        raise ConfigError(f"unknown --store-type {store_type!r} (use {'|'.join(STORE_TYPES)})")
    if auth_scheme not in (None, "basic", "digest"):
        raise ConfigError(f"unknown --auth {auth_scheme!r} (use basic|digest)")
    if timeout <= 0:
        raise ConfigError("--timeout must be positive")
    with_auth = credentials is not None and credentials.user is not None
    paths = {
        "query": query_path or (with_auth and profile.query_auth) or profile.query,
        "update": update_path or (with_auth and profile.update_auth) or profile.update,
        "gsp": gsp_path or (with_auth and profile.gsp_auth) or profile.gsp,
    }
    missing = [f"--{name}-path" for name, path in paths.items() if not path]
    if missing:
        raise ConfigError(f"--store-type {store_type} needs {', '.join(missing)}")
    if any("{dataset}" in p for p in paths.values()):
        if not dataset:
            raise ConfigError(f"--store-type {store_type} needs --dataset NAME")
        if "/" in dataset or not dataset.strip():
            raise ConfigError(f"--dataset must be a plain name, got {dataset!r}")
    urls = {
        name: _join(endpoint, path.replace("{dataset}", dataset or ""))
        for name, path in paths.items()
    }
    return Target(
        endpoint.rstrip("/"),
        store_type,
        urls["query"],
        urls["update"],
        urls["gsp"],
        auth_scheme or profile.auth_scheme,
        credentials,
        timeout,
    )


def graph_iri(iri: str) -> ox.NamedNode:
    """A graph IRI checked by pyoxigraph (its serialization is then safe in SPARQL text)."""
    if not iri.startswith(("http://", "https://", "urn:")):
        raise ConfigError(f"--graph must be an absolute IRI, got {iri!r}")
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise ConfigError(f"--graph {iri!r} is not a valid IRI: {exc}") from None


def staging_prefix(graph: ox.NamedNode) -> str:
    """Every staging graph of ``graph`` starts with this; leftovers are found by it."""
    return f"{graph.value}-staging-"


def deadlocked(response: httpx.Response) -> bool:
    """The server rolled the request back as a deadlock victim (SQLSTATE 40001, Virtuoso's
    SR172): it changed nothing, so sending it again is safe. Locking stores (Virtuoso) pick
    victims when serializable readers and the swap wait for each other."""
    return response.status_code >= 500 and (
        "40001" in response.text or "deadlock" in response.text.lower()
    )


def _excerpt(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:300] + ("…" if len(text) > 300 else "")


class RemoteStore:
    """A thin HTTP client for one store: every failure becomes a :class:`PublishError` that
    names the method, the URL and the HTTP status, never a traceback."""

    def __init__(self, target: Target) -> None:
        self.target = target
        auth: httpx.Auth | None = None
        headers = {"User-Agent": "spacecoop-publish"}
        creds = target.credentials
        if creds is not None and creds.token:
            headers["Authorization"] = f"Bearer {creds.token}"
        elif creds is not None and creds.user is not None:
            password = creds.password or ""
            auth = (
                httpx.DigestAuth(creds.user, password)
                if target.auth_scheme == "digest"
                else httpx.BasicAuth(creds.user, password)
            )
        timeout = httpx.Timeout(target.timeout, connect=min(10.0, target.timeout))
        # Proxy settings from the environment apply, except to this machine's own servers.
        local = httpx.URL(target.base_url).host in ("127.0.0.1", "localhost", "::1")
        self.client = httpx.Client(auth=auth, headers=headers, timeout=timeout, trust_env=not local)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(
        self, method: str, url: str, what: str, ok: Sequence[int] = (), **kwargs: object
    ) -> httpx.Response:
        where = f"{method} {url}"
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                response = self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.ConnectError as exc:
                raise PublishError(f"{what}: cannot connect to {url}: {exc}") from None
            except httpx.TimeoutException:
                raise PublishError(
                    f"{what}: {where} got no answer within {self.target.timeout:g} s (--timeout)"
                ) from None
            except httpx.HTTPError as exc:
                raise PublishError(f"{what}: {where} failed: {exc}") from None
            if not deadlocked(response) or attempt == DEADLOCK_RETRIES:
                break
            time.sleep(DEADLOCK_BACKOFF * 2**attempt)
        status = response.status_code
        if status < 400 or status in ok:
            return response
        reason = f"HTTP {status} {response.reason_phrase}".rstrip()
        if status in (401, 403):
            creds = self.target.credentials
            given = "the credentials given were refused" if creds else "credentials are needed"
            raise PublishError(
                f"{what}: {where} -> {reason}: {given} (--user with --password-env, or "
                f"--token-env)",
                status,
            )
        body = _excerpt(response)
        hint = ""
        if "SECURITY" in body and self.target.store_type == "virtuoso":
            hint = (
                " (Virtuoso: this account lacks SPARQL_UPDATE; give --user and --password-env "
                "to publish through the digest-authenticated /sparql-auth services)"
            )
        raise PublishError(f"{what}: {where} -> {reason}: {body}{hint}", status)

    # --- SPARQL 1.1 Protocol ---------------------------------------------------------------

    def select(self, query: str, what: str) -> list[dict[str, dict[str, str]]]:
        response = self.request(
            "POST",
            self.target.query_url,
            what,
            data={"query": query},
            headers={"Accept": SPARQL_JSON},
        )
        try:
            return list(response.json()["results"]["bindings"])
        except (ValueError, KeyError, TypeError):
            raise PublishError(
                f"{what}: POST {self.target.query_url} did not answer with SPARQL JSON results "
                f"(Content-Type {response.headers.get('content-type', 'none')!r}): "
                f"{_excerpt(response)}"
            ) from None

    def update(self, update: str, what: str) -> None:
        self.request("POST", self.target.update_url, what, data={"update": update})

    def count(self, graph: ox.NamedNode) -> int:
        """Triples in ``graph`` (0 when it does not exist)."""
        what = f"counting the triples of {graph}"
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        rows = self.select(query, what)
        try:
            return int(rows[0]["n"]["value"])
        except (IndexError, KeyError, ValueError):
            raise PublishError(f"{what}: unexpected answer {rows!r}") from None

    def graphs_starting_with(self, prefix: str) -> list[ox.NamedNode]:
        rows = self.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {ox.Literal(prefix)})) }}",
            f"listing graphs named {prefix}*",
        )
        return sorted(
            (ox.NamedNode(row["g"]["value"]) for row in rows if "g" in row),
            key=lambda g: g.value,
        )

    def drop(self, graph: ox.NamedNode, what: str) -> None:
        self.update(f"DROP SILENT GRAPH {graph}", what)

    # --- Graph Store Protocol ----------------------------------------------------------------

    def upload(self, graph: ox.NamedNode, data: bytes, replace: bool, what: str) -> None:
        self.request(
            "PUT" if replace else "POST",
            self.target.gsp_url,
            what,
            params={"graph": graph.value},
            content=data,
            headers={"Content-Type": NTRIPLES},
        )

    def download(self, graph: ox.NamedNode) -> list[ox.Triple]:
        """The triples of ``graph`` by GSP ``GET`` (none when the graph does not exist)."""
        what = f"downloading {graph}"
        response = self.request(
            "GET",
            self.target.gsp_url,
            what,
            ok=(404,),
            params={"graph": graph.value},
            headers={"Accept": f"{NTRIPLES}, text/turtle;q=0.9, application/rdf+xml;q=0.5"},
        )
        if response.status_code == 404:
            return []
        media_type = response.headers.get("content-type", NTRIPLES).split(";")[0].strip()
        rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
        try:
            return [q.triple for q in ox.parse(response.content, format=rdf_format)]
        except (SyntaxError, ValueError) as exc:
            raise PublishError(
                f"{what}: GET {self.target.gsp_url} returned {media_type} that does not parse: "
                f"{exc}"
            ) from None

    def select_triples(self, graph: ox.NamedNode, page: int = 10_000) -> list[ox.Triple]:
        """The triples of ``graph`` by paged SPARQL ``SELECT`` (ordered, so pages do not
        overlap): for servers that cap one answer (Virtuoso's ``ResultSetMaxRows``). A short
        page does not end the loop, only an empty one, so any server cap works. The order is
        in a subquery because Virtuoso refuses ``ORDER BY`` with ``OFFSET + LIMIT`` above
        10,000 (error SR353) but pages an ordered subquery; the caller checks the total."""
        found: list[ox.Triple] = []
        while True:
            rows = self.select(
                f"SELECT ?s ?p ?o WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ GRAPH {graph} "
                f"{{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o }} }} LIMIT {page} OFFSET {len(found)}",
                f"reading {graph} page by page",
            )
            if not rows:
                return found
            try:
                found.extend(ox.Triple(_term(r["s"]), _term(r["p"]), _term(r["o"])) for r in rows)
            except (KeyError, ValueError, TypeError) as exc:
                raise PublishError(
                    f"reading {graph}: {self.target.query_url} sent a row that is not a triple: "
                    f"{exc}"
                ) from None


def _term(binding: dict[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """One RDF term of SPARQL JSON results (also the older ``typed-literal`` spelling)."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode("".join(c if c.isalnum() else "_" for c in value))
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in binding:
            return ox.Literal(value, language=binding["xml:lang"])
        if "datatype" in binding:
            return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
        return ox.Literal(value)
    raise ValueError(f"unknown term type {kind!r}")


# --- The export, as N-Triples chunks ---------------------------------------------------------


def export_triples(dataset: LoadedDataset, config: Config) -> list[ox.Triple]:
    """The published graph: ontology + data with versions stamped, as ``export`` writes it,
    with blank nodes labelled by content and duplicates removed, in a stable order."""
    from spacecoop.export import export_graphs

    graph, _vocabulary = export_graphs(dataset, config)
    return sorted(set(relabel(graph)), key=_line)


def _line(triple: ox.Triple) -> str:
    return f"{triple.subject} {triple.predicate} {triple.object} .\n"


def ntriples_chunks(triples: Sequence[ox.Triple], max_triples: int) -> list[bytes]:
    """N-Triples documents of at most ``max_triples`` triples each (except one that holds a
    larger blank-node structure whole): triples linked through blank nodes stay together,
    because every request is a separate document with its own blank nodes."""
    if max_triples < 1:
        raise ConfigError("--chunk-size must be at least 1")
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for t in triples:
        if isinstance(t.subject, ox.BlankNode) and isinstance(t.object, ox.BlankNode):
            a, b = find(t.subject.value), find(t.object.value)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[object, list[str]] = {}
    for index, t in enumerate(triples):
        node = next((x for x in (t.subject, t.object) if isinstance(x, ox.BlankNode)), None)
        key: object = find(node.value) if node is not None else index
        groups.setdefault(key, []).append(_line(t))
    chunks: list[bytes] = []
    current: list[str] = []
    for lines in groups.values():
        if current and len(current) + len(lines) > max_triples:
            chunks.append("".join(current).encode("utf-8"))
            current = []
        current.extend(lines)
    if current:
        chunks.append("".join(current).encode("utf-8"))
    return chunks


# --- Publish and dry run ---------------------------------------------------------------------


@dataclass
class PublishResult:
    """What one publish did, for the command's summary."""

    graph: str
    staging: str
    triples: int
    chunks: int
    previous: int
    live: int
    leftovers_dropped: list[str] = field(default_factory=list)
    seconds: float = 0.0


def publish(
    triples: Sequence[ox.Triple],
    target: Target,
    graph: str,
    *,
    chunk_triples: int = DEFAULT_CHUNK_TRIPLES,
    progress: Callable[[str], None] | None = None,
) -> PublishResult:
    """Replace ``graph`` in the remote store by ``triples``: stage, verify, then ``MOVE``.

    Raises :class:`PublishError` on any failure; the live graph is then as it was.
    """
    live = graph_iri(graph)
    if not triples:
        raise ConfigError("nothing to publish: the export has no triples")
    step = progress or (lambda _message: None)
    started = time.perf_counter()
    chunks = ntriples_chunks(triples, chunk_triples)
    staging = ox.NamedNode(f"{staging_prefix(live)}{secrets.token_hex(8)}")
    with RemoteStore(target) as remote:
        previous = remote.count(live)
        leftovers = remote.graphs_starting_with(staging_prefix(live))
        for old in leftovers:
            step(f"dropping {old.value}, left by an interrupted publish")
            remote.drop(old, f"dropping the leftover staging graph {old}")
        staged_chunks = 0
        try:
            for number, chunk in enumerate(chunks, start=1):
                step(f"uploading chunk {number}/{len(chunks)} into {staging.value}")
                remote.upload(
                    staging,
                    chunk,
                    replace=number == 1,
                    what=f"uploading chunk {number}/{len(chunks)} into the staging graph {staging}",
                )
                staged_chunks = number
            step(f"verifying {staging.value}")
            staged = remote.count(staging)
            if staged != len(triples):
                raise PublishError(
                    f"the staging graph {staging} at {target.base_url} holds {staged} triples "
                    f"where {len(triples)} were uploaded; the live graph was not changed"
                )
            step(f"replacing {live.value}")
            remote.update(f"MOVE {staging} TO {live}", f"replacing {live} by {staging}")
        except BaseException as failure:
            if _may_have_written(failure, staged_chunks):
                _drop_quietly(remote, staging, failure)
            raise
        now = remote.count(live)
    if now != len(triples):
        raise PublishError(
            f"{live} at {target.base_url} was replaced but now holds {now} triples where "
            f"{len(triples)} were published (another writer, or the store altered the data)"
        )
    return PublishResult(
        live.value,
        staging.value,
        len(triples),
        len(chunks),
        previous,
        now,
        [g.value for g in leftovers],
        time.perf_counter() - started,
    )


def _may_have_written(failure: BaseException, staged_chunks: int) -> bool:
    """False only when the very first upload was refused (4xx): then no staging graph exists
    and dropping it would just fail the same way (with the same refused credentials)."""
    if staged_chunks > 0 or not isinstance(failure, PublishError) or failure.status is None:
        return True
    return not 400 <= failure.status < 500


def _drop_quietly(remote: RemoteStore, staging: ox.NamedNode, failure: BaseException) -> None:
    """Drop the staging graph after a failure; if that fails too, say so in the error."""
    try:
        remote.drop(staging, f"dropping the staging graph {staging}")
    except PublishError as exc:
        note = (
            f"; the staging graph could not be dropped ({exc}); the next publish to this "
            "graph removes it"
        )
        if isinstance(failure, SpacecoopError) and failure.args:
            failure.args = (str(failure.args[0]) + note, *failure.args[1:])


@dataclass
class PublishPlan:
    """What a publish would change: the triples it would add and remove (N-Triples lines).

    Triples are compared as a store that keeps values (Oxigraph) would hold them: a literal
    written differently but with the same value and type family (``"012"^^xsd:positiveInteger``
    and ``"12"^^xsd:integer``) is no change; such triples are counted in ``rewritten``.
    """

    graph: str
    export_triples: int
    live_triples: int
    added: list[str]
    removed: list[str]
    unchanged: int
    rewritten: int = 0

    @property
    def changes(self) -> bool:
        return bool(self.added or self.removed)


def canonical_lines(triples: Iterable[ox.Triple]) -> set[str]:
    """N-Triples lines of ``triples`` as pyoxigraph stores them (canonical literals, derived
    integer types as ``xsd:integer``), blank nodes labelled by content."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return {_line(t) for t in relabel(q.triple for q in store)}


def plan_publish(triples: Sequence[ox.Triple], target: Target, graph: str) -> PublishPlan:
    """Compare the export with the live graph (downloaded by GSP ``GET``); writes nothing."""
    live = graph_iri(graph)
    with RemoteStore(target) as remote:
        counted = remote.count(live)
        current = relabel(remote.download(live))
        if len({_line(t) for t in current}) != counted:
            # The server capped the download (Virtuoso's ResultSetMaxRows): read it in pages.
            current = relabel(remote.select_triples(live))
    current_lines = {_line(t) for t in current}
    if len(current_lines) != counted:
        raise PublishError(
            f"reading {live} from {target.base_url} gave {len(current_lines)} triples where "
            f"the store counts {counted} (a server cap on results, or a concurrent writer)"
        )
    export_lines = {_line(t) for t in triples}
    differing = export_lines - current_lines
    canonical_export, canonical_live = canonical_lines(triples), canonical_lines(current)
    added = sorted(canonical_export - canonical_live)
    return PublishPlan(
        live.value,
        len(export_lines),
        counted,
        added,
        sorted(canonical_live - canonical_export),
        len(export_lines) - len(differing),
        max(len(differing) - len(added), 0),
    )


def summarize(lines: Iterable[str], limit: int = 5) -> list[str]:
    """The first ``limit`` lines, for a readable dry-run report."""
    return [line.rstrip("\n") for _, line in zip(range(limit), lines, strict=False)]
