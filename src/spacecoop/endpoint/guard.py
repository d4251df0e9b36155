"""What a public endpoint refuses before evaluation: remote access and foreign datasets.

pyoxigraph ships an HTTP client: ``SERVICE <url>`` in a query and ``LOAD <url>`` in an update
would make the server fetch from any host, and ``LOAD <file:...>`` would try to read files. The
endpoint therefore scans every operation with a small SPARQL tokenizer (strings, IRIs, comments
and prefixed names are recognised, so a ``"SERVICE"`` literal or an ``ex:load`` name is not a
keyword) and refuses ``SERVICE`` and ``LOAD`` outright. ``FROM``/``FROM NAMED``/``USING`` IRIs
are collected (prefixed names expanded, relative IRIs resolved against ``BASE``) so the worker
can check that each names a graph held in the store.

The tokenizer errs on the side of refusing: text it cannot tokenise is skipped one character at
a time, so a keyword is never hidden inside something the real parser would not accept either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

_IRIREF = re.compile(r'<([^<>"{}|^`\\\x00-\x20]*)>')
_STRINGS = (
    re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.S),
    re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.S),
    re.compile(r"'(?:[^'\\\n\r]|\\.)*'"),
    re.compile(r'"(?:[^"\\\n\r]|\\.)*"'),
)
_VAR = re.compile(r"[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+")
_PNAME = re.compile(r"(?:[^\W\d_][\w.\-]*)?:(?:[\w:%\-\\]|\.(?=[\w:%\-\\]))*")
_WORD = re.compile(r"[A-Za-z_][\w]*")
_LANGTAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Token:
    kind: str  # iri, string, var, pname, word, lang, punct
    text: str
    position: int


class Refused(Exception):
    """The operation asks for something this endpoint never does (answered with 400)."""


def tokens(text: str) -> list[Token]:
    """SPARQL tokens relevant to the guard; comments and whitespace are dropped."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
            continue
        if c == "#":
            end = min((p for p in (text.find("\n", i), text.find("\r", i)) if p >= 0), default=n)
            i = end
            continue
        match = None
        kind = "punct"
        if c == "<":
            match, kind = _IRIREF.match(text, i), "iri"
        elif c in "'\"":
            for pattern in _STRINGS:
                match = pattern.match(text, i)
                if match:
                    kind = "string"
                    break
        elif c in "?$":
            match, kind = _VAR.match(text, i), "var"
        elif c == "@":
            match, kind = _LANGTAG.match(text, i), "lang"
        if match is None and kind in ("punct", "var") and c not in "<'\"@":
            pname = _PNAME.match(text, i)
            if pname and ":" in pname.group():
                match, kind = pname, "pname"
            else:
                match, kind = _WORD.match(text, i), "word"
        if match is None or match.end() == i:
            out.append(Token("punct", c, i))
            i += 1
            continue
        out.append(Token(kind, match.group(), i))
        i = match.end()
    return out


@dataclass
class Scan:
    """What an operation names: its dataset IRIs, and whether it is an update form."""

    dataset: list[str] = field(default_factory=list)  # FROM, FROM NAMED, USING, USING NAMED
    has_dataset_clause: bool = False  # FROM / FROM NAMED (changes the query's default graph)
    has_using_or_with: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)  # PREFIX declarations, for output


def _line_col(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"line {line}, column {column}"


def scan(text: str, base_iri: str) -> Scan:
    """Collect dataset IRIs; raise :class:`Refused` for ``SERVICE`` and ``LOAD``."""
    result = Scan()
    prefixes: dict[str, str] = {}
    base = base_iri
    toks = tokens(text)

    def resolve(tok: Token) -> str | None:
        if tok.kind == "iri":
            return urljoin(base, tok.text[1:-1])
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        return None

    for index, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        following = toks[index + 1 : index + 4]
        if word == "SERVICE":
            raise Refused(
                f"SERVICE (federated query) is not allowed on this endpoint "
                f"({_line_col(text, tok.position)}): it only answers from its own store"
            )
        if word == "LOAD":
            raise Refused(
                f"LOAD is not allowed on this endpoint ({_line_col(text, tok.position)}): "
                "it never fetches documents from other hosts or files"
            )
        if word == "PREFIX" and len(following) >= 2 and following[1].kind == "iri":
            name = following[0].text.rstrip(":") if following[0].kind == "pname" else None
            if name is not None and following[0].text.endswith(":"):
                prefixes[name] = urljoin(base, following[1].text[1:-1])
        elif word == "BASE" and following and following[0].kind == "iri":
            base = urljoin(base, following[0].text[1:-1])
        elif word in ("FROM", "USING"):
            if word == "FROM":
                result.has_dataset_clause = True
            else:
                result.has_using_or_with = True
            rest = following
            if rest and rest[0].kind == "word" and rest[0].text.upper() == "NAMED":
                rest = rest[1:]
            iri = resolve(rest[0]) if rest else None
            if iri is None:
                raise Refused(
                    f"{word} must name a graph of this store by IRI "
                    f"({_line_col(text, tok.position)})"
                )
            result.dataset.append(iri)
        elif word == "WITH":
            result.has_using_or_with = True
    result.prefixes = prefixes
    return result
