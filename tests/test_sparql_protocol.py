"""The W3C SPARQL 1.1 Protocol manifest, run against the real server over HTTP.

Every test of ``../shared/w3c/rdf-tests/sparql/sparql11/protocol/manifest.ttl`` is sent, request
by request, to ``spacecoop serve`` on a free loopback port: query tests to a read-only server,
update tests to a server started with ``--enable-update`` (each request then carries the bearer
token, as any client of a protected endpoint would). The data the tests name with ``ut:graphData``
is loaded into a temporary store, one named graph per file.

Deployment adaptation: this endpoint refuses datasets that name graphs it does not hold. The
manifest's requests name ``data0.rdf`` as a default graph without supplying data for it, so the
runner creates it as an empty named graph (as a deployment serving that graph would have it).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox
import pytest

from spacecoop.store import load_store
from tests.conftest import SHARED
from tests.support.protocol_manifest import ProtocolTest, read_protocol_manifest
from tests.support.server import Server, start_server

MANIFEST = SHARED / "w3c/rdf-tests/sparql/sparql11/protocol/manifest.ttl"
TOKEN = "protocol-test-token-0123456789"
EMPTY_GRAPHS = ["http://kasei.us/2009/09/sparql/data/data0.rdf"]
RESULT_TYPES = {
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "RDF": {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"},
}

KNOWN_FAILURES = {
    name: "pyoxigraph's Store.update cannot override an update's dataset, so the endpoint "
    "refuses using-graph-uri/using-named-graph-uri with 400 (USING in the update text works)"
    for name in (
        "update_dataset_default_graph",
        "update_dataset_default_graphs",
        "update_dataset_named_graphs",
        "update_dataset_full",
    )
}

TESTS = read_protocol_manifest(MANIFEST) if MANIFEST.is_file() else []


def _project(root: Path, tests: list[ProtocolTest]) -> Path:
    """A project with no sources whose store holds every graph the manifest names."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "protocol"\nversion = "0.0.0"\n\n'
        '[tool.spacecoop]\nbase_iri = "http://www.example/"\nstore = "store"\n',
        encoding="utf-8",
    )
    files = {graph: path for test in tests for path, graph in test.graph_data}
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
        for graph, path in sorted(files.items())
        for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    ]
    store_path = root / "store"
    load_store(store_path, quads)
    store = ox.Store(str(store_path.resolve()))
    for graph in EMPTY_GRAPHS:
        store.add_graph(ox.NamedNode(graph))
    store.flush()
    del store
    return root


@pytest.fixture(scope="module")
def protocol_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not MANIFEST.is_file():
        pytest.skip("the W3C protocol manifest is not in ../shared/w3c")
    return _project(tmp_path_factory.mktemp("protocol") / "project", TESTS)


@pytest.fixture(scope="module")
def query_server(protocol_project: Path) -> Iterator[Server]:
    server = start_server(protocol_project, "--max-concurrent", "2")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def update_server(protocol_project: Path) -> Iterator[Server]:
    copy = protocol_project.parent / "update-project"
    shutil.copytree(protocol_project, copy, symlinks=True)
    server = start_server(
        copy,
        "--max-concurrent",
        "2",
        "--enable-update",
        "--token-env",
        "PROTOCOL_TOKEN",
        env={"PROTOCOL_TOKEN": TOKEN},
    )
    yield server
    server.stop()


def _boolean(response: httpx.Response) -> bool:
    media = response.headers["content-type"].split(";")[0]
    if "json" in media:
        return json.loads(response.content)["boolean"]
    root = ElementTree.fromstring(response.content)
    return root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


def _params() -> list:
    return [
        pytest.param(
            t,
            id=t.local,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[t.local])]
            if t.local in KNOWN_FAILURES
            else [],
        )
        for t in TESTS
    ]


@pytest.mark.parametrize("test", _params())
def test_protocol(test: ProtocolTest, request: pytest.FixtureRequest) -> None:
    server: Server = request.getfixturevalue("update_server" if test.is_update else "query_server")
    auth = {"authorization": f"Bearer {TOKEN}"} if test.is_update else {}
    with httpx.Client(base_url=server.base, timeout=30, trust_env=False) as client:
        for step, req in enumerate(test.requests, 1):
            # The manifest's paths start with /sparql/; ours is /sparql (as the manifest allows).
            path = "/sparql" + req.path[len("/sparql/") :]
            response = client.request(
                req.method, path, headers={**req.headers, **auth}, content=req.body
            )
            where = f"{test.local} request {step}: {req.method} {path[:80]}"
            status = f"{response.status_code // 100}xx"
            assert status in req.expected_status, (
                f"{where}: got {response.status_code}, expected {sorted(req.expected_status)}"
                f"\n{response.text[:500]}"
            )
            if status == "4xx":  # a clear, plain-text reason
                assert response.headers["content-type"].startswith("text/plain")
                assert len(response.text.strip()) > 10, where
            if req.expected_format is not None:
                media = response.headers["content-type"].split(";")[0]
                assert media in RESULT_TYPES[req.expected_format], f"{where}: {media}"
            if req.expected_boolean is not None:
                assert _boolean(response) is req.expected_boolean, where


def test_manifest_was_read() -> None:
    if not MANIFEST.is_file():
        pytest.skip("the W3C protocol manifest is not in ../shared/w3c")
    negative = [t for t in TESTS if t.local.startswith("bad_")]
    assert len(TESTS) == 34 and len(negative) == 14
    assert all(r.expected_status == {"4xx"} for t in negative for r in t.requests)
