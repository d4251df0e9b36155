"""``spacecoop publish`` against two independent real stores: Oxigraph server and Virtuoso 7.

Each server is started once for this module on free 127.0.0.1 ports and stopped after; every
test publishes into its own graph. What the tests read back goes through plain HTTP requests
of their own (SPARQL COUNT, GSP GET on the public services), not through the code under test.
The project is the mini fixture plus the export fixtures (blank nodes shared between
subjects, a list, decimals), optionally with a generated bulk file for larger graphs.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from spacecoop.config import load_config
from spacecoop.engine import validate_fast
from spacecoop.errors import ConfigError
from spacecoop.export import export_chunks
from spacecoop.load import load
from spacecoop.publish import (
    PROFILES,
    Credentials,
    PublishError,
    Target,
    credentials_from_env,
    export_triples,
    ntriples_chunks,
    plan_publish,
    publish,
    resolve_target,
)
from tests.conftest import run_cli
from tests.support.exports import extended_project
from tests.support.triplestores import (
    VIRTUOSO_MAX_ROWS,
    StoreServer,
    start_oxigraph,
    start_virtuoso,
)

PASSWORD_ENV = "SPACECOOP_TEST_STORE_PASSWORD"
STARTERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}


@dataclass
class Store:
    """A running server seen from outside: its public services, and how to publish to it."""

    server: StoreServer

    @property
    def kind(self) -> str:
        return self.server.kind

    def url(self, service: str) -> str:
        # The public (unauthenticated) services, where ordinary readers go.
        profile = PROFILES[self.kind]
        return self.server.base + {"query": profile.query, "gsp": profile.gsp}[service]

    def target(self, **options: object) -> Target:
        user = self.server.credentials
        credentials = Credentials(user[0], user[1]) if user else None
        return resolve_target(
            self.server.base,
            self.kind,
            credentials=credentials,
            **options,  # type: ignore[arg-type]
        )

    def cli(self, *, password: str | None = None) -> tuple[list[str], dict[str, str]]:
        args = ["--endpoint", self.server.base, "--store-type", self.kind]
        if self.server.credentials is None:
            return args, {}
        user, default = self.server.credentials
        args += ["--user", user, "--password-env", PASSWORD_ENV]
        return args, {PASSWORD_ENV: default if password is None else password}

    def select(self, query: str) -> list[dict]:
        response = httpx.post(
            self.url("query"),
            data={"query": query},
            trust_env=False,
            timeout=30,
            headers={"Accept": "application/sparql-results+json"},
        )
        response.raise_for_status()
        return response.json()["results"]["bindings"]

    def count(self, graph: str) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"]["value"])

    def graphs(self) -> set[str]:
        return {
            r["g"]["value"]
            for r in self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        }

    def staging(self, graph: str) -> set[str]:
        return {g for g in self.graphs() if g.startswith(graph + "-staging-")}

    def download(self, graph: str) -> rdflib.Graph:
        response = httpx.get(
            self.url("gsp"),
            params={"graph": graph},
            trust_env=False,
            timeout=30,
            headers={"Accept": "application/n-triples"},
        )
        response.raise_for_status()
        return rdflib.Graph().parse(data=response.content, format="nt")


@pytest.fixture(scope="module", params=sorted(STARTERS))
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    kind = request.param
    try:
        server = STARTERS[kind](tmp_path_factory.mktemp(kind))
    except FileNotFoundError as exc:
        pytest.skip(f"{kind}: {exc}")
    yield Store(server)
    server.stop()


def new_graph(store: Store) -> str:
    return f"https://example.org/published/{store.kind}/{uuid.uuid4().hex[:12]}"


def make_project(root: Path, bulk: int = 0, tag: str = "a", start: int = 0) -> Path:
    """The extended mini project; ``bulk`` generated books (labels carry ``tag``) on top."""
    project = root / f"project-{tag}-{bulk}-{start}"
    if project.exists():
        shutil.rmtree(project)
    extended_project(project)
    if bulk:
        lines = [
            "@prefix m: <https://example.org/mini/def/> .",
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        ]
        lines += [
            f'<https://example.org/mini/id/book/b{i}> a m:Book ; rdfs:label "Book {tag}{i}"@en .'
            for i in range(start, start + bulk)
        ]
        (project / "data" / "bulk.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return project


def exported(project: Path) -> tuple[list[ox.Triple], rdflib.Graph]:
    """What publish uploads, and the ``export --format nt`` file it must equal, as a graph."""
    config = load_config(project)
    dataset = load(config, kinds=("ontology", "data"))
    data = b"".join(export_chunks(dataset, config, "nt"))
    return export_triples(dataset, config), rdflib.Graph().parse(data=data, format="nt")


# --- Against the real servers ---------------------------------------------------------------


def test_publish_round_trips(store: Store, tmp_path: Path) -> None:
    project = make_project(tmp_path)
    triples, expected = exported(project)
    graph = new_graph(store)
    args, env = store.cli()
    # Chunks of 4: the shared blank node and the list must still arrive whole.
    result = run_cli("publish", *args, "--graph", graph, "--chunk-size", "4", cwd=project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"published {len(triples)} triples to <{graph}>" in result.stdout
    assert "(was 0;" in result.stdout
    assert len(expected) == len(triples) > 80
    assert any(isinstance(s, rdflib.BNode) for s in expected.subjects())
    assert isomorphic(store.download(graph), expected)
    assert store.staging(graph) == set()

    again = run_cli("publish", *args, "--graph", graph, "--dry-run", cwd=project, env=env)
    assert again.returncode == 0, again.stderr
    assert "would add 0 and remove 0" in again.stdout


def test_republish_swaps_atomically(store: Store, tmp_path: Path) -> None:
    old, _ = exported(make_project(tmp_path, bulk=1500, tag="a"))
    new, new_graph_expected = exported(make_project(tmp_path, bulk=2500, tag="b", start=700))
    graph = new_graph(store)
    target = store.target()
    publish(old, target, graph)
    assert store.count(graph) == len(old)

    polls: list[tuple[float, int]] = []
    victims: list[str] = []  # reads rolled back as deadlock victims (40001), then retried
    failures: list[str] = []
    stop = threading.Event()
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"

    def reader() -> None:
        with httpx.Client(trust_env=False, timeout=60) as client:
            while not stop.is_set():
                response = client.post(
                    store.url("query"),
                    data={"query": query},
                    headers={"Accept": "application/sparql-results+json"},
                )
                if response.status_code == 500 and "40001" in response.text:
                    victims.append(response.text[:60])
                    continue
                try:
                    value = response.json()["results"]["bindings"][0]["n"]["value"]
                except (ValueError, KeyError, IndexError):
                    failures.append(f"{response.status_code}: {response.text[:200]}")
                    continue
                polls.append((time.monotonic(), int(value)))

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    while not polls and not failures:
        time.sleep(0.01)
    swap: list[float] = []
    result = publish(
        new,
        target,
        graph,
        chunk_triples=700,
        progress=lambda message: (
            swap.append(time.monotonic()) if message.startswith("replacing") else None
        ),
    )
    swapped = time.monotonic()
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures[:3]
    seen = {count for _, count in polls}
    during = [count for at, count in polls if swap[0] <= at <= swapped]
    mixed = sorted(count for _, count in polls if count not in (len(old), len(new)))
    if store.kind == "virtuoso":
        # Virtuoso 7.2 has no snapshot reads: a COUNT running while MOVE commits may see a
        # partly moved graph (read committed, repeatable read), and a serializable COUNT may
        # be off by one or two while another graph with the same subjects is being loaded
        # (README: measured). What holds on Virtuoso is the end state, checked below.
        assert {len(old), len(new)} <= seen, sorted(seen)
    else:
        assert not mixed, f"a reader saw a half-published graph: {mixed[:10]}"
        assert seen == {len(old), len(new)} and victims == []
    assert result.previous == len(old) and result.live == len(new) and result.chunks >= 4
    assert len(polls) > 10, len(polls)
    print(
        f"{store.kind}: {len(polls)} polls, {len(during)} during the swap, "
        f"{len(victims)} deadlock victims retried, {len(mixed)} mixed counts {mixed[:5]}"
    )
    if store.kind == "oxigraph" or store.count(graph) <= VIRTUOSO_MAX_ROWS:
        assert isomorphic(store.download(graph), new_graph_expected)
    assert store.count(graph) == len(new)
    assert store.staging(graph) == set()


def test_interrupted_upload_leaves_live_graph_and_no_staging(store: Store, tmp_path: Path) -> None:
    old, old_expected = exported(make_project(tmp_path))
    new, _ = exported(make_project(tmp_path, bulk=100, tag="n"))
    graph = new_graph(store)
    publish(old, store.target(), graph)
    staged_before_interrupt: set[str] = set()

    def interrupt(message: str) -> None:
        if message.startswith("uploading chunk 3/"):
            staged_before_interrupt.update(store.staging(graph))
            raise KeyboardInterrupt  # Ctrl-C in the middle of the upload

    with pytest.raises(KeyboardInterrupt):
        publish(new, store.target(), graph, chunk_triples=20, progress=interrupt)
    assert len(staged_before_interrupt) == 1  # two chunks were really in the staging graph
    assert isomorphic(store.download(graph), old_expected)
    assert store.staging(graph) == set()


def test_refused_upload_exits_2_and_changes_nothing(store: Store, tmp_path: Path) -> None:
    project = make_project(tmp_path)
    old, old_expected = exported(project)
    graph = new_graph(store)
    publish(old, store.target(), graph)
    args, env = store.cli()
    before = store.graphs()
    changed = make_project(tmp_path, bulk=10, tag="c")
    if store.kind == "virtuoso":
        # No credentials: the public GSP service refuses the upload (403).
        refused = run_cli(
            "publish",
            "--endpoint",
            store.server.base,
            "--store-type",
            "virtuoso",
            "--graph",
            graph,
            cwd=changed,
        )
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert f"PUT {store.server.base}/sparql-graph-crud -> HTTP 403" in refused.stderr
        # Wrong password: digest authentication fails (401).
        args, env = store.cli(password="not-the-password")
        wrong = run_cli("publish", *args, "--graph", graph, cwd=changed, env=env)
        assert wrong.returncode == 2, wrong.stdout + wrong.stderr
        assert f"{store.server.base}/sparql-auth -> HTTP 401" in wrong.stderr
        assert "credentials given were refused" in wrong.stderr
    else:
        # A Graph Store path the server does not have: the upload gets 404.
        wrong = run_cli(
            "publish", *args, "--gsp-path", "/no-such-service", "--graph", graph, cwd=changed
        )
        assert wrong.returncode == 2, wrong.stdout + wrong.stderr
        assert f"PUT {store.server.base}/no-such-service -> HTTP 404" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    assert store.graphs() == before
    assert isomorphic(store.download(graph), old_expected)


def test_dry_run_reports_the_diff_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    # More triples than Virtuoso returns in one answer: its dry run must read in pages.
    old, _ = exported(make_project(tmp_path, bulk=600, tag="a"))
    new_project = make_project(tmp_path, bulk=600, tag="a", start=100)
    new, _ = exported(new_project)
    graph = new_graph(store)
    args, env = store.cli()
    absent = run_cli("publish", *args, "--graph", graph, "--dry-run", cwd=new_project, env=env)
    assert absent.returncode == 0, absent.stderr
    assert (
        f"holds 0 triples; publishing {len(new)} would add {len(new)} and remove 0" in absent.stdout
    )
    assert graph not in store.graphs()

    publish(old, store.target(), graph)
    assert len(old) > VIRTUOSO_MAX_ROWS
    before = store.graphs()
    lines = {f"{t.subject} {t.predicate} {t.object} ." for t in old}
    new_lines = {f"{t.subject} {t.predicate} {t.object} ." for t in new}
    added, removed = new_lines - lines, lines - new_lines
    assert len(added) == len(removed) == 200  # books b600..b699 in, b0..b99 out

    result = run_cli("publish", *args, "--graph", graph, "--dry-run", cwd=new_project, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f"holds {len(old)} triples; publishing {len(new)} would add {len(added)} and remove "
        f"{len(removed)} ({len(new) - len(added)} unchanged). Nothing was written."
    ) in result.stdout
    shown = [line[4:] for line in result.stdout.splitlines() if line.startswith(("  + ", "  - "))]
    examples = [line for line in shown if "more (-v lists all)" not in line]
    assert len(examples) == 10 and set(examples) <= added | removed
    assert store.graphs() == before
    assert store.count(graph) == len(old)
    plan = plan_publish(new, store.target(), graph)
    assert {line.rstrip("\n") for line in plan.added} == added
    assert {line.rstrip("\n") for line in plan.removed} == removed


def test_store_rewritten_literals_are_no_change(store: Store, tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "data" / "typed.ttl").write_text(
        "<https://example.org/mini/id/book/solaris> <https://example.org/mini/def/pages>"
        ' "0204"^^<http://www.w3.org/2001/XMLSchema#positiveInteger> .\n',
        encoding="utf-8",
    )
    triples, _ = exported(project)
    graph = new_graph(store)
    publish(triples, store.target(), graph)
    pages = rdflib.URIRef("https://example.org/mini/def/pages")
    solaris = rdflib.URIRef("https://example.org/mini/id/book/solaris")
    kept = {o for o in store.download(graph).objects(solaris, pages) if o.datatype}
    args, env = store.cli()
    result = run_cli("publish", *args, "--graph", graph, "--dry-run", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert "would add 0 and remove 0" in result.stdout
    assert "1 more triple(s) differ only in how the store writes a literal" in result.stdout
    # Both keep the value in canonical form; Oxigraph also turns derived integer types into
    # xsd:integer, Virtuoso keeps the datatype.
    xsd = "http://www.w3.org/2001/XMLSchema#"
    datatype = rdflib.URIRef(xsd + ("integer" if store.kind == "oxigraph" else "positiveInteger"))
    assert [(str(o), o.datatype) for o in kept] == [("204", datatype)]


# --- Validating the published graph where it lives ---------------------------------------

REPO = Path(__file__).resolve().parent.parent
INVALID = sorted((REPO / "tests" / "fixtures" / "invalid").glob("*.ttl"))


def shapes_project(root: Path, data: list[Path] | None) -> Path:
    """The repository's ontology and shapes with its own data, or with ``data`` files only."""
    root.mkdir(parents=True)
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    for name in ("ontology", "shapes"):
        shutil.copytree(REPO / name, root / name)
    if data is None:
        shutil.copytree(REPO / "data", root / "data")
    else:
        (root / "data").mkdir()
        for path in data:
            shutil.copy2(path, root / "data" / path.name)
    return root


def finding_keys(findings: list) -> set[tuple]:
    """What a finding says, without source positions (a remote store has none); blank nodes
    are labelled by each store in its own way."""

    def plain(text: str | None) -> str:
        return "_:b" if text and text.startswith("_:") else text or ""

    return {
        (f.severity.label, f.shape, plain(f.focus), f.path, plain(f.value), f.component, f.message)
        for f in findings
        if f.checker == "shacl"
    }


@pytest.mark.parametrize("data", ["project", "invalid"])
def test_remote_validation_equals_local(store: Store, tmp_path: Path, data: str) -> None:
    """The compiled queries give the local findings on the published graph, on both stores:
    the project's own data (warnings and infos), and every invalid fixture (violations)."""
    project = shapes_project(tmp_path / data, None if data == "project" else INVALID)
    config = load_config(project)
    graph = new_graph(store)
    dataset = load(config)
    # The data as loaded (the export would stamp versions, which some fixtures get wrong).
    triples = sorted(set(dataset.triples("ontology", "data")), key=str)
    publish(triples, store.target(), graph)
    local = validate_fast(dataset)
    assert local.fallback_shapes == []
    url = f"{store.url('query')}?{urlencode({'default-graph-uri': graph})}"
    # The same dataset object: only its shapes and prefixes are used with an endpoint, and the
    # prefixes make the same messages ("found ex:thing" rather than "found <...>").
    remote = validate_fast(dataset, endpoint=url)
    expected = finding_keys(local.findings)
    assert len(expected) > 30
    assert finding_keys(remote.findings) == expected
    # The rules Virtuoso once got wrong (a property path under NOT EXISTS) have findings here.
    shapes = {k[1].rsplit("/", 1)[1] for k in expected}
    assert ("ConflictingClaimsRule" if data == "invalid" else "SignatoryPostRule") in shapes
    if data == "project":  # and through the command line, which exits 1 only for violations
        done = run_cli("validate", "--endpoint", url, "--format", "json", cwd=project)
        assert done.returncode == 0, done.stderr
        warnings = [f for f in local.findings if f.severity.label == "warning"]
        assert json.loads(done.stdout)["summary"]["warning"] == len(warnings) > 0


# --- A server that dies mid-way (its own Oxigraph server: the others keep running) ----------


def test_server_killed_mid_upload(tmp_path: Path) -> None:
    try:
        server = start_oxigraph(tmp_path / "oxigraph")
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    store = Store(server)
    try:
        old, old_expected = exported(make_project(tmp_path))
        new, new_expected = exported(make_project(tmp_path, bulk=100, tag="k"))
        graph = new_graph(store)
        publish(old, store.target(), graph)

        def crash(message: str) -> None:
            if message.startswith("uploading chunk 3/"):
                server.kill()

        with pytest.raises(PublishError) as failure:
            publish(new, store.target(timeout=5), graph, chunk_triples=20, progress=crash)
        message = str(failure.value)
        assert f"cannot connect to {server.base}/store" in message
        assert "could not be dropped" in message and "next publish" in message

        server.start()
        assert isomorphic(store.download(graph), old_expected)  # the live graph is untouched
        leftover = store.staging(graph)
        assert len(leftover) == 1  # two chunks reached the disk before the crash
        result = publish(new, store.target(), graph)
        assert set(result.leftovers_dropped) == leftover
        assert store.staging(graph) == set()
        assert isomorphic(store.download(graph), new_expected)
    finally:
        server.stop()


def test_unreachable_server_exits_2(mini_project: Path) -> None:
    from tests.support.server import free_port

    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("publish", "--endpoint", url, cwd=mini_project)
    assert result.returncode == 2
    assert f"cannot connect to {url}/query" in result.stderr
    assert "Traceback" not in result.stderr


def test_deadlock_victims_are_sent_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request the server rolled back as a deadlock victim (SQLSTATE 40001, what Virtuoso
    answers when serializable readers and the swap wait for each other) changed nothing: it is
    sent again, a bounded number of times; any other 5xx is not."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import spacecoop.publish as publishing

    monkeypatch.setattr(publishing, "DEADLOCK_BACKOFF", 0.01)
    answers: list[tuple[int, str]] = []
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
            status, body = answers.pop(0) if answers else (200, "")
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    victim = (500, "Virtuoso 40001 Error SR172: Transaction deadlocked")
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with publishing.RemoteStore(resolve_target(base, "oxigraph")) as remote:
            answers[:] = [victim, victim]
            remote.update("MOVE <urn:x:a> TO <urn:x:b>", "swapping")
            assert len(received) == 3 and len(set(received)) == 1
            received.clear()
            answers[:] = [victim] * (publishing.DEADLOCK_RETRIES + 1)
            with pytest.raises(PublishError, match="40001"):
                remote.update("MOVE <urn:x:a> TO <urn:x:b>", "swapping")
            assert len(received) == publishing.DEADLOCK_RETRIES + 1
            received.clear()
            answers[:] = [(500, "out of memory")]
            with pytest.raises(PublishError, match="HTTP 500"):
                remote.update("MOVE <urn:x:a> TO <urn:x:b>", "swapping")
            assert len(received) == 1
    finally:
        server.shutdown()
        server.server_close()


# --- Without a server -----------------------------------------------------------------------


def test_store_types_resolve_their_paths() -> None:
    ox_target = resolve_target("http://h:7878/")
    assert (ox_target.query_url, ox_target.update_url, ox_target.gsp_url) == (
        "http://h:7878/query",
        "http://h:7878/update",
        "http://h:7878/store",
    )
    fuseki = resolve_target("http://h:3030", "fuseki", dataset="ds")
    assert (fuseki.query_url, fuseki.update_url, fuseki.gsp_url) == (
        "http://h:3030/ds/sparql",
        "http://h:3030/ds/update",
        "http://h:3030/ds/data",
    )
    graphdb = resolve_target("http://h:7200", "graphdb", dataset="repo")
    assert (graphdb.query_url, graphdb.update_url, graphdb.gsp_url) == (
        "http://h:7200/repositories/repo",
        "http://h:7200/repositories/repo/statements",
        "http://h:7200/repositories/repo/rdf-graphs/service",
    )
    public = resolve_target("http://h:8890", "virtuoso")
    assert (public.update_url, public.gsp_url) == (
        "http://h:8890/sparql",
        "http://h:8890/sparql-graph-crud",
    )
    signed_in = resolve_target("http://h:8890", "virtuoso", credentials=Credentials("u", "p"))
    assert signed_in.auth_scheme == "digest"
    assert (signed_in.query_url, signed_in.update_url, signed_in.gsp_url) == (
        "http://h:8890/sparql-auth",
        "http://h:8890/sparql-auth",
        "http://h:8890/sparql-graph-crud-auth",
    )
    generic = resolve_target(
        "https://n:8182",
        "generic",
        query_path="/sparql",
        update_path="/sparql",
        gsp_path="https://n:8182/sparql/gsp/",
    )
    assert generic.gsp_url == "https://n:8182/sparql/gsp/"
    with pytest.raises(ConfigError, match="needs --query-path, --update-path, --gsp-path"):
        resolve_target("http://h", "generic")
    with pytest.raises(ConfigError, match="needs --dataset"):
        resolve_target("http://h", "fuseki")
    with pytest.raises(ConfigError, match="unknown --store-type"):
        resolve_target("http://h", "neo4j")
    with pytest.raises(ConfigError, match="http"):
        resolve_target("ftp://h", "oxigraph")


def test_secrets_come_from_the_environment() -> None:
    assert credentials_from_env(None, None, None, {}) is None
    assert credentials_from_env("u", "PW", None, {"PW": "s3cret"}) == Credentials("u", "s3cret")
    assert credentials_from_env(None, None, "TOK", {"TOK": "t"}) == Credentials(token="t")
    assert "s3cret" not in repr(Credentials("u", "s3cret")) and "t0k" not in repr(
        Credentials(token="t0k")
    )
    for args, message in [
        (("u", None, None), "--user needs --password-env"),
        ((None, "PW", None), "--password-env needs --user"),
        (("u", "PW", None), "PW: the environment variable is not set"),
        ((None, None, "TOK"), "TOK: the environment variable is not set"),
        (("u", "PW", "TOK"), "not both"),
    ]:
        with pytest.raises(ConfigError, match=message):
            credentials_from_env(*args, {})


def test_chunks_never_split_a_blank_node_structure() -> None:
    p = ox.NamedNode("urn:x:p")
    chain = [ox.Triple(ox.BlankNode(f"c{i}"), p, ox.BlankNode(f"c{i + 1}")) for i in range(5)]
    named = [ox.Triple(ox.NamedNode(f"urn:x:s{i}"), p, ox.Literal(str(i))) for i in range(7)]
    pointer = [ox.Triple(ox.NamedNode("urn:x:s0"), p, ox.BlankNode("c3"))]
    triples = named[:3] + chain[:2] + named[3:] + pointer + chain[2:]
    chunks = ntriples_chunks(triples, 3)
    documents = [list(ox.parse(c, format=ox.RdfFormat.N_TRIPLES)) for c in chunks]
    assert sum(len(d) for d in documents) == len(triples)
    holding_chain = [d for d in documents if any(isinstance(t.subject, ox.BlankNode) for t in d)]
    assert len(holding_chain) == 1 and len(holding_chain[0]) == 6  # 5 links + the pointer
    assert all(len(d) <= 3 for d in documents if d is not holding_chain[0])
    with pytest.raises(ConfigError):
        ntriples_chunks(triples, 0)


def test_bad_graph_iri_is_refused(mini_project: Path) -> None:
    result = run_cli(
        "publish", "--endpoint", "http://127.0.0.1:9", "--graph", "not an iri", cwd=mini_project
    )
    assert result.returncode == 2
    assert "--graph must be an absolute IRI" in result.stderr


def test_default_graph_comes_from_the_configuration(mini_project: Path) -> None:
    config = load_config(mini_project)
    assert config.publish_graph == "https://example.org/mini/graph/published"
    text = (mini_project / "pyproject.toml").read_text(encoding="utf-8")
    (mini_project / "pyproject.toml").write_text(
        text.replace("[tool.spacecoop]\n", '[tool.spacecoop]\npublish_graph = "urn:x:live"\n'),
        encoding="utf-8",
    )
    assert load_config(mini_project).publish_graph == "urn:x:live"
