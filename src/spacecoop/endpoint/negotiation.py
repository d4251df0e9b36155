"""Content negotiation (RFC 9110 §12.5.1) over the formats a result can take.

The kind of result (solutions, boolean, triples) is only known once the query is parsed, so
the endpoint negotiates all three up front and the worker picks the one that applies. Offers are
listed in the server's order of preference; among equal q-values the earlier offer wins, and
a more specific media range (``text/csv``) overrides a wider one (``text/*``, ``*/*``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Offer:
    media_type: str  # what we answer with, as the Content-Type
    format: str  # key understood by the worker


SOLUTIONS = (
    Offer("application/sparql-results+json", "json"),
    Offer("application/sparql-results+xml", "xml"),
    Offer("text/csv; charset=utf-8", "csv"),
    Offer("text/tab-separated-values; charset=utf-8", "tsv"),
    Offer("application/json", "json"),
    Offer("application/xml", "xml"),
    Offer("text/xml", "xml"),
)
BOOLEAN = (
    Offer("application/sparql-results+json", "json"),
    Offer("application/sparql-results+xml", "xml"),
    Offer("application/json", "json"),
    Offer("application/xml", "xml"),
    Offer("text/xml", "xml"),
)
TRIPLES = (
    Offer("text/turtle; charset=utf-8", "ttl"),
    Offer("application/n-triples", "nt"),
    Offer("application/ld+json", "jsonld"),
    Offer("application/rdf+xml", "rdfxml"),
)
HTML = Offer("text/html; charset=utf-8", "html")

MediaRange = tuple[str, str, float]


def parse_accept(header: str | None) -> list[MediaRange]:
    """``(type, subtype, q)`` for each media range; no header means ``*/*``."""
    if header is None or not header.strip():
        return [("*", "*", 1.0)]
    ranges: list[MediaRange] = []
    for part in header.split(","):
        main, *params = part.split(";")
        main = main.strip().lower()
        if "/" not in main:
            continue
        kind, _, sub = main.partition("/")
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((kind, sub, q))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q-value the most specific matching range gives ``media_type`` (0 when none)."""
    kind, _, sub = media_type.split(";")[0].strip().lower().partition("/")
    best, specificity = 0.0, -1
    for r_kind, r_sub, q in ranges:
        if (r_kind, r_sub) == (kind, sub):
            level = 2
        elif r_kind == kind and r_sub == "*":
            level = 1
        elif (r_kind, r_sub) == ("*", "*"):
            level = 0
        else:
            continue
        if level > specificity:
            best, specificity = q, level
    return best


def choose(ranges: list[MediaRange], offers: tuple[Offer, ...]) -> Offer | None:
    """The acceptable offer with the highest q-value; the earliest one on a tie."""
    chosen, chosen_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer.media_type)
        if q > chosen_q:
            chosen, chosen_q = offer, q
    return chosen


def negotiate_results(header: str | None) -> dict[str, Offer | None]:
    """The format for each result kind, or ``None`` where nothing acceptable is on offer."""
    ranges = parse_accept(header)
    return {
        "solutions": choose(ranges, SOLUTIONS),
        "boolean": choose(ranges, BOOLEAN),
        "triples": choose(ranges, TRIPLES),
    }


def prefers_html(header: str | None, offers: tuple[Offer, ...]) -> bool:
    """Whether a browser-like client ranks HTML above every machine format on offer."""
    ranges = parse_accept(header)
    html = quality(ranges, HTML.media_type)
    if html <= 0 or not any(r[:2] == ("text", "html") for r in ranges):
        return False
    return all(html >= quality(ranges, offer.media_type) for offer in offers)


def supported_list(offers: tuple[Offer, ...]) -> str:
    return ", ".join(dict.fromkeys(o.media_type.split(";")[0] for o in offers))
