"""Baselines: let CI fail only on new findings while known ones are being worked off.

A baseline file records the stable key of every finding at one moment (checker, shape, focus,
path, value: :meth:`Finding.key`), never a line number, so that editing a file above a known
problem does not turn it into a "new" one. Comparing a run with a baseline splits its findings
into new and unchanged ones and lists the keys that are no longer found (fixed).

The file is deterministic JSON (sorted keys, sorted entries, one trailing newline), so that
updating it gives a clean diff in review.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacecoop.errors import SpacecoopError
from spacecoop.findings import Finding, sort_findings

BASELINE_FORMAT = "spacecoop-baseline"
BASELINE_VERSION = 1
KEY_FIELDS = ("checker", "shape", "focus", "path", "value")

Key = tuple[str, str, str, str, str]


def key_to_json(key: Key) -> dict[str, str]:
    return dict(zip(KEY_FIELDS, key, strict=True))


@dataclass
class BaselineComparison:
    """A run's findings seen against a baseline."""

    path: str
    keys: set[Key] = field(default_factory=set)
    new: list[Finding] = field(default_factory=list)
    unchanged: list[Finding] = field(default_factory=list)
    fixed: list[Key] = field(default_factory=list)

    def is_new(self, finding: Finding) -> bool:
        return finding.key() not in self.keys

    def state(self, finding: Finding) -> str:
        """SARIF's word for it (``result.baselineState``): 'new' or 'unchanged'."""
        return "new" if self.is_new(finding) else "unchanged"

    def to_json(self) -> dict:
        return {
            "file": self.path,
            "new": len(self.new),
            "unchanged": len(self.unchanged),
            "fixed": [key_to_json(k) for k in self.fixed],
        }


def baseline_document(findings: Iterable[Finding]) -> bytes:
    """The baseline file's bytes for these findings: same findings, same bytes."""
    keys = sorted({f.key() for f in findings})
    document = {
        "format": BASELINE_FORMAT,
        "version": BASELINE_VERSION,
        "findings": [key_to_json(k) for k in keys],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    """Record the current findings' keys (written to a temporary file, then renamed)."""
    from spacecoop.export import write_atomic

    data = baseline_document(findings)
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise SpacecoopError(f"{path}: cannot write the baseline: {exc.strerror}") from None
    return len(json.loads(data)["findings"])


def read_baseline(path: Path, shown: str | None = None) -> set[Key]:
    """The keys a baseline file records; a missing or malformed file is a usage error (2)."""
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpacecoopError(
            f"{shown}: baseline file not found (create it with --update-baseline)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpacecoopError(f"{shown}: cannot read the baseline: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpacecoopError(
            f"{shown}:{exc.lineno}:{exc.colno}: error: baseline is not JSON: {exc.msg}"
        ) from None
    if (
        not isinstance(document, dict)
        or document.get("format") != BASELINE_FORMAT
        or not isinstance(document.get("findings"), list)
    ):
        raise SpacecoopError(
            f"{shown}: not a spacecoop baseline (expected an object with "
            f'"format": "{BASELINE_FORMAT}" and a "findings" list)'
        )
    if document.get("version") != BASELINE_VERSION:
        raise SpacecoopError(
            f"{shown}: baseline version {document.get('version')!r} is not supported "
            f"(expected {BASELINE_VERSION}); regenerate it with --update-baseline"
        )
    keys: set[Key] = set()
    for number, entry in enumerate(document["findings"], start=1):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(name, ""), str) for name in KEY_FIELDS
        ):
            raise SpacecoopError(f"{shown}: baseline entry {number} is not an object of strings")
        keys.add(tuple(entry.get(name, "") for name in KEY_FIELDS))  # type: ignore[arg-type]
    return keys


def compare(findings: Iterable[Finding], baseline: set[Key], path: str) -> BaselineComparison:
    """Split findings into new and unchanged; keys in the baseline no longer found are fixed."""
    comparison = BaselineComparison(path, set(baseline))
    seen: set[Key] = set()
    for finding in sort_findings(findings):
        key = finding.key()
        seen.add(key)
        (comparison.unchanged if key in baseline else comparison.new).append(finding)
    comparison.fixed = sorted(baseline - seen)
    return comparison


def apply_baseline(
    findings: list[Finding], path: Path, shown: str, keys: set[Key] | None, update: bool
) -> BaselineComparison:
    """Update the baseline file when asked, then compare the findings with it.

    ``keys`` are the baseline's keys read before the run (so that a missing baseline fails
    fast, before a long validation); after an update they are the current findings' keys.
    """
    if update:
        write_baseline(path, findings)
        keys = {f.key() for f in findings}
    return compare(findings, keys if keys is not None else read_baseline(path, shown), shown)
