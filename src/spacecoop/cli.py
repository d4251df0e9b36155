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
    engine: Annotated[str, typer.Option(help="SHACL engine: fast|pyshacl")] = "fast",
) -> None:
    """Load, validate, export, load the store and run the competency questions."""
    from spacecoop.build import build as run_build
    from spacecoop.report import format_text

    config = _config()
    with _progress("building") as step:
        report = run_build(
            config, fail_on=fail_on, export=not no_export, progress=step, engine=engine
        )
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
    fmt: Annotated[
        str, typer.Option("--format", help="text|json|sarif|junit|github|markdown|turtle")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the report to a file.")
    ] = None,
    fail_on: Annotated[str | None, typer.Option(help="violation|warning|info|never")] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Only findings not in this file fail.")
    ] = None,
    update_baseline: Annotated[
        bool, typer.Option("--update-baseline", help="Record the current findings in --baseline.")
    ] = False,
    engine: Annotated[str, typer.Option(help="SHACL engine: fast|pyshacl")] = "fast",
    endpoint: Annotated[
        str | None, typer.Option(help="Validate the data in this SPARQL endpoint (fast engine).")
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(help="Validate only the nodes affected by changes since this git revision."),
    ] = None,
) -> None:
    """Validate the sources against the shapes; findings carry file, line and column."""
    from spacecoop.baseline import apply_baseline, read_baseline
    from spacecoop.build import check
    from spacecoop.config import SEVERITY_LEVELS
    from spacecoop.findings import fails
    from spacecoop.load import LoadedDataset, load
    from spacecoop.report import FORMATS, context_for, format_github, render

    if fmt not in FORMATS:
        raise SpacecoopError(f"unknown --format {fmt!r} (choose one of: {', '.join(FORMATS)})")
    if fail_on is not None and fail_on not in SEVERITY_LEVELS:
        levels = ", ".join(SEVERITY_LEVELS)
        raise SpacecoopError(f"unknown --fail-on {fail_on!r} (choose one of: {levels})")
    if update_baseline and baseline is None:
        raise SpacecoopError("--update-baseline needs --baseline FILE (where to record findings)")
    config = _config()
    shown = config.relative(baseline) if baseline else ""
    known = read_baseline(baseline, shown) if baseline and not update_baseline else None
    if engine not in ("fast", "pyshacl"):
        raise SpacecoopError(f"unknown --engine {engine!r} (choose one of: fast, pyshacl)")
    if (endpoint or changed_since) and engine != "fast":
        raise SpacecoopError("--endpoint and --changed-since need --engine fast")
    with _progress("validating") as step:
        if endpoint:
            dataset = load(config, kinds=("shapes",), progress=step)
        elif paths:
            base = load(config, kinds=("ontology", "shapes"), progress=step)
            extra = load(config, paths=paths, progress=step)
            dataset = LoadedDataset(base.sources + extra.sources, base.notes + extra.notes)
        else:
            dataset = load(config, progress=step)
        focus = None
        if changed_since:
            from spacecoop.engine.incremental import changes_since

            change = changes_since(config, changed_since, dataset)
            focus = change.focus_nodes
            if not state.quiet:
                err.print(change.summary())
        findings, engine = check(
            dataset, config, engine=engine, focus_nodes=focus, endpoint=endpoint
        )
    comparison = (
        apply_baseline(findings, baseline, shown, known, update_baseline) if baseline else None
    )
    queries = [config.relative(p) for p in config.queries()]
    context = context_for(dataset, config, engine, "none", fail_on, comparison, queries)
    text = render(fmt, findings, context)
    if output:
        from spacecoop.export import write_atomic

        try:
            write_atomic(output, text.encode("utf-8"))
        except OSError as exc:
            raise SpacecoopError(f"{output}: cannot write the report: {exc.strerror}") from None
        if not state.quiet:
            err.print(f"{fmt} report written to {output} ({len(findings)} findings)")
    elif not state.quiet or fmt != "text":
        # Written as is: rich would turn ":x:" in an IRI such as urn:x:y into an emoji.
        sys.stdout.write(text)
        sys.stdout.flush()
    if os.environ.get("GITHUB_ACTIONS") == "true" and fmt != "github":
        # Annotations go where they cannot corrupt a machine-readable report on stdout.
        target = sys.stdout if output or fmt == "text" else sys.stderr
        target.write(format_github(findings, context))
        target.flush()
    counted = comparison.new if comparison is not None else findings
    raise typer.Exit(EXIT_FINDINGS if fails(counted, context.fail_on) else EXIT_OK)


@app.command()
def export(
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="ttl|nt|nq|jsonld|rdfxml|trig (default: ttl, or jsonld)"),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (default: stdout).")
    ] = None,
    frame: Annotated[
        str | None,
        typer.Option("--frame", help="A frame of [tool.spacecoop.frames]: nested JSON-LD."),
    ] = None,
) -> None:
    """Write the graph (vocabulary + data) in one format, deterministically."""
    from spacecoop.export import export_chunks, write_atomic_chunks
    from spacecoop.load import load

    config = _config()
    dataset = load(config)
    chunks = export_chunks(dataset, config, fmt or ("jsonld" if frame else "ttl"), frame)
    if output:
        write_atomic_chunks(output, chunks)
    else:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)


@app.command()
def release() -> None:
    """Build, then write the immutable releases/{version}/ snapshot and update CHANGELOG.md."""
    from spacecoop.release import release as run_release

    config = _config()
    with _progress("releasing") as step:
        result = run_release(config, progress=step)
    if result.failed:
        from spacecoop.report import format_text

        findings = [f for f in result.report.findings if f.severity.label != "info"]
        out.print(format_text(findings, config.root), markup=False, end="")
        err.print("release failed: the build has findings at or above the fail level")
        raise typer.Exit(EXIT_FINDINGS)
    if not state.quiet:
        since = f" (changes since {result.previous})" if result.previous else " (first release)"
        out.print(f"released {result.version} -> {config.relative(result.path)}/{since}")
        out.print(f"changelog: {config.relative(result.changelog)}")


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="File, folder, or git revision (REV or REV:path).")],
    new: Annotated[str, typer.Argument(help="File, folder, or git revision (REV or REV:path).")],
    fmt: Annotated[str, typer.Option("--format", help="markdown|json")] = "markdown",
    fail_on_breaking: Annotated[
        bool, typer.Option("--fail-on-breaking", help="Exit 1 if a vocabulary change breaks.")
    ] = False,
) -> None:
    """Entity-level changelog between two versions; breaking vocabulary changes flagged."""
    from spacecoop.diff import diff as run_diff
    from spacecoop.diff import to_json_text, to_markdown
    from spacecoop.errors import ConfigError

    if fmt not in ("markdown", "json"):
        raise SpacecoopError(f"unknown format {fmt!r} (markdown, json)")
    try:
        config: Config | None = _config()
        repository = config.root
    except ConfigError:
        config, repository = None, Path.cwd()
    changes = run_diff(old, new, repository, config)
    text = to_json_text(changes) if fmt == "json" else to_markdown(changes)
    out.print(text, markup=False, end="")
    raise typer.Exit(EXIT_FINDINGS if fail_on_breaking and changes.breaking else EXIT_OK)


@app.command("load")
def load_command() -> None:
    """Load all sources into the embedded store (one named graph per file), atomically."""
    from spacecoop.load import load
    from spacecoop.store import load_store

    config = _config()
    with _progress("loading") as step:
        dataset = load(config, progress=step)
        info = load_store(config.store, sources=dataset.sources)
    if not state.quiet:
        out.print(f"{info.quads} quads in {info.graphs} graphs -> {config.relative(info.path)}")


def _parse_binding(text: str):
    """``name=value``: an IRI as ``<...>``, a Turtle literal (``"x"@en``, ``"2024"^^xsd:gYear``
    with full IRIs, numbers), or else a plain string. The value becomes a term, never query text."""
    import pyoxigraph as ox

    name, sep, value = text.partition("=")
    if not sep or not name:
        raise SpacecoopError(f"--bind expects name=value, got {text!r}")
    name = name.lstrip("?$")
    if value[:1] in ("<", '"') or value.lstrip("+-").replace(".", "", 1).isdigit():
        document = f"<urn:x:s> <urn:x:p> {value} .".encode()
        try:
            [triple] = [q.triple for q in ox.parse(document, format=ox.RdfFormat.TURTLE)]
        except (SyntaxError, ValueError) as exc:
            raise SpacecoopError(f"--bind {name}: {value!r} is not an RDF term ({exc})") from None
        return name, triple.object
    return name, ox.Literal(value)


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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    timeout: Annotated[float, typer.Option(help="Seconds before a query is stopped.")] = 10.0,
    max_rows: Annotated[int, typer.Option(help="Rows per result (0: no cap).")] = 10_000,
    max_body: Annotated[int, typer.Option(help="Largest request body in bytes.")] = 1_000_000,
    max_concurrent: Annotated[
        int | None, typer.Option(help="Queries running at once (default: one per CPU, min. 2).")
    ] = None,
    max_queue: Annotated[int, typer.Option(help="Requests that may wait for a worker.")] = 64,
    enable_update: Annotated[
        bool, typer.Option("--enable-update", help="Accept SPARQL Update (needs a token).")
    ] = False,
    token_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the update bearer token.")
    ] = None,
    site: Annotated[
        bool, typer.Option("--site/--no-site", help="Serve the linked-data pages (every IRI).")
    ] = True,
) -> None:
    """Serve the store over the SPARQL 1.1 Protocol at /sparql, with a query page, and every
    IRI under the base IRI as a page or RDF document (content negotiation)."""
    from spacecoop.serve import ServeOptions
    from spacecoop.serve import serve as run_serve

    options = ServeOptions(
        host,
        port,
        timeout,
        max_rows,
        max_body,
        max_concurrent,
        max_queue,
        enable_update,
        token_env,
        "warning" if state.quiet else "info",
        site,
    )
    with _progress("loading") as step:
        announce = None if state.quiet else err.print
        run_serve(_config(), options, progress=step, announce=announce)


@app.command()
def publish(
    endpoint: Annotated[str, typer.Option(help="The store's base URL, e.g. http://host:7878.")],
    store_type: Annotated[
        str, typer.Option(help="oxigraph|fuseki|graphdb|virtuoso|generic (gives the paths).")
    ] = "oxigraph",
    graph: Annotated[
        str | None, typer.Option(help="Live graph IRI (default: publish_graph of tool.spacecoop).")
    ] = None,
    dataset: Annotated[
        str | None, typer.Option(help="Fuseki dataset or GraphDB repository name.")
    ] = None,
    user: Annotated[str | None, typer.Option(help="User for HTTP authentication.")] = None,
    password_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the password.")
    ] = None,
    token_env: Annotated[
        str | None, typer.Option(help="Environment variable holding a bearer token.")
    ] = None,
    auth: Annotated[
        str | None, typer.Option(help="basic|digest (default: the store type's).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    query_path: Annotated[str | None, typer.Option(help="SPARQL query path or URL.")] = None,
    update_path: Annotated[str | None, typer.Option(help="SPARQL update path or URL.")] = None,
    gsp_path: Annotated[str | None, typer.Option(help="Graph Store Protocol path or URL.")] = None,
    chunk_size: Annotated[int, typer.Option(help="Triples per upload request.")] = 50_000,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each request.")] = 60.0,
) -> None:
    """Publish the graph into a triple store: stage, verify the count, then MOVE atomically."""
    from spacecoop.load import load
    from spacecoop.publish import (
        credentials_from_env,
        export_triples,
        plan_publish,
        resolve_target,
        summarize,
    )
    from spacecoop.publish import publish as run_publish

    config = _config()
    target = resolve_target(
        endpoint,
        store_type,
        dataset=dataset,
        query_path=query_path,
        update_path=update_path,
        gsp_path=gsp_path,
        credentials=credentials_from_env(user, password_env, token_env),
        auth_scheme=auth,
        timeout=timeout,  # type: ignore[arg-type]
    )
    live = graph or config.publish_graph
    with _progress("publishing") as step:
        triples = export_triples(load(config, kinds=("ontology", "data"), progress=step), config)
        if dry_run:
            plan = plan_publish(triples, target, live)
        else:
            result = run_publish(triples, target, live, chunk_triples=chunk_size, progress=step)
    if dry_run:
        out.print(
            f"dry run: <{plan.graph}> at {target.base_url} holds {plan.live_triples} triples; "
            f"publishing {plan.export_triples} would add {len(plan.added)} and remove "
            f"{len(plan.removed)} ({plan.unchanged} unchanged). Nothing was written.",
            markup=False,
        )
        if plan.rewritten:
            out.print(
                f"{plan.rewritten} more triple(s) differ only in how the store writes a literal "
                "(its canonical form or datatype, e.g. xsd:positiveInteger kept as xsd:integer): "
                "not counted as changes",
                markup=False,
            )
        if not state.quiet:
            limit = 1_000_000 if state.verbose else 5
            for sign, lines in (("+", plan.added), ("-", plan.removed)):
                for line in summarize(lines, limit):
                    out.print(f"  {sign} {line}", markup=False)
                if len(lines) > limit:
                    out.print(f"  {sign} … {len(lines) - limit} more (-v lists all)")
        return
    for leftover in result.leftovers_dropped:
        err.print(f"dropped the staging graph <{leftover}> left by an interrupted publish")
    if not state.quiet:
        out.print(
            f"published {result.triples} triples to <{result.graph}> at {target.base_url} "
            f"(was {result.previous}; {result.chunks} upload(s) into a staging graph, count "
            f"verified, swapped with MOVE) in {result.seconds:.2f} s",
            markup=False,
        )


@app.command()
def namespace(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File (stdout).")] = None,
) -> None:
    """Generate a typed rdflib namespace module for the vocabulary."""
    from spacecoop.export import write_atomic
    from spacecoop.load import load
    from spacecoop.namespace import generate

    config = _config()
    source = generate(load(config, kinds=("ontology",)), config.vocabulary_namespace)
    if output:
        write_atomic(output, source.encode("utf-8"))
    else:
        sys.stdout.write(source)


@app.command()
def site(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write.")] = Path("site"),
) -> None:
    """Write the static site: pages, a file per format per resource, search, server rules."""
    from spacecoop.load import load
    from spacecoop.site.static import build_site

    config = _config()
    with _progress("writing the site") as step:
        report = build_site(load(config, progress=step), config, output, progress=step)
    if not state.quiet:
        out.print(
            f"{report.pages} HTML pages and {report.documents} RDF documents for "
            f"{report.resources} resources ({report.files} files) -> {output}/ "
            f"in {report.seconds:.1f} s"
        )


@app.command("check-conneg")
def check_conneg(
    base_url: Annotated[str, typer.Argument(help="Where the base IRI is deployed.")],
    per_kind: Annotated[int, typer.Option(help="Things looked up per kind.")] = 1,
) -> None:
    """Run the Accept x IRI matrix (303s, types, Vary, 406, language) against a deployment."""
    from spacecoop.load import load
    from spacecoop.report import format_text
    from spacecoop.site.check import check_conneg as run_check
    from spacecoop.site.model import SiteModel

    if not base_url.startswith(("http://", "https://")):
        raise SpacecoopError(f"BASE_URL must be an http(s) URL, got {base_url!r}")
    config = _config()
    with _progress("checking") as step:
        model = SiteModel.from_dataset(load(config), config)
        report = run_check(base_url, model, per_kind, progress=step)
    if report.findings:
        out.print(format_text(report.findings, config.root), markup=False, end="")
    if not state.quiet or report.failed:
        out.print(
            f"{report.checks} checks on {len(report.samples)} IRIs at {report.base_url}: "
            f"{len(report.findings)} failed"
        )
    raise typer.Exit(EXIT_FINDINGS if report.failed else EXIT_OK)


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
