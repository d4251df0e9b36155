"""HTML pages from the resource model, rendered with the package's jinja2 templates.

The same pages serve both front-ends; only the links differ. A :class:`Linker` turns a document
path into a URL: absolute and extensionless on the server (``/doc/kind/slug``, negotiated, the
language kept by a cookie or ``Accept-Language``), relative and explicit in the static site
(``../kind/slug.zh.html``), so that the files work from any folder and any plain web server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pyoxigraph as ox

from spacecoop.site import rules
from spacecoop.site.messages import language_name, messages
from spacecoop.site.model import (
    DESCRIPTION_PROPERTIES,
    LABEL_PROPERTIES,
    RDF_TYPE,
    WIKIDATA,
    XSD,
    SiteModel,
    Term,
)
from spacecoop.site.vocab import Vocabulary, is_term_type

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
MAX_DEPTH = 3
HOME_INSTANCES = 8


@dataclass(frozen=True)
class Download:
    """One file of ``dist/``, as listed in its ``SHA256SUMS``."""

    name: str
    size: int
    sha256: str


def read_downloads(dist: Path) -> list[Download]:
    """The files of a build with their checksums; empty when there is no build yet."""
    sums = dist / "SHA256SUMS"
    if not sums.is_file():
        return []
    found = []
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = dist / name
        if name and path.is_file() and "/" not in name.replace("frames/", ""):
            found.append(Download(name, path.stat().st_size, digest))
    found.append(Download("SHA256SUMS", sums.stat().st_size, ""))
    return found


def relative(target: str, current: str) -> str:
    """The relative URL of site file ``target`` from page ``current`` (both site paths).

    ``posixpath.relpath`` would do, but it asks the operating system for the working
    directory on every call, and a site writes tens of thousands of links.
    """
    here = current.split("/")[:-1]
    there = target.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:]) or "./"


class Linker:
    """URLs as one page must write them (served: absolute; static: relative files)."""

    def __init__(self, model: SiteModel, lang: str, stem: str, static: bool) -> None:
        self.model, self.lang, self.stem, self.static = model, lang, stem, static
        self.current = rules.html_file(stem, lang) if static else "/" + stem

    def _to(self, target: str) -> str:
        if not self.static:
            return "/" + target
        return relative(target, self.current)

    def page(self, stem: str, lang: str | None = None) -> str:
        if self.static:
            return self._to(rules.html_file(stem, lang or self.lang))
        return "/" + stem + (f"?lang={lang}" if lang else "")

    def switch(self, lang: str) -> str:
        return self.page(self.stem, lang) if self.static else f"?lang={lang}"

    def data(self, stem: str, fmt: rules.Format) -> str:
        return self._to(rules.data_file(stem, fmt))

    def file(self, name: str) -> str:
        return self._to(name)

    def root(self) -> str:
        """The site root, ending with ``/`` (``../../`` from ``doc/kind/slug.en.html``)."""
        if not self.static:
            return "/"
        return "../" * self.current.count("/") or "./"

    def resource(self, iri: str) -> str | None:
        path = self.model.paths.get(iri)
        return self.page(path) if path is not None else None


class Site:
    """Renders every page of the site for one model."""

    def __init__(
        self,
        model: SiteModel,
        static: bool,
        sparql_url: str,
        downloads: list[Download] | None = None,
    ) -> None:
        self.model = model
        self.static = static
        self.sparql_url = sparql_url
        self.downloads = downloads or []
        self.vocabulary = Vocabulary(model)
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("spacecoop.site", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["json_script"] = json_script

    # ------------------------------------------------------------------ inventory

    @property
    def languages(self) -> tuple[str, ...]:
        return self.model.settings.languages

    def index_stems(self) -> list[str]:
        """Pages that list: the home page, ``doc/``, ``doc/{kind}/`` and ``def/``."""
        stems = ["", "doc/", *(f"doc/{kind}/" for kind in self.model.kinds)]
        if self.model.vocabulary_prefix:
            stems.append(self.model.vocabulary_prefix)
        return stems

    def stems(self) -> list[str]:
        """Every HTML page of the site, as document paths."""
        return list(dict.fromkeys([*self.index_stems(), *sorted(self.model.by_path)]))

    def has_page(self, stem: str) -> bool:
        return stem in self.index_stems() or stem in self.model.by_path

    def has_data(self, stem: str) -> bool:
        """Whether the page also has RDF documents (the lists have none, ``def/`` has)."""
        return stem in self.model.by_path or stem == self.model.vocabulary_prefix

    # ------------------------------------------------------------------ values

    def value(self, term: Term, link: Linker, depth: int = 0) -> dict[str, Any]:
        model, lang = self.model, link.lang
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value if term.datatype is not None else ""
            shown = (
                "" if datatype in ("", XSD + "string", RDF_LANGSTRING) else model.curie(datatype)
            )
            return {
                "kind": "literal",
                "text": term.value,
                "lang": term.language or "",
                "datatype": shown,
            }
        if isinstance(term, ox.BlankNode):
            rows = self.rows(term, link, depth + 1) if depth < MAX_DEPTH else []
            text, text_lang = model.label(term, lang)
            return {"kind": "blank", "rows": rows, "label": text, "lang": text_lang}
        text, text_lang = model.label(term, lang)
        href = link.resource(term.value)
        external = href is None and term.value.startswith(("http://", "https://"))
        return {
            "kind": "iri",
            "href": href or (term.value if external else None),
            "label": text,
            "lang": text_lang,
            "iri": term.value,
            "external": external,
        }

    def rows(self, node: ox.NamedNode | ox.BlankNode, link: Linker, depth: int = 0) -> list[dict]:
        """All statements about ``node``, one row per property, sorted by property label."""
        grouped: dict[str, list[Term]] = {}
        for prop, obj in self.model.out.get(node, []):
            grouped.setdefault(prop, []).append(obj)
        rows = []
        for prop, objects in grouped.items():
            rows.append(
                {
                    "property": self.value(ox.NamedNode(prop), link, depth),
                    "values": [
                        self.value(o, link, depth) for o in self.sort_terms(objects, link.lang)
                    ],
                }
            )
        first = {
            RDF_TYPE: 0,
            **{p: 1 for p in LABEL_PROPERTIES},
            **{p: 2 for p in DESCRIPTION_PROPERTIES},
        }
        rows.sort(
            key=lambda r: (
                first.get(r["property"]["iri"], 3),
                r["property"]["label"].casefold(),
                r["property"]["iri"],
            )
        )
        return rows

    def sort_terms(self, terms: Iterable[Term], lang: str) -> list[Term]:
        return sorted(terms, key=lambda t: (self.model.label(t, lang)[0].casefold(), str(t)))

    def links(self, iris: Iterable[str], link: Linker) -> list[dict]:
        return [self.value(ox.NamedNode(i), link) for i in iris]

    # ------------------------------------------------------------------ common context

    def base_context(
        self, stem: str, lang: str, title: str, title_lang: str, static: bool | None = None
    ) -> dict[str, Any]:
        static = self.static if static is None else static
        link = Linker(self.model, lang, stem, static)
        config = self.model.config
        has_data = self.has_data(stem)
        return {
            "lang": lang,
            "t": messages(lang),
            "link": link,
            "title": title,
            "title_lang": title_lang,
            "site_title": self.site_title(lang),
            "languages": [
                {
                    "code": code,
                    "name": language_name(code),
                    "href": link.switch(code),
                    "current": code == lang,
                }
                for code in self.languages
            ],
            "home": link.page(""),
            "vocabulary": link.page(self.model.vocabulary_prefix)
            if self.model.vocabulary_prefix
            else None,
            "index": link.page("doc/"),
            "sparql": self.sparql_url,
            "css": link.file("assets/site.css"),
            "script": link.file("assets/search.js"),
            "search_index": link.file("search.json"),
            "root": link.root(),
            "alternates": [
                {"name": f.name, "media_type": f.media_type, "href": link.data(stem, f)}
                for f in rules.RDF_FORMATS
            ]
            if has_data
            else [],
            "canonical": config.base_iri + (stem if stem else ""),
            "static": static,
        }

    def site_title(self, lang: str) -> str:
        return self.model.config.dataset.title or self.model.config.name

    def render(self, stem: str, lang: str) -> str | None:
        """The HTML page at ``stem`` in ``lang``, or None when there is none."""
        if stem == "":
            return self.home(lang)
        if stem == "doc/":
            return self.kinds_page(lang)
        if stem.startswith("doc/") and stem.endswith("/") and stem[4:-1] in self.model.kinds:
            return self.kind_page(stem[4:-1], lang)
        if stem == self.model.vocabulary_prefix:
            return self.vocabulary_page(lang)
        iri = self.model.iri_of_path(stem)
        if iri is None:
            return None
        if is_term_type(self.model.types(ox.NamedNode(iri))) and iri in self.vocabulary.terms:
            return self.term_page(iri, stem, lang)
        return self.resource_page(iri, stem, lang)

    # ------------------------------------------------------------------ resource pages

    def resource_page(self, iri: str, stem: str, lang: str) -> str:
        model = self.model
        node = ox.NamedNode(iri)
        title, title_lang = model.label(node, lang)
        context = self.base_context(stem, lang, title, title_lang)
        link = context["link"]
        description = model.description(node, lang)
        context.update(
            {
                "iri": iri,
                "types": self.links(model.types(node), link),
                "description": description,
                "rows": self.rows(node, link),
                "incoming": [
                    {"subject": self.value(s, link), "property": self.value(ox.NamedNode(p), link)}
                    for s, p in sorted(
                        model.incoming(node),
                        key=lambda sp: (model.label(sp[0], lang)[0].casefold(), sp[0].value, sp[1]),
                    )
                ],
                "sources": [
                    self.value(s, link) for s in self.sort_terms(model.sources(node), lang)
                ],
                "wikidata": [
                    {"iri": w, "label": f"Wikidata {w[len(WIKIDATA) :]}"}
                    for w in model.wikidata_links(node)
                ],
                "partner_map": self.partner_map(node, link),
                "schema": self.schema_org(node, stem, lang),
            }
        )
        return self.env.get_template("resource.html").render(context)

    def partner_map(self, node: ox.NamedNode, link: Linker) -> dict | None:
        found = self.model.partner_map(node)
        if found is None:
            return None
        lang = link.lang
        settings = self.model.settings.map
        title = self.model.pick(settings.title, lang) if settings.title else None
        rows = [
            {
                "node": self.value(row.node, link) if row.via is not None else None,
                "via": self.value(ox.NamedNode(row.via), link) if row.via else None,
                "partners": [self.value(p, link) for p in self.sort_terms(row.partners, lang)],
                "details": [
                    [self.value(v, link) for v in row.details.get(p, [])]
                    for p in found.detail_properties
                ],
            }
            for row in found.rows
        ]
        partners = [self.value(p, link) for p in found.partners]
        return {
            "title": title or (messages(lang)["partners"], lang),
            "columns": self.links(found.detail_properties, link),
            "rows": rows,
            "diagram": diagram(self.value(node, link), partners),
        }

    def schema_org(self, node: ox.NamedNode, stem: str, lang: str) -> dict[str, Any]:
        """schema.org JSON-LD for search engines: type, names, description, sameAs, url."""
        model = self.model
        names = model.labels(node)
        document: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": model.schema_type(node),
            "@id": node.value,
            "url": model.config.base_iri + stem,
            "name": model.label(node, lang)[0],
        }
        alternates = sorted({text for text in names.values()} - {document["name"]})
        if alternates:
            document["alternateName"] = alternates
        description = model.description(node, lang)
        if description:
            document["description"] = description[0]
        same = [*model.same_as(node), *model.wikidata_links(node)]
        if same:
            document["sameAs"] = sorted(set(same))
        return document

    # ------------------------------------------------------------------ vocabulary pages

    def term_page(self, iri: str, stem: str, lang: str) -> str:
        model = self.model
        node = ox.NamedNode(iri)
        doc = self.vocabulary.term(iri)
        title, title_lang = model.label(node, lang)
        context = self.base_context(stem, lang, title, title_lang)
        link = context["link"]
        languages = sorted(
            set(model.labels(node)) | set(model.descriptions(node)),
            key=lambda c: (c != lang, c not in self.languages, c),
        )
        instances = doc.instances
        context.update(
            {
                "iri": iri,
                "curie": model.curie(iri),
                "kinds": self.links(doc.kinds, link),
                "is_class": doc.is_class,
                "description": model.description(node, lang),
                "texts": [
                    {
                        "lang": code or "",
                        "name": language_name(code) if code else "—",
                        "label": model.labels(node).get(code, ""),
                        "definition": model.descriptions(node).get(code, ""),
                    }
                    for code in languages
                ],
                "parents": self.links(doc.parents, link),
                "children": self.links(doc.children, link),
                "domain": self.links(doc.domain, link),
                "range": self.links(doc.range, link),
                "inverse": self.links(doc.inverse, link),
                "with_domain": self.links(doc.with_domain, link),
                "with_range": self.links(doc.with_range, link),
                "shapes": [
                    {
                        "shape": self.value(use.shape, link),
                        "node_shape": self.value(use.node_shape, link)
                        if use.node_shape is not None and use.node_shape != use.shape
                        else None,
                        "targets": self.links(use.targets, link),
                        "constraints": [
                            {"name": f"sh:{name}", "values": [self.value(v, link) for v in values]}
                            for name, values in use.constraints
                        ],
                    }
                    for use in doc.shapes
                ],
                "examples": [self.value(e, link) for e in self.sort_examples(doc.examples, lang)],
                "instances": self.links(instances[:20], link),
                "instance_count": doc.instance_count,
                "uses": [
                    {"subject": self.value(t.subject, link), "object": self.value(t.object, link)}
                    for t in doc.uses
                ],
                "use_count": doc.use_count,
                "rows": self.rows(node, link),
                "incoming": [],
                "schema": {
                    "@context": "https://schema.org",
                    "@type": "DefinedTerm",
                    "@id": iri,
                    "name": title,
                    "url": model.config.base_iri + stem,
                    **(
                        {"description": context_desc[0]}
                        if (context_desc := model.description(node, lang))
                        else {}
                    ),
                    "inDefinedTermSet": model.config.vocabulary_namespace,
                },
            }
        )
        return self.env.get_template("term.html").render(context)

    def sort_examples(self, examples: list[ox.Literal], lang: str) -> list[ox.Literal]:
        return sorted(
            examples, key=lambda e: ((e.language or "") != lang, e.language or "", e.value)
        )

    def vocabulary_page(self, lang: str) -> str:
        model = self.model
        stem = model.vocabulary_prefix or "def/"
        ontologies = self.vocabulary.ontologies()
        umbrella = ontologies[0] if ontologies else None
        if umbrella is not None:
            title, title_lang = model.label(ox.NamedNode(umbrella), lang)
        else:
            title, title_lang = messages(lang)["vocabulary"], lang
        context = self.base_context(stem, lang, title, title_lang)
        link = context["link"]
        context.update(
            {
                "namespace": model.config.vocabulary_namespace,
                "ontologies": [
                    {
                        "ontology": self.value(ox.NamedNode(o), link),
                        "iri": o,
                        "description": model.description(ox.NamedNode(o), lang),
                        "header": [
                            {"key": key, "values": [self.value(v, link) for v in values]}
                            for key, values in self.vocabulary.header(o)
                        ],
                    }
                    for o in ontologies
                ],
                "groups": [
                    {
                        "key": key,
                        "terms": [
                            {
                                "term": self.value(ox.NamedNode(t), link),
                                "curie": model.curie(t),
                                "definition": model.description(ox.NamedNode(t), lang),
                            }
                            for t in terms
                        ],
                    }
                    for key, terms in self.vocabulary.grouped()
                ],
                "schema": {
                    "@context": "https://schema.org",
                    "@type": "DefinedTermSet",
                    "@id": model.config.vocabulary_namespace,
                    "name": title,
                },
            }
        )
        return self.env.get_template("vocabulary.html").render(context)

    # ------------------------------------------------------------------ lists and home

    def kinds_page(self, lang: str) -> str:
        context = self.base_context("doc/", lang, messages(lang)["index"], lang)
        link = context["link"]
        context["kinds"] = [
            {"name": kind, "href": link.page(f"doc/{kind}/"), "count": len(iris)}
            for kind, iris in self.model.kinds.items()
        ]
        context["schema"] = None
        return self.env.get_template("kinds.html").render(context)

    def kind_page(self, kind: str, lang: str) -> str:
        context = self.base_context(f"doc/{kind}/", lang, kind, "")
        link = context["link"]
        iris = self.model.sort_by_label(self.model.kinds[kind], lang)
        context["items"] = [
            {
                "item": self.value(ox.NamedNode(i), link),
                "types": self.links(self.model.types(ox.NamedNode(i)), link),
            }
            for i in iris
        ]
        context["schema"] = None
        return self.env.get_template("kind.html").render(context)

    def home(self, lang: str) -> str:
        model = self.model
        config = model.config
        t = messages(lang)
        context = self.base_context("", lang, self.site_title(lang), "")
        link = context["link"]
        ontologies = self.vocabulary.ontologies()
        about = model.description(ox.NamedNode(ontologies[0]), lang) if ontologies else None
        entry_points = []
        for class_iri in model.settings.entry_points:
            instances = model.instances(class_iri)
            class_node = ox.NamedNode(class_iri)
            entry_points.append(
                {
                    "class": self.value(class_node, link),
                    "definition": model.description(class_node, lang),
                    "count": len(instances),
                    "instances": self.links(
                        model.sort_by_label(instances, lang)[:HOME_INSTANCES], link
                    ),
                    "more": max(0, len(instances) - HOME_INSTANCES),
                }
            )
        names = {d.name for d in self.downloads}
        context.update(
            {
                "description": config.dataset.description,
                "about": about,
                "counts": model.counts(),
                "entry_points": entry_points,
                "downloads": [
                    {
                        "name": d.name,
                        "href": link.file(f"dist/{d.name}"),
                        "size": d.size,
                        "sha256": d.sha256,
                    }
                    for d in self.downloads
                ],
                "void": link.file("dist/void.ttl") if "void.ttl" in names else None,
                "dcat": link.file("dist/dcat.ttl") if "dcat.ttl" in names else None,
                "context_file": link.file(rules.CONTEXT),
                "license": config.dataset.license,
                "schema": {
                    "@context": "https://schema.org",
                    "@type": "Dataset",
                    "@id": config.dataset.iri,
                    "name": config.dataset.title,
                    "description": config.dataset.description,
                    **({"license": config.dataset.license} if config.dataset.license else {}),
                    "url": config.base_iri,
                    "distribution": [
                        {"@type": "DataDownload", "contentUrl": config.dataset.downloads + d.name}
                        for d in self.downloads
                        if d.sha256
                    ],
                },
                "t": t,
            }
        )
        return self.env.get_template("home.html").render(context)

    def error_page(self, kind: str, lang: str) -> str:
        """404 and 406 pages; the 406 page lists the formats and how to ask for each.

        Their links are absolute (``/assets/...``): a server shows them at any depth.
        """
        t = messages(lang)
        title = t["not_found"] if kind == "404" else t["not_acceptable"]
        context = self.base_context("", lang, title, lang, static=False)
        context.update(
            {
                "kind": kind,
                "formats": [
                    {
                        "name": f.name,
                        "media_type": f.media_type,
                        "extension": f.extension,
                        "key": f.key,
                    }
                    for f in rules.FORMATS
                ],
                "schema": None,
                "alternates": [],
            }
        )
        return self.env.get_template("error.html").render(context)

    # ------------------------------------------------------------------ search

    def search_index(self, link_static: bool) -> bytes:
        """``search.json``: label per language, type label and path of every page."""
        model = self.model
        entries = []
        for iri, path in sorted(model.paths.items(), key=lambda kv: kv[1]):
            node = ox.NamedNode(iri)
            labels = {lang: model.label(node, lang)[0] for lang in self.languages}
            types = model.types(node)
            entries.append(
                {
                    "p": path,
                    "l": labels,
                    "t": {
                        lang: model.label(ox.NamedNode(types[0]), lang)[0]
                        for lang in self.languages
                    }
                    if types
                    else {},
                }
            )
        document = {"static": link_static, "languages": list(self.languages), "entries": entries}
        return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def json_script(value: Any) -> str:
    """JSON for a ``<script type="application/ld+json">`` block: ``<`` escaped so no string
    can close the element."""
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False)
    return jinja2.utils.markupsafe.Markup(
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )


def diagram(center: dict, partners: list[dict]) -> dict[str, Any]:
    """Positions for an SVG of the entity and its partners: a ring for a few partners, two
    columns (one each side of the entity) for many, so that no label overlaps another."""
    import math

    count = len(partners)
    width = 720
    cx = width / 2
    spots: list[tuple[float, float]] = []
    if count <= 8:
        height = 320
        cy = height / 2
        for index in range(count):
            angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
            spots.append((cx + 240 * math.cos(angle), cy + 120 * math.sin(angle)))
    else:
        rows = (count + 1) // 2
        height = rows * 44 + 40
        cy = height / 2
        for index in range(count):
            column, row = index % 2, index // 2
            spots.append((110 if column == 0 else width - 110, 42 + row * 44))
    nodes = []
    for (x, y), partner in zip(spots, partners, strict=True):
        label = partner["label"]
        nodes.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "left": round(x - 95, 1),
                "top": round(y - 16, 1),
                "baseline": round(y + 5, 1),
                "short": label if len(label) <= 24 else label[:23] + "…",
                "value": partner,
            }
        )
    label = center["label"]
    return {
        "width": width,
        "height": height,
        "cx": cx,
        "cy": cy,
        "baseline": cy + 5,
        "center": {**center, "short": label if len(label) <= 28 else label[:27] + "…"},
        "nodes": nodes,
    }
