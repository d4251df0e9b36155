"""SPARQL 1.1 Protocol, §2.1 (query operation) and §2.2 (update operation).

One function, :func:`read_operation`, turns an HTTP request into exactly one operation or a
:class:`ProtocolError` carrying the 4xx status and a plain-text reason. The rules, with the
section of https://www.w3.org/TR/sparql11-protocol/ they come from:

- §2.1.1 query via GET: ``query`` once in the URL, plus ``default-graph-uri``/``named-graph-uri``.
- §2.1.2 query via POST with ``application/x-www-form-urlencoded``; §2.1.3 via POST directly with
  ``application/sparql-query`` (dataset parameters in the URL).
- §2.2.1/§2.2.2 update via POST (form or ``application/sparql-update``); never via GET.
- Exactly one ``query`` or ``update`` parameter; UTF-8 only; any other method is refused.

The body is read with a byte cap so an oversized request ends in 413 without being buffered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


class ProtocolError(Exception):
    """A request the protocol does not allow; ``status`` is the 4xx to answer with."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Operation:
    """One protocol operation: a query or an update, with its protocol-given dataset."""

    kind: str  # "query" or "update"
    text: str
    default_graphs: list[str] = field(default_factory=list)  # default-graph-uri / using-graph-uri
    named_graphs: list[str] = field(default_factory=list)  # named-graph-uri / using-named-graph-uri

    @property
    def has_protocol_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def media_type(header: str | None) -> tuple[str, dict[str, str]]:
    """``type/subtype`` in lower case and its parameters."""
    if not header:
        return "", {}
    main, *params = header.split(";")
    parsed = {}
    for param in params:
        key, _, value = param.partition("=")
        parsed[key.strip().lower()] = value.strip().strip('"')
    return main.strip().lower(), parsed


def parse_params(raw: bytes | str, where: str) -> list[tuple[str, str]]:
    """URL-encoded parameters, decoded strictly as UTF-8."""
    text = raw.decode("ascii", "strict") if isinstance(raw, bytes) else raw
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {where} is not valid UTF-8 after percent-decoding") from None


def _values(params: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in params if key == name]


def _check_charset(params: dict[str, str], kind: str) -> None:
    charset = params.get("charset")
    if charset is not None and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise ProtocolError(
            415, f"{kind} requests must be encoded as UTF-8 (got charset={charset})"
        )


async def read_body(chunks: AsyncIterator[bytes], declared: str | None, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it exceeds ``limit`` bytes."""
    if declared is not None:
        try:
            if int(declared) > limit:
                raise ProtocolError(413, _too_large(limit))
        except ValueError:
            raise ProtocolError(400, "Content-Length is not a number") from None
    body = bytearray()
    async for chunk in chunks:
        body.extend(chunk)
        if len(body) > limit:
            raise ProtocolError(413, _too_large(limit))
    return bytes(body)


def _too_large(limit: int) -> str:
    return f"request body too large: this endpoint accepts at most {limit} bytes"


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = _values(params, name)
    if len(values) > 1:
        raise ProtocolError(
            400, f"more than one '{name}' parameter: send exactly one {name} per request"
        )
    return values[0] if values else None


def _operation(params: list[tuple[str, str]], allow_update: bool) -> Operation | None:
    query, update = _single(params, "query"), _single(params, "update")
    if query is not None and update is not None:
        raise ProtocolError(400, "a request carries either 'query' or 'update', not both")
    if update is not None:
        if not allow_update:
            raise ProtocolError(
                400, "SPARQL Update must be sent with POST (form or application/sparql-update)"
            )
        return Operation(
            "update",
            update,
            _values(params, "using-graph-uri"),
            _values(params, "using-named-graph-uri"),
        )
    if query is not None:
        return Operation(
            "query", query, _values(params, "default-graph-uri"), _values(params, "named-graph-uri")
        )
    return None


def from_get(query_string: str) -> Operation | None:
    """§2.1.1: a query in the URL; ``None`` when there is none (service description or page)."""
    return _operation(parse_params(query_string, "query string"), allow_update=False)


def from_post(query_string: str, content_type: str | None, body: bytes) -> Operation:
    """§2.1.2, §2.1.3, §2.2.1 and §2.2.2: the three POST forms."""
    kind, params = media_type(content_type)
    url_params = parse_params(query_string, "query string")
    if kind == FORM:
        _check_charset(params, "form")
        try:
            form = parse_params(body, "form body")
        except UnicodeDecodeError:
            raise ProtocolError(400, "a form body must be ASCII (percent-encoded UTF-8)") from None
        operation = _operation(url_params + form, allow_update=True)
        if operation is None:
            raise ProtocolError(400, "the form has no 'query' or 'update' parameter")
        return operation
    if kind in (QUERY_TYPE, UPDATE_TYPE):
        label = "query" if kind == QUERY_TYPE else "update"
        _check_charset(params, label)
        if _values(url_params, "query") or _values(url_params, "update"):
            raise ProtocolError(
                400, f"the {label} is in the body; do not repeat it as a URL parameter"
            )
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(400, f"the {label} is not valid UTF-8 (byte {exc.start})") from None
        if kind == QUERY_TYPE:
            return Operation(
                "query",
                text,
                _values(url_params, "default-graph-uri"),
                _values(url_params, "named-graph-uri"),
            )
        return Operation(
            "update",
            text,
            _values(url_params, "using-graph-uri"),
            _values(url_params, "using-named-graph-uri"),
        )
    got = f"Content-Type {content_type!r}" if content_type else "no Content-Type"
    raise ProtocolError(
        415,
        f"unsupported POST with {got}: send {QUERY_TYPE}, {UPDATE_TYPE} or {FORM}",
    )
