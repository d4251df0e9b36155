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
    # no subject block of its own: located at the triple that names it
    assert (finding.file, finding.line, finding.column) == ("data/extra.ttl", 5, 14)


def _limit_reasoning(project: Path, limit: int) -> None:
    pyproject = project / "pyproject.toml"
    text = "".join(
        line
        for line in pyproject.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith("reasoning_max_triples")
    )
    pyproject.write_text(
        text.replace("[tool.spacecoop]\n", f"[tool.spacecoop]\nreasoning_max_triples = {limit}\n"),
        encoding="utf-8",
    )


def test_reasoning_is_skipped_above_the_limit_and_says_so(mini_project: Path) -> None:
    """Large graphs skip owlrl (minutes per 100k triples), with an info finding that says how
    to reason anyway; the IRI checks still run."""
    from spacecoop.build import check
    from spacecoop.findings import Severity

    (mini_project / "data" / "extra.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix m: <https://example.org/mini/def/> .\n"
        "@prefix book: <https://example.org/mini/id/book/> .\n"
        "m:Book owl:disjointWith m:Person .\n"
        "book:solaris a m:Person ; owl:sameAs <file:///etc/passwd> .\n"
    )
    _limit_reasoning(mini_project, 10)
    config = load_config(mini_project)
    assert config.reasoning_max_triples == 10
    findings, _ = check(load(config), config)
    [skipped] = [f for f in findings if f.shape == "owl:skipped"]
    assert skipped.severity == Severity.INFO and "reasoning_max_triples = 10" in skipped.message
    assert not any("disjoint" in f.message for f in findings), "owlrl did not run"
    assert any(f.shape == "owl:file-iri" for f in findings)
    _limit_reasoning(mini_project, 1_000_000)
    config = load_config(mini_project)
    findings, _ = check(load(config), config)
    assert not any(f.shape == "owl:skipped" for f in findings)
    assert any("disjoint" in f.message for f in findings)


def test_reasoning_limit_must_be_a_whole_number(mini_project: Path) -> None:
    import pytest

    from spacecoop.errors import ConfigError

    _limit_reasoning(mini_project, -1)
    with pytest.raises(ConfigError, match="reasoning_max_triples"):
        load_config(mini_project)


def test_file_iris_read_from_the_text_or_asked_of_the_store(mini_project: Path) -> None:
    """Written in full, a file: IRI is found in the text (and one inside a literal is no IRI);
    through a prefix, or escaped, the store is asked."""
    from spacecoop.reason import iri_findings

    def file_iris(extra: str) -> list[str]:
        (mini_project / "data" / "extra.ttl").write_text(
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "@prefix book: <https://example.org/mini/id/book/> .\n" + extra
        )
        return [f.focus for f in iri_findings(load(load_config(mini_project)))]

    assert file_iris('book:solaris owl:sameAs <file:///a> ; owl:note "<file:///b>" .\n') == [
        "file:///a"
    ]
    assert file_iris(
        "@prefix f: <file:///home/> .\nbook:solaris owl:sameAs f:c .\n<file:///d> owl:sameAs f:c .\n"
    ) == ["file:///d", "file:///home/c"]
    assert file_iris("book:solaris owl:sameAs <\\u0066ile:///e> .\n") == ["file:///e"]
    assert file_iris("book:solaris owl:sameAs <https://example.org/file:x> .\n") == []
