"""The embedded store: union default graph, bound queries, and atomic replacement."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from spacecoop.errors import SpacecoopError
from spacecoop.store import load_store, open_store, run_query

EX = "http://example.org/"


def quads(n: int, graph: str = "g1", tag: str = "v") -> list[ox.Quad]:
    g = ox.NamedNode(EX + graph)
    return [
        ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"{tag}{i}"), g)
        for i in range(n)
    ]


def count(path: Path) -> int:
    store = open_store(path)
    [row] = list(run_query(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    return int(row["n"].value)


def test_union_of_named_graphs_is_the_default_graph(tmp_path: Path) -> None:
    path = tmp_path / "store"
    info = load_store(path, quads(3, "a") + quads(2, "b", "w"))
    assert (info.quads, info.graphs) == (5, 2)
    assert count(path) == 5


def test_bound_values_are_not_spliced(tmp_path: Path) -> None:
    path = tmp_path / "store"
    load_store(path, quads(3))
    store = open_store(path)
    hostile = ox.Literal('v1" } UNION { ?s ?p ?o')
    query = "SELECT ?s ?value WHERE { ?s ?p ?value }"
    assert list(run_query(store, query, {"value": hostile})) == []
    rows = list(run_query(store, query, {"value": ox.Literal("v1")}))
    assert [r["s"].value for r in rows] == [EX + "s1"]
    with pytest.raises(SpacecoopError, match="bound variable must be in scope"):
        run_query(store, "SELECT ?s WHERE { ?s ?p ?o FILTER(?o = ?value) }", {"value": hostile})


def test_reload_replaces_and_cleans_up(tmp_path: Path) -> None:
    path = tmp_path / "store"
    load_store(path, quads(3))
    reader = open_store(path)  # a reader holding the old store keeps a consistent view
    load_store(path, quads(7))
    assert count(path) == 7
    assert len(list(run_query(reader, "SELECT * WHERE { ?s ?p ?o }"))) == 3
    versions = list((tmp_path / "store.versions").iterdir())
    assert len(versions) == 1 and path.resolve() == versions[0]


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpacecoopError, match="run `spacecoop load`"):
        open_store(tmp_path / "nothing")


def test_query_syntax_error_is_clear(tmp_path: Path) -> None:
    path = tmp_path / "store"
    load_store(path, quads(1))
    with pytest.raises(SpacecoopError, match="query syntax error"):
        run_query(open_store(path), "SELEKT * WHERE {}")


LOADER = """
import sys
import pyoxigraph as ox
from spacecoop.store import load_store
n, tag = int(sys.argv[2]), sys.argv[3]
g = ox.NamedNode("http://example.org/g")
load_store(__import__("pathlib").Path(sys.argv[1]), (
    ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
            ox.Literal(f"{tag}{i}"), g) for i in range(n)))
print("done", flush=True)
"""


def test_kill_during_load_leaves_old_or_new(tmp_path: Path) -> None:
    """kill -9 at random points, 20 times: the store always opens with a whole version."""
    path = tmp_path / "store"
    sizes = {"old": 20_000, "new": 30_000}
    load_store(path, quads(sizes["old"], tag="old"))
    rng = random.Random(20261124)
    outcomes = set()
    for attempt in range(20):
        tag = "new" if attempt % 2 == 0 else "old"
        process = subprocess.Popen(
            [sys.executable, "-c", LOADER, str(path), str(sizes[tag]), tag],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.0, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        n = count(path)
        assert n in sizes.values(), f"attempt {attempt}: {n} quads"
        store = open_store(path)
        tags = {
            row["o"].value[:3]
            for row in run_query(store, "SELECT DISTINCT ?o WHERE { ?s ?p ?o } LIMIT 5")
        }
        assert len(tags) == 1
        outcomes.add(n)
    assert count(path) in sizes.values()


def test_from_clause_selects_one_graph(tmp_path: Path) -> None:
    path = tmp_path / "store"
    load_store(path, quads(3, "a") + quads(2, "b", "w"))
    store = open_store(path)
    rows = list(run_query(store, f"SELECT ?o FROM <{EX}b> WHERE {{ ?s ?p ?o }}"))
    assert len(rows) == 2


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
    ],
)
def test_network_access_is_refused(tmp_path: Path, query: str) -> None:
    path = tmp_path / "store"
    load_store(path, quads(1))
    with pytest.raises(SpacecoopError, match="not allowed"):
        run_query(open_store(path), query)
