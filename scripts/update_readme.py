"""Rewrite the figures block of README.md from a real `spacecoop build --json`.

Run: .venv/bin/python scripts/update_readme.py   (tests/test_repository.py checks it is current)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- build-summary:start -->", "<!-- build-summary:end -->"


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1048576:.1f} MiB"


def render(summary: dict, vocabulary_namespace: str) -> str:
    """The Markdown block for one build summary (no timings: they differ between runs)."""
    files = summary["files"]
    kinds = {k: sum(1 for f in files if f["kind"] == k) for k in ("ontology", "shapes", "data")}
    lines = [
        START,
        "Figures printed by `spacecoop build --json` (regenerate with `scripts/update_readme.py`):",
        "",
        "| | |",
        "|---|---|",
        f"| source files | {kinds['ontology']} ontology, {kinds['shapes']} shapes, "
        f"{kinds['data']} data |",
        f"| triples (all sources) | {summary['triples']} |",
        f"| vocabulary | {summary['classes']} classes, {summary['properties']} properties |",
        f"| entities (typed subjects in `data/`) | {summary['instances']} |",
        f"| sources cited (distinct URLs) | {summary['sources_cited']} |",
        "| language-tagged literals | "
        + ", ".join(f"{k}: {v}" for k, v in summary["languages"].items())
        + " |",
        "| findings | "
        + ", ".join(f"{n} {s}" for s, n in summary["findings_by_severity"].items())
        + " |",
        f"| competency questions | {sum(q['passed'] for q in summary['questions'])} of "
        f"{len(summary['questions'])} answer as expected |",
        f"| store | {summary['store_quads']} quads |",
        "",
        "Entities per class (top 12):",
        "",
        "| class | entities |",
        "|---|---|",
    ]
    for iri, count in list(summary["instances_by_class"].items())[:12]:
        name = iri.replace(vocabulary_namespace, "sc:")
        lines.append(f"| `{name}` | {count} |")
    lines += ["", "Outputs in `dist/`:", "", "| file | size |", "|---|---|"]
    for output in summary["outputs"]:
        lines.append(f"| `{output['name']}` | {_size(output['size'])} |")
    lines.append(END)
    return "\n".join(lines)


def replace_block(readme: str, block: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(readme):
        raise SystemExit("README.md has no build-summary block")
    return pattern.sub(lambda _m: block, readme)


def main() -> None:
    from spacecoop.config import load_config

    config = load_config(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "spacecoop", "-q", "build", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"build failed ({result.returncode}):\n{result.stderr}")
    summary = json.loads(result.stdout)
    readme = ROOT / "README.md"
    block = render(summary, config.vocabulary_namespace)
    readme.write_text(replace_block(readme.read_text(encoding="utf-8"), block), encoding="utf-8")
    print("README.md figures updated")


if __name__ == "__main__":
    main()
