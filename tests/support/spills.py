"""Recording when the external sort spills to disk (tests that force small runs)."""

from __future__ import annotations

import pytest

from spacecoop import rdfwriter


def record_spills(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of lines of every run a :class:`~spacecoop.rdfwriter.SortedLines` spills."""
    spills: list[int] = []
    original = rdfwriter.SortedLines._spill

    def spill(self: rdfwriter.SortedLines) -> None:
        spills.append(len(self.lines))
        original(self)

    monkeypatch.setattr(rdfwriter.SortedLines, "_spill", spill)
    return spills
