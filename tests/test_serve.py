"""``spacecoop serve`` end to end: a real uvicorn process on a free loopback port.

Three servers on copies of the mini fixture project: a default one (built first with
``spacecoop build``), one with tight limits (timeout, one worker, no queue, no row cap) and one
with updates enabled, started on a copy with no store so that serve loads it itself.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import html5lib
import httpx
import pyoxigraph as ox
import pytest
import rdflib

from spacecoop.config import load_config
from spacecoop.endpoint import guard, negotiation
from spacecoop.errors import ConfigError
from spacecoop.serve import ServeOptions, endpoint_settings
from tests.conftest import FIXTURES, REPO, run_cli
from tests.support.server import Server, start_server

TOKEN = "serve-test-token-abcdefghijklmnop"
BOOKS = (FIXTURES / "miniproject/queries/books-by-author.rq").read_text(encoding="utf-8")
EXPECTED = (FIXTURES / "miniproject/queries/books-by-author.expected.tsv").read_text().split("\n")
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . "
    "?q ?r ?t . ?u ?v ?w }"
)
DATA_GRAPH = "https://example.org/mini/graph/data/books.ttl"


def _copy(root: Path, name: str) -> Path:
    target = root / name
    shutil.copytree(
        FIXTURES / "miniproject", target, ignore=shutil.ignore_patterns("dist", ".spacecoop")
    )
    return target


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def built(workspace: Path) -> Path:
    project = _copy(workspace, "built")
    result = run_cli("build", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[Server]:
    running = start_server(
        built, "--max-rows", "5", "--max-body", "4096", "--max-concurrent", "2", "--timeout", "5"
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def limited(built: Path, workspace: Path) -> Iterator[Server]:
    running = start_server(
        built, "--timeout", "1.5", "--max-concurrent", "1", "--max-queue", "0", "--max-rows", "0"
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
def updatable(workspace: Path) -> Iterator[Server]:
    project = _copy(workspace, "updatable")
    assert not (project / ".spacecoop/store").exists()
    running = start_server(
        project,
        "--enable-update",
        "--token-env",
        "SERVE_TEST_TOKEN",
        "--max-concurrent",
        "2",
        env={"SERVE_TEST_TOKEN": TOKEN},
    )
    yield running
    running.stop()


def http() -> httpx.Client:
    return httpx.Client(timeout=30, trust_env=False)


def post_query(server: Server, query: str, **headers: str) -> httpx.Response:
    with http() as client:
        return client.post(
            server.endpoint,
            content=query.encode(),
            headers={"content-type": "application/sparql-query", **headers},
        )


def rows_of(body: bytes, fmt: ox.QueryResultsFormat) -> list[str]:
    """Result rows as TSV lines (header first, rows sorted), as in the expected files."""
    result = ox.parse_query_results(body, format=fmt)
    variables = [v.value for v in result.variables]
    rows = sorted(
        "\t".join(str(s[v]) if s[v] is not None else "" for v in variables) for s in result
    )
    return ["\t".join("?" + v for v in variables), *rows]


# ----------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    "accept,media,fmt",
    [
        (None, "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        (
            "application/sparql-results+json",
            "application/sparql-results+json",
            ox.QueryResultsFormat.JSON,
        ),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            ox.QueryResultsFormat.XML,
        ),
        ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
        (
            "text/csv;q=0.5, application/sparql-results+xml;q=0.9",
            "application/sparql-results+xml",
            ox.QueryResultsFormat.XML,
        ),
        (
            "text/html;q=0.9, text/tab-separated-values;q=0.95, */*;q=0.1",
            "text/tab-separated-values",
            ox.QueryResultsFormat.TSV,
        ),
        ("application/json", "application/json", ox.QueryResultsFormat.JSON),
    ],
)
def test_select_formats_by_accept(
    server: Server, accept: str | None, media: str, fmt: ox.QueryResultsFormat
) -> None:
    headers = {"accept": accept} if accept else {}
    with http() as client:
        if accept is None:
            client.headers.pop("accept")
        response = client.get(server.endpoint, params={"query": BOOKS}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    assert rows_of(response.content, fmt) == [r for r in EXPECTED if r]


def test_select_as_csv(server: Server) -> None:
    response = post_query(server, BOOKS, accept="text/*")
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["book", "author"]
    assert sorted(table[1:]) == [["Fiasco", "Stanisław Lem"], ["Solaris", "Stanisław Lem"]]


CONSTRUCT = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX m: <https://example.org/mini/def/>
CONSTRUCT { ?b rdfs:label ?l } WHERE { ?b a m:Book ; rdfs:label ?l }"""


@pytest.mark.parametrize(
    "accept,media,fmt",
    [
        ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        (
            "application/sparql-results+json, application/n-triples;q=0.8",
            "application/n-triples",
            ox.RdfFormat.N_TRIPLES,
        ),
    ],
)
def test_construct_formats_by_accept(
    server: Server, accept: str, media: str, fmt: ox.RdfFormat
) -> None:
    response = post_query(server, CONSTRUCT, accept=accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    triples = {str(t) for t in ox.parse(response.content, format=fmt)}
    assert len(triples) == 2 and any('"Solaris"@en' in t for t in triples)


def test_unacceptable_formats_are_406(server: Server) -> None:
    response = post_query(server, BOOKS, accept="image/png")
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    ask = post_query(server, "ASK {}", accept="text/csv")
    assert ask.status_code == 406 and "boolean" in ask.text


def test_rows_are_capped_with_a_header(server: Server) -> None:
    response = post_query(server, "SELECT * WHERE { ?s ?p ?o }")
    assert response.status_code == 200
    assert response.headers["results-truncated"] == "true"
    assert response.headers["results-row-limit"] == "5"
    assert len(response.json()["results"]["bindings"]) == 5
    graph = post_query(server, "CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert graph.headers["results-truncated"] == "true"
    assert len(graph.text.strip().splitlines()) == 5
    small = post_query(server, BOOKS)
    assert "results-truncated" not in small.headers


def test_large_results_stream_in_chunks(limited: Server) -> None:
    digits = "VALUES ?{0} {{ 0 1 2 3 4 5 6 7 8 9 }}"
    query = "SELECT * WHERE { " + " ".join(digits.format(v) for v in "abcde") + " }"
    with (
        http() as client,
        client.stream(
            "POST",
            limited.endpoint,
            content=query,
            headers={"content-type": "application/sparql-query", "accept": "text/csv"},
        ) as response,
    ):
        assert response.status_code == 200
        assert "content-length" not in response.headers
        assert response.headers.get("transfer-encoding") == "chunked"
        chunks = list(response.iter_raw())
    body = b"".join(chunks).decode()
    assert len(chunks) > 1 and len(body.splitlines()) == 1 + 100_000


HUGE = (
    "SELECT * WHERE { "
    + " ".join(f"VALUES ?{v} {{ 0 1 2 3 4 5 6 7 8 9 }}" for v in "abcdefghi")
    + " }"
)


def _answers_again(server: Server, within: float = 20) -> httpx.Response:
    deadline = time.monotonic() + within
    while True:
        answer = post_query(server, "ASK { ?s ?p ?o }")
        if answer.status_code == 200 or time.monotonic() > deadline:
            return answer
        assert answer.status_code == 503, answer.text
        time.sleep(0.2)


def test_stream_cut_at_the_deadline_is_visible_and_the_server_recovers(limited: Server) -> None:
    """A result still streaming at the deadline ends without its final chunk, never silently."""
    [old] = limited.children()
    with (
        http() as client,
        pytest.raises(httpx.RemoteProtocolError),
        client.stream(
            "POST",
            limited.endpoint,
            content=HUGE,
            headers={"content-type": "application/sparql-query", "accept": "text/csv"},
        ) as response,
    ):
        assert response.status_code == 200
        for _chunk in response.iter_raw():
            pass
    assert _answers_again(limited).status_code == 200
    assert old not in limited.children()


def test_client_disconnect_frees_the_worker(limited: Server) -> None:
    [old] = limited.children()
    with (
        http() as client,
        client.stream(
            "POST",
            limited.endpoint,
            content=HUGE,
            headers={"content-type": "application/sparql-query", "accept": "text/csv"},
        ) as response,
    ):
        assert response.status_code == 200
        next(response.iter_raw())
    assert _answers_again(limited).status_code == 200
    assert old not in limited.children()


# ----------------------------------------------------------------------------- protocol details


def test_cors_and_preflight(server: Server) -> None:
    with http() as client:
        simple = client.get(
            server.endpoint,
            params={"query": "ASK {}"},
            headers={"origin": "https://elsewhere.test"},
        )
        assert simple.headers["access-control-allow-origin"] == "*"
        assert "results-truncated" in simple.headers["access-control-expose-headers"].lower()
        preflight = client.options(
            server.endpoint,
            headers={
                "origin": "https://elsewhere.test",
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type, authorization",
            },
        )
        assert preflight.status_code == 200
        assert "POST" in preflight.headers["access-control-allow-methods"]
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert "content-type" in allowed and "authorization" in allowed
        plain = client.options(server.endpoint)
        assert plain.status_code == 204 and "POST" in plain.headers["allow"]


def test_request_body_cap_is_413(server: Server) -> None:
    big = "# " + "x" * 5000 + "\nASK {}"
    response = post_query(server, big)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/plain")
    assert "4096 bytes" in response.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap applies while reading
        for _ in range(10):
            yield b"#" + b"y" * 999 + b"\n"

    with http() as client:
        chunked = client.post(
            server.endpoint, content=chunks(), headers={"content-type": "application/sparql-query"}
        )
        assert chunked.status_code == 413
        too_long = client.get(server.endpoint, params={"query": big})
        assert too_long.status_code == 414


def test_malformed_query_names_line_and_column(server: Server) -> None:
    response = post_query(server, "SELECT * WHERE {\n  ?s ?p \n}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    # the parser's own position (pyoxigraph reports where parsing stopped)
    assert re.search(r"^SPARQL query syntax error at line 3, column \d+: ", response.text)


@pytest.mark.parametrize(
    "query,message",
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * FROM <http://elsewhere.test/data.ttl> WHERE { ?s ?p ?o }", "not in this store"),
        (
            "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
            "not in this store",
        ),
        (
            "PREFIX f: <file:///etc/>\nSELECT * FROM f:passwd WHERE { ?s ?p ?o }",
            "<file:///etc/passwd> is not in this store",
        ),
    ],
)
def test_remote_access_is_refused(server: Server, query: str, message: str) -> None:
    response = post_query(server, query)
    assert response.status_code == 400, response.text
    assert message in response.text


def test_protocol_dataset_must_be_local(server: Server) -> None:
    with http() as client:
        remote = client.get(
            server.endpoint,
            params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://elsewhere.test/g"},
        )
        assert remote.status_code == 400 and "not in this store" in remote.text
        local = client.get(
            server.endpoint,
            params={"query": "SELECT ?s WHERE { ?s ?p ?o }", "default-graph-uri": DATA_GRAPH},
        )
    assert local.status_code == 200
    assert {
        b["s"]["value"].split("/id/")[1].split("/")[0] for b in local.json()["results"]["bindings"]
    } == {"book", "person"}


def test_from_names_a_local_graph(server: Server) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{DATA_GRAPH}> WHERE {{ ?s ?p ?o }}"
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_data = int(post_query(server, query).json()["results"]["bindings"][0]["n"]["value"])
    union = int(post_query(server, everything).json()["results"]["bindings"][0]["n"]["value"])
    assert 0 < only_data < union


def test_keywords_inside_strings_are_not_refused(server: Server) -> None:
    query = 'SELECT ("SERVICE <http://x/> LOAD FROM" AS ?s) WHERE {} # SERVICE <http://y/>'
    response = post_query(server, query)
    assert response.status_code == 200, response.text


def test_updates_are_refused_by_default(server: Server) -> None:
    with http() as client:
        direct = client.post(
            server.endpoint,
            content=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            headers={"content-type": "application/sparql-update"},
        )
        form = client.post(server.endpoint, data={"update": "CLEAR ALL"})
        as_query = client.post(server.endpoint, data={"query": "CLEAR ALL"})
    assert direct.status_code == 403 and "read-only" in direct.text
    assert form.status_code == 403
    assert as_query.status_code == 400  # an update sent as a query is a syntax error
    assert post_query(server, "ASK { ?s ?p ?o }").json()["boolean"] is True


# ----------------------------------------------------------------------------- limits


def _state(pid: int) -> str:
    """The scheduler state of a process (R: running), from /proc."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_timeout_kills_a_runaway_query_and_the_server_recovers(limited: Server) -> None:
    workers = limited.children()
    assert len(workers) == 1
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        outcome["response"] = post_query(limited, RUNAWAY)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    [old] = workers
    deadline = time.monotonic() + 10
    while _state(old) != "R" and time.monotonic() < deadline:  # wait until it computes
        time.sleep(0.02)
    busy = post_query(limited, "ASK {}")  # the only worker is busy and no one may wait
    thread.join(30)
    assert busy.status_code == 503, busy.text
    assert int(busy.headers["retry-after"]) >= 1
    response = outcome["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 504, response.text
    assert "stopped" in response.text and "1.5 s" in response.text
    assert 1.4 < float(outcome["seconds"]) < 10  # type: ignore[arg-type]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        answer = post_query(limited, "ASK { ?s ?p ?o }")
        if answer.status_code == 200:
            break
        assert answer.status_code == 503
        time.sleep(0.2)
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    assert not Path(f"/proc/{old}").exists(), "the runaway worker is still alive"
    assert len(limited.children()) == 1 and old not in limited.children()


def test_waiting_requests_are_served_in_turn(server: Server) -> None:
    """Two workers, eight concurrent requests: the queue absorbs them, nothing is refused."""
    results: list[int] = []

    def one() -> None:
        results.append(post_query(server, BOOKS).status_code)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [200] * 8


# ----------------------------------------------------------------------------- updates


def test_update_needs_the_token(updatable: Server, workspace: Path) -> None:
    assert (workspace / "updatable/.spacecoop/store").exists()  # serve loaded it itself
    insert = b'INSERT DATA { GRAPH <urn:x:added> { <urn:x:s> <urn:x:p> "added" } }'
    headers = {"content-type": "application/sparql-update"}
    with http() as client:
        anonymous = client.post(updatable.endpoint, content=insert, headers=headers)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        wrong = client.post(
            updatable.endpoint,
            content=insert,
            headers={**headers, "authorization": "Bearer " + TOKEN[:-1] + "?"},
        )
        assert wrong.status_code == 401
        assert post_query(updatable, "ASK { ?s <urn:x:p> ?o }").json()["boolean"] is False
        accepted = client.post(
            updatable.endpoint,
            content=insert,
            headers={**headers, "authorization": f"Bearer {TOKEN}"},
        )
        assert accepted.status_code == 204, accepted.text
        assert post_query(updatable, 'ASK { ?s <urn:x:p> "added" }').json()["boolean"] is True
        described = client.get(updatable.endpoint, headers={"accept": "text/turtle"})
        assert "urn:x:added" in described.text and "SPARQL11Update" in described.text
        form = client.post(
            updatable.endpoint,
            data={"update": "DROP GRAPH <urn:x:added>"},
            headers={"authorization": f"Bearer {TOKEN}"},
        )
        assert form.status_code == 204
    assert post_query(updatable, "ASK { ?s <urn:x:p> ?o }").json()["boolean"] is False


@pytest.mark.parametrize(
    "update,message",
    [
        ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD is not allowed"),
        ("load silent <file:///etc/hostname> into graph <urn:x:g>", "LOAD is not allowed"),
        (
            "INSERT { GRAPH <urn:x:g> { ?s ?p ?o } } WHERE { SERVICE <http://127.0.0.1:9/> "
            "{ ?s ?p ?o } }",
            "SERVICE",
        ),
        (
            "INSERT { ?s ?p ?o } USING <http://elsewhere.test/g> WHERE { ?s ?p ?o }",
            "not in this store",
        ),
        ("CLEAR XYZ", "SPARQL update syntax error at line 1, column "),
    ],
)
def test_refused_updates(updatable: Server, update: str, message: str) -> None:
    with http() as client:
        response = client.post(
            updatable.endpoint,
            content=update.encode(),
            headers={
                "content-type": "application/sparql-update",
                "authorization": f"Bearer {TOKEN}",
            },
        )
    assert response.status_code == 400, response.text
    assert message in response.text


def test_update_options_are_checked(mini_project: Path) -> None:
    missing = run_cli("serve", "--enable-update", cwd=mini_project)
    assert missing.returncode == 2 and "--token-env" in missing.stderr
    assert not (mini_project / ".spacecoop").exists()  # nothing loaded before options are valid
    config = load_config(mini_project)
    short = ServeOptions(enable_update=True, token_env="SHORT_TOKEN")
    with pytest.raises(ConfigError, match="at least 16 characters"):
        endpoint_settings(config, short, {"SHORT_TOKEN": "abc"})
    with pytest.raises(ConfigError, match="only applies together with --enable-update"):
        endpoint_settings(config, ServeOptions(token_env="SHORT_TOKEN"), {})
    settings = endpoint_settings(config, short, {"SHORT_TOKEN": TOKEN})
    assert settings.update_token == TOKEN and settings.examples[0].file == "books-by-author.rq"


# ----------------------------------------------------------------------------- page, description


def test_query_page_is_self_contained(server: Server) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    with http() as client:
        response = client.get(server.endpoint, headers={"accept": browser})
        shared_link = client.get(
            server.endpoint, params={"query": BOOKS}, headers={"accept": browser}
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "'sha256-" in csp
    assert shared_link.headers["content-type"].startswith("text/html")
    document = html5lib.parse(response.text, namespaceHTMLElements=False)
    for element in document.iter():
        for attribute in ("src", "href"):
            value = element.get(attribute)
            assert value is None or not value.startswith(("http:", "https:", "//")), value
    [data] = [e for e in document.iter("script") if e.get("id") == "examples-data"]
    examples = json.loads(data.text)
    assert [e["label"] for e in examples] == ["Which books did each person write?"]
    assert examples[0]["query"] == BOOKS
    assert any("fetch(" in (e.text or "") for e in document.iter("script"))


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_query_page_script_is_valid_javascript(tmp_path: Path) -> None:
    script = tmp_path / "query.js"
    shutil.copy(REPO / "src/spacecoop/endpoint/static/query.js", script)
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_service_description(server: Server) -> None:
    with http() as client:
        response = client.get(server.endpoint, headers={"accept": "text/turtle"})
        default = client.get(server.endpoint, headers={"accept": "*/*"})
    assert response.status_code == 200
    assert default.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    [service] = graph.subjects(rdflib.RDF.type, sd.Service)
    assert str(graph.value(service, sd.endpoint)) == server.endpoint
    assert set(graph.objects(service, sd.supportedLanguage)) == {sd.SPARQL11Query}
    assert sd.UnionDefaultGraph in set(graph.objects(service, sd.feature))
    names = {str(n) for n in graph.objects(None, sd.name)}
    assert DATA_GRAPH in names and len(names) == 3


# ----------------------------------------------------------------------------- load test


def test_load_test_script_has_no_errors(server: Server, built: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts/loadtest.py"),
            "--project",
            str(built),
            "--url",
            server.endpoint,
            "--clients",
            "5",
            "--duration",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert summary["errors"] == 0 and summary["requests"] > 0
    assert summary["per_query"][0]["query"] == "books-by-author"


def test_load_test_script_refuses_remote_targets(built: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts/loadtest.py"),
            "--project",
            str(built),
            "--url",
            "http://192.0.2.1/sparql",
            "--duration",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "loopback" in result.stderr


# ----------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p 'SERVICE <http://x/>' }",
        'SELECT * WHERE { ?s ?p """\nLOAD <http://x/>\n""" }',
        "SELECT ?service ?load WHERE { ?service ?load ?from } # SERVICE <http://x/>",
        "PREFIX service: <urn:x:> SELECT * WHERE { ?s service:load service:SERVICE }",
        "SELECT * WHERE { ?s <http://x/SERVICE> ?o }",
    ],
)
def test_guard_ignores_keywords_in_strings_names_and_comments(text: str) -> None:
    assert guard.scan(text, "http://base/").dataset == []


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE{SERVICE<http://x/>{?s ?p ?o}}",
        "SELECT * WHERE { ?s ?p ?o . sErViCe <http://x/> { } }",
        "SELECT * WHERE { 'a' ?p ?o } SERVICE",
        "LOAD <http://x/>",
    ],
)
def test_guard_refuses_service_and_load(text: str) -> None:
    with pytest.raises(guard.Refused):
        guard.scan(text, "http://base/")


def test_guard_resolves_dataset_iris() -> None:
    text = (
        "BASE <http://b.example/dir/>\nPREFIX g: <graphs/>\n"
        "SELECT * FROM <one> FROM NAMED g:two WHERE { ?s ?p ?o }"
    )
    scan = guard.scan(text, "http://base/")
    assert scan.dataset == ["http://b.example/dir/one", "http://b.example/dir/graphs/two"]
    assert scan.has_dataset_clause


@pytest.mark.parametrize(
    "accept,expected",
    [
        (None, "json"),
        ("text/csv", "csv"),
        ("text/*", "csv"),
        ("text/*;q=0.5, application/sparql-results+xml", "xml"),
        ("*/*;q=0.1, text/tab-separated-values;q=0.2", "tsv"),
        ("text/csv;q=0, */*", "json"),
        ("image/png", None),
    ],
)
def test_negotiation(accept: str | None, expected: str | None) -> None:
    offer = negotiation.negotiate_results(accept)["solutions"]
    assert (offer.format if offer else None) == expected
