"""The vocabulary lint: project terms used but not declared, with "did you mean"."""

from __future__ import annotations

from pathlib import Path

import pytest

import spacecoop.lint as lint
from spacecoop.config import load_config
from spacecoop.load import load

TYPO = (
    "@prefix m: <https://example.org/mini/def/> .\n"
    "@prefix book: <https://example.org/mini/id/book/> .\n"
    "book:eden a m:Book .\n"
    "book:eden m:publishd 1959 .\n"
)


def _undeclared(project: Path) -> list:
    config = load_config(project)
    return lint.undeclared_terms(load(config), config)


def test_clean_project_has_no_findings(mini_project: Path) -> None:
    assert _undeclared(mini_project) == []


@pytest.mark.parametrize("scan_up_to", [lint.SCAN_UP_TO, 0], ids=["scanned", "store"])
def test_typo_is_located_with_a_suggestion(
    mini_project: Path, monkeypatch: pytest.MonkeyPatch, scan_up_to: int
) -> None:
    """Both ways of finding a use (reading the file; asking the store, for large files) give
    the place where the misspelt term is written."""
    monkeypatch.setattr(lint, "SCAN_UP_TO", scan_up_to)
    (mini_project / "data" / "typo.ttl").write_text(TYPO, encoding="utf-8")
    [finding] = _undeclared(mini_project)
    assert finding.focus == "https://example.org/mini/def/publishd"
    assert finding.hint == "did you mean <https://example.org/mini/def/published>?"
    assert (finding.file, finding.line, finding.column) == ("data/typo.ttl", 4, 11)


def test_term_in_a_query_is_checked(mini_project: Path) -> None:
    (mini_project / "queries" / "typo.rq").write_text(
        "PREFIX m: <https://example.org/mini/def/>\nSELECT ?b WHERE {\n  ?b a m:Bok .\n}\n",
        encoding="utf-8",
    )
    [finding] = _undeclared(mini_project)
    assert (finding.file, finding.line) == ("queries/typo.rq", 3)
    assert finding.hint == "did you mean <https://example.org/mini/def/Book>?"
