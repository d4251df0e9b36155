"""The linked-data site: resource model, pages, vocabulary documentation, RDF documents, the
rule table and the static site, on the two-language fixture (mini project + tests/fixtures/site).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import warnings
from pathlib import Path

import html5lib
import pyoxigraph as ox
import pytest
import rdflib
from pyld import jsonld as pyld
from rdflib.compare import isomorphic

from spacecoop import jsonld
from spacecoop.config import load_config
from spacecoop.errors import ConfigError
from spacecoop.load import load
from spacecoop.site import rules
from spacecoop.site.documents import Documents
from spacecoop.site.model import SiteModel
from spacecoop.site.pages import Site, read_downloads
from spacecoop.site.settings import load_site_settings
from spacecoop.site.static import build_site
from tests.conftest import run_cli
from tests.support.site import html_problems, site_project

BASE = "https://example.org/mini/"
SOLARIS = BASE + "id/book/solaris"
LEM = BASE + "id/person/lem"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return site_project(tmp_path_factory.mktemp("site") / "mini")


@pytest.fixture(scope="module")
def model(project: Path) -> SiteModel:
    config = load_config(project)
    return SiteModel.from_dataset(load(config), config)


@pytest.fixture(scope="module")
def site(model: SiteModel, project: Path) -> Site:
    return Site(
        model, static=False, sparql_url="/sparql", downloads=read_downloads(project / "dist")
    )


@pytest.fixture(scope="module")
def static_site(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = load_config(project)
    output = tmp_path_factory.mktemp("static") / "site"
    build_site(load(config), config, output)
    return output


def parse(html: str):
    return html5lib.parse(html, namespaceHTMLElements=False)


# ----------------------------------------------------------------------------- settings


def test_site_settings_resolve_names(project: Path) -> None:
    settings = load_site_settings(load_config(project))
    assert settings.languages == ("en", "zh")
    assert settings.entry_points == (BASE + "def/Book", BASE + "def/Person")
    assert settings.map.partners == (BASE + "def/translator", BASE + "def/publisher")
    assert settings.map.title["zh"] == "译者与出版者"


@pytest.mark.parametrize(
    "table,message",
    [
        ("[tool.spacecoop.site]\nfavourite = 1\n", "unknown keys: favourite"),
        ('[tool.spacecoop.site.map]\nclasses = ["Book"]\n', "needs partners"),
        ('[tool.spacecoop.site]\nentry_points = ["a:b"]\n', "neither a full IRI"),
        ("[tool.spacecoop.site.map]\ncolour = 1\n", "unknown keys: colour"),
    ],
)
def test_site_settings_errors(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.spacecoop]\nbase_iri = "https://x.test/"\n{table}', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=message):
        load_site_settings(load_config(tmp_path))


# ----------------------------------------------------------------------------- rule table

TABLE = rules.rule_table("id/", ["def/", "doc/"], ("en", "zh"))


@pytest.mark.parametrize(
    "path,action,target,fmt,lang",
    [
        ("id/book/solaris", "see-other", "doc/book/solaris", None, None),
        ("doc/book/solaris", "negotiate", "doc/book/solaris", None, None),
        ("doc/book/solaris.ttl", "document", "doc/book/solaris", "ttl", None),
        ("doc/book/solaris.zh.html", "document", "doc/book/solaris", "html", "zh"),
        ("doc/book/solaris.html", "document", "doc/book/solaris", "html", None),
        ("def/Book.jsonld", "document", "def/Book", "jsonld", None),
        ("def/", "negotiate", "def/", None, None),
        ("def/index.nt", "document", "def/", "nt", None),
        ("context.jsonld", "cors", "context.jsonld", None, None),
        ("elsewhere/x", "none", "elsewhere/x", None, None),
    ],
)
def test_resolve(path: str, action: str, target: str, fmt: str | None, lang: str | None) -> None:
    found = rules.resolve(TABLE, path)
    assert (found.action, found.path) == (action, target)
    assert (found.format.key if found.format else None) == fmt
    assert found.language == lang


@pytest.mark.parametrize(
    "accept,expected",
    [
        (None, "html"),
        ("", "html"),
        ("*/*", "html"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("text/html;q=0, */*", "ttl"),
        ("image/png", None),
        ("text/plain", None),
        *((accept, key) for accept, key in __import__("spacecoop.site.check").site.check.Q_CASES),
    ],
)
def test_choose_format(accept: str | None, expected: str | None) -> None:
    chosen = rules.choose_format(accept)
    assert (chosen.key if chosen else None) == expected


def test_only_html_is_offered_for_lists() -> None:
    assert rules.choose_format("text/turtle", html_only=True) is None
    assert rules.choose_format("*/*", html_only=True).key == "html"


@pytest.mark.parametrize(
    "header,expected",
    [
        (None, "en"),
        ("zh", "zh"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("fr, zh;q=0.5", "zh"),
        ("fr", "en"),
        ("en;q=0.2, zh;q=0.7", "zh"),
        ("*", "en"),
    ],
)
def test_choose_language(header: str | None, expected: str) -> None:
    assert rules.choose_language(header, ("en", "zh")) == expected


def test_nginx_and_apache_rules_come_from_the_table(model: SiteModel) -> None:
    table = rules.rule_table(model.instance_prefix, model.negotiated_prefixes(), ("en", "zh"))
    assert table.negotiated == ["def/", "doc/", "shapes/"]  # shapes have pages too
    locations = rules.nginx_locations(table)
    maps = rules.nginx_maps(table)
    htaccess = rules.htaccess(table)
    assert "return 303 /doc/$sc_rest$is_args$args;" in locations
    assert "(?:def|doc|shapes)" in locations and "(?:def|doc|shapes)" in htaccess
    assert "RewriteRule ^id/(.+)$ doc/$1 [R=303,L]" in htaccess
    for f in rules.FORMATS:
        assert f.media_type.replace("+", r"\+") in maps and f.extension in htaccess + locations
    # the type map of a document ranks HTML first, then RDF in the table's order
    var = rules.type_map("solaris", ("en", "zh"))
    assert var.index("solaris.en.html") < var.index("solaris.ttl") < var.index("solaris.rdf")
    assert "Content-Language: zh" in var and "qs=0.99" in var


# ----------------------------------------------------------------------------- model


def test_paths_and_kinds(model: SiteModel) -> None:
    assert model.paths[SOLARIS] == "doc/book/solaris"
    assert model.paths[BASE + "def/Book"] == "def/Book"
    assert model.paths[BASE + "def"] == "def/"  # the ontology IRI is the vocabulary page
    assert model.by_path["doc/person/lem"] == LEM
    assert set(model.kinds) == {"book", "org", "person", "translation"}
    assert model.negotiated_prefixes() == ["def/", "doc/", "shapes/"]
    assert model.paths["https://example.org/mini/shapes/BookShape"] == "shapes/BookShape"
    assert model.document_path("https://elsewhere.test/x") is None
    assert model.document_path(BASE + "id/a/../b") is None


def test_labels_fall_back_by_language(model: SiteModel) -> None:
    solaris, kilmartin = ox.NamedNode(SOLARIS), ox.NamedNode(BASE + "id/person/kilmartin")
    assert model.label(solaris, "zh") == ("索拉里斯星", "zh")
    assert model.label(solaris, "en") == ("Solaris", "en")
    assert model.label(kilmartin, "zh") == ("Joanna Kilmartin", "en")
    assert model.label(ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), "en")[0] == (
        "rdfs:label"
    )
    assert model.label(ox.NamedNode("http://www.wikidata.org/entity/Q1"), "en")[0] == (
        "Wikidata Q1"
    )


def test_partner_map_is_derived_from_the_configuration(model: SiteModel) -> None:
    found = model.partner_map(ox.NamedNode(SOLARIS))
    assert found is not None
    assert [r.via for r in found.rows] == [
        None,
        BASE + "def/translationOf",
        BASE + "def/translationOf",
    ]
    assert {p.value.rsplit("/", 1)[1] for p in found.partners} == {
        "mon",
        "kilmartin",
        "cox",
        "chen",
        "example-press",
    }
    assert found.detail_properties == [BASE + "def/intoLanguage"]
    assert model.partner_map(ox.NamedNode(LEM)) is None  # not a configured class


def test_document_triples_hold_incoming_links(model: SiteModel) -> None:
    triples = model.document_triples(SOLARIS)
    subjects = {t.subject.value for t in triples}
    assert subjects == {
        SOLARIS,
        BASE + "id/translation/solaris-en",
        BASE + "id/translation/solaris-zh",
    }
    assert model.schema_type(ox.NamedNode(SOLARIS)) == "Book"
    assert model.wikidata_links(ox.NamedNode(SOLARIS)) == ["http://www.wikidata.org/entity/Q1"]


# ----------------------------------------------------------------------------- pages


def test_every_page_is_valid_html_in_every_language(site: Site) -> None:
    stems = site.stems()
    assert len(stems) > 20
    for stem in stems:
        for lang in ("en", "zh"):
            page = site.render(stem, lang)
            assert page is not None, stem
            problems = html_problems(page, lang)
            assert not problems, f"{stem} ({lang}): {problems}"
    for kind in ("404", "406"):
        assert not html_problems(site.error_page(kind, "zh"), "zh")


def test_entity_page_in_chinese(site: Site) -> None:
    page = site.render("doc/book/solaris", "zh")
    document = parse(page)
    assert document.find(".//h1").text == "索拉里斯星"
    headings = [h.text for h in document.iter("h2")]
    assert headings[0] == "译者与出版者" and "属性" in headings and "来源" in headings
    links = {"".join(a.itertext()): a.get("href") for a in document.iter("a")}
    assert links["斯坦尼斯瓦夫·莱姆"] == "/doc/person/lem"  # the author, by its zh label
    assert links["Joanna Kilmartin"] == "/doc/person/kilmartin"  # en fallback, marked en
    assert links["Library catalogue entry"] == "https://example.org/sources/catalogue"
    assert links["Wikidata Q1"] == "http://www.wikidata.org/entity/Q1"
    assert links["译自"] == "/def/translationOf"  # property label, not its IRI
    fallback = next(a for a in document.iter("a") if a.text == "Joanna Kilmartin")
    assert fallback.get("lang") == "en"
    assert "<svg" in page and page.count('class="partner"') == 5


def test_schema_org_json_ld(site: Site) -> None:
    page = site.render("doc/book/solaris", "en")
    block = re.search(r'<script type="application/ld\+json">\n(.*?)\n</script>', page, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "Book" and data["@id"] == SOLARIS
    assert data["name"] == "Solaris" and data["alternateName"] == ["索拉里斯星"]
    assert data["sameAs"] == ["http://www.wikidata.org/entity/Q1"]
    home = json.loads(re.search(r"ld\+json\">\n(.*?)\n</script>", site.render("", "en"), re.S)[1])
    assert home["@type"] == "Dataset" and home["distribution"]


def test_home_page(site: Site) -> None:
    document = parse(site.render("", "en"))
    text = " ".join(document.itertext())
    assert "Mini library" in text and "A few books" in text
    links = {"".join(a.itertext()).strip(): a.get("href") for a in document.iter("a")}
    assert links["VoID statistics"] == "/dist/void.ttl"
    assert links["DCAT catalogue entry"] == "/dist/dcat.ttl"
    assert links["SPARQL query"] == "/sparql"
    assert links["Solaris"] == "/doc/book/solaris" and links["Stanisław Lem"] == "/doc/person/lem"
    digests = [c.text for c in document.iter("code") if c.get("class") == "digest"]
    sums = (Path(site.model.config.dist) / "SHA256SUMS").read_text()
    assert digests and all(d in sums for d in digests if d)


def test_vocabulary_pages(site: Site) -> None:
    translator = parse(site.render("def/translator", "zh"))
    text = " ".join(translator.itertext())
    assert "译者" in text and "A person who translated the work." in text  # both languages
    dl = {
        dt.text: "".join(dd.itertext())
        for dt, dd in zip(translator.iter("dt"), translator.iter("dd"), strict=True)
    }
    assert dl["定义域"] == "译本" and dl["值域"] == "人物"
    author = " ".join(parse(site.render("def/author", "en")).itertext())
    assert "BookAuthor" in author and "sh:class" in author  # the shape that constrains it
    assert "Solaris" in author  # a use from the data
    book = parse(site.render("def/Book", "en"))
    text = " ".join(book.itertext())
    assert "BookShape" in text and "Solaris by Stanisław Lem." in text
    assert "Fiasco" in text and "Instances (2)" in text
    publisher = "".join(parse(site.render("def/publisher", "en")).itertext())
    assert "Book, Translation" in publisher  # an owl:unionOf domain, resolved
    index = " ".join(parse(site.render("def/", "en")).itertext())
    assert "1.2.3" in index and "Classes (4)" in index and "Mini vocabulary" in index


def test_vocabulary_renders_in_pylode_without_warnings(project: Path, caplog) -> None:
    from pylode import OntPub

    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = OntPub(ontology=str(project / "dist/vocabulary.ttl")).make_html()
    # pyLODE leaves its own stylesheet open (a ResourceWarning about its code, not ours)
    ours = [
        w
        for w in caught
        if not (issubclass(w.category, ResourceWarning) and "pylode" in str(w.message))
    ]
    assert not ours, [str(w.message) for w in ours]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "Translation" in html and "译本" in html


# ----------------------------------------------------------------------------- RDF documents


def _graph(data: bytes, fmt: str, context: jsonld.Context) -> rdflib.Graph:
    graph = rdflib.Graph()
    if fmt == "jsonld":
        loader = jsonld.document_loader({BASE + "context.jsonld": context.document})
        nquads = pyld.to_rdf(
            json.loads(data), {"format": "application/n-quads", "documentLoader": loader}
        )
        return graph.parse(data=nquads, format="nt")  # default graph only: N-Triples
    return graph.parse(
        data=data, format={"ttl": "turtle", "nt": "nt", "rdf": "xml"}[fmt], publicID=BASE
    )


@pytest.mark.parametrize("stem", ["doc/book/solaris", "def/publisher", "def/"])
def test_every_format_holds_the_same_graph(model: SiteModel, stem: str) -> None:
    documents = Documents(model)
    triples = documents.triples(stem)
    assert triples
    graphs = {
        f.key: _graph(documents.render(triples, f), f.key, documents.context)
        for f in rules.RDF_FORMATS
    }
    assert len(graphs["nt"]) == len(set(triples))
    for key, graph in graphs.items():
        assert isomorphic(graph, graphs["nt"]), key


# ----------------------------------------------------------------------------- static site


def test_static_site_layout(static_site: Path) -> None:
    for suffix in (".html", ".en.html", ".zh.html", ".ttl", ".jsonld", ".nt", ".rdf", ".var"):
        assert (static_site / f"doc/book/solaris{suffix}").is_file(), suffix
    for name in (
        "index.html",
        "index.zh.html",
        "def/index.ttl",
        "doc/index.html",
        "doc/book/index.zh.html",
        "context.jsonld",
        "search.json",
        ".htaccess",
        "nginx/maps.conf",
        "nginx/locations.conf",
        "404.html",
        "406.html",
        "assets/site.css",
        "assets/search.js",
        "dist/SHA256SUMS",
        "index.var",
    ):
        assert (static_site / name).is_file(), name
    page = (static_site / "doc/book/solaris.zh.html").read_text(encoding="utf-8")
    assert 'href="../person/lem.zh.html"' in page  # relative links, language kept
    assert 'href="../../assets/site.css"' in page
    assert 'href="solaris.en.html"' in page  # the language switch
    assert not html_problems(page, "zh")
    search = json.loads((static_site / "search.json").read_text(encoding="utf-8"))
    entry = next(e for e in search["entries"] if e["p"] == "doc/book/solaris")
    assert entry["l"] == {"en": "Solaris", "zh": "索拉里斯星"}
    sums = (static_site / "dist/SHA256SUMS").read_text().splitlines()
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((static_site / "dist" / name).read_bytes()).hexdigest() == digest


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_static_site_is_deterministic_and_replaced_whole(
    project: Path, static_site: Path, tmp_path: Path
) -> None:
    config = load_config(project)
    again = tmp_path / "site"
    (again / "stale").mkdir(parents=True)
    (again / "stale/old.html").write_text("old")
    report = build_site(load(config), config, again)
    assert _digests(again) == _digests(static_site)
    assert not (again / "stale").exists()
    assert report.pages == sum(1 for _ in again.rglob("*.html")) - 2  # 404 and 406 aside
    assert not list(tmp_path.glob(".site.staging*"))


def test_site_command(project: Path, tmp_path: Path) -> None:
    result = run_cli("site", "-o", str(tmp_path / "out"), cwd=project)
    assert result.returncode == 0, result.stderr
    assert re.search(r"\d+ HTML pages and \d+ RDF documents for 25 resources", result.stdout)
    (tmp_path / "file").write_text("x")
    refused = run_cli("site", "-o", str(tmp_path / "file"), cwd=project)
    assert refused.returncode == 2 and "not a folder" in refused.stderr
    assert "Traceback" not in refused.stderr


# ----------------------------------------------------------------------------- real project


@pytest.mark.slow
def test_real_project_pages_and_pylode(repo: Path, tmp_path: Path) -> None:
    """The project's own sources: a page of every kind and term group is valid in every
    configured language, its partner maps render, and its vocabulary passes pyLODE."""
    from pylode import OntPub

    from spacecoop.export import serialize

    config = load_config(repo)
    dataset = load(config)
    model = SiteModel.from_dataset(dataset, config)
    site = Site(model, static=True, sparql_url=config.sparql_endpoint)
    assert len(model.paths) > 500 and model.settings.entry_points
    stems = ["", "doc/", model.vocabulary_prefix or "def/"]
    stems += [model.paths[iris[0]] for iris in model.kinds.values()]
    stems += [model.paths[terms[0]] for _, terms in site.vocabulary.grouped()]
    mapped = [i for c in model.settings.map.classes for i in model.instances(c)]
    assert any(model.partner_map(ox.NamedNode(i)) for i in mapped)
    stems += [model.paths[i] for i in mapped[:3]]
    for stem in stems:
        for lang in config.languages:
            problems = html_problems(site.render(stem, lang), lang)
            assert not problems, f"{stem} ({lang}): {problems[:5]}"
    vocabulary = tmp_path / "vocabulary.ttl"
    vocabulary.write_bytes(serialize(model.vocabulary, "ttl", model.prefixes))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        OntPub(ontology=str(vocabulary)).make_html()
    assert not [w for w in caught if not issubclass(w.category, ResourceWarning)]
