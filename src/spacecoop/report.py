"""Views of the findings model: text for people, JSON for machines.

Formats never re-derive findings; they only choose what to show and how.
"""

from __future__ import annotations

import json
from pathlib import Path

from spacecoop.findings import Finding, count_by_severity, sort_findings

JSON_SCHEMA_VERSION = "1"


def _source_line(root: Path, file: str | None, line: int | None) -> str | None:
    if not file or not line:
        return None
    path = Path(file) if Path(file).is_absolute() else root / file
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None


def format_text(findings: list[Finding], root: Path) -> str:
    """Compiler-style findings: ``file:line:col: severity: message`` with the line and a caret."""
    blocks = []
    for f in sort_findings(findings):
        where = f"{f.file}:{f.line}:{f.column}" if f.file else "<no source location>"
        lines = [f"{where}: {f.severity.label}: {f.message}"]
        source = _source_line(root, f.file, f.line)
        if source is not None and f.line:
            gutter = f"{f.line:>5} | "
            lines.append(gutter + source.expandtabs(4))
            lines.append(" " * (len(gutter) - 2) + "| " + " " * max((f.column or 1) - 1, 0) + "^")
        details = [
            ("focus", f.focus),
            ("path", f.path),
            ("value", f.value),
            ("shape", f.shape),
            ("hint", f.hint),
        ]
        lines.extend(f"    {label}: {value}" for label, value in details if value)
        lines.extend(f"    also at: {loc.file}:{loc.line}:{loc.column}" for loc in f.related)
        blocks.append("\n".join(lines))
    counts = count_by_severity(findings)
    summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    blocks.append(f"{summary or 'no findings'}")
    return "\n\n".join(blocks) + "\n"


def format_json(findings: list[Finding], extra: dict | None = None) -> str:
    document = {
        "version": JSON_SCHEMA_VERSION,
        "summary": count_by_severity(findings),
        "findings": [f.to_json() for f in sort_findings(findings)],
    }
    document.update(extra or {})
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
