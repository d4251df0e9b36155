"""Entity-level diffs: what changed, which vocabulary changes break, from files, folders, git."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from spacecoop.diff import Side, compare, read_path, to_markdown
from tests.conftest import run_cli
from tests.support.exports import extended_project

HEADER = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://example.org/def/> .
@prefix id: <https://example.org/id/> .
"""

OLD = (
    HEADER
    + """
ex:Agent a owl:Class ; rdfs:label "Agent"@en .
ex:Person a owl:Class ; rdfs:subClassOf ex:Agent ; rdfs:label "Person"@en .
ex:Robot a owl:Class ; rdfs:label "Robot"@en .
ex:Place a owl:Class ; rdfs:label "Place"@en .
ex:knows a owl:ObjectProperty ; rdfs:label "knows"@en ; rdfs:domain ex:Agent ;
    rdfs:range [ a owl:Class ; owl:unionOf ( ex:Person ex:Robot ) ] .
ex:likes a owl:ObjectProperty ; rdfs:label "likes"@en ; rdfs:range ex:Person .
ex:visits a owl:ObjectProperty ; rdfs:label "visits"@en ; rdfs:range ex:Place .
ex:born a owl:DatatypeProperty ; rdfs:label "born"@en ; rdfs:range xsd:date .
ex:old a owl:DatatypeProperty ; rdfs:label "old"@en ; skos:definition "Gone soon."@en .
ex:colour a owl:DatatypeProperty ; rdfs:label "colour"@en ; skos:definition "The colour."@en .
ex:nick a owl:DatatypeProperty ; rdfs:label "nick"@en .
ex:alias a owl:DatatypeProperty ; rdfs:label "alias"@en .
id:ada a ex:Person ; rdfs:label "Ada"@en ; ex:born "1815-12-10"^^xsd:date ; ex:knows id:bob .
id:bob a ex:Person ; rdfs:label "Bob"@en .
id:carl a ex:Person ; rdfs:label "Carl"@en .
"""
)

NEW = (
    HEADER
    + """
ex:Agent a owl:Class ; rdfs:label "Agent"@en .
ex:Person a owl:Class ; rdfs:subClassOf ex:Agent ; rdfs:label "Person"@en .
ex:Robot a owl:Class ; rdfs:label "Robot"@en .
ex:Place a owl:Class ; rdfs:label "Place"@en .
ex:Animal a owl:Class ; rdfs:label "Animal"@en .
ex:knows a owl:ObjectProperty ; rdfs:label "knows"@en ; rdfs:domain ex:Person ;
    rdfs:range ex:Person .
ex:likes a owl:ObjectProperty ; rdfs:label "likes"@en ; rdfs:range ex:Agent .
ex:visits a owl:ObjectProperty ; rdfs:label "visits"@en ; rdfs:range ex:Animal .
ex:born a owl:DatatypeProperty ; rdfs:label "born"@en ;
    rdfs:range [ a rdfs:Datatype ; owl:unionOf ( xsd:date xsd:gYear ) ] .
ex:color a owl:DatatypeProperty ; rdfs:label "color"@en ; skos:definition "The colour."@en .
ex:nick a owl:DatatypeProperty ; rdfs:label "nick"@en ; owl:deprecated true .
ex:alias a owl:DatatypeProperty ; rdfs:label "alias"@en ; owl:deprecated true ;
    dcterms:isReplacedBy ex:nick .
id:ada a ex:Person ; rdfs:label "Ada"@en , "Ada Lovelace"@en ; ex:born "1815"^^xsd:gYear ;
    ex:knows id:bob .
id:bob a ex:Person ; rdfs:label "Bob"@en .
id:dora a ex:Person ; rdfs:label "Dora"@en .
"""
)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.ttl", tmp_path / "new.ttl"
    old.write_text(OLD)
    new.write_text(NEW)
    return old, new


def test_entities_and_terms_added_removed_changed(files) -> None:
    old, new = files
    changes = compare(read_path(old, "old"), read_path(new, "new"))
    assert [c.iri for c in changes.terms_added] == [
        "https://example.org/def/Animal",
        "https://example.org/def/color",
    ]
    assert [c.iri for c in changes.terms_removed] == [
        "https://example.org/def/colour",
        "https://example.org/def/old",
    ]
    changed_terms = {c.iri.rsplit("/", 1)[1]: c for c in changes.terms_changed}
    assert set(changed_terms) == {"alias", "born", "knows", "likes", "nick", "visits"}
    assert [c.iri for c in changes.entities_added] == ["https://example.org/id/dora"]
    assert [c.iri for c in changes.entities_removed] == ["https://example.org/id/carl"]
    [ada] = changes.entities_changed
    properties = {p.property.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: p for p in ada.properties}
    assert set(properties) == {"label", "born"}
    assert properties["label"].added == ['"Ada Lovelace"@en'] and properties["label"].removed == []
    assert properties["born"].removed == ['"1815-12-10"^^<http://www.w3.org/2001/XMLSchema#date>']


def test_breaking_changes_are_flagged(files) -> None:
    old, new = files
    changes = compare(read_path(old, "old"), read_path(new, "new"))
    flagged = {(b.term.rsplit("/", 1)[1], b.change) for b in changes.breaking}
    assert flagged == {
        ("colour", "renamed"),  # same definition, new IRI
        ("old", "removed"),
        ("knows", "domain-narrowed"),  # Agent -> Person (a subclass)
        ("knows", "range-narrowed"),  # Person|Robot -> Person
        ("visits", "range-changed"),  # Place -> Animal (unrelated)
        ("nick", "deprecated"),  # no dcterms:isReplacedBy
    }
    # widened ranges (likes: Person -> Agent; born: date -> date|gYear) and a deprecation with
    # a replacement (alias) are not breaking
    renamed = next(b for b in changes.breaking if b.change == "renamed")
    assert renamed.detail == "renamed to <https://example.org/def/color>"


def test_no_change_means_no_entry(files) -> None:
    old, _new = files
    changes = compare(read_path(old, "a"), read_path(old, "b"))
    assert changes.empty and not changes.breaking


def test_blank_node_labels_do_not_count_as_changes(tmp_path: Path) -> None:
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    one.write_text(HEADER + "id:x ex:p [ ex:q 1 ; ex:r [ ex:s 2 ] ] .\n_:a ex:t id:x .\n")
    two.write_text(HEADER + "_:zz ex:t id:x .\nid:x ex:p _:b .\n_:b ex:r [ ex:s 2 ] ; ex:q 1 .\n")
    assert compare(read_path(one, "1"), read_path(two, "2")).empty
    two.write_text(HEADER + "_:zz ex:t id:x .\nid:x ex:p [ ex:q 1 ; ex:r [ ex:s 3 ] ] .\n")
    changes = compare(read_path(one, "1"), read_path(two, "2"))
    assert [c.iri for c in changes.entities_changed] == ["https://example.org/id/x"]


def test_markdown_and_json_on_the_command_line(files, tmp_path: Path) -> None:
    old, new = files
    markdown = run_cli("diff", str(old), str(new), cwd=tmp_path)
    assert markdown.returncode == 0, markdown.stderr
    text = markdown.stdout
    assert text.startswith(f"## Changes from {old} to {new}\n")
    assert "### Breaking vocabulary changes" in text
    assert "- `ex:colour`: renamed to `ex:color`" in text
    assert "- `ex:knows`: range narrowed: ex:Person|ex:Robot → ex:Person" in text
    assert "- `id:ada` — Ada Lovelace: `rdfs:label`, `ex:born`" in text
    result = run_cli("diff", str(old), str(new), "--format", "json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["summary"] == {
        "terms_added": 2,
        "terms_removed": 2,
        "terms_changed": 6,
        "entities_added": 1,
        "entities_removed": 1,
        "entities_changed": 1,
        "breaking": 6,
    }
    properties = data["entities"]["changed"][0]["properties"]
    assert any(p["property"].endswith("born") and p["removed"] for p in properties)
    failing = run_cli("diff", str(old), str(new), "--fail-on-breaking", cwd=tmp_path)
    assert failing.returncode == 1
    clean = run_cli("diff", str(old), str(old), cwd=tmp_path)
    assert clean.returncode == 2 and "the same" in clean.stderr


def test_bad_inputs_exit_2_with_a_location(tmp_path: Path, files) -> None:
    old, _new = files
    broken = tmp_path / "broken.ttl"
    broken.write_text(HEADER + "id:x ex:p .\n")
    result = run_cli("diff", str(old), str(broken), cwd=tmp_path)
    assert result.returncode == 2 and "broken.ttl:8:11: error:" in result.stderr
    missing = run_cli("diff", str(old), "no-such-revision", cwd=tmp_path)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_project_folders_and_dist_folders(tmp_path: Path) -> None:
    before = extended_project(tmp_path / "before")
    after = extended_project(tmp_path / "after")
    extra = after / "data" / "extra.ttl"
    extra.write_text(extra.read_text().replace('"Eden"@pl', '"Eden"@pl , "Eden"@de'))
    changes = compare(read_path(before, "before"), read_path(after, "after"))
    assert [c.iri for c in changes.entities_changed] == ["https://example.org/mini/id/book/eden"]
    for project in (before, after):
        assert run_cli("build", cwd=project).returncode == 0
    result = run_cli("diff", str(before / "dist"), str(after / "dist"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "- `book:eden` — Eden: `rdfs:label`" in result.stdout


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_revisions(tmp_path: Path) -> None:
    """Revisions are read with git archive from a throw-away repository of the test's own."""
    project = extended_project(tmp_path / "repo")
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-q", "-m", "first")
    books = project / "data" / "books.ttl"
    books.write_text(
        books.read_text().replace(
            "book:fiasco a m:Book ;", 'book:fiasco a m:Book ;\n    rdfs:comment "1986" ;'
        )
    )
    _git(project, "commit", "-q", "-am", "second")
    whole = run_cli("diff", "HEAD~1", "HEAD", cwd=project)
    assert whole.returncode == 0, whole.stderr
    assert "- `book:fiasco` — Fiasco: `rdfs:comment`" in whole.stdout
    one_file = run_cli(
        "diff", "HEAD~1:data/books.ttl", "data/books.ttl", "--format", "json", cwd=project
    )
    assert one_file.returncode == 0, one_file.stderr
    assert json.loads(one_file.stdout)["summary"]["entities_changed"] == 1
    bad = run_cli("diff", "nope~3", "HEAD", cwd=project)
    assert bad.returncode == 2 and "git archive" in bad.stderr


def test_markdown_title_and_level(files) -> None:
    old, new = files
    text = to_markdown(compare(read_path(old, "old"), read_path(new, "new")), "1.0.0", level=3)
    assert text.startswith("### 1.0.0\n") and "#### Breaking vocabulary changes" in text


def test_first_release_against_nothing(files) -> None:
    _old, new = files
    changes = compare(Side("nothing", []), read_path(new, "new"))
    assert changes.summary()["terms_added"] == 12 and not changes.breaking
