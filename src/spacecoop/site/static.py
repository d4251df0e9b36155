"""``spacecoop site -o site/``: the same pages as files, for any static web server.

Layout (paths relative to the output folder, which stands for the base IRI)::

    index.html, index.{lang}.html          home page (index.html: first language)
    doc/{kind}/{slug}.{lang}.html          a page per resource and language ...
    doc/{kind}/{slug}.html                 ... the first language again, for plain servers
    doc/{kind}/{slug}.ttl .jsonld .nt .rdf the RDF documents
    doc/{kind}/{slug}.var                  Apache type map (negotiation with q-values)
    doc/index.html, doc/{kind}/index.html  lists; def/index.*: the vocabulary
    context.jsonld, search.json, assets/   JSON-LD context, search index, CSS and script
    dist/                                  the build's downloads with SHA256SUMS
    .htaccess, nginx/maps.conf, nginx/locations.conf   rules generated from one table
    404.html, 406.html                     error pages

Every link is relative, so the folder works under any path; the rules give extensionless IRIs,
303 redirects and negotiation where the server runs them. The folder is written beside the
target and swapped in at the end, and the same sources give byte-identical files.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from spacecoop.config import Config
from spacecoop.errors import SpacecoopError
from spacecoop.export import swap_directory
from spacecoop.load import LoadedDataset
from spacecoop.site import rules
from spacecoop.site.documents import Documents
from spacecoop.site.model import SiteModel
from spacecoop.site.pages import Site, read_downloads
from spacecoop.site.web import ASSETS, asset


@dataclass(frozen=True)
class SiteReport:
    output: Path
    pages: int  # HTML files
    documents: int  # RDF files
    files: int  # everything written
    resources: int
    seconds: float


def build_site(
    dataset: LoadedDataset,
    config: Config,
    output: Path,
    progress: Callable[[str], None] | None = None,
) -> SiteReport:
    """Write the static site for ``dataset`` into ``output`` (replaced atomically)."""
    started = time.perf_counter()
    model = SiteModel.from_dataset(dataset, config)
    downloads = read_downloads(config.dist)
    site = Site(model, static=True, sparql_url=config.sparql_endpoint, downloads=downloads)
    documents = Documents(model)
    table = rules.rule_table(
        model.instance_prefix, model.negotiated_prefixes(), model.settings.languages
    )
    output = output.absolute()
    if output.exists() and not output.is_dir():
        raise SpacecoopError(f"{output} exists and is not a folder")
    if output == config.root or output in config.root.parents:
        raise SpacecoopError(f"refusing to replace {output}: it holds the project")
    output.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=output.parent, prefix=f".{output.name}.staging."))
    staged.chmod(0o755)
    counts = {"html": 0, "rdf": 0, "files": 0}

    def write(name: str, data: bytes, kind: str = "files") -> None:
        target = staged / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        counts["files"] += 1
        if kind != "files":
            counts[kind] += 1

    languages = model.settings.languages
    try:
        for stem in site.stems():
            if progress:
                progress(stem or "index")
            pages = {}
            for lang in languages:
                page = site.render(stem, lang)
                if page is None:
                    continue
                pages[lang] = page.encode("utf-8")
                write(rules.html_file(stem, lang), pages[lang], "html")
            if not pages:
                continue
            plain = rules.data_file(stem, rules.BY_KEY["html"])
            write(plain, pages[languages[0]], "html")
            has_data = site.has_data(stem)
            leaf = plain.rsplit("/", 1)[-1].removesuffix(".html")
            write(
                plain.removesuffix(".html") + ".var",
                rules.type_map(leaf, languages, html_only=not has_data).encode(),
            )
            if has_data:
                triples = documents.triples(stem)
                for fmt in rules.RDF_FORMATS:
                    write(rules.data_file(stem, fmt), documents.render(triples, fmt), "rdf")
        write(rules.CONTEXT, documents.context_bytes())
        write("search.json", site.search_index(True))
        for name in ASSETS:
            write(f"assets/{name}", asset(name))
        write("404.html", site.error_page("404", languages[0]).encode("utf-8"))
        write("406.html", site.error_page("406", languages[0]).encode("utf-8"))
        write(".htaccess", rules.htaccess(table).encode())
        write("nginx/maps.conf", rules.nginx_maps(table).encode())
        write("nginx/locations.conf", rules.nginx_locations(table).encode())
        for download in downloads:
            write(f"dist/{download.name}", (config.dist / download.name).read_bytes())
        swap_directory(staged, output)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return SiteReport(
        output,
        counts["html"],
        counts["rdf"],
        counts["files"],
        len(model.paths),
        time.perf_counter() - started,
    )
