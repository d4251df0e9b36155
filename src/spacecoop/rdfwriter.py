"""Deterministic RDF writers: pretty Turtle and sorted N-Triples that diff cleanly in git.

The same triples always give the same bytes, whatever order a parser produced them in:
subjects and predicates are sorted (ontology headers first, ``rdf:type`` and labels first),
blank nodes referenced once are written inline as ``[ ... ]`` or ``( ... )``, and any other
blank node gets a label derived from its content and position in the graph, never from the
parser's random identifiers.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"
_FIRST_PREDICATES = (
    RDF + "type",
    RDFS + "label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://purl.org/dc/terms/title",
)
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*(?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?[0-9]*\.[0-9]+$")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class _Graph:
    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.out: dict[Term, dict[ox.NamedNode, set[Term]]] = defaultdict(lambda: defaultdict(set))
        self.incoming: dict[ox.BlankNode, list[tuple[Term, ox.NamedNode]]] = defaultdict(list)
        for t in set(triples):
            self.out[t.subject][t.predicate].add(t.object)
            if isinstance(t.object, ox.BlankNode):
                self.incoming[t.object].append((t.subject, t.predicate))


def _content_digest(graph: _Graph, node: ox.BlankNode, seen: frozenset = frozenset()) -> str:
    """A digest of what a blank node says, recursively (cycles cut by 'seen')."""
    parts = []
    for predicate, objects in graph.out.get(node, {}).items():
        for obj in objects:
            if isinstance(obj, ox.BlankNode):
                text = "_" if obj in seen else _content_digest(graph, obj, seen | {node})
            else:
                text = str(obj)
            parts.append(f"{predicate.value} {text}")
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def canonical_bnode_labels(triples: Iterable[ox.Triple]) -> dict[ox.BlankNode, str]:
    """Deterministic labels: content digest plus the (subject, predicate) that points at it."""
    graph = _Graph(triples)
    nodes = {n for n in graph.out if isinstance(n, ox.BlankNode)} | set(graph.incoming)
    labels: dict[ox.BlankNode, str] = {}
    memo: dict[ox.BlankNode, str] = {}

    def context(node: ox.BlankNode, depth: int = 0) -> str:
        if node in memo:
            return memo[node]
        refs = []
        for subject, predicate in graph.incoming.get(node, []):
            if isinstance(subject, ox.BlankNode):
                parent = context(subject, depth + 1) if depth < 50 else "deep"
            else:
                parent = str(subject)
            refs.append(f"{parent} {predicate.value}")
        memo[node] = hashlib.sha256(
            (_content_digest(graph, node) + "|" + "|".join(sorted(refs))).encode()
        ).hexdigest()
        return memo[node]

    counts: dict[str, int] = defaultdict(int)
    for node in sorted(nodes, key=lambda n: context(n)):
        digest = context(node)[:16]
        # Nodes with identical content and context are interchangeable: numbering them in any
        # order gives the same output.
        labels[node] = f"b{digest}{counts[digest] or ''}"
        counts[digest] += 1
    return labels


def relabel(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples with every blank node replaced by its canonical label."""
    triples = list(triples)
    # Only triples that touch a blank node decide its label: index just those.
    involved = [
        t
        for t in triples
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
    ]
    labels = canonical_bnode_labels(involved) if involved else {}
    if not labels:
        return triples

    def fix(term: Term) -> Term:
        return ox.BlankNode(labels[term]) if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(fix(t.subject), t.predicate, fix(t.object)) for t in triples]


def _chunked(lines: list[str], size: int = 8192) -> Iterator[bytes]:
    """Sorted lines as a few large byte chunks, never the whole file as one string."""
    for start in range(0, len(lines), size):
        yield "".join(lines[start : start + size]).encode("utf-8")


def iter_ntriples(triples: Iterable[ox.Triple]) -> Iterator[bytes]:
    """:func:`write_ntriples` streamed in chunks (for large graphs)."""
    return _chunked(sorted({f"{t.subject} {t.predicate} {t.object} .\n" for t in relabel(triples)}))


def write_ntriples(triples: Iterable[ox.Triple]) -> bytes:
    """Canonical N-Triples, one sorted line per distinct triple."""
    return b"".join(iter_ntriples(triples))


def iter_nquads(quads: Iterable[ox.Quad]) -> Iterator[bytes]:
    """:func:`write_nquads` streamed in chunks (for large datasets)."""
    by_graph: dict[object, list[ox.Triple]] = defaultdict(list)
    for q in quads:
        by_graph[q.graph_name].append(q.triple)
    lines: set[str] = set()
    while by_graph:
        graph_name, triples = by_graph.popitem()
        suffix = "" if isinstance(graph_name, ox.DefaultGraph) else f" {graph_name}"
        lines.update(f"{t.subject} {t.predicate} {t.object}{suffix} .\n" for t in relabel(triples))
        del triples
    return _chunked(sorted(lines))


def write_nquads(quads: Iterable[ox.Quad]) -> bytes:
    """Sorted N-Quads (blank nodes relabelled per graph)."""
    return b"".join(iter_nquads(quads))


class TurtleWriter:
    """Pretty, sorted Turtle for a set of triples."""

    def __init__(self, triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> None:
        self.triples = relabel(triples)
        self.graph = _Graph(self.triples)
        self.prefixes = dict(sorted(prefixes.items(), key=lambda kv: -len(kv[1])))
        self.used: set[str] = set()
        self.inlinable = {
            node
            for node, refs in self.graph.incoming.items()
            if len(refs) == 1 and refs[0][0] != node and not self._is_ancestor(node, refs[0][0])
        }

    def _is_ancestor(self, node: ox.BlankNode, subject: Term) -> bool:
        seen: set[Term] = set()
        current: Term = subject
        while isinstance(current, ox.BlankNode) and current not in seen:
            if current == node:
                return True
            seen.add(current)
            refs = self.graph.incoming.get(current, [])
            if len(refs) != 1:
                return False
            current = refs[0][0]
        return False

    def iri(self, value: str) -> str:
        for name, namespace in self.prefixes.items():
            if value.startswith(namespace):
                local = value[len(namespace) :]
                if local == "" or _LOCAL.match(local):
                    self.used.add(name)
                    return f"{name}:{local}"
        return f"<{value}>"

    def literal(self, literal: ox.Literal) -> str:
        quoted = str(ox.Literal(literal.value))  # N-Triples escaping of the lexical form
        if literal.language:
            return f"{quoted}@{literal.language}"
        datatype = literal.datatype.value
        if datatype == XSD + "string":
            return quoted
        if datatype == XSD + "integer" and _INTEGER.match(literal.value):
            return literal.value
        if datatype == XSD + "decimal" and _DECIMAL.match(literal.value):
            return literal.value
        if datatype == XSD + "boolean" and literal.value in ("true", "false"):
            return literal.value
        return f"{quoted}^^{self.iri(datatype)}"

    def term(self, term: Term, indent: int) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            return self.literal(term)
        if term in self.inlinable:
            items = self._collection(term)
            if items is not None:
                return "( " + " ".join(self.term(i, indent) for i in items) + " )"
            body = self.predicate_objects(term, indent + 1)
            pad = "    " * indent
            return "[\n" + body + f"\n{pad}]" if body else "[]"
        return f"_:{term.value}"

    def _collection(self, node: ox.BlankNode) -> list[Term] | None:
        items: list[Term] = []
        current: Term = node
        seen: set[Term] = set()
        while current != ox.NamedNode(RDF + "nil"):
            if not isinstance(current, ox.BlankNode) or current in seen:
                return None
            if current != node and current not in self.inlinable:
                return None
            seen.add(current)
            props = self.graph.out.get(current, {})
            keys = {p.value for p in props}
            first = props.get(ox.NamedNode(RDF + "first"), set())
            rest = props.get(ox.NamedNode(RDF + "rest"), set())
            if keys != {RDF + "first", RDF + "rest"} or len(first) != 1 or len(rest) != 1:
                return None
            items.append(next(iter(first)))
            current = next(iter(rest))
        return items

    @staticmethod
    def _predicate_order(predicate: ox.NamedNode) -> tuple[int, str]:
        value = predicate.value
        rank = (
            _FIRST_PREDICATES.index(value) if value in _FIRST_PREDICATES else len(_FIRST_PREDICATES)
        )
        return (rank, value)

    def predicate_objects(self, subject: Term, indent: int) -> str:
        pad = "    " * indent
        lines = []
        for predicate in sorted(self.graph.out.get(subject, {}), key=self._predicate_order):
            objects = sorted(self.term(o, indent + 1) for o in self.graph.out[subject][predicate])
            joined = (
                " ,\n".join(o if i == 0 else pad + "    " + o for i, o in enumerate(objects))
                if any("\n" in o for o in objects) or len(objects) > 3
                else " , ".join(objects)
            )
            # "a" abbreviates rdf:type only as a predicate; as an object it is a syntax error.
            verb = "a" if predicate.value == RDF + "type" else self.iri(predicate.value)
            lines.append(f"{pad}{verb} {joined}")
        return " ;\n".join(lines)

    def subject_order(self, subject: Term) -> tuple[int, str]:
        types = {
            o.value
            for o in self.graph.out[subject].get(ox.NamedNode(RDF + "type"), set())
            if isinstance(o, ox.NamedNode)
        }
        rank = 0 if OWL_ONTOLOGY in types else 2 if isinstance(subject, ox.BlankNode) else 1
        return (rank, subject.value)

    def write(self) -> bytes:
        blocks = []
        for subject in sorted(self.graph.out, key=self.subject_order):
            if subject in self.inlinable:
                continue
            head = (
                self.term(subject, 0)
                if not isinstance(subject, ox.BlankNode)
                else f"_:{subject.value}"
            )
            blocks.append(f"{head}\n" + self.predicate_objects(subject, 1) + " .\n")
        header = "".join(
            f"@prefix {name}: <{namespace}> .\n"
            for name, namespace in sorted(self.prefixes.items())
            if name in self.used
        )
        return (header + "\n" + "\n".join(blocks)).encode("utf-8")


def write_turtle(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    return TurtleWriter(triples, prefixes).write()
