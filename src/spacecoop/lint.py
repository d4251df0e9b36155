"""Vocabulary lint: every project-namespace term used anywhere must be declared.

A typo such as ``sc:lauchDate`` in data, shapes or queries parses and validates silently
(SHACL ignores unknown properties), so it is caught here with a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.findings import Finding, Location, Severity
from spacecoop.load import LoadedDataset, SourceFile

_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w\-.]*)?:\s*<([^>]*)>", re.IGNORECASE)


def declared_terms(dataset: LoadedDataset, namespace: str) -> set[str]:
    """Terms of the namespace that the ontology describes as a subject."""
    return {
        t.subject.value
        for t in dataset.triples("ontology")
        if isinstance(t.subject, ox.NamedNode) and _is_term(t.subject.value, namespace)
    }


def _is_term(iri: str, namespace: str) -> bool:
    return iri.startswith(namespace) and "/" not in iri[len(namespace) :] and iri != namespace


def _suggest(term: str, declared: Iterable[str], namespace: str) -> str | None:
    local = term[len(namespace) :]
    names = {d[len(namespace) :]: d for d in declared}
    close = difflib.get_close_matches(local, list(names), n=1, cutoff=0.6)
    if not close:
        lowered = {n.lower(): n for n in names}
        if local.lower() in lowered:
            close = [lowered[local.lower()]]
    return names[close[0]] if close else None


def _terms_used(source: SourceFile, namespace: str) -> set[str]:
    """Namespace terms written anywhere in one source, listed by the store (no Python scan)."""
    query = (
        f"SELECT DISTINCT ?t WHERE {{ GRAPH <{source.graph}> {{ "
        "{ ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } } "
        f"FILTER(isIRI(?t) && STRSTARTS(STR(?t), {ox.Literal(namespace)})) }}"
    )
    rows = source.store.query(query)
    return {v.value for row in rows if _is_term((v := row["t"]).value, namespace)}  # type: ignore[index, union-attr]


def _first_use(source: SourceFile, term: str) -> ox.Triple | None:
    """A triple of the file that uses ``term``: the first one in file order for files of
    ordinary size, any one (the store's first) for large files, where reading the whole
    file in Python would cost seconds."""
    if len(source.text) > SCAN_UP_TO:
        iri = f"<{term}>"
        rows = source.store.query(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH <{source.graph}> {{ "
            f"{{ {iri} ?p ?o BIND({iri} AS ?s) }} UNION {{ ?s {iri} ?o BIND({iri} AS ?p) }} "
            f"UNION {{ ?s ?p {iri} BIND({iri} AS ?o) }} }} }} LIMIT 1"
        )
        for row in rows:  # type: ignore[union-attr]
            return ox.Triple(row["s"], row["p"], row["o"])  # type: ignore[arg-type, index]
        return None
    for quad in source.iter_parsed():
        if any(isinstance(t, ox.NamedNode) and t.value == term for t in quad.triple):
            return quad.triple
    return None


SCAN_UP_TO = 1_000_000  # characters of a file read in Python to find a term's first use


def _rdf_uses(dataset: LoadedDataset, namespace: str) -> dict[str, tuple[str, ox.Triple]]:
    """Each namespace term used in the sources, with where it is first used."""
    first: dict[str, SourceFile] = {}
    for source in dataset.of_kind("data", "shapes", "ontology"):
        for term in _terms_used(source, namespace):
            first.setdefault(term, source)
    declared = declared_terms(dataset, namespace)
    uses: dict[str, tuple[str, ox.Triple]] = {}
    for term, source in first.items():
        if term in declared:
            continue  # its first use is never shown: not worth reading the file for
        triple = _first_use(source, term)
        if triple is not None:
            uses[term] = (source.display, triple)
    return uses


def _locate_term(dataset: LoadedDataset, display: str, triple: ox.Triple) -> Location | None:
    for source in dataset.sources:
        if source.display != display:
            continue
        subject = triple.subject.value if isinstance(triple.subject, ox.NamedNode) else None
        found = dataset.locate(subject, triple.predicate.value, triple.object) if subject else []
        for location in found:
            if location.file == display:
                return location
    return None


def query_uses(path: Path, text: str, namespace: str) -> list[tuple[str, int, int]]:
    """(term, line, column) of every namespace term written in a SPARQL file."""
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}
    found = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0] if "<" not in line else line
        for match in re.finditer(r"<([^>\s]+)>", code):
            if _is_term(match.group(1), namespace):
                found.append((match.group(1), line_number, match.start() + 1))
        for match in re.finditer(r"(?<![\w<])([A-Za-z][\w\-.]*)?:([A-Za-z_][\w\-]*)", code):
            prefix = match.group(1) or ""
            if (
                prefix in prefixes
                and prefixes[prefix] == namespace
                and not re.match(r"\s*PREFIX", line, re.IGNORECASE)
            ):
                found.append((namespace + match.group(2), line_number, match.start() + 1))
    return found


def undeclared_terms(dataset: LoadedDataset, config: Config) -> list[Finding]:
    """Findings for project-namespace terms used but not declared in the ontology."""
    namespace = config.vocabulary_namespace
    declared = declared_terms(dataset, namespace)
    findings: list[Finding] = []

    def finding(term: str, location: Location | None, context: str) -> Finding:
        suggestion = _suggest(term, declared, namespace)
        return Finding(
            Severity.VIOLATION,
            f"undeclared vocabulary term <{term}> used in {context}",
            "lint",
            focus=term,
            shape="lint:undeclared-term",
            file=location.file if location else None,
            line=location.line if location else None,
            column=location.column if location else None,
            hint=f"did you mean <{suggestion}>?" if suggestion else "declare it in the ontology",
        )

    for term, (display, triple) in sorted(_rdf_uses(dataset, namespace).items()):
        findings.append(finding(term, _locate_term(dataset, display, triple), display))
    for path in config.queries():
        display = config.relative(path)
        for term, line, column in query_uses(path, path.read_text(encoding="utf-8"), namespace):
            if term not in declared:
                findings.append(finding(term, Location(display, line, column), display))
    return findings
