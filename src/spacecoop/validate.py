"""SHACL validation with pySHACL (the reference engine), as source-located findings.

The data graph is the asserted graph (ontology plus data, no inference): inference would
re-type wrongly linked nodes and hide their violations. Each pySHACL result becomes a
:class:`Finding` located at the offending triple, or at the focus node's subject block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import rdflib
from pyshacl.errors import ReportableRuntimeError
from rdflib.namespace import RDF, SH

from spacecoop.errors import SpacecoopError, UnsupportedFeature
from spacecoop.findings import Finding, Location, Severity
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
    dataset: LoadedDataset | None = None  # set by validate_files, which loads the files itself
    # Shapes the fast engine left to pySHACL (engine "fast" only), as shape names.
    fallback_shapes: list[str] = field(default_factory=list)


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


@dataclass(frozen=True)
class ShaclResult:
    """One result of a validation report, as RDF terms; both engines produce these."""

    focus: rdflib.term.Node
    path: rdflib.term.Node | None
    value: rdflib.term.Node | None
    shape: rdflib.term.Node
    component: rdflib.term.Node
    severity: rdflib.term.Node
    messages: tuple[str, ...] = ()
    details: tuple[ShaclResult, ...] = ()  # nested results (sh:detail, from sh:node)

    def key(self) -> tuple:
        """What the engines must agree on: (focus, path, value, shape, component, severity)."""
        return (self.focus, self.path, self.value, self.shape, self.component, self.severity)


def _report_result(report: rdflib.Graph, node: rdflib.term.Node, depth: int = 0) -> ShaclResult:
    details = (
        tuple(_report_result(report, d, depth + 1) for d in report.objects(node, SH.detail))
        if depth < 8
        else ()
    )
    return ShaclResult(
        report.value(node, SH.focusNode),
        report.value(node, SH.resultPath),
        report.value(node, SH.value),
        report.value(node, SH.sourceShape),
        report.value(node, SH.sourceConstraintComponent),
        report.value(node, SH.resultSeverity),
        tuple(str(m) for m in report.objects(node, SH.resultMessage)),
        details,
    )


def report_results(report: rdflib.Graph) -> list[ShaclResult]:
    """The report's own results; nested ones (sh:detail, from sh:node) stay in ``details``."""
    top_level = [
        r
        for rep in report.subjects(RDF.type, SH.ValidationReport)
        for r in report.objects(rep, SH.result)
    ]
    return [_report_result(report, r) for r in sorted(top_level, key=str)]


def _detail_locations(result: ShaclResult, dataset: LoadedDataset) -> list[Location]:
    """Locations of the nested results (sh:detail) of a result, depth first."""
    found: list[Location] = []
    for detail in result.details:
        if isinstance(detail.focus, rdflib.URIRef):
            found += dataset.locate(
                str(detail.focus),
                str(detail.path) if isinstance(detail.path, rdflib.URIRef) else None,
                detail.value,
            )
        found += _detail_locations(detail, dataset)
    return found


def result_to_finding(
    result: ShaclResult, shapes: rdflib.Graph, dataset: LoadedDataset | None
) -> Finding:
    """One located finding for one result (shared by the pySHACL and the fast engine)."""
    focus, path, value, shape = result.focus, result.path, result.value, result.shape
    component = str(result.component or "")
    severity = _SEVERITIES.get(result.severity, Severity.VIOLATION)  # type: ignore[call-overload]
    messages = sorted(result.messages)
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
        locations += _detail_locations(result, dataset)
        if locations:
            first = locations[0]
            finding.file, finding.line, finding.column = first.file, first.line, first.column
            finding.related = [loc for loc in dict.fromkeys(locations[1:]) if loc != first]
    return finding


def located_findings(
    results: list[ShaclResult], shapes: rdflib.Graph, dataset: LoadedDataset | None
) -> list[Finding]:
    """One located finding per result; the subjects of all of them are looked up together."""
    if dataset is not None:
        dataset.prefetch(_subjects_of(results))
    return [result_to_finding(r, shapes, dataset) for r in results]


def _subjects_of(results: Iterable[ShaclResult]) -> Iterator[str]:
    """The IRIs a finding is located at: focus nodes and values, nested results included."""
    for result in results:
        for node in (result.focus, result.value):
            if isinstance(node, rdflib.URIRef):
                yield str(node)
        yield from _subjects_of(result.details)


def results_to_findings(
    report: rdflib.Graph, shapes: rdflib.Graph, dataset: LoadedDataset | None
) -> list[Finding]:
    """Turn a SHACL validation report graph into located findings."""
    # Only the report's own results are findings; nested ones (sh:detail, from sh:node, sh:or,
    # sh:qualifiedValueShape...) add their locations to the finding that contains them.
    return located_findings(report_results(report), shapes, dataset)


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
                obj = None if isinstance(quad.object, ox.BlankNode) else quad.object
                found = dataset.locate(quad.subject.value, quad.predicate.value, obj)
                if found:
                    where = f"{found[0].file}:{found[0].line}:{found[0].column}"
            raise UnsupportedFeature(f"{where}: unsupported: {reason}")


def shapes_and_data(dataset: LoadedDataset) -> tuple[rdflib.Graph, rdflib.Graph]:
    """The rdflib graphs pySHACL validates: data (ontology + data) and shapes, with prefixes."""
    data_graph = to_rdflib(dataset.triples("ontology", "data"))
    shapes_graph = to_rdflib(dataset.triples("shapes"))
    bind_prefixes(dataset, shapes_graph, data_graph)
    return data_graph, shapes_graph


def bind_prefixes(
    dataset: LoadedDataset, shapes_graph: rdflib.Graph, data_graph: rdflib.Graph
) -> None:
    for prefix, namespace in dataset.prefixes().items():
        shapes_graph.namespace_manager.bind(prefix, namespace, override=False, replace=False)
        # As when pySHACL parses the files itself: SPARQL constraints see the files' prefixes.
        data_graph.namespace_manager.bind(prefix, namespace, override=False, replace=False)


@contextmanager
def memoised_sparql_parsing() -> Iterator[None]:
    """Parse each SPARQL text once while pySHACL runs.

    pySHACL hands rdflib the same constraint text once per focus node, and rdflib parses and
    translates it every time (30-300 ms each): on this project that was 85 % of the run. The
    parsed algebra does not depend on the bindings, so caching it by text changes no result.
    """
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    cache: dict[tuple, object] = {}

    def query(self, query_object, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(query_object, str):
            key = (query_object, base, tuple(sorted((initNs or {}).items())))
            parsed = cache.get(key)
            if parsed is None:
                parsed = cache[key] = processor.translateQuery(
                    processor.parseQuery(query_object), base, initNs
                )
            query_object = parsed
        return original(self, query_object, initBindings or {}, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original


def run_pyshacl(
    data_graph: rdflib.Graph, shapes_graph: rdflib.Graph, inference: str = "none"
) -> rdflib.Graph:
    """pySHACL's report graph, run as spacecoop runs it; its failures become clear errors."""
    try:
        with memoised_sparql_parsing():
            _, report, text = pyshacl.validate(
                data_graph,
                shacl_graph=shapes_graph,
                inference=inference,
                advanced=True,
                allow_warnings=True,
                abort_on_first=False,
            )
    except NotImplementedError as exc:
        raise UnsupportedFeature(f"unsupported: the SHACL engine cannot run this: {exc}") from None
    except ReportableRuntimeError as exc:
        detail = " ".join(str(getattr(exc, "message", None) or exc).split())
        raise SpacecoopError(f"the shapes cannot be used for validation: {detail}") from None
    if not isinstance(report, rdflib.Graph):
        # pySHACL returns a ValidationFailure instead of a report when it cannot use a shape.
        detail = " ".join(str(getattr(report, "message", None) or text or report).split())
        raise SpacecoopError(f"the shapes cannot be used for validation: {detail}")
    return report


ENGINES = ("fast", "pyshacl")


def validate(
    dataset: LoadedDataset, inference: str = "none", engine: str = "pyshacl"
) -> ValidationRun:
    """Validate ontology + data against the shapes; findings carry locations.

    ``engine="fast"`` compiles the shapes to SPARQL (see :mod:`spacecoop.engine`), with the
    same results; it validates the asserted graph only, so inference uses pySHACL.
    """
    check_supported(dataset, inference)
    if engine not in ENGINES:
        raise SpacecoopError(f"unknown engine {engine!r} (use one of: {', '.join(ENGINES)})")
    if engine == "fast" and inference == "none":
        from spacecoop.engine import validate_fast

        return validate_fast(dataset)
    data_graph, shapes_graph = shapes_and_data(dataset)
    report = run_pyshacl(data_graph, shapes_graph, inference)
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
    from spacecoop.load import SourceFile, parse_file

    root = (root or Path.cwd()).resolve()
    config = Config(root, "urn:x-local:/", "urn:x-local:/def/", "urn:x-local:/id/")
    parsed: dict[Path, SourceFile] = {}
    sources = []
    notes: list[Finding] = []
    for kind, paths in (("data", data), ("shapes", shapes)):
        for path in paths:
            if path not in parsed:
                source, file_notes = parse_file(path, kind, config, base_iri=base_iri(path))
                parsed[path] = source
                notes.extend(file_notes)
            sources.append(replace(parsed[path], kind=kind))
    dataset = LoadedDataset(sources, notes)
    run = validate(dataset, inference)
    run.dataset = dataset
    return run
