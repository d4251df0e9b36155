"""The whole pipeline: load, validate, export, store, competency questions.

Nothing visible changes unless every stage succeeds: ``dist/`` is staged in a temporary
folder and the store is written beside the live one; both are switched in at the end, and
both are discarded when validation or a competency question fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.export import Output, stage_dist
from spacecoop.findings import Finding, Severity, count_by_severity, fails, sort_findings
from spacecoop.lint import undeclared_terms
from spacecoop.load import LoadedDataset, load
from spacecoop.queries import QuestionResult, run_question, to_finding
from spacecoop.reason import PendingConsistency, iri_findings
from spacecoop.store import PreparedStore, prepare_store
from spacecoop.validate import validate

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"
CITATIONS = ("http://purl.org/dc/terms/source", "http://www.w3.org/ns/prov#wasDerivedFrom")


@dataclass
class FileSummary:
    path: str
    kind: str
    triples: int


@dataclass
class BuildReport:
    """Everything the summary table and ``--json`` show."""

    files: list[FileSummary] = field(default_factory=list)
    triples: int = 0
    classes: int = 0
    properties: int = 0
    instances: int = 0
    instances_by_class: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    sources_cited: int = 0
    findings: list[Finding] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    questions: list[QuestionResult] = field(default_factory=list)
    store_quads: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    engine: str = "pyshacl"
    failed: bool = False

    def to_json(self) -> dict:
        return {
            "ok": not self.failed,
            "files": [vars(f) for f in self.files],
            "triples": self.triples,
            "classes": self.classes,
            "properties": self.properties,
            "instances": self.instances,
            "instances_by_class": self.instances_by_class,
            "languages": self.languages,
            "sources_cited": self.sources_cited,
            "findings_by_severity": count_by_severity(self.findings),
            "findings": [f.to_json() for f in sort_findings(self.findings)],
            "outputs": [vars(o) for o in self.outputs],
            "questions": [
                {
                    "file": q.path.name,
                    "question": q.question,
                    "passed": q.passed,
                    "rows": max(len(q.rows) - 1, 0),
                }
                for q in self.questions
            ],
            "store_quads": self.store_quads,
            "engine": self.engine,
            "timings_seconds": {k: round(v, 4) for k, v in self.timings.items()},
        }


@contextmanager
def _timed(report: BuildReport, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        report.timings[stage] = time.perf_counter() - start


def describe(dataset: LoadedDataset, config: Config, report: BuildReport) -> None:
    """Counts for the summary: classes and properties declared, instances per class, languages.

    Aggregates run in the store, so the summary costs little even for millions of triples.
    """
    namespace = _string(config.vocabulary_namespace)
    declared = {
        row["kind"].value: int(row["n"].value)
        for row in dataset.select(
            f"SELECT ?kind (COUNT(*) AS ?n) WHERE {{ ?s <{RDF_TYPE}> ?kind "
            f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), {namespace})) }} GROUP BY ?kind",
            "ontology",
        )
    }
    report.classes = declared.get(OWL + "Class", 0)
    report.properties = sum(
        declared.get(OWL + k, 0) for k in ("ObjectProperty", "DatatypeProperty")
    )
    by_class = {
        row["kind"].value: int(row["n"].value)
        for row in dataset.select(
            f"SELECT ?kind (COUNT(*) AS ?n) WHERE {{ ?s <{RDF_TYPE}> ?kind FILTER(isIRI(?kind)) }}"
            " GROUP BY ?kind",
            "data",
        )
    }
    [instances] = dataset.select(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF_TYPE}> ?kind FILTER(isIRI(?kind)) }}",
        "data",
    )
    languages = {
        row["language"].value: int(row["n"].value)
        for row in dataset.select(
            "SELECT ?language (COUNT(*) AS ?n) WHERE { ?s ?p ?o "
            'FILTER(isLiteral(?o) && lang(?o) != "") BIND(lang(?o) AS ?language) } '
            "GROUP BY ?language",
            "data",
        )
    }
    [cited] = dataset.select(
        "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { VALUES ?p { "
        + " ".join(f"<{p}>" for p in CITATIONS)
        + " } ?s ?p ?o }",
        "data",
    )
    report.instances = int(instances["n"].value)
    report.instances_by_class = dict(sorted(by_class.items(), key=lambda kv: (-kv[1], kv[0])))
    report.languages = dict(sorted(languages.items()))
    report.sources_cited = int(cited["n"].value)


def _string(value: str) -> str:
    return str(ox.Literal(value))


def check(
    dataset: LoadedDataset,
    config: Config,
    reasoning: bool = True,
    engine: str = "fast",
    focus_nodes: list[str] | None = None,
    endpoint: str | None = None,
) -> tuple[list[Finding], str]:
    """All static checks of a loaded dataset: SHACL, the vocabulary lint, OWL-RL consistency.

    ``engine`` is "fast" (SHACL compiled to SPARQL) or "pyshacl"; ``focus_nodes`` restricts
    SHACL to those nodes (incremental validation); with ``endpoint`` the data lives in a
    remote SPARQL endpoint, so only SHACL runs (the other checks need the data locally).
    """
    if focus_nodes is not None or endpoint is not None:
        from spacecoop.engine import validate_fast

        run = validate_fast(dataset, focus_nodes=focus_nodes, endpoint=endpoint)
        if endpoint is not None:
            return [*dataset.notes, *run.findings], run.engine
    # OWL-RL runs in a second process while SHACL validation uses this one.
    notes: list[Finding] = []
    size = sum(s.triple_count for s in dataset.of_kind("ontology", "data"))
    if reasoning and size > config.reasoning_max_triples:
        reasoning = False
        notes.append(
            Finding(
                Severity.INFO,
                f"OWL-RL consistency not checked: {size:,} ontology and data triples are more "
                f"than reasoning_max_triples = {config.reasoning_max_triples:,}",
                "owl",
                shape="owl:skipped",
                hint="raise reasoning_max_triples in [tool.spacecoop] to reason anyway "
                "(owlrl needs minutes per 100,000 triples)",
            )
        )
    pending = PendingConsistency(dataset, config.store.parent / "cache") if reasoning else None
    if focus_nodes is None:
        run = validate(dataset, engine=engine)
    findings = [*dataset.notes, *notes, *run.findings, *undeclared_terms(dataset, config)]
    if pending is not None:
        findings.extend(pending.result())
    elif notes:
        findings.extend(iri_findings(dataset))  # the IRI checks need no reasoning
    return findings, run.engine


def _prepare_timed(config: Config, dataset: LoadedDataset) -> tuple[PreparedStore, float]:
    start = time.perf_counter()
    prepared = prepare_store(config.store, sources=dataset.sources)
    return prepared, time.perf_counter() - start


def build(
    config: Config,
    fail_on: str | None = None,
    export: bool = True,
    progress: Callable[[str], None] | None = None,
    engine: str = "fast",
) -> BuildReport:
    """Run the pipeline; switch in ``dist/`` and the store only if nothing fails."""
    fail_on = fail_on or config.fail_on
    report = BuildReport()
    step = progress or (lambda _message: None)
    with _timed(report, "load"):
        step("load")
        dataset = load(config, progress=lambda name: step(f"load {name}"))
    report.files = [FileSummary(s.display, s.kind, s.triple_count) for s in dataset.sources]
    report.triples = dataset.triple_count
    describe(dataset, config, report)
    with _timed(report, "validate"):
        step("validate")
        report.findings, report.engine = check(dataset, config, engine=engine)
    if fails(report.findings, fail_on):
        report.failed = True
        return report
    # The store is written on a thread of its own while dist/ is staged: pyoxigraph loads
    # without the GIL, the exporters mostly hold it, so the two stages share the machine.
    step("store")
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_prepare_timed, config, dataset)
        staged = None
        try:
            if export:
                with _timed(report, "export"):
                    step("export")
                    staged = stage_dist(
                        dataset, config, progress=lambda name: step(f"export {name}")
                    )
                    report.outputs = staged.outputs
        except BaseException:
            with suppress(BaseException):
                pending.result()[0].discard()
            raise
        try:
            prepared, report.timings["store"] = pending.result()
        except BaseException:
            if staged is not None:
                staged.discard()
            raise
    try:
        report.store_quads = prepared.quads
        with _timed(report, "queries"):
            step("queries")
            store = prepared.open()
            for path in config.queries():
                result = run_question(store, path)
                report.questions.append(result)
                finding = to_finding(result, config.relative(path))
                if finding is not None:
                    report.findings.append(finding)
            del store
    except BaseException:
        prepared.discard()
        if staged is not None:
            staged.discard()
        raise
    if fails(report.findings, fail_on):
        report.failed = True
        prepared.discard()
        if staged is not None:
            staged.discard()
        return report
    prepared.commit()
    if staged is not None:
        staged.commit()
    return report
