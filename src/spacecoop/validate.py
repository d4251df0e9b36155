"""SHACL validation with pySHACL (the reference engine), as source-located findings.

The data graph is the asserted graph (ontology plus data, no inference): inference would
re-type wrongly linked nodes and hide their violations. Each pySHACL result becomes a
:class:`Finding` located at the offending triple, or at the focus node's subject block.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, SH

from spacecoop.errors import SpacecoopError, UnsupportedFeature
from spacecoop.findings import Finding, Severity
from spacecoop.graphs import from_rdflib_term, to_rdflib
from spacecoop.load import LoadedDataset

_SEVERITIES = {
    SH.Violation: Severity.VIOLATION,
    SH.Warning: Severity.WARNING,
    SH.Info: Severity.INFO,
}


@dataclass
class ValidationRun:
    """What a validation run saw: how much it checked and what it found."""

    findings: list[Finding]
    data_triples: int
    shapes_triples: int
    engine: str = "pyshacl"
    inference: str = "none"


def _short(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    try:
        return (
            graph.namespace_manager.normalizeUri(node)
            if isinstance(node, rdflib.URIRef)
            else str(node)
        )
    except Exception:  # pragma: no cover - rdflib raises on odd IRIs
        return str(node)


def shape_id(shapes: rdflib.Graph, shape: rdflib.term.Node) -> str:
    """A stable name for a shape: its IRI, or '<parent node shape> > <path>' for a blank one."""
    if isinstance(shape, rdflib.URIRef):
        return str(shape)
    parent = next(shapes.subjects(SH.property, shape), None)
    path = shapes.value(shape, SH.path)
    parent_name = shape_id(shapes, parent) if parent is not None else "_"
    path_name = str(path) if isinstance(path, rdflib.URIRef) else "complex-path"
    return f"{parent_name} > {path_name}"


def _hint(
    shapes: rdflib.Graph, shape: rdflib.term.Node, component: str, path: str | None
) -> str | None:
    """A fix suggestion per constraint kind, using the shape's own parameters."""
    name = component.rsplit("#", 1)[-1]
    short_path = _short(shapes, rdflib.URIRef(path)) if path else "the property"

    def param(term: rdflib.URIRef) -> str | None:
        value = shapes.value(shape, term)
        return _short(shapes, value) if value is not None else None

    if name == "MinCountConstraintComponent":
        languages = shapes.value(shape, SH.languageIn)
        if path and path.endswith(("#label", "/title")):
            return f'add `{short_path} "…"@en`'
        if languages is not None:
            return f"add `{short_path}` with a language tag"
        return f"add at least {param(SH.minCount) or 1} `{short_path}` value(s)"
    if name == "MaxCountConstraintComponent":
        return f"keep at most {param(SH.maxCount)} `{short_path}` value(s); move others to a claim"
    if name == "DatatypeConstraintComponent":
        return f"type the literal as `^^{param(SH.datatype)}`"
    if name == "ClassConstraintComponent":
        return f"link to a node typed `{param(SH['class'])}` (or fix the IRI)"
    if name == "PatternConstraintComponent":
        return f"make the value match the pattern {param(SH.pattern)}"
    if name == "OrConstraintComponent":
        return "use one of the alternatives the shape lists (e.g. a date as precise as the source)"
    if name == "NodeKindConstraintComponent":
        return f"use a value of kind {param(SH.nodeKind)}"
    if name == "InConstraintComponent":
        return "use one of the values the shape allows"
    if name in ("LanguageInConstraintComponent", "UniqueLangConstraintComponent"):
        return "check the language tags (one value per language)"
    if name == "SPARQLConstraintComponent":
        return "see the rule's description in the shapes file"
    return None


def _expected(shapes: rdflib.Graph, shape: rdflib.term.Node, component: str) -> str | None:
    name = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    parameter = {
        "MinCount": SH.minCount,
        "MaxCount": SH.maxCount,
        "Datatype": SH.datatype,
        "Class": SH["class"],
        "Pattern": SH.pattern,
        "NodeKind": SH.nodeKind,
        "HasValue": SH.hasValue,
        "MinLength": SH.minLength,
        "MaxLength": SH.maxLength,
    }.get(name)
    if parameter is None:
        return None
    value = shapes.value(shape, parameter)
    return f"{name[0].lower() + name[1:]} {_short(shapes, value)}" if value is not None else None


def results_to_findings(
    report: rdflib.Graph, shapes: rdflib.Graph, dataset: LoadedDataset | None
) -> list[Finding]:
    """Turn a SHACL validation report graph into located findings."""
    findings: list[Finding] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        shape = report.value(result, SH.sourceShape)
        component = str(report.value(result, SH.sourceConstraintComponent) or "")
        severity = _SEVERITIES.get(report.value(result, SH.resultSeverity), Severity.VIOLATION)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        message = messages[0] if messages else "constraint not satisfied"
        path_iri = str(path) if isinstance(path, rdflib.URIRef) else None
        focus_iri = str(focus) if isinstance(focus, rdflib.URIRef) else None
        finding = Finding(
            severity=severity,
            message=message,
            checker="shacl",
            focus=str(focus) if focus is not None else None,
            path=path_iri,
            value=str(value) if value is not None else None,
            shape=shape_id(shapes, shape) if shape is not None else None,
            component=component,
            hint=_hint(shapes, shape, component, path_iri) if shape is not None else None,
            value_term=(
                str(from_rdflib_term(value))
                if value is not None and not isinstance(value, rdflib.BNode)
                else None
            ),
        )
        expected = _expected(shapes, shape, component) if shape is not None else None
        if expected:
            finding.message = f"{message} (expected {expected}" + (
                f", found {_short(shapes, value)})" if value is not None else ")"
            )
        if dataset is not None:
            locations = dataset.locate(focus_iri, path_iri, value)
            if isinstance(value, rdflib.URIRef) and value != focus:
                locations += dataset.locate(str(value), None, None)
            if locations:
                first = locations[0]
                finding.file, finding.line, finding.column = first.file, first.line, first.column
                finding.related = [loc for loc in dict.fromkeys(locations[1:]) if loc != first]
        findings.append(finding)
    return findings


INFERENCE_MODES = ("none", "rdfs", "owlrl", "both")
_SH = "http://www.w3.org/ns/shacl#"
# Features the toolkit deliberately does not run (exit code 3), with the reason users see.
_UNSUPPORTED_PREDICATES = {
    _SH + "rule": "SHACL-AF rules (sh:rule) would add inferred triples that have no source "
    "location; spacecoop validates the asserted graph",
    _SH + "js": "SHACL-JS constraints (sh:js) need a JavaScript engine",
    _SH + "jsFunctionName": "SHACL-JS (sh:jsFunctionName) needs a JavaScript engine",
    _SH + "jsLibrary": "SHACL-JS libraries (sh:jsLibrary) need a JavaScript engine",
}


def check_supported(dataset: LoadedDataset, inference: str = "none") -> None:
    """Raise :class:`UnsupportedFeature` (exit 3) for what this toolkit will not run.

    Silently skipping such a shape would let CI pass on rules nobody checked.
    """
    if inference not in INFERENCE_MODES:
        raise UnsupportedFeature(
            f"inference mode {inference!r} is not supported (use one of: "
            f"{', '.join(INFERENCE_MODES)})"
        )
    for source in dataset.of_kind("shapes"):
        for quad in source.quads:
            reason = _UNSUPPORTED_PREDICATES.get(quad.predicate.value)
            if reason is None:
                continue
            where = f"{source.display}:1:1"
            if isinstance(quad.subject, ox.NamedNode):
                found = dataset.locate(quad.subject.value, quad.predicate.value, quad.object)
                if found:
                    where = f"{found[0].file}:{found[0].line}:{found[0].column}"
            raise UnsupportedFeature(f"{where}: unsupported: {reason}")


def validate(dataset: LoadedDataset, inference: str = "none") -> ValidationRun:
    """Validate ontology + data against the shapes with pySHACL; findings carry locations."""
    check_supported(dataset, inference)
    data_graph = to_rdflib(dataset.triples("ontology", "data"))
    shapes_graph = to_rdflib(dataset.triples("shapes"))
    for prefix, namespace in dataset.prefixes().items():
        shapes_graph.namespace_manager.bind(prefix, namespace, override=False, replace=False)
    _, report, text = pyshacl.validate(
        data_graph,
        shacl_graph=shapes_graph,
        inference=inference,
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    if not isinstance(report, rdflib.Graph):
        # pySHACL returns a ValidationFailure instead of a report when it cannot use a shape.
        detail = " ".join(str(getattr(report, "message", None) or text or report).split())
        raise SpacecoopError(f"the shapes cannot be used for validation: {detail}")
    findings = results_to_findings(report, shapes_graph, dataset)
    return ValidationRun(findings, len(data_graph), len(shapes_graph), "pyshacl", inference)


def validate_files(
    data: Sequence[Path],
    shapes: Sequence[Path],
    base_iri: Callable[[Path], str],
    root: Path | None = None,
    inference: str = "none",
) -> ValidationRun:
    """Validate arbitrary files outside a configured project (e.g. a conformance suite).

    Each file is parsed strictly once with its own base IRI; a file listed both as data and as
    shapes (as in the W3C SHACL tests) serves as both, with the same blank nodes.
    """
    from spacecoop.config import Config
    from spacecoop.load import parse_file

    root = (root or Path.cwd()).resolve()
    config = Config(root, "urn:x-local:/", "urn:x-local:/def/", "urn:x-local:/id/")
    parsed: dict[Path, object] = {}
    sources = []
    notes: list[Finding] = []
    for kind, paths in (("data", data), ("shapes", shapes)):
        for path in paths:
            if path not in parsed:
                source, file_notes = parse_file(path, kind, config, base_iri=base_iri(path))
                parsed[path] = source
                notes.extend(file_notes)
            sources.append(replace(parsed[path], kind=kind))
    return validate(LoadedDataset(sources, notes), inference)
