"""OWL-RL consistency of vocabulary plus data (owlrl), as findings.

The closure is computed on the real graph only (owlrl is far too slow for the scale path):
a member of ``owl:Nothing``, an individual in two disjoint classes, ``owl:sameAs`` between
classes, or an IRI that is relative or points at the file system is a violation.
"""

from __future__ import annotations

import owlrl
import rdflib
from owlrl.Namespaces import ERRNS
from rdflib.namespace import OWL, RDF, RDFS

from spacecoop.findings import Finding, Severity
from spacecoop.graphs import to_rdflib
from spacecoop.load import LoadedDataset


def _finding(dataset: LoadedDataset, message: str, focus: str, check: str, hint: str) -> Finding:
    locations = dataset.locate(focus, None, None)
    first = locations[0] if locations else None
    return Finding(
        Severity.VIOLATION, message, "owl", focus=focus, shape=f"owl:{check}", hint=hint,
        file=first.file if first else None, line=first.line if first else None,
        column=first.column if first else None, related=locations[1:],
    )


def iri_findings(dataset: LoadedDataset) -> list[Finding]:
    """IRIs that are not absolute web identifiers: file: IRIs and other local schemes."""
    findings = []
    seen: set[str] = set()
    for triple in dataset.triples("ontology", "data"):
        for term in (triple.subject, triple.predicate, triple.object):
            value = getattr(term, "value", "")
            if type(term).__name__ == "NamedNode" and value not in seen:
                seen.add(value)
                if value.startswith("file:"):
                    findings.append(_finding(
                        dataset, f"IRI points at the file system: <{value}>", value, "file-iri",
                        "use an http(s) IRI under the configured base",
                    ))
    return findings


def consistency(dataset: LoadedDataset) -> list[Finding]:
    """Findings from the OWL-RL closure of ontology + data."""
    graph = to_rdflib(dataset.triples("ontology", "data"))
    findings: list[Finding] = []
    classes = set(graph.subjects(RDF.type, OWL.Class)) | set(graph.subjects(RDF.type, RDFS.Class))
    for s, o in graph.subject_objects(OWL.sameAs):
        if s in classes or o in classes:
            findings.append(_finding(
                dataset, f"owl:sameAs between classes <{s}> and <{o}> is not OWL 2 DL",
                str(s), "same-as-class", "use owl:equivalentClass or an annotation",
            ))
    closure = rdflib.Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False).expand(closure)
    for member in sorted(set(closure.subjects(RDF.type, OWL.Nothing)), key=str):
        if isinstance(member, rdflib.URIRef):
            findings.append(_finding(
                dataset, f"<{member}> is inferred to be a member of owl:Nothing", str(member),
                "nothing", "check its types against disjointness, domains and ranges",
            ))
    for a, b in closure.subject_objects(OWL.disjointWith):
        both = set(closure.subjects(RDF.type, a)) & set(closure.subjects(RDF.type, b))
        for member in sorted(both, key=str):
            findings.append(_finding(
                dataset, f"<{member}> is in the disjoint classes <{a}> and <{b}>",
                str(member), "disjoint", "remove one of the types or fix the link that implies it",
            ))
    for error in closure.objects(None, ERRNS.error):
        findings.append(
            Finding(Severity.VIOLATION, f"OWL-RL: {error}", "owl", shape="owl:rl-error")
        )
    return findings + iri_findings(dataset)
