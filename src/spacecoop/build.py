"""The whole pipeline: load, validate, export, store, competency questions.

Nothing visible changes unless every stage succeeds: ``dist/`` is staged in a temporary
folder and the store is written beside the live one; both are switched in at the end, and
both are discarded when validation or a competency question fails.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.export import Output, stage_dist
from spacecoop.findings import Finding, count_by_severity, fails, sort_findings
from spacecoop.lint import undeclared_terms
from spacecoop.load import LoadedDataset, load
from spacecoop.queries import QuestionResult, run_question, to_finding
from spacecoop.reason import PendingConsistency
from spacecoop.store import prepare_store
from spacecoop.validate import validate

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"


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
    """Counts for the summary: classes and properties declared, instances per class, languages."""
    namespace = config.vocabulary_namespace
    declared: Counter[str] = Counter()
    for t in dataset.triples("ontology"):
        if (
            t.predicate.value == RDF_TYPE
            and isinstance(t.subject, ox.NamedNode)
            and t.subject.value.startswith(namespace)
        ):
            declared[t.object.value] += 1
    report.classes = declared[OWL + "Class"]
    report.properties = sum(declared[OWL + k] for k in ("ObjectProperty", "DatatypeProperty"))
    by_class: Counter[str] = Counter()
    subjects: set[str] = set()
    languages: Counter[str] = Counter()
    cited: set[str] = set()
    for t in dataset.triples("data"):
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            by_class[t.object.value] += 1
            subjects.add(str(t.subject))
        if isinstance(t.object, ox.Literal) and t.object.language:
            languages[t.object.language] += 1
        if t.predicate.value in (
            "http://purl.org/dc/terms/source",
            "http://www.w3.org/ns/prov#wasDerivedFrom",
        ):
            cited.add(str(t.object))
    report.instances = len(subjects)
    report.instances_by_class = dict(sorted(by_class.items(), key=lambda kv: (-kv[1], kv[0])))
    report.languages = dict(sorted(languages.items()))
    report.sources_cited = len(cited)


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
    pending = PendingConsistency(dataset, config.store.parent / "cache") if reasoning else None
    if focus_nodes is None:
        run = validate(dataset, engine=engine)
    findings = [*dataset.notes, *run.findings, *undeclared_terms(dataset, config)]
    if pending is not None:
        findings.extend(pending.result())
    return findings, run.engine


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
    staged = None
    if export:
        with _timed(report, "export"):
            step("export")
            staged = stage_dist(dataset, config, progress=lambda name: step(f"export {name}"))
            report.outputs = staged.outputs
    try:
        with _timed(report, "store"):
            step("store")
            prepared = prepare_store(config.store, dataset.quads())
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
