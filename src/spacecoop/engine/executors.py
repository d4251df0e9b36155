"""Where compiled queries run: the embedded pyoxigraph store, or a SPARQL 1.1 endpoint.

Both return solutions as rdflib terms (the findings model and pySHACL's report use rdflib),
converting only the few rows that are violations. pyoxigraph releases the GIL while it
evaluates a query, so a thread pool of two runs two queries on two cores.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

import pyoxigraph as ox
import rdflib

from spacecoop.errors import SpacecoopError
from spacecoop.graphs import to_rdflib, to_rdflib_term
from spacecoop.load import LoadedDataset, spelled_names

Row = dict[str, rdflib.term.Node]


class Executor(Protocol):
    """Runs SELECT queries; knows how to hand the whole data graph to pySHACL."""

    def select(self, query: str) -> list[Row]:
        """Solutions as rdflib terms."""
        ...

    def select_raw(self, query: str) -> list[dict]:
        """Solutions in the executor's own terms (cheap; see :meth:`convert`)."""
        ...

    def convert(self, answers: list[list[dict]]) -> list[list[Row]]:
        """Raw solutions of many queries as rdflib terms, with the data's own lexical forms."""
        ...

    def data_graph(self) -> rdflib.Graph: ...


XSD = "http://www.w3.org/2001/XMLSchema#"
# Datatypes whose literals the store keeps as values, so it may answer with another lexical
# form ("4.0" -> "4") or, for the integer family, another datatype (xsd:byte -> xsd:integer).
_VALUE_TYPES = """integer decimal double float boolean date dateTime dateTimeStamp time duration
dayTimeDuration yearMonthDuration gYear gYearMonth gMonth gDay gMonthDay byte short int long
nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger unsignedByte
unsignedShort unsignedInt unsignedLong"""
VALUE_TYPES = frozenset(XSD + t for t in _VALUE_TYPES.split())


class StoreExecutor:
    """An in-memory pyoxigraph store holding the data graph.

    The data may sit in named graphs (one per source file, as loaded): queries then see their
    union. Compiled queries never depend on a triple being stored once (they test existence or
    use DISTINCT), so a triple written in two files changes no result.
    """

    def __init__(
        self,
        store: ox.Store,
        quads: Iterable[ox.Quad] | None = None,
        union: bool = True,
    ) -> None:
        """``quads`` (re-iterable) are the data as written, for the literals' lexical forms;
        queries see the union of the store's graphs (its default graph if ``union`` is False)."""
        self.store = store
        self._quads = quads
        self.union = union

    @classmethod
    def from_dataset(cls, dataset: LoadedDataset, *kinds: str) -> StoreExecutor:
        """The dataset's own store of ``kinds`` (nothing copied when it is the loaded one)."""
        return cls(dataset.store(*kinds), _Rereadable(dataset, kinds))

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad]) -> StoreExecutor:
        """A fresh in-memory store with these quads, inserted without converting them."""
        store = ox.Store()
        kept = list(quads)
        store.bulk_extend(kept)
        return cls(store, kept)

    @classmethod
    def from_triples(cls, triples: Iterable[ox.Triple]) -> StoreExecutor:
        """A fresh store with triples in its default graph."""
        return cls.from_quads(ox.Quad(t.subject, t.predicate, t.object) for t in triples)

    @property
    def _triples(self) -> Iterable[ox.Triple] | None:
        return None if self._quads is None else (q.triple for q in self._quads)

    def select_raw(self, query: str) -> list[dict]:
        try:
            solutions = self.store.query(query, use_default_graph_as_union=self.union)
        except (SyntaxError, ValueError, OSError) as exc:
            raise SpacecoopError(f"compiled query failed: {exc}\n{query}") from None
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        rows = []
        for solution in solutions:
            rows.append({n: v for n in names if (v := solution[n]) is not None})
        return rows

    def select(self, query: str) -> list[Row]:
        return self.convert([self.select_raw(query)])[0]

    def convert(self, answers: list[list[dict]]) -> list[list[Row]]:
        originals = self._originals(answers)
        with quiet_rdflib():
            return self._convert(answers, originals)

    def _convert(self, answers: list[list[dict]], originals: dict) -> list[list[Row]]:
        converted = []
        for rows in answers:
            out = []
            for row in rows:
                out.append(
                    {
                        name: to_rdflib_term(originals.get(value, value))
                        for name, value in row.items()
                    }
                )
            converted.append(out)
        return converted

    def _originals(self, answers: list[list[dict]]) -> dict:
        """The data's own literal for each store literal that may have been normalized."""
        wanted = {
            value
            for rows in answers
            for row in rows
            for value in row.values()
            if isinstance(value, ox.Literal) and value.datatype.value in VALUE_TYPES
        }
        if not wanted or self._quads is None:
            return {}
        if isinstance(self._quads, _Rereadable):
            written = self._quads.written_about(self.store, wanted)
        else:
            written = [o for _, o in _value_literals(self._quads)]
        found: dict = {}
        for original, stored in zip(written, _stored(written), strict=True):
            if stored in wanted and stored != original:
                found.setdefault(stored, original)
        return found

    def describe(self, node: rdflib.term.Node, depth: int = 0) -> rdflib.Graph:
        """The triples about a blank node (and blank nodes below it), for messages."""
        graph = rdflib.Graph()
        pending = [node]
        seen = set()
        while pending and len(seen) < 50:
            current = pending.pop()
            if current in seen or not isinstance(current, rdflib.BNode):
                continue
            seen.add(current)
            for quad in self.store.quads_for_pattern(ox.BlankNode(str(current)), None, None, None):
                o = to_rdflib_term(quad.object)
                graph.add((current, to_rdflib_term(quad.predicate), o))
                pending.append(o)
        return graph

    def stored_forms(
        self, datatypes: set[str], predicates: set[str] | None = None
    ) -> list[tuple[ox.Literal, ox.Literal]]:
        """(as written, as stored) for every literal of ``datatypes`` in the data (objects of
        ``predicates`` only, when given)."""
        if self._quads is None:
            return []
        if isinstance(self._quads, _Rereadable):
            names = {d.rsplit("#", 1)[-1] for d in datatypes if d != XSD + "integer"}
            if not self._quads.mention(names):
                # No source writes any of these datatypes (xsd:integer, which bare digits
                # write, is only asked for beside them): no literal to list, nothing to read.
                return []
            if XSD + "integer" in datatypes:
                pairs = self._quads.value_literals()  # bare digits: every literal is read
            else:
                pairs = self._quads.typed_literals(names)
        else:
            pairs = _value_literals(self._quads)
        written = [
            o
            for p, o in pairs
            if o.datatype.value in datatypes and (predicates is None or p in predicates)
        ]
        return list(zip(written, _stored(written), strict=True))

    def data_graph(self) -> rdflib.Graph:
        triples = (
            self._triples
            if self._quads is not None
            else (q.triple for q in self.store.quads_for_pattern(None, None, None))
        )
        return to_rdflib(triples)


class _Rereadable:
    """The quads of some kinds of a dataset, read again on each iteration."""

    def __init__(self, dataset: LoadedDataset, kinds: tuple[str, ...]) -> None:
        self.dataset, self.kinds = dataset, kinds
        self._literals: list[tuple[str, ox.Literal]] | None = None

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.dataset.quads(*self.kinds)

    def value_literals(self) -> list[tuple[str, ox.Literal]]:
        """(predicate, literal as written) for every literal of a value datatype; read once."""
        if self._literals is None:
            self._literals = [
                pair
                for source in self.dataset.of_kind(*self.kinds)
                for pair in _value_literals(source.iter_parsed())
            ]
        return self._literals

    def typed_literals(self, names: set[str]) -> list[tuple[str, ox.Literal]]:
        """(predicate, literal as written) for the literals whose datatype has one of these
        local names: only the lines that spell them, where a file allows."""
        return [
            pair
            for source in self.dataset.of_kind(*self.kinds)
            for pair in source.typed_literals(names)
        ]

    def written_about(self, store: ox.Store, values: set[ox.Literal]) -> list[ox.Literal]:
        """Value literals as written in the triples of the subjects that hold ``values`` in
        ``store`` (whose named graphs are the sources): a few statements read, not every file."""
        holders: dict[str, set] = defaultdict(set)
        for value in values:
            for quad in store.quads_for_pattern(None, None, value, None):
                if isinstance(quad.graph_name, ox.NamedNode):
                    holders[quad.graph_name.value].add(quad.subject)
        return [
            o
            for source in self.dataset.of_kind(*self.kinds)
            if source.graph in holders
            for _, o in _value_literals(source.triples_about(holders[source.graph]))
        ]

    def mention(self, names: set[str]) -> bool:
        """Whether a source's text may name a datatype of these local ``names`` (escapes, and
        a prefix that ends inside XML Schema's namespace, count as maybe)."""
        if not names:
            return False
        return any(
            next(spelled_names(source.text, names), None) is not None
            or _INSIDE_XSD.search(source.text) is not None
            or "\\u" in source.text
            or "\\U" in source.text
            for source in self.dataset.of_kind(*self.kinds)
        )


# A prefix or base bound to a string that goes on past XML Schema's "#": "p:nt" could then
# spell xsd:int without the name appearing after a "#" or ":".
_INSIDE_XSD = re.compile(r"(?i:prefix|base)[^<\n]*<[^>\n]*XMLSchema#[^>\s]+>")


def _value_literals(statements: Iterable[ox.Quad | ox.Triple]) -> list[tuple[str, ox.Literal]]:
    """(predicate, literal) for the objects of a value datatype (those the store rewrites)."""
    literal = ox.Literal
    return [
        (q.predicate.value, o)
        for q in statements
        if type(o := q.object) is literal and o.datatype.value in VALUE_TYPES
    ]


def _stored(literals: list[ox.Literal]) -> list[ox.Literal]:
    """How a pyoxigraph store gives each literal back (it keeps values, not lexical forms)."""
    probe = ox.Store()
    predicate = ox.NamedNode("urn:x-spacecoop:value")
    probe.extend(
        ox.Quad(ox.NamedNode(f"urn:x-spacecoop:{i}"), predicate, literal)
        for i, literal in enumerate(literals)
    )
    out: list[ox.Literal] = list(literals)
    for quad in probe.quads_for_pattern(None, predicate, None):
        out[int(quad.subject.value.rsplit(":", 1)[1])] = quad.object  # type: ignore[assignment]
    return out


def collapsed_datatypes(datatypes: list[str]) -> set[str]:
    """Datatypes a pyoxigraph store does not keep (it answers xsd:integer for xsd:byte)."""
    literals = [ox.Literal("1", datatype=ox.NamedNode(d)) for d in datatypes]
    return {
        d
        for d, stored in zip(datatypes, _stored(literals), strict=True)
        if stored.datatype.value != d
    }


_SAME_TERM_IRI = re.compile(r"sameTerm\((\?[A-Za-z0-9_]+), (<[^<>\"{}|^`\\\x00-\x20]*>)\)")


class EndpointExecutor:
    """A remote SPARQL 1.1 Protocol endpoint (queries sent by POST, JSON results).

    ``url`` is the query service, with the data's graph named the standard way when it is
    not the store's default graph: ``?default-graph-uri=IRI`` (Oxigraph server, Virtuoso,
    Fuseki and GraphDB all honour it). A store that caps the rows of one answer (Virtuoso's
    ``ResultSetMaxRows``, announced in its ``X-SPARQL-MaxRows`` header) would silently drop
    results, so a capped answer is an error, never a partial validation.
    """

    def __init__(self, url: str, timeout: float = 300.0) -> None:
        import httpx

        self.url = url
        # Proxy settings from the environment apply, except to this machine's own servers.
        local = httpx.URL(url).host in ("127.0.0.1", "localhost", "::1")
        self.client = httpx.Client(timeout=timeout, trust_env=not local)
        self._server: str | None = None  # the Server header, read by the first request

    @property
    def server(self) -> str:
        """The endpoint's ``Server`` header (``Virtuoso/07.20.3229 ...``), asked once."""
        if self._server is None:
            self._send("ASK {}", "application/sparql-results+json")
        return self._server or ""

    def dialect(self, query: str) -> str:
        """The query as this store evaluates it correctly.

        Virtuoso 7.2 drops solutions of ``sameTerm(?v, <iri>)`` inside ``||`` or ``!`` (a
        compiled sh:in over IRIs then finds nothing); ``(isIRI(?v) && ?v = <iri>)`` means the
        same (two IRIs are equal only when identical) and Virtuoso evaluates it right.
        """
        if self.server.startswith("Virtuoso"):
            return _SAME_TERM_IRI.sub(r"(isIRI(\1) && \1 = \2)", query)
        return query

    def _post(self, query: str, accept: str) -> bytes:
        return self._send(self.dialect(query), accept)

    def _send(self, query: str, accept: str) -> bytes:
        import httpx

        try:
            response = self.client.post(self.url, data={"query": query}, headers={"Accept": accept})
        except httpx.HTTPError as exc:
            raise SpacecoopError(f"SPARQL endpoint {self.url}: {exc}") from None
        self._server = response.headers.get("Server", "")
        if response.status_code != 200:
            detail = response.text.strip().splitlines()[:1]
            raise SpacecoopError(
                f"SPARQL endpoint {self.url} answered {response.status_code}: "
                f"{detail[0] if detail else ''}"
            )
        cap = response.headers.get("X-SPARQL-MaxRows")
        if cap is not None:
            raise SpacecoopError(
                f"SPARQL endpoint {self.url} cut its answer at {cap} rows (X-SPARQL-MaxRows), "
                "so results would be missing: raise the store's limit (Virtuoso: [SPARQL] "
                f"ResultSetMaxRows) above the largest answer\n{query}"
            )
        return response.content

    def select_raw(self, query: str) -> list[dict]:
        import json

        data = json.loads(self._post(query, "application/sparql-results+json"))
        return [
            {name: _json_term(value) for name, value in binding.items()}
            for binding in data.get("results", {}).get("bindings", [])
        ]

    def convert(self, answers: list[list[dict]]) -> list[list[Row]]:
        with quiet_rdflib():
            return [
                [{k: to_rdflib_term(v) for k, v in row.items()} for row in rows] for rows in answers
            ]

    def select(self, query: str) -> list[Row]:
        return self.convert([self.select_raw(query)])[0]

    def data_graph(self) -> rdflib.Graph:
        """The whole data graph (for the shapes that run on pySHACL), in ordered pages: one
        CONSTRUCT could be capped by the store. The pages must add up to the store's count."""
        total = int(self.select_raw("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value)
        triples: list[ox.Triple] = []
        page = 500  # below any store's row cap (Virtuoso flags an answer of exactly the cap)
        while len(triples) < total:
            rows = self.select_raw(
                "SELECT ?s ?p ?o WHERE { { SELECT ?s ?p ?o WHERE { ?s ?p ?o } "
                f"ORDER BY ?s ?p ?o }} }} LIMIT {page} OFFSET {len(triples)}"
            )
            if not rows:
                break
            triples.extend(ox.Triple(r["s"], r["p"], r["o"]) for r in rows)
        if len(triples) != total:
            raise SpacecoopError(
                f"SPARQL endpoint {self.url}: read {len(triples)} triples where it counts {total}"
            )
        return to_rdflib(triples)

    def close(self) -> None:
        self.client.close()


def _json_term(value: dict) -> object:
    """A SPARQL JSON results term as a pyoxigraph term (lexical forms kept as sent)."""
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        # Stores label blank nodes their own way (Virtuoso: "nodeID://b10001"); keep the
        # label's letters and digits so that one node keeps one label.
        return ox.BlankNode("".join(c if c.isalnum() else "_" for c in text) or "b")
    language = value.get("xml:lang")
    if language:
        return ox.Literal(text, language=language)
    datatype = value.get("datatype")
    if datatype:
        return ox.Literal(text, datatype=ox.NamedNode(datatype))
    return ox.Literal(text)


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal it converts; those are findings."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
