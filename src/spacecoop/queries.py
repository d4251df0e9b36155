"""Competency questions: SPARQL files run against the store and compared with expected results.

Each ``NAME.rq`` holds its question in a leading ``# Question:`` comment; the expected answer
is ``NAME.expected.tsv`` beside it (SPARQL TSV terms, so datatypes and languages are
compared exactly). Rows are compared as a multiset unless the query has ORDER BY. A
difference is a finding, so a broken question fails the build like a SHACL violation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from spacecoop.errors import SpacecoopError
from spacecoop.findings import Finding, Severity
from spacecoop.store import run_query

_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


@dataclass
class QuestionResult:
    path: Path
    question: str
    rows: list[str]
    expected: list[str] | None
    ordered: bool
    error: str | None = None
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            self.error is None
            and self.expected is not None
            and not self.missing
            and not self.unexpected
        )


def expected_path(query: Path) -> Path:
    return query.with_name(query.stem + ".expected.tsv")


def question_of(text: str) -> str:
    """The question a query answers, from its '# Question:' header comment."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if lines or stripped:
                break
            continue
        body = stripped.lstrip("#").strip()
        if body.lower().startswith("question:"):
            lines = [body.split(":", 1)[1].strip()]
        elif lines and body and not re.match(r"^[A-Za-z-]+:", body):
            lines.append(body)
        elif lines:
            break
    return " ".join(lines)


def _strip_comments(text: str) -> str:
    return "\n".join(re.sub(r"(^|\s)#.*$", "", line) for line in text.splitlines())


def result_rows(result: object) -> list[str]:
    """A result as TSV lines: header first, then one line per solution or triple."""
    if isinstance(result, ox.QueryBoolean):
        return ["?boolean", "true" if bool(result) else "false"]
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = ["\t".join("?" + v for v in variables)]
        for solution in result:
            cells = []
            for v in variables:
                term = solution[v]
                cells.append("" if term is None else str(term))
            rows.append("\t".join(cells))
        return rows
    rows = ["?subject\t?predicate\t?object"]
    rows.extend(f"{t.subject}\t{t.predicate}\t{t.object}" for t in result)
    return rows


def _normalise(rows: list[str], ordered: bool) -> list[str]:
    return rows if ordered or not rows else [rows[0], *sorted(rows[1:])]


def run_question(store: ox.Store, path: Path, base_iri: str | None = None) -> QuestionResult:
    text = path.read_text(encoding="utf-8")
    ordered = bool(_ORDER_BY.search(_strip_comments(text)))
    expected_file = expected_path(path)
    expected = (
        expected_file.read_text(encoding="utf-8").rstrip("\n").split("\n")
        if expected_file.exists()
        else None
    )
    outcome = QuestionResult(path, question_of(text), [], expected, ordered)
    try:
        outcome.rows = _normalise(result_rows(run_query(store, text, base_iri=base_iri)), ordered)
    except SpacecoopError as exc:
        outcome.error = str(exc)
        return outcome
    if expected is not None:
        expected = _normalise(expected, ordered)
        outcome.expected = expected
        if ordered or expected[:1] != outcome.rows[:1]:
            if expected != outcome.rows:
                outcome.missing = [r for r in expected if r not in outcome.rows]
                outcome.unexpected = [r for r in outcome.rows if r not in expected]
                if not outcome.missing and not outcome.unexpected:
                    outcome.missing = ["(row order or header differs)"]
        else:
            remaining = list(outcome.rows[1:])
            for row in expected[1:]:
                if row in remaining:
                    remaining.remove(row)
                else:
                    outcome.missing.append(row)
            outcome.unexpected = remaining
    return outcome


def to_finding(result: QuestionResult, display: str) -> Finding | None:
    """A failing question as a finding located at the query file."""
    if result.passed:
        return None
    if result.error:
        message = f"competency question cannot run: {result.error}"
    elif result.expected is None:
        message = "competency question has no expected result file"
    else:
        message = (
            f"competency question answer changed: {len(result.missing)} expected row(s) missing, "
            f"{len(result.unexpected)} unexpected row(s)"
        )
    return Finding(
        Severity.VIOLATION,
        message,
        "competency",
        focus=result.question or None,
        file=display,
        line=1,
        column=1,
        value="\n".join(
            [*("- " + r for r in result.missing), *("+ " + r for r in result.unexpected)]
        )
        or None,
        hint="fix the data or the query; if the new answer is right, run "
        "`spacecoop queries --update-expected`",
    )


def write_expected(result: QuestionResult) -> None:
    expected_path(result.path).write_text("\n".join(result.rows) + "\n", encoding="utf-8")
