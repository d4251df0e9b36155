"""Views of the findings model: text for people, machine formats for CI.

Every format here is a view of the same :class:`~spacecoop.findings.Finding` list; none
re-derives a finding. What a format needs beyond the findings (which files were checked, which
engine ran, the shapes' own descriptions for SARIF rule help, a baseline comparison) comes in a
:class:`ReportContext`.

Formats (``spacecoop validate --format``):

- ``text``: compiler-style ``file:line:col: severity: message`` with the source line and a caret.
- ``json``: an object validated by ``schema/findings.schema.json``.
- ``sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
- ``junit``: JUnit XML, one test suite per checked file, so CI dashboards count them.
- ``github``: GitHub Actions workflow commands (``::error file=…,line=…::message``).
- ``markdown``: a table for pull-request comments.
- ``turtle``: a SHACL validation report (``sh:ValidationReport``) as deterministic Turtle.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote
from xml.etree import ElementTree as ET

from spacecoop import __version__
from spacecoop.findings import Finding, Severity, count_by_severity, sort_findings

if TYPE_CHECKING:
    from spacecoop.baseline import BaselineComparison
    from spacecoop.config import Config
    from spacecoop.load import LoadedDataset

JSON_SCHEMA_VERSION = "1"
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "turtle")
TOOL_NAME = "spacecoop"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SH = "http://www.w3.org/ns/shacl#"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


@dataclass(frozen=True)
class ShapeDoc:
    """What a shape says about itself: ``sh:name``, ``sh:description``, ``sh:message``."""

    name: str | None = None
    description: str | None = None
    message: str | None = None


@dataclass
class ReportContext:
    """Facts about the run that formats show next to the findings."""

    root: Path = field(default_factory=Path.cwd)
    files: list[str] = field(default_factory=list)
    engine: str = "pyshacl"
    inference: str = "none"
    fail_on: str = "violation"
    shapes: dict[str, ShapeDoc] = field(default_factory=dict)
    baseline: BaselineComparison | None = None
    # The project root relative to the repository root ("" when they are the same folder):
    # SARIF viewers resolve artifact URIs against the repository checkout.
    uri_prefix: str = ""
    # Turns a file as findings show it into an IRI (Turtle report); the default mirrors the
    # named graph that loading gives each source file.
    file_iri: Callable[[str], str] | None = None


# ---------------------------------------------------------------------------- context


def shape_docs(dataset: LoadedDataset) -> dict[str, ShapeDoc]:
    """The name, description and message of every shape that has any, by shape id."""
    import rdflib

    from spacecoop.graphs import to_rdflib
    from spacecoop.validate import shape_id

    shapes = to_rdflib(dataset.triples("shapes"))
    sh = rdflib.Namespace(SH)

    def pick(node: rdflib.term.Node, predicate: rdflib.URIRef) -> str | None:
        values = [v for v in shapes.objects(node, predicate) if isinstance(v, rdflib.Literal)]
        if not values:
            return None
        ranked = sorted(
            values, key=lambda v: (0 if v.language == "en" else 1 if not v.language else 2, v)
        )
        return " ".join(str(ranked[0]).split())

    docs: dict[str, ShapeDoc] = {}
    nodes = {
        s
        for p in (sh.name, sh.description, sh.message)
        for s in shapes.subjects(p, None)
        if isinstance(s, rdflib.URIRef | rdflib.BNode)
    }
    for node in nodes:
        doc = ShapeDoc(pick(node, sh.name), pick(node, sh.description), pick(node, sh.message))
        docs.setdefault(shape_id(shapes, node), doc)
    return docs


def _repository_prefix(root: Path) -> str:
    """Where the project root sits inside its repository (the folder holding ``.git``)."""
    root = root.resolve()
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return "" if folder == root else root.relative_to(folder).as_posix() + "/"
    return ""


def context_for(
    dataset: LoadedDataset,
    config: Config,
    engine: str = "pyshacl",
    inference: str = "none",
    fail_on: str | None = None,
    baseline: BaselineComparison | None = None,
    extra_files: list[str] | None = None,
) -> ReportContext:
    """A report context for a run over a loaded dataset of a configured project."""
    files = [s.display for s in dataset.sources] + list(extra_files or [])
    graph_base = f"{config.base_iri}graph/"
    return ReportContext(
        root=config.root,
        files=list(dict.fromkeys(files)),
        engine=engine,
        inference=inference,
        fail_on=fail_on or config.fail_on,
        shapes=shape_docs(dataset),
        baseline=baseline,
        uri_prefix=_repository_prefix(config.root),
        file_iri=lambda display: graph_base + quote(display, safe="/"),
    )


# ---------------------------------------------------------------------------- shared bits


def _local(iri: str | None) -> str:
    if not iri:
        return ""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def component_name(component: str | None) -> str:
    """``…#MinCountConstraintComponent`` → ``MinCount``."""
    return _local(component).removesuffix("ConstraintComponent")


def rule_id(finding: Finding) -> str:
    """One rule per shape and constraint component; other checkers use their own names."""
    if finding.checker == "shacl" and finding.shape:
        component = component_name(finding.component)
        return f"{finding.shape}|{component}" if component else finding.shape
    return finding.shape or finding.checker


def _shape_label(shape: str) -> str:
    if " > " in shape:
        parent, _, path = shape.partition(" > ")
        return f"{_local(parent)}.{_local(path)}"
    return _local(shape) if _ABSOLUTE_IRI.match(shape) else shape


def rule_name(finding: Finding, context: ReportContext) -> str:
    """A short human name for the rule: the shape's sh:name or local name, and the kind."""
    if finding.checker == "shacl" and finding.shape:
        doc = context.shapes.get(finding.shape)
        name = doc.name if doc and doc.name else _shape_label(finding.shape)
        component = component_name(finding.component)
        return f"{name} ({component})" if component else name
    return finding.shape or finding.checker


def _rule_help(finding: Finding, context: ReportContext) -> str:
    doc = context.shapes.get(finding.shape or "")
    if doc and doc.description:
        return doc.description
    if doc and doc.message:
        return doc.message
    if finding.checker == "shacl":
        component = component_name(finding.component) or "constraint"
        return f"Values must satisfy the {component} constraint of shape {finding.shape}."
    return {
        "syntax": "Source files must be valid RDF in UTF-8.",
        "lint": "Every vocabulary term used must be declared in the ontology.",
        "competency": "Competency questions must return their expected answers.",
    }.get(finding.checker, f"Finding reported by the {finding.checker} checker.")


def _where(finding: Finding) -> str:
    if not finding.file:
        return "<no source location>"
    return f"{finding.file}:{finding.line or 1}:{finding.column or 1}"


def _summary(findings: list[Finding]) -> str:
    counts = count_by_severity(findings)
    text = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    return text or "no findings"


def _detail_lines(finding: Finding) -> list[tuple[str, str]]:
    details = [
        ("focus", finding.focus),
        ("path", finding.path),
        ("value", finding.value),
        ("shape", finding.shape),
        ("hint", finding.hint),
    ]
    return [(label, value) for label, value in details if value]


def _key_text(key: tuple[str, ...]) -> str:
    checker, shape, focus, path, value = key
    parts = [f"{checker}: {shape or '-'}", f"focus {focus}" if focus else ""]
    parts += [f"path {path}" if path else "", f"value {value}" if value else ""]
    return ", ".join(p for p in parts if p)


# ---------------------------------------------------------------------------- text


def _source_line(root: Path, file: str | None, line: int | None) -> str | None:
    if not file or not line:
        return None
    path = Path(file) if Path(file).is_absolute() else root / file
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return lines[line - 1] if 0 < line <= len(lines) else None


def format_text(findings: list[Finding], root: Path, context: ReportContext | None = None) -> str:
    """Compiler-style findings: ``file:line:col: severity: message`` with the line and a caret."""
    blocks = []
    for f in sort_findings(findings):
        lines = [f"{_where(f)}: {f.severity.label}: {f.message}"]
        source = _source_line(root, f.file, f.line)
        if source is not None and f.line:
            gutter = f"{f.line:>5} | "
            prefix = source[: max((f.column or 1) - 1, 0)]
            caret_at = len(prefix.expandtabs(4))
            lines.append(gutter + source.expandtabs(4))
            lines.append(" " * (len(gutter) - 2) + "| " + " " * caret_at + "^")
        lines.extend(f"    {label}: {value}" for label, value in _detail_lines(f))
        lines.extend(f"    also at: {loc.file}:{loc.line}:{loc.column}" for loc in f.related)
        if context is not None and context.baseline is not None and not context.baseline.is_new(f):
            lines.append("    baseline: known (does not fail the run)")
        blocks.append("\n".join(lines))
    summary = _summary(findings)
    if context is not None:
        if context.files:
            count = len(context.files)
            summary += f" in {count} file{'s' if count != 1 else ''} checked"
        summary += f" (engine: {context.engine}, inference: {context.inference})"
        if context.baseline is not None:
            b = context.baseline
            summary += (
                f"\nbaseline {b.path}: {len(b.new)} new, {len(b.unchanged)} known, "
                f"{len(b.fixed)} fixed"
            )
            summary += "".join(f"\n    fixed: {_key_text(k)}" for k in b.fixed)
    blocks.append(summary)
    return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------------------- json


def format_json(
    findings: list[Finding], extra: dict | None = None, context: ReportContext | None = None
) -> str:
    """The findings as a JSON object; ``schema/findings.schema.json`` describes it."""
    items = []
    for f in sort_findings(findings):
        item = f.to_json()
        item["rule"] = rule_id(f)
        if context is not None and context.baseline is not None:
            item["baseline"] = context.baseline.state(f)
        items.append(item)
    document: dict = {
        "version": JSON_SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "summary": count_by_severity(findings),
        "findings": items,
    }
    if context is not None:
        document.update(
            {
                "engine": context.engine,
                "inference": context.inference,
                "fail_on": context.fail_on,
                "files_checked": len(context.files),
                "files": context.files,
            }
        )
        if context.baseline is not None:
            document["baseline"] = context.baseline.to_json()
    document.update(extra or {})
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


# ---------------------------------------------------------------------------- sarif

_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.VIOLATION: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
}
_FALLBACK_FILE = "pyproject.toml"  # the project's configuration: every project has one


def fingerprint(finding: Finding) -> str:
    """A hash of the finding's stable key: the same problem keeps it when lines move."""
    return hashlib.sha256("\x1f".join(finding.key()).encode("utf-8")).hexdigest()


def _artifact_uri(file: str, context: ReportContext) -> str:
    if Path(file).is_absolute():
        return Path(file).as_uri()
    return quote(context.uri_prefix + file, safe="/")


def _physical(file: str | None, line: int | None, column: int | None, context: ReportContext):
    return {
        "artifactLocation": {"uri": _artifact_uri(file or _FALLBACK_FILE, context)},
        "region": {"startLine": max(line or 1, 1), "startColumn": max(column or 1, 1)},
    }


def _sarif_message(finding: Finding) -> str:
    lines = [finding.message if finding.file else f"{finding.message} (no source location)"]
    lines.extend(f"{label.capitalize()}: {value}" for label, value in _detail_lines(finding))
    return "\n".join(lines)


def sarif_document(findings: list[Finding], context: ReportContext) -> dict:
    """The SARIF 2.1.0 log as a dict (``format_sarif`` serialises it)."""
    ordered = sort_findings(findings)
    rules: dict[str, dict] = {}
    levels: dict[str, Severity] = {}
    for f in ordered:
        rid = rule_id(f)
        levels[rid] = max(levels.get(rid, f.severity), f.severity)
        if rid in rules:
            continue
        help_text = _rule_help(f, context)
        doc = context.shapes.get(f.shape or "")
        rule: dict = {
            "id": rid,
            "name": rule_name(f, context),
            "shortDescription": {"text": rule_name(f, context)},
            "fullDescription": {"text": help_text},
            "help": {"text": help_text},
            "properties": {"checker": f.checker},
        }
        if doc and doc.message:
            rule["messageStrings"] = {"default": {"text": doc.message}}
        if f.shape:
            rule["properties"]["shape"] = f.shape
        if f.component:
            rule["properties"]["component"] = f.component
        rules[rid] = rule
    rule_ids = sorted(rules)
    for rid in rule_ids:
        rules[rid]["defaultConfiguration"] = {"level": _SARIF_LEVEL[levels[rid]]}
    index = {rid: i for i, rid in enumerate(rule_ids)}
    results = []
    for f in ordered:
        rid = rule_id(f)
        result: dict = {
            "ruleId": rid,
            "ruleIndex": index[rid],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": _sarif_message(f)},
            "locations": [{"physicalLocation": _physical(f.file, f.line, f.column, context)}],
            "partialFingerprints": {"spacecoopKey/v1": fingerprint(f)},
            "properties": {
                "severity": f.severity.label,
                **{
                    name: value
                    for name in ("checker", "focus", "path", "value", "shape", "component")
                    if (value := getattr(f, name))
                },
            },
        }
        if f.related:
            result["relatedLocations"] = [
                {
                    "id": number,
                    "physicalLocation": _physical(loc.file, loc.line, loc.column, context),
                    "message": {"text": "also written here"},
                }
                for number, loc in enumerate(f.related, start=1)
            ]
        if context.baseline is not None:
            result["baselineState"] = context.baseline.state(f)
        results.append(result)
    run_properties: dict = {
        "engine": context.engine,
        "inference": context.inference,
        "filesChecked": len(context.files),
        "summary": count_by_severity(findings),
    }
    if context.baseline is not None:
        run_properties["baseline"] = context.baseline.to_json()
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [rules[rid] for rid in rule_ids],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": run_properties,
            }
        ],
    }


def format_sarif(findings: list[Finding], context: ReportContext) -> str:
    document = sarif_document(findings, context)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------- junit


def format_junit(findings: list[Finding], context: ReportContext) -> str:
    """JUnit XML: a test suite per checked file; each finding is a failing test case.

    A checked file without findings appears as one passing test case, so a run that checked
    files never reports zero tests.
    """
    by_file: dict[str, list[Finding]] = {name: [] for name in context.files}
    for f in sort_findings(findings):
        by_file.setdefault(f.file or "<no source location>", []).append(f)
    root = ET.Element("testsuites", name=f"{TOOL_NAME} validate")
    total_tests = total_failures = 0
    for name in sorted(by_file):
        items = by_file[name]
        suite = ET.SubElement(root, "testsuite", name=name)
        if not items:
            ET.SubElement(suite, "testcase", classname=name, name="no findings", time="0")
        for f in items:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=name,
                name=f"{f.line or 1}:{f.column or 1} {rule_name(f, context)}",
                time="0",
            )
            failure = ET.SubElement(case, "failure", message=f.message, type=f.severity.label)
            body = [f"{_where(f)}: {f.severity.label}: {f.message}"]
            body += [f"{label}: {value}" for label, value in _detail_lines(f)]
            body += [f"also at: {loc.file}:{loc.line}:{loc.column}" for loc in f.related]
            if context.baseline is not None:
                body.append(f"baseline: {context.baseline.state(f)}")
            failure.text = "\n".join(body)
        tests = max(len(items), 1)
        failures = len(items)
        suite.attrib.update(
            tests=str(tests), failures=str(failures), errors="0", skipped="0", time="0"
        )
        total_tests += tests
        total_failures += failures
    root.attrib.update(
        tests=str(total_tests), failures=str(total_failures), errors="0", skipped="0", time="0"
    )
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


# ---------------------------------------------------------------------------- github

_GITHUB_COMMAND = {
    Severity.ERROR: "error",
    Severity.VIOLATION: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """Escape a workflow command's message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (``file=``, ``title=``…)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: list[Finding], context: ReportContext) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    lines = []
    for f in sort_findings(findings):
        properties = []
        if f.file:
            properties += [f"file={escape_property(context.uri_prefix + f.file)}"]
            properties += [f"line={f.line or 1}", f"col={f.column or 1}"]
        properties.append(f"title={escape_property(rule_name(f, context))}")
        message = f.message
        if f.focus:
            message += f"\nfocus: {f.focus}"
        if f.hint:
            message += f"\nhint: {f.hint}"
        if context.baseline is not None and not context.baseline.is_new(f):
            message += "\nbaseline: known (does not fail the run)"
        command = _GITHUB_COMMAND[f.severity]
        lines.append(f"::{command} {','.join(properties)}::{escape_data(message)}")
    if context.baseline is not None and context.baseline.fixed:
        fixed = "\n".join(_key_text(k) for k in context.baseline.fixed)
        title = escape_property(f"{len(context.baseline.fixed)} baseline finding(s) fixed")
        lines.append(f"::notice title={title}::{escape_data(fixed)}")
    return "".join(line + "\n" for line in lines)


# ---------------------------------------------------------------------------- markdown


def _cell(text: str | None) -> str:
    if not text:
        return ""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")
    return "<br>".join(text.splitlines())


def format_markdown(findings: list[Finding], context: ReportContext, max_rows: int = 200) -> str:
    """A summary and a table of findings for a pull-request comment."""
    ordered = sort_findings(findings)
    head = f"### {TOOL_NAME} validate: {_summary(findings)}"
    lines = [
        head,
        "",
        f"{len(context.files)} files checked with {context.engine} "
        f"(inference: {context.inference}); fails on: {context.fail_on}.",
    ]
    if context.baseline is not None:
        b = context.baseline
        lines.append(
            f"Baseline `{_cell(b.path)}`: {len(b.new)} new, {len(b.unchanged)} known, "
            f"{len(b.fixed)} fixed."
        )
    if ordered:
        baseline = context.baseline is not None
        header = "| Severity | Location | Message | Focus | Rule |" + (" Baseline |" * baseline)
        lines += ["", header]
        lines.append("| --- | --- | --- | --- | --- |" + (" --- |" * baseline))
        for f in ordered[:max_rows]:
            message = f.message + (f"\nhint: {f.hint}" if f.hint else "")
            row = [
                f"**{f.severity.label}**",
                f"`{_cell(_where(f))}`",
                _cell(message),
                _cell(f.focus),
                _cell(rule_name(f, context)),
            ]
            if context.baseline is not None:
                row.append(context.baseline.state(f))
            lines.append("| " + " | ".join(row) + " |")
        if len(ordered) > max_rows:
            lines += ["", f"… and {len(ordered) - max_rows} more (see the SARIF or JSON report)."]
    if context.baseline is not None and context.baseline.fixed:
        lines += ["", "Fixed since the baseline:", ""]
        lines += [f"- {_cell(_key_text(k))}" for k in context.baseline.fixed]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- turtle

_SHACL_SEVERITY = {
    Severity.ERROR: "Violation",
    Severity.VIOLATION: "Violation",
    Severity.WARNING: "Warning",
    Severity.INFO: "Info",
}
EARL = "http://www.w3.org/ns/earl#"
PTR = "http://www.w3.org/2009/pointers#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _node(text: str):
    """A term for a finding's string: an IRI when it is one, else a literal."""
    import pyoxigraph as ox

    if _ABSOLUTE_IRI.match(text):
        try:
            return ox.NamedNode(text)
        except ValueError:
            pass
    return ox.Literal(text)


def _value_term(finding: Finding):
    import pyoxigraph as ox

    term_text = getattr(finding, "value_term", None)
    if term_text:
        try:
            statement = f"<urn:s> <urn:p> {term_text} ."
            triple = next(iter(ox.parse(statement, format=ox.RdfFormat.N_TRIPLES)))
            if not isinstance(triple.object, ox.BlankNode):
                return triple.object
        except (SyntaxError, ValueError, StopIteration):
            pass
    return _node(finding.value or "")


def format_turtle(findings: list[Finding], context: ReportContext) -> str:
    """A SHACL validation report graph; source locations as W3C pointers (earl:pointer)."""
    import pyoxigraph as ox

    from spacecoop.rdfwriter import write_turtle

    def sh(name: str) -> ox.NamedNode:
        return ox.NamedNode(SH + name)

    a = ox.NamedNode(RDF_TYPE)
    report = ox.BlankNode("report")
    triples = [
        ox.Triple(report, a, sh("ValidationReport")),
        ox.Triple(
            report,
            sh("conforms"),
            ox.Literal(str(not findings).lower(), datatype=ox.NamedNode(XSD + "boolean")),
        ),
    ]
    file_iri = context.file_iri or (lambda display: "urn:x-file:" + quote(display, safe="/"))
    for number, f in enumerate(sort_findings(findings), start=1):
        result = ox.BlankNode(f"r{number}")
        triples += [
            ox.Triple(report, sh("result"), result),
            ox.Triple(result, a, sh("ValidationResult")),
            ox.Triple(result, sh("resultSeverity"), sh(_SHACL_SEVERITY[f.severity])),
            ox.Triple(result, sh("resultMessage"), ox.Literal(f.message)),
        ]
        if f.focus:
            triples.append(ox.Triple(result, sh("focusNode"), _node(f.focus)))
        if f.path and _ABSOLUTE_IRI.match(f.path):
            triples.append(ox.Triple(result, sh("resultPath"), ox.NamedNode(f.path)))
        if f.value is not None:
            triples.append(ox.Triple(result, sh("value"), _value_term(f)))
        if f.checker == "shacl" and f.shape and _ABSOLUTE_IRI.match(f.shape):
            triples.append(ox.Triple(result, sh("sourceShape"), ox.NamedNode(f.shape)))
        if f.component and _ABSOLUTE_IRI.match(f.component):
            triples.append(
                ox.Triple(result, sh("sourceConstraintComponent"), ox.NamedNode(f.component))
            )
        locations = [(f.file, f.line, f.column)] if f.file else []
        locations += [(loc.file, loc.line, loc.column) for loc in f.related]
        for index, (file, line, column) in enumerate(locations, start=1):
            pointer = ox.BlankNode(f"r{number}p{index}")
            triples += [
                ox.Triple(result, ox.NamedNode(EARL + "pointer"), pointer),
                ox.Triple(pointer, a, ox.NamedNode(PTR + "LineCharPointer")),
                ox.Triple(pointer, ox.NamedNode(PTR + "reference"), ox.NamedNode(file_iri(file))),
                ox.Triple(
                    pointer,
                    ox.NamedNode(PTR + "lineNumber"),
                    ox.Literal(str(line or 1), datatype=ox.NamedNode(XSD + "integer")),
                ),
                ox.Triple(
                    pointer,
                    ox.NamedNode(PTR + "charNumber"),
                    ox.Literal(str(column or 1), datatype=ox.NamedNode(XSD + "integer")),
                ),
            ]
    prefixes = {"sh": SH, "earl": EARL, "ptr": PTR, "xsd": XSD}
    return write_turtle(triples, prefixes).decode("utf-8")


# ---------------------------------------------------------------------------- dispatch


def render(fmt: str, findings: list[Finding], context: ReportContext) -> str:
    """The findings in one of :data:`FORMATS`."""
    if fmt == "text":
        return format_text(findings, context.root, context)
    if fmt == "json":
        return format_json(findings, context=context)
    if fmt == "sarif":
        return format_sarif(findings, context)
    if fmt == "junit":
        return format_junit(findings, context)
    if fmt == "github":
        return format_github(findings, context)
    if fmt == "markdown":
        return format_markdown(findings, context)
    if fmt == "turtle":
        return format_turtle(findings, context)
    raise ValueError(f"unknown report format {fmt!r}")
