"""Command-line interface: a thin layer that parses options and calls the library.

Exit codes (documented in the README): 0 ok, 1 findings at or above the fail level,
2 usage/syntax/IO error, 3 unsupported feature.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from spacecoop import __version__
from spacecoop.config import Config, load_config
from spacecoop.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, SpacecoopError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Strict loading, SHACL validation, exports and a SPARQL store for linked data.",
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class State:
    quiet: bool = False
    verbose: bool = False
    root: Path | None = None


state = State()


def _config() -> Config:
    return load_config(state.root)


def _interactive() -> bool:
    return err.is_terminal and not os.environ.get("CI") and not state.quiet


@contextmanager
def _progress(title: str) -> Iterator[Callable[[str], None]]:
    """A spinner on a terminal; silent in CI and when output is piped."""
    if not _interactive():
        yield (lambda message: err.print(message) if state.verbose else None)
        return
    with err.status(title) as status:
        yield lambda message: status.update(f"{title}: {message}")


@app.callback()
def main_options(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print each step.")] = False,
    project: Annotated[
        Path | None,
        typer.Option("--project", help="Project root (default: nearest pyproject.toml)."),
    ] = None,
) -> None:
    state.quiet, state.verbose, state.root = quiet, verbose, project


@app.command()
def version() -> None:
    """Print the toolkit version."""
    out.print(__version__)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _print_build_summary(report, config: Config) -> None:
    from spacecoop.findings import count_by_severity

    files = Table(title="Sources", show_edge=False)
    files.add_column("file")
    files.add_column("kind")
    files.add_column("triples", justify="right")
    for f in report.files:
        files.add_row(f.path, f.kind, str(f.triples))
    files.add_row("[b]total[/b]", "", f"[b]{report.triples}[/b]")
    out.print(files)
    graph = Table(title="Graph", show_edge=False, show_header=False)
    graph.add_row("classes declared", str(report.classes))
    graph.add_row("properties declared", str(report.properties))
    graph.add_row("instances (typed subjects in data)", str(report.instances))
    graph.add_row("sources cited", str(report.sources_cited))
    graph.add_row(
        "language-tagged literals",
        ", ".join(f"{k}: {v}" for k, v in report.languages.items()) or "none",
    )
    graph.add_row("store quads", str(report.store_quads))
    out.print(graph)
    counts = count_by_severity(report.findings)
    findings = Table(title=f"Findings (engine: {report.engine})", show_edge=False)
    for severity in counts:
        findings.add_column(severity, justify="right")
    findings.add_row(*(str(n) for n in counts.values()))
    out.print(findings)
    if report.questions:
        passed = sum(q.passed for q in report.questions)
        out.print(f"competency questions: {passed}/{len(report.questions)} passed")
    if report.outputs:
        outputs = Table(title=f"Outputs in {config.relative(config.dist)}/", show_edge=False)
        outputs.add_column("file")
        outputs.add_column("size", justify="right")
        for o in report.outputs:
            outputs.add_row(o.name, _size(o.size))
        out.print(outputs)
    timing = Table(title="Time per stage", show_edge=False)
    timing.add_column("stage")
    timing.add_column("seconds", justify="right")
    for stage, seconds in report.timings.items():
        timing.add_row(stage, f"{seconds:.3f}")
    out.print(timing)


@app.command()
def build(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    fail_on: Annotated[str | None, typer.Option(help="violation|warning|info|never")] = None,
    no_export: Annotated[bool, typer.Option("--no-export", help="Skip writing dist/.")] = False,
) -> None:
    """Load, validate, export, load the store and run the competency questions."""
    from spacecoop.build import build as run_build
    from spacecoop.report import format_text

    config = _config()
    with _progress("building") as step:
        report = run_build(config, fail_on=fail_on, export=not no_export, progress=step)
    if as_json:
        out.print_json(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        visible = [f for f in report.findings if state.verbose or f.severity.label != "info"]
        if visible and not state.quiet:
            out.print(format_text(visible, config.root), markup=False, end="")
        if not state.quiet:
            _print_build_summary(report, config)
        if report.failed:
            err.print(
                "build failed: findings at or above the fail level; "
                "dist/ and the store were left as they were"
            )
    raise typer.Exit(EXIT_FINDINGS if report.failed else EXIT_OK)


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Data files (default: configured sources).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text|json")] = "text",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the report to a file.")
    ] = None,
    fail_on: Annotated[str | None, typer.Option(help="violation|warning|info|never")] = None,
) -> None:
    """Validate the sources against the shapes; findings carry file, line and column."""
    from spacecoop.build import check
    from spacecoop.findings import fails
    from spacecoop.load import LoadedDataset, load
    from spacecoop.report import format_json, format_text

    config = _config()
    with _progress("validating") as step:
        if paths:
            base = load(config, kinds=("ontology", "shapes"), progress=step)
            extra = load(config, paths=paths, progress=step)
            dataset = LoadedDataset(base.sources + extra.sources, base.notes + extra.notes)
        else:
            dataset = load(config, progress=step)
        findings, engine = check(dataset, config)
    checked = len(dataset.of_kind("data"))
    if fmt == "json":
        text = format_json(findings, {"engine": engine, "files_checked": checked})
    elif fmt == "text":
        text = format_text(findings, config.root)
    else:
        raise SpacecoopError(f"unknown format {fmt!r} (text, json)")
    if output:
        from spacecoop.export import write_atomic

        write_atomic(output, text.encode("utf-8"))
    elif not state.quiet or fmt != "text":
        out.print(text, markup=False, end="")
    raise typer.Exit(EXIT_FINDINGS if fails(findings, fail_on or config.fail_on) else EXIT_OK)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="ttl|nt|nq|jsonld|rdfxml|trig")] = "ttl",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (default: stdout).")
    ] = None,
) -> None:
    """Write the graph (vocabulary + data) in one format, deterministically."""
    from spacecoop.export import serialize, serialize_dataset, write_atomic
    from spacecoop.load import load

    config = _config()
    dataset = load(config)
    if fmt in ("nq", "trig"):
        data = serialize_dataset(dataset, fmt)
    else:
        data = serialize(list(dataset.triples("ontology", "data")), fmt, dataset.prefixes())
    if output:
        write_atomic(output, data)
    else:
        sys.stdout.buffer.write(data)


@app.command("load")
def load_command() -> None:
    """Load all sources into the embedded store (one named graph per file), atomically."""
    from spacecoop.load import load
    from spacecoop.store import load_store

    config = _config()
    with _progress("loading") as step:
        dataset = load(config, progress=step)
        info = load_store(config.store, dataset.quads())
    if not state.quiet:
        out.print(f"{info.quads} quads in {info.graphs} graphs -> {config.relative(info.path)}")


def _parse_binding(text: str):
    import pyoxigraph as ox

    name, sep, value = text.partition("=")
    if not sep or not name:
        raise SpacecoopError(f"--bind expects name=value, got {text!r}")
    if value.startswith("<") and value.endswith(">"):
        return name.lstrip("?$"), ox.NamedNode(value[1:-1])
    return name.lstrip("?$"), ox.Literal(value)


@app.command()
def query(
    query_text: Annotated[
        str, typer.Argument(metavar="QUERY|FILE", help="SPARQL text or a .rq file.")
    ],
    fmt: Annotated[
        str, typer.Option("--format", help="table|csv|tsv|json|xml|ttl|nt|jsonld")
    ] = "table",
    bind: Annotated[
        list[str] | None, typer.Option("--bind", help="name=value (IRI as <...>).")
    ] = None,
) -> None:
    """Run a SPARQL query against the embedded store; values are bound, never spliced in."""
    import pyoxigraph as ox

    from spacecoop.store import open_store, run_query

    config = _config()
    candidate = Path(query_text)
    text = (
        candidate.read_text(encoding="utf-8")
        if query_text.endswith(".rq") and candidate.is_file()
        else query_text
    )
    bindings = dict(_parse_binding(b) for b in bind or [])
    store = open_store(config.store)
    result = run_query(store, text, bindings)
    if isinstance(result, ox.QuerySolutions) and fmt == "table":
        table = Table(show_edge=False)
        variables = [v.value for v in result.variables]
        for v in variables:
            table.add_column(v)
        for solution in result:
            table.add_row(*("" if solution[v] is None else str(solution[v]) for v in variables))
        out.print(table)
        return
    formats = {
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "ttl": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
        "table": ox.RdfFormat.TURTLE
        if isinstance(result, ox.QueryTriples)
        else ox.QueryResultsFormat.JSON,
    }
    if fmt not in formats:
        raise SpacecoopError(f"unknown format {fmt!r}")
    try:
        data = result.serialize(format=formats[fmt])
    except (ValueError, TypeError) as exc:
        raise SpacecoopError(f"cannot write this result as {fmt}: {exc}") from None
    sys.stdout.buffer.write(data)


@app.command()
def dump(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (default: stdout).")
    ] = None,
) -> None:
    """Write the whole store as sorted N-Quads."""
    from spacecoop.export import write_atomic
    from spacecoop.rdfwriter import write_nquads
    from spacecoop.store import open_store

    config = _config()
    store = open_store(config.store)
    data = write_nquads(store.quads_for_pattern(None, None, None, None))
    if output:
        write_atomic(output, data)
    else:
        sys.stdout.buffer.write(data)


@app.command()
def queries(
    update_expected: Annotated[
        bool, typer.Option("--update-expected", help="Write the current answers as expected.")
    ] = False,
) -> None:
    """Run the competency questions against the store and compare with expected answers."""
    from spacecoop.queries import run_question, write_expected
    from spacecoop.store import open_store

    config = _config()
    store = open_store(config.store)
    failed = 0
    for path in config.queries():
        result = run_question(store, path)
        if update_expected and result.error is None:
            write_expected(result)
            status = "updated"
        else:
            status = "ok" if result.passed else "FAIL"
            failed += not result.passed
        if not state.quiet:
            out.print(
                f"{status:>7}  {config.relative(path)}  "
                f"({max(len(result.rows) - 1, 0)} rows)  {result.question}"
            )
            if status == "FAIL":
                for row in result.missing:
                    out.print(f"         - {row}", markup=False)
                for row in result.unexpected:
                    out.print(f"         + {row}", markup=False)
                if result.error:
                    out.print(f"         {result.error}", markup=False)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def main() -> None:
    """Entry point: expected errors print one line and exit with their code, no traceback."""
    try:
        code = app(standalone_mode=False)
    except SpacecoopError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        # Usage errors of the (vendored) click library: show the message, exit 2.
        if any(cls.__name__ == "ClickException" for cls in type(exc).__mro__):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(EXIT_ERROR)
        raise
    sys.exit(code if isinstance(code, int) else EXIT_OK)
