"""OWL-RL consistency of vocabulary plus data (owlrl), as findings.

The closure is computed on the real graph only (owlrl is far too slow for the scale path):
a member of ``owl:Nothing``, an individual in two disjoint classes, ``owl:sameAs`` between
classes, or an IRI that is relative or points at the file system is a violation.
"""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import owlrl
import pyoxigraph as ox
import rdflib
from owlrl.Namespaces import ERRNS
from rdflib.namespace import OWL, RDF, RDFS

from spacecoop.findings import Finding, Location, Severity
from spacecoop.load import LoadedDataset, SourceFile
from spacecoop.rdfwriter import write_ntriples


def _finding(
    dataset: LoadedDataset,
    message: str,
    focus: str,
    check: str,
    hint: str,
    located: list[Location] | None = None,
) -> Finding:
    locations = [*dataset.locate(focus, None, None), *(located or [])]
    first = locations[0] if locations else None
    return Finding(
        Severity.VIOLATION,
        message,
        "owl",
        focus=focus,
        shape=f"owl:{check}",
        hint=hint,
        file=first.file if first else None,
        line=first.line if first else None,
        column=first.column if first else None,
        related=locations[1:],
    )


def iri_findings(dataset: LoadedDataset) -> list[Finding]:
    """IRIs that are not absolute web identifiers: file: IRIs and other local schemes."""
    found: set[str] = set()
    for source in dataset.of_kind("ontology", "data"):
        if "file:" in source.text or "\\u" in source.text or "\\U" in source.text:
            found |= _file_iris(source)
    return [
        _finding(
            dataset,
            f"IRI points at the file system: <{value}>",
            value,
            "file-iri",
            "use an http(s) IRI under the configured base",
            _uses_as_object(dataset, value),
        )
        for value in sorted(found)
    ]


def _uses_as_object(dataset: LoadedDataset, iri: str, most: int = 3) -> list[Location]:
    """Where a few triples with ``iri`` as object are written (an IRI that is no subject has
    no block of its own to point at)."""
    term = ox.NamedNode(iri)
    found: list[Location] = []
    for source in dataset.of_kind("ontology", "data"):
        for quad in source.store.quads_for_pattern(None, None, term, ox.NamedNode(source.graph)):
            if len(found) >= most:
                return found
            if isinstance(quad.subject, ox.NamedNode):
                found += dataset.locate(quad.subject.value, quad.predicate.value, term)
    return found


_WRITTEN_FILE_IRI = re.compile(r"<(file:[^<>\s]*)>")


def _file_iris(source: SourceFile) -> set[str]:
    """The file: IRIs one source uses as subject, predicate or object.

    Where every IRI is written out in full (no escapes, no relative IRIs, no prefix naming a
    file: namespace), the candidates are read from the text and kept if the store holds them
    as a term (a "<file:...>" inside a literal is not one); else the store is asked.
    """
    graph = ox.NamedNode(source.graph)
    prefixes = source.certain_prefixes() if source.format == ox.RdfFormat.TURTLE else {}
    if (
        source.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)
        and source.targetable()
        and not any("file:" in namespace for namespace in (prefixes or {}).values())
    ):
        store = source.store
        return {
            iri
            for iri in set(_WRITTEN_FILE_IRI.findall(source.text))
            if any(
                next(iter(store.quads_for_pattern(*pattern, graph)), None) is not None  # type: ignore[misc]
                for pattern in _positions(ox.NamedNode(iri))
            )
        }
    rows = source.store.query(
        f"SELECT DISTINCT ?t WHERE {{ GRAPH <{graph.value}> {{ "
        "{ ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } } "
        'FILTER(isIRI(?t) && STRSTARTS(STR(?t), "file:")) }'
    )
    return {row["t"].value for row in rows}  # type: ignore[index, union-attr]


def _positions(term: ox.NamedNode) -> list[tuple]:
    """The three triple patterns in which ``term`` is the subject, predicate or object."""
    return [(term, None, None), (None, term, None), (None, None, term)]


_ANNOTATIONS = {"http://purl.org/dc/terms/source", "http://www.w3.org/ns/prov#wasDerivedFrom"}


def _reasoning_input(dataset: LoadedDataset) -> list:
    """The vocabulary plus the data's links and types: literals and citations cannot make
    individuals inconsistent here (no datatype reasoning), and leaving them out halves the work."""
    kept = list(dataset.triples("ontology"))
    for triple in dataset.triples("data"):
        if type(triple.object).__name__ != "Literal" and triple.predicate.value not in _ANNOTATIONS:
            kept.append(triple)
    return kept


class PendingConsistency:
    """An OWL-RL check running in another process while the caller validates (two cores)."""

    def __init__(self, dataset: LoadedDataset, cache: Path | None) -> None:
        self.dataset = dataset
        triples = _reasoning_input(dataset)
        self.ntriples = write_ntriples(triples)
        digest = hashlib.sha256(self.ntriples + owlrl.__version__.encode()).hexdigest()
        self.cached = cache / f"owlrl-{digest}.json" if cache is not None else None
        self.future: Future | None = None
        self.executor: ProcessPoolExecutor | None = None
        if self.cached is None or not self.cached.exists():
            self.executor = ProcessPoolExecutor(max_workers=1)
            self.future = self.executor.submit(_problems_of_ntriples, self.ntriples)

    def result(self) -> list[Finding]:
        if self.future is None:
            raw = json.loads(self.cached.read_text(encoding="utf-8"))  # type: ignore[union-attr]
        else:
            try:
                raw = self.future.result()
            finally:
                self.executor.shutdown()  # type: ignore[union-attr]
            if self.cached is not None:
                self.cached.parent.mkdir(parents=True, exist_ok=True)
                self.cached.write_text(json.dumps(raw, indent=1), encoding="utf-8")
        findings = [
            _finding(self.dataset, item["message"], item["focus"], item["check"], item["hint"])
            if item["focus"]
            else Finding(Severity.VIOLATION, item["message"], "owl", shape="owl:rl-error")
            for item in raw
        ]
        return findings + iri_findings(self.dataset)


def _problems_of_ntriples(ntriples: bytes) -> list[dict]:
    return _closure_problems(rdflib.Graph().parse(data=ntriples, format="nt"))


def consistency(dataset: LoadedDataset, cache: Path | None = None) -> list[Finding]:
    """Findings from the OWL-RL closure of ontology + data, cached by the input's digest.

    owlrl needs tens of seconds even for a few thousand triples; the result depends only on
    the input triples, so an unchanged graph is not reasoned over twice.
    """
    return PendingConsistency(dataset, cache).result()


def _closure_problems(graph: rdflib.Graph) -> list[dict]:
    """Inconsistencies in the OWL-RL closure, as plain data (so they can be cached)."""
    problems: list[dict] = []

    def problem(message: str, focus: str | None, check: str, hint: str) -> None:
        problems.append({"message": message, "focus": focus, "check": check, "hint": hint})

    classes = set(graph.subjects(RDF.type, OWL.Class)) | set(graph.subjects(RDF.type, RDFS.Class))
    for s, o in graph.subject_objects(OWL.sameAs):
        if s in classes or o in classes:
            problem(
                f"owl:sameAs between classes <{s}> and <{o}> is not OWL 2 DL",
                str(s),
                "same-as-class",
                "use owl:equivalentClass or an annotation",
            )
    closure = rdflib.Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    for member in sorted(set(closure.subjects(RDF.type, OWL.Nothing)), key=str):
        if isinstance(member, rdflib.URIRef):
            problem(
                f"<{member}> is inferred to be a member of owl:Nothing",
                str(member),
                "nothing",
                "check its types against disjointness, domains and ranges",
            )
    for a, b in closure.subject_objects(OWL.disjointWith):
        both = set(closure.subjects(RDF.type, a)) & set(closure.subjects(RDF.type, b))
        for member in sorted(both, key=str):
            problem(
                f"<{member}> is in the disjoint classes <{a}> and <{b}>",
                str(member),
                "disjoint",
                "remove one of the types or fix the link that implies it",
            )
    for error in sorted(str(e) for e in closure.objects(None, ERRNS.error)):
        problem(f"OWL-RL: {error}", None, "rl-error", "")
    return problems
