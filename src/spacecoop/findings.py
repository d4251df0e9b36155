"""One findings model for every checker (syntax, SHACL, lint, competency questions).

Checkers produce :class:`Finding` objects; report formats are views of them and never
re-derive anything. IRIs are kept as plain strings so every format can print them as is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import IntEnum


class Severity(IntEnum):
    """Ordered so that ``severity >= threshold`` means 'at least as bad as'."""

    INFO = 1
    WARNING = 2
    VIOLATION = 3
    ERROR = 4  # the input could not be processed at all (syntax, I/O)

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


@dataclass(frozen=True)
class Location:
    """A place in a source file; line and column are 1-based."""

    file: str
    line: int
    column: int


@dataclass
class Finding:
    """One problem found in the sources, with everything a report needs to show it."""

    severity: Severity
    message: str
    checker: str
    focus: str | None = None
    path: str | None = None
    value: str | None = None
    shape: str | None = None
    component: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    related: list[Location] = field(default_factory=list)
    # The value as an N-Triples term (IRI, literal with datatype or language), where the checker
    # knows it: ``value`` alone cannot tell ``"1961"`` from ``"1961"^^xsd:gYear`` or an IRI.
    value_term: str | None = None

    def key(self) -> tuple[str, str, str, str, str]:
        """Stable identity across edits (no line numbers): used by baselines."""
        return (
            self.checker,
            self.shape or "",
            self.focus or "",
            self.path or "",
            self.value or "",
        )

    def sort_key(self) -> tuple:
        return (
            self.file or "~",
            self.line or 0,
            self.column or 0,
            -int(self.severity),
            self.message,
            self.key(),
        )

    def to_json(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.label
        data["related"] = [asdict(loc) for loc in self.related]
        return data


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(f.severity.label for f in findings)
    return {s.label: counts.get(s.label, 0) for s in sorted(Severity, reverse=True)}


def fails(findings: Iterable[Finding], fail_on: str) -> bool:
    """True when any finding is at or above the fail level ('never' never fails)."""
    if fail_on == "never":
        return False
    threshold = Severity.parse(fail_on)
    return any(f.severity >= threshold for f in findings)
