"""The W3C SHACL test suite (core and SPARQL-based), run through spacecoop's validation path.

Each ``sht:Validate`` entry is validated with :func:`spacecoop.validate.validate_files` (strict
pyoxigraph loading, pySHACL, source-located findings); its conformance and the multiset of
results (focus, path, value, source shape, component, severity) must equal the expected report.
Blank nodes compare as "some blank node", and a complex path (a blank node) as "no IRI path",
since findings carry IRIs as plain strings.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from spacecoop.errors import SpacecoopError
from spacecoop.graphs import from_rdflib_term
from spacecoop.validate import validate_files
from tests.conftest import SHARED
from tests.support.shacl_manifest import (
    ShaclEntry,
    base_iri,
    expected_conforms,
    expects_failure,
    read_suite,
)

SUITE = SHARED / "w3c" / "data-shapes"

# Known failures, with the reason; xfail(strict=True) so that a fix turns them into failures
# to remove from this list. The first two are pySHACL's own (plain pySHACL 0.40 passes 119 of
# the 121 cases); the third is a deliberate limit of spacecoop's findings model.
KNOWN_FAILURES: dict[str, str] = {
    "urn:x-shacl-test:/core/property/uniqueLang-002": (
        'pySHACL reads sh:uniqueLang "1"^^xsd:boolean as true; the specification activates the '
        "constraint only for the literal true, so the shape must be ignored"
    ),
    "urn:x-shacl-test:/sparql/pre-binding/shapesGraph-001": (
        "pySHACL does not pre-bind $shapesGraph in SPARQL constraints (NotImplementedError); "
        "spacecoop reports it as an unsupported feature (exit code 3)"
    ),
    "urn:x-shacl-test:/core/misc/severity-002": (
        "spacecoop's findings have four severities (error, violation, warning, info): a custom "
        "sh:severity such as ex:MySeverity is reported as a violation, so that CI fails on it"
    ),
}

BLANK = "_:"
ResultKey = tuple[str | None, str | None, str | None, str | None, str | None, str]


def _entries() -> list[ShaclEntry]:
    if not (SUITE / "manifest.ttl").is_file():
        return []
    return read_suite(SUITE)


ENTRIES = _entries()


def _term(node: rdflib.term.Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, rdflib.BNode):
        return BLANK
    return str(from_rdflib_term(node))


def expected_results(entry: ShaclEntry) -> Counter[ResultKey]:
    graph = entry.graph
    results: Counter[ResultKey] = Counter()
    for result in graph.objects(entry.result, SH.result):
        focus = graph.value(result, SH.focusNode)
        path = graph.value(result, SH.resultPath)
        results[
            (
                BLANK if isinstance(focus, rdflib.BNode) else str(focus),
                str(path) if isinstance(path, rdflib.URIRef) else None,
                _term(graph.value(result, SH.value)),
                _term(graph.value(result, SH.sourceShape)),
                str(graph.value(result, SH.sourceConstraintComponent)),
                str(graph.value(result, SH.resultSeverity)).rsplit("#", 1)[-1].lower(),
            )
        ] += 1
    return results


def actual_results(entry: ShaclEntry) -> tuple[bool, Counter[ResultKey]]:
    run = validate_files(
        [entry.data], [entry.shapes], base_iri=lambda path: base_iri(SUITE, path), root=SUITE
    )
    assert run.dataset is not None
    blanks = {
        str(term.value)
        for source in run.dataset.sources
        for quad in source.quads
        for term in (quad.subject, quad.object)
        if type(term).__name__ == "BlankNode"
    }
    results: Counter[ResultKey] = Counter()
    for f in run.findings:
        assert f.checker == "shacl"
        value = f.value_term or (BLANK if f.value is not None else None)
        shape = BLANK if f.shape and " > " in f.shape else f.shape
        results[
            (
                BLANK if f.focus in blanks else f.focus,
                f.path,
                value,
                f"<{shape}>" if shape and shape != BLANK else shape,
                f.component,
                f.severity.label,
            )
        ] += 1
    return not run.findings, results


def test_suite_is_complete() -> None:
    if not ENTRIES:
        pytest.skip("../shared/w3c/data-shapes is not beside the repository")
    assert len(ENTRIES) == 121
    assert len({e.iri for e in ENTRIES}) == 121
    assert set(KNOWN_FAILURES) <= {e.iri for e in ENTRIES}


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(
            e,
            id=e.iri.removeprefix("urn:x-shacl-test:/"),
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[e.iri])]
            if e.iri in KNOWN_FAILURES
            else [],
        )
        for e in ENTRIES
    ],
)
def test_w3c_shacl(entry: ShaclEntry) -> None:
    if expects_failure(entry):
        # The shapes are not valid SHACL: a clear error (exit 2 or 3), never a silent pass.
        with pytest.raises(SpacecoopError):
            actual_results(entry)
        return
    conforms, actual = actual_results(entry)
    expected = expected_results(entry)
    assert conforms == expected_conforms(entry)
    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, (
        f"{entry.label}\n  missing: {sorted(missing.elements(), key=str)}"
        f"\n  unexpected: {sorted(unexpected.elements(), key=str)}"
    )


def test_located_findings_on_a_suite_case() -> None:
    """Findings from the suite carry file, line and column like project findings do."""
    if not ENTRIES:
        pytest.skip("../shared/w3c/data-shapes is not beside the repository")
    entry = next(e for e in ENTRIES if e.iri.endswith("core/property/minCount-001"))
    run = validate_files([entry.data], [entry.shapes], lambda p: base_iri(SUITE, p), root=SUITE)
    (finding,) = run.findings
    assert (
        finding.focus
        == "http://datashapes.org/sh/tests/core/property/minCount-001.test#InvalidPerson"
    )
    text = Path(entry.data).read_text().splitlines()
    assert finding.file == "core/property/minCount-001.ttl"
    assert text[finding.line - 1][finding.column - 1 :].startswith("ex:InvalidPerson")
