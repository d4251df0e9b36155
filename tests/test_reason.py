"""OWL-RL consistency and IRI hygiene of vocabulary plus data."""

from __future__ import annotations

from pathlib import Path

from spacecoop.config import load_config
from spacecoop.load import load
from spacecoop.reason import consistency


def findings_for(project: Path, extra: str) -> list:
    (project / "data" / "extra.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix m: <https://example.org/mini/def/> .\n"
        "@prefix book: <https://example.org/mini/id/book/> .\n"
        "@prefix person: <https://example.org/mini/id/person/> .\n" + extra
    )
    return consistency(load(load_config(project)))


def test_consistent_data_has_no_findings(mini_project: Path) -> None:
    assert consistency(load(load_config(mini_project))) == []


def test_disjoint_classes_violation_is_located(mini_project: Path) -> None:
    found = findings_for(
        mini_project, "m:Book owl:disjointWith m:Person .\nperson:lem a m:Book .\n"
    )
    messages = [f.message for f in found]
    assert any("disjoint" in m.lower() for m in messages), messages
    located = [f for f in found if f.focus == "https://example.org/mini/id/person/lem"]
    assert located and located[0].file in ("data/books.ttl", "data/extra.ttl")


def test_same_as_between_classes(mini_project: Path) -> None:
    found = findings_for(mini_project, "m:Book owl:sameAs m:Person .\n")
    assert any("owl:sameAs between classes" in f.message for f in found)


def test_file_iri_is_refused(mini_project: Path) -> None:
    found = findings_for(mini_project, "book:solaris owl:sameAs <file:///etc/passwd> .\n")
    [finding] = [f for f in found if "file system" in f.message]
    assert finding.shape == "owl:file-iri"
