"""The fast engine's other contracts: engine choice, fallback to pySHACL, a remote endpoint,
and incremental validation of the nodes a git change affects."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from spacecoop.config import load_config
from spacecoop.engine import engine_results, validate_fast
from spacecoop.engine.incremental import changes_since
from spacecoop.load import load
from spacecoop.validate import validate
from tests.conftest import FIXTURES, REPO, run_cli

MORE_BOOKS = """
book:nameless a m:Book ;
    m:author book:solaris ;
    m:published "nineteen-sixty" .

book:edited a m:Book ;
    rdfs:label "Edited"@en ;
    m:author person:lem .
"""


@pytest.fixture
def broken_mini(tmp_path: Path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(FIXTURES / "miniproject", target, ignore=shutil.ignore_patterns("dist"))
    with open(target / "data" / "books.ttl", "a", encoding="utf-8") as f:
        f.write(MORE_BOOKS)
    return target


def _keys(findings: list) -> list[tuple]:
    return sorted(
        (
            f.focus,
            f.path,
            f.value_term,
            f.shape,
            f.component,
            f.severity.label,
            f.message,
            f.file,
            f.line,
            f.column,
        )
        for f in findings
    )


def test_cli_engines_agree(broken_mini: Path) -> None:
    runs = {}
    for engine in ("fast", "pyshacl"):
        done = run_cli("validate", "--engine", engine, "--format", "json", cwd=broken_mini)
        assert done.returncode == 1, done.stderr
        runs[engine] = json.loads(done.stdout)
    assert runs["fast"]["engine"] == "fast"
    assert runs["pyshacl"]["engine"] == "pyshacl"
    assert len(runs["fast"]["findings"]) == 3
    assert runs["fast"]["findings"] == runs["pyshacl"]["findings"]


def test_unknown_engine_is_a_usage_error(broken_mini: Path) -> None:
    done = run_cli("validate", "--engine", "jena", cwd=broken_mini)
    assert done.returncode == 2
    assert "unknown --engine" in done.stderr


def test_build_reports_the_engine(broken_mini: Path) -> None:
    done = run_cli("build", "--no-export", "--json", "--engine", "pyshacl", cwd=broken_mini)
    assert json.loads(done.stdout)["engine"] == "pyshacl"
    done = run_cli("build", "--no-export", "--json", cwd=broken_mini)
    assert json.loads(done.stdout)["engine"] == "fast"


COMPONENT = """
@prefix ex: <https://example.org/mini/shapes/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix m: <https://example.org/mini/def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:LabelLength a sh:ConstraintComponent ;
    sh:parameter [ sh:path ex:shortLabel ] ;
    sh:validator [ a sh:SPARQLAskValidator ;
        sh:ask "ASK { FILTER (STRLEN(STR($value)) <= $shortLabel) }" ] .

ex:ShortTitles a sh:NodeShape ;
    sh:targetClass m:Book ;
    sh:property [ sh:path rdfs:label ; ex:shortLabel 5 ] .
"""


def test_fallback_to_pyshacl_is_reported(broken_mini: Path) -> None:
    """A shape the compiler leaves out runs on pySHACL; the run says which, results agree."""
    (broken_mini / "shapes" / "component.ttl").write_text(COMPONENT)
    dataset = load(load_config(broken_mini))
    fast = validate_fast(dataset)
    assert fast.fallback_shapes == ["https://example.org/mini/shapes/ShortTitles"]
    assert fast.engine == "fast (pySHACL for 1 shapes)"
    notes = [f for f in fast.findings if f.checker == "shacl-engine"]
    assert [n.shape for n in notes] == fast.fallback_shapes
    reference = validate(dataset, engine="pyshacl").findings
    shacl = [f for f in fast.findings if f.checker == "shacl"]
    assert _keys(shacl) == _keys(reference)
    assert any("ShortTitles" in (f.shape or "") for f in reference)


# --- a remote endpoint: a real `oxigraph serve` on a free loopback port ---------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    binary = Path(REPO / ".venv" / "bin" / "oxigraph")
    if not binary.exists():
        found = shutil.which("oxigraph")
        if found is None:
            pytest.skip("the oxigraph server (PyPI package oxigraph) is not installed")
        binary = Path(found)
    port = _free_port()
    process = subprocess.Popen(
        [
            str(binary),
            "serve",
            "--location",
            str(tmp_path / "oxigraph"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_endpoint_gives_the_local_results(broken_mini: Path, oxigraph_server: str) -> None:
    dataset = load(load_config(broken_mini))
    body = ox.serialize(
        (ox.Triple(t.subject, t.predicate, t.object) for t in dataset.triples("ontology", "data")),
        format=ox.RdfFormat.N_TRIPLES,
    )
    loaded = httpx.post(
        oxigraph_server + "/store?default",
        content=body,
        headers={"Content-Type": "application/n-triples"},
        timeout=30,
    )
    assert loaded.status_code in (200, 201, 204)
    local = {r.key() for r in engine_results(dataset)[0].results}
    remote = {
        r.key() for r in engine_results(dataset, endpoint=oxigraph_server + "/query")[0].results
    }
    assert len(local) == 3
    assert remote == local
    done = run_cli(
        "validate", "--endpoint", oxigraph_server + "/query", "--format", "json", cwd=broken_mini
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert {f["focus"] for f in report["findings"]} == {
        "https://example.org/mini/id/book/nameless",
    }


def test_unreachable_endpoint_is_a_clear_error(broken_mini: Path) -> None:
    done = run_cli(
        "validate", "--endpoint", f"http://127.0.0.1:{_free_port()}/query", cwd=broken_mini
    )
    assert done.returncode == 2
    assert "SPARQL endpoint" in done.stderr
    assert "Traceback" not in done.stderr


# --- incremental validation -------------------------------------------------------------------


def _git(*args: str, cwd: Path) -> None:
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }
    subprocess.run(["git", *args], cwd=cwd, env=environment, check=True, capture_output=True)


def test_changed_since_equals_full_validation_restricted(broken_mini: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git("init", "-q", cwd=broken_mini)
    _git("add", ".", cwd=broken_mini)
    _git("commit", "-q", "-m", "start", cwd=broken_mini)
    books = broken_mini / "data" / "books.ttl"
    text = books.read_text().replace(
        'rdfs:label "Edited"@en ;', 'rdfs:label "Edited"@en , "Again"@en ;'
    )
    books.write_text(text + '\nperson:lem m:published "1921" .\n')
    config = load_config(broken_mini)
    dataset = load(config)
    change = changes_since(config, "HEAD", dataset)
    assert change.files == ["data/books.ttl"]
    assert set(change.subjects) == {
        "https://example.org/mini/id/book/edited",
        "https://example.org/mini/id/person/lem",
    }
    # person:lem changed, so the books that name it as author are affected too
    assert set(change.focus_nodes) == set(change.subjects) | {
        "https://example.org/mini/id/book/solaris",
        "https://example.org/mini/id/book/fiasco",
    }
    full = validate_fast(dataset).findings
    incremental = validate_fast(dataset, focus_nodes=change.focus_nodes).findings
    assert _keys(incremental) == _keys([f for f in full if f.focus in change.focus_nodes])
    assert any(f.focus == "https://example.org/mini/id/book/nameless" for f in full)
    done = run_cli("validate", "--changed-since", "HEAD", "--format", "json", cwd=broken_mini)
    assert "validating 4 affected nodes" in done.stderr
    assert {f["focus"] for f in json.loads(done.stdout)["findings"]} <= set(change.focus_nodes)


def test_changed_shapes_validate_everything(broken_mini: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git("init", "-q", cwd=broken_mini)
    _git("add", ".", cwd=broken_mini)
    _git("commit", "-q", "-m", "start", cwd=broken_mini)
    shapes = broken_mini / "shapes" / "mini.ttl"
    shapes.write_text(shapes.read_text() + "\n# a comment\n")
    config = load_config(broken_mini)
    change = changes_since(config, "HEAD", load(config))
    assert change.focus_nodes is None
    assert "shapes/mini.ttl" in change.reason


def test_changed_since_unknown_revision(broken_mini: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git("init", "-q", cwd=broken_mini)
    done = run_cli("validate", "--changed-since", "no-such-rev", cwd=broken_mini)
    assert done.returncode == 2
    assert "git" in done.stderr
    assert "Traceback" not in done.stderr


COUNTING_RULE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix m: <https://example.org/mini/def/> .
@prefix msh: <https://example.org/mini/shapes/> .

msh:OneAuthorLink a sh:NodeShape ;
    sh:targetClass m:Book ;
    sh:sparql [
        sh:message "A book names its author in more than one statement." ;
        sh:select \"\"\"
            SELECT $this WHERE { $this <https://example.org/mini/def/author> ?a . }
            GROUP BY $this HAVING (COUNT(?a) %s)
        \"\"\" ;
    ] .
"""


@pytest.mark.parametrize(
    ("having", "found"), [("> 1", set()), ("= 0", set())], ids=["counts", "tests-existence"]
)
def test_a_triple_written_in_two_files_counts_once(
    mini_project: Path, having: str, found: set[str]
) -> None:
    """The union of the files' graphs repeats a triple written twice: a rule that counts must
    still see it once (as pySHACL does on the merged graph); a rule that only asks whether
    anything was counted runs on the loaded store without a merged copy."""
    from spacecoop.engine import _aggregates
    from spacecoop.graphs import to_rdflib

    (mini_project / "shapes" / "count.ttl").write_text(COUNTING_RULE % having, encoding="utf-8")
    (mini_project / "data" / "again.ttl").write_text(
        "<https://example.org/mini/id/book/solaris> <https://example.org/mini/def/author> "
        "<https://example.org/mini/id/person/lem> .\n",
        encoding="utf-8",
    )
    dataset = load(load_config(mini_project))
    report, _, executor = engine_results(dataset)
    shapes = to_rdflib(dataset.triples("shapes"))
    assert _aggregates(shapes) == (having == "> 1")
    assert (executor.store is dataset.store("ontology", "data")) == (having == "= 0")
    assert {str(r.focus) for r in report.results if "more than one" in str(r.messages)} == found
    reference = validate(dataset, engine="pyshacl").findings
    assert not [f for f in reference if "more than one" in f.message]


def test_listed_focus_nodes_give_the_full_results_restricted(repo: Path) -> None:
    """The project's shapes (a SPARQL target for vocabulary terms, a rule with a UNION over
    $this) on a few listed nodes: the results of a full run restricted to those nodes."""
    dataset = load(load_config(repo))
    full = validate_fast(dataset).findings
    nodes = sorted({f.focus for f in full if f.focus})[::3]
    nodes += ["https://w3id.org/spacecoop/def/Mission", "https://w3id.org/spacecoop/def/party"]
    listed = validate_fast(dataset, focus_nodes=nodes).findings
    assert listed and _keys(listed) == _keys([f for f in full if f.focus in nodes])


def test_changed_subjects_with_and_without_blank_nodes() -> None:
    from spacecoop.engine.incremental import _changed_subjects

    def quads(text: str) -> list[ox.Quad]:
        return list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE, base_iri="http://e/"))

    before = "<a> <p> 1 . <b> <p> 2 . <c> <p> [ <q> 3 ] ."
    assert _changed_subjects(
        quads("<a> <p> 1 . <b> <p> 5 ."), quads("<a> <p> 1 . <b> <p> 2 .")
    ) == {"http://e/b"}
    # blank nodes are labelled anew by each parse: descriptions are compared instead
    assert _changed_subjects(quads(before), quads(before)) == set()
    assert _changed_subjects(quads(before.replace("3", "4")), quads(before)) == {"http://e/c"}
    assert _changed_subjects(quads(before.replace("2", "6")), quads(before)) == {"http://e/b"}


def test_sparql_targets_are_run_once_and_listed(repo: Path) -> None:
    """The vocabulary terms' SPARQL target runs once; queries list its nodes, and the results
    are those of running the target inside every query."""
    import rdflib

    from spacecoop.engine import _namespaces
    from spacecoop.engine.compile import Planner
    from spacecoop.engine.executors import StoreExecutor
    from spacecoop.engine.run import gather_facts, run_plan, selected_targets
    from spacecoop.engine.shapes import ShapesGraph
    from spacecoop.graphs import to_rdflib
    from spacecoop.validate import bind_prefixes

    dataset = load(load_config(repo))
    shapes_graph = to_rdflib(dataset.triples("shapes"))
    bind_prefixes(dataset, shapes_graph, rdflib.Graph())
    shapes = ShapesGraph(shapes_graph)
    executor = StoreExecutor.from_dataset(dataset, "ontology", "data")
    namespaces = _namespaces(dataset)
    facts = gather_facts(executor, shapes)
    selected = selected_targets(executor, shapes, namespaces)
    assert selected and any(len(nodes) > 50 for nodes in selected.values())
    inside = Planner(shapes, facts, None, namespaces).plan()
    facts.selected = selected
    listed = Planner(shapes, facts, None, namespaces).plan()
    assert any(select in q.text for q in inside.queries for select in selected)
    assert not any(select in q.text for q in listed.queries for select in selected)
    assert sorted(map(str, run_plan(executor, inside)[0])) == sorted(
        map(str, run_plan(executor, listed)[0])
    )


def test_changed_lines_name_the_changed_subjects(broken_mini: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """In a large file, the subjects come from the statements on the lines git reports, not
    from two whole parses; they equal the subjects whose triples changed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    import spacecoop.engine.incremental as incremental

    extra = broken_mini / "data" / "extra.ttl"
    head = "@prefix ex: <https://example.org/mini/id/x/> .\n@prefix m: <https://example.org/mini/def/> .\n"
    body = "".join(
        f'ex:n{i} a m:Book ;\n    m:published "{1900 + i}" ;\n    m:note "n{i}" , "more" .\n\n'
        for i in range(40)
    )
    extra.write_text(head + body)
    _git("init", "-q", cwd=broken_mini)
    _git("add", ".", cwd=broken_mini)
    _git("commit", "-q", "-m", "start", cwd=broken_mini)
    edited = (
        body.replace('m:published "1903"', 'm:published "1803"')  # a literal
        .replace('ex:n7 a m:Book ;\n    m:published "1907" ;\n    m:note "n7" , "more" .\n\n', "")
        .replace('"n12" , "more"', '"n12" ,\n        "more"')  # reformatted only
        .replace('"n20" , "more" .', '"n20" , "more" ; m:x ex:n21 .')
    )
    extra.write_text(head + edited + "ex:new a m:Book .\n")
    monkeypatch.setattr(incremental, "_LARGE", 0)
    config = load_config(broken_mini)
    dataset = load(config)
    source = next(s for s in dataset.sources if s.path.name == "extra.ttl")
    by_lines = incremental._subjects_of_changed_lines(config, "HEAD", source)
    exact = incremental._changed_subjects(
        list(source.iter_parsed()), incremental._old_quads(config, "HEAD", extra)
    )
    names = {"n3", "n7", "n20", "new"}
    assert exact == {f"https://example.org/mini/id/x/{n}" for n in names}
    # the reformatted statement is named too: validated again, never missed
    assert by_lines == exact | {"https://example.org/mini/id/x/n12"}
    assert set(changes_since(config, "HEAD", dataset).subjects) == by_lines
