"""The query page: one self-contained HTML document, no CDN and no network beyond the endpoint.

Styles and script are inlined from ``static/`` and allowed by hash in a strict
Content-Security-Policy, so the page runs nothing else. The competency questions of the project
(``queries/*.rq``, labelled by their ``# Question:`` header) are embedded as JSON examples.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from spacecoop.queries import question_of


@dataclass(frozen=True)
class Example:
    label: str
    file: str
    query: str


@dataclass(frozen=True)
class Page:
    html: bytes
    csp: str


def examples_from(paths: list[Path]) -> list[Example]:
    """One example per query file: its question as the label, else its file name."""
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        found.append(Example(question_of(text) or path.stem, path.name, text))
    return found


def _asset(name: str) -> str:
    return (files("spacecoop.endpoint") / "static" / name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def build_page(
    title: str, endpoint: str, examples: list[Example], timeout: float, max_rows: int
) -> Page:
    """The page and the Content-Security-Policy that allows exactly its inline code."""
    style, script = _asset("query.css"), _asset("query.js")
    data = json.dumps([vars(e) for e in examples], ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    values = {
        "{{TITLE}}": html.escape(title),
        "{{ENDPOINT}}": html.escape(endpoint),
        "{{TIMEOUT}}": f"{timeout:g}",
        "{{MAX_ROWS}}": f"{max_rows:,}" if max_rows else "any number of",
        "{{INITIAL}}": "",
        "{{EXAMPLES}}": data,
        "{{STYLE}}": style,
        "{{SCRIPT}}": script,
    }
    document = _asset("query.html")
    for key in ("{{TITLE}}", "{{ENDPOINT}}", "{{TIMEOUT}}", "{{MAX_ROWS}}", "{{INITIAL}}"):
        document = document.replace(key, values[key])
    # code last, so that placeholders inside it are never replaced
    for key in ("{{EXAMPLES}}", "{{STYLE}}", "{{SCRIPT}}"):
        document = document.replace(key, values[key])
    csp = (
        "default-src 'none'; "
        f"script-src {_hash(script)}; style-src {_hash(style)}; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    return Page(document.encode("utf-8"), csp)
