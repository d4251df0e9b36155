"""``spacecoop check-conneg BASE_URL``: the Accept x IRI matrix against any deployment.

Why: content negotiation is easy to break and nobody notices: a rewrite rule that drops the
303, a server that sends Turtle as ``text/plain``, a missing ``Vary`` that lets a cache serve
Turtle to a browser. This checker asks a deployment (``spacecoop serve``, the static site
behind nginx or Apache, or the public w3id.org redirect) what a browser and an RDF client would
ask, and reports every answer that differs from the rule table as a finding.

The sample IRIs come from the project's resource model: one thing per kind (``id/...``), a
class and a property of the vocabulary, the vocabulary itself and the JSON-LD context. Expected
answers come from :mod:`spacecoop.site.rules`, the same table the servers are built from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx
import pyoxigraph as ox

from spacecoop.findings import Finding, Severity
from spacecoop.site import rules
from spacecoop.site.model import SiteModel
from spacecoop.site.vocab import Vocabulary

CHECKER = "conneg"
#: Accept headers with q-values and wildcards, and the format the rule table must choose.
Q_CASES: tuple[tuple[str, str], ...] = (
    ("text/turtle;q=0.5, application/ld+json", "jsonld"),
    ("text/html;q=0.9, application/n-triples", "nt"),
    ("application/rdf+xml, text/html;q=0.1", "rdf"),
    ("application/n-triples;q=0.3, text/turtle;q=0.8, */*;q=0.1", "ttl"),
    ("text/*", "html"),
    ("application/*", "jsonld"),
    ("*/*", "html"),
    (
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        "html",
    ),
    ("text/turtle;charset=utf-8", "ttl"),
)
RDF_PARSERS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
}


@dataclass
class Sample:
    """One IRI to look up: its path on the site and whether it is a thing (303) or a document."""

    path: str
    iri: str
    thing: bool
    has_data: bool = True


@dataclass
class ConnegReport:
    base_url: str
    samples: list[Sample]
    checks: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.findings)


def samples_from(model: SiteModel, per_kind: int = 1) -> list[Sample]:
    """The IRIs the matrix runs over: things of each kind, two terms, the vocabulary."""
    found: list[Sample] = []
    ids = model.instance_prefix
    for _kind, iris in model.kinds.items():
        for iri in sorted(iris)[:per_kind]:
            path = model.url_path(iri)
            if path is not None:
                found.append(Sample(path, iri, thing=ids is not None and path.startswith(ids)))
    vocabulary = Vocabulary(model)
    for group in ("classes", "object_properties", "datatype_properties"):
        terms = dict(vocabulary.grouped()).get(group, [])
        if terms:
            iri = sorted(terms)[0]
            found.append(Sample(model.paths[iri], iri, thing=False))
    if model.vocabulary_prefix:
        found.append(
            Sample(model.vocabulary_prefix, model.config.vocabulary_namespace, thing=False)
        )
    return found


class _HtmlLang(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and self.lang is None:
            self.lang = dict(attrs).get("lang") or ""


def html_lang(text: str) -> str | None:
    parser = _HtmlLang()
    parser.feed(text)
    return parser.lang


class Checker:
    """Runs the matrix with one HTTP client; every failed expectation becomes a finding."""

    def __init__(self, base_url: str, table: rules.RuleTable, client: httpx.Client) -> None:
        self.base = base_url if base_url.endswith("/") else base_url + "/"
        self.table = table
        self.languages = table.languages
        self.client = client
        self.report = ConnegReport(self.base, [])

    def url(self, path: str) -> str:
        return urljoin(self.base, path)

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response | None:
        url = self.url(path)
        try:
            return self.client.get(url, headers=headers or {})
        except httpx.HTTPError as exc:
            self.fail(url, f"request failed: {exc}", headers)
            return None
        finally:
            self.client.cookies.clear()  # each request stands alone (?lang= sets a cookie)

    def fail(
        self,
        url: str,
        message: str,
        headers: dict[str, str] | None,
        observed: str = "",
        expected: str = "",
    ) -> None:
        asked = ", ".join(f"{k}: {v}" for k, v in (headers or {}).items()) or "no headers"
        self.report.findings.append(
            Finding(
                Severity.VIOLATION,
                f"{message} (GET {url} with {asked})",
                CHECKER,
                focus=url,
                value=observed or None,
                hint=f"expected {expected}" if expected else None,
            )
        )

    def expect(
        self,
        ok: bool,
        url: str,
        message: str,
        headers: dict[str, str] | None,
        observed: str = "",
        expected: str = "",
    ) -> bool:
        self.report.checks += 1
        if not ok:
            self.fail(url, message, headers, observed, expected)
        return ok

    # ------------------------------------------------------------------ single checks

    def see_other(self, sample: Sample, target: str, accept: str | None) -> None:
        headers = {"Accept": accept} if accept else {}
        response = self.get(sample.path, headers)
        if response is None:
            return
        url = self.url(sample.path)
        if self.expect(
            response.status_code == 303,
            url,
            "a thing's IRI must answer 303 See Other",
            headers,
            str(response.status_code),
            "303",
        ):
            location = urljoin(url, response.headers.get("location", ""))
            self.expect(
                location.split("?")[0] == self.url(target),
                url,
                "303 must point to the thing's document",
                headers,
                location,
                self.url(target),
            )

    def document(
        self,
        path: str,
        headers: dict[str, str],
        fmt: rules.Format,
        negotiated: bool,
        iri: str | None,
    ) -> httpx.Response | None:
        response = self.get(path, headers)
        if response is None:
            return None
        url = self.url(path)
        if not self.expect(
            response.status_code == 200,
            url,
            f"{fmt.name} must be served",
            headers,
            str(response.status_code),
            "200",
        ):
            return None
        content_type = response.headers.get("content-type", "")
        media, _, params = content_type.partition(";")
        self.expect(
            media.strip().lower() == fmt.media_type,
            url,
            "wrong Content-Type",
            headers,
            content_type,
            fmt.content_type,
        )
        if "charset" in fmt.content_type:
            self.expect(
                re.search(r"charset=\"?utf-8", params, re.IGNORECASE) is not None,
                url,
                "Content-Type must name the charset",
                headers,
                content_type,
                fmt.content_type,
            )
        if negotiated:
            vary = response.headers.get("vary", "").lower()
            self.expect(
                "accept" in [v.strip() for v in vary.split(",")],
                url,
                "a negotiated answer must say Vary: Accept",
                headers,
                vary,
                "Accept",
            )
            link = response.headers.get("link", "")
            self.expect(
                'rel="alternate"' in link,
                url,
                'a negotiated answer must link its alternates (Link: rel="alternate")',
                headers,
                link,
                '<...>; rel="alternate"; type="..."',
            )
        self.body(url, headers, fmt, response.content, iri)
        return response

    def body(
        self, url: str, headers: dict[str, str], fmt: rules.Format, content: bytes, iri: str | None
    ) -> None:
        if fmt.key in RDF_PARSERS:
            try:
                triples = list(ox.parse(content, format=RDF_PARSERS[fmt.key], base_iri=url))
            except (SyntaxError, ValueError) as exc:
                self.expect(False, url, f"the {fmt.name} body does not parse", headers, str(exc))
                return
            mentioned = iri is None or any(
                iri in (str(getattr(t.subject, "value", "")), str(getattr(t.object, "value", "")))
                for t in triples
            )
            self.expect(
                bool(triples) and mentioned,
                url,
                f"the {fmt.name} body must describe the resource",
                headers,
                f"{len(triples)} triples",
                iri or "triples",
            )
        elif fmt.key == "jsonld":
            try:
                document = json.loads(content)
            except ValueError as exc:
                self.expect(False, url, "the JSON-LD body is not JSON", headers, str(exc))
                return
            self.expect(
                isinstance(document, dict) and "@context" in document,
                url,
                "the JSON-LD body must have an @context",
                headers,
            )
        else:
            text = content.decode("utf-8", errors="replace")
            self.expect(
                html_lang(text) is not None,
                url,
                "the HTML page must say its lang",
                headers,
                "",
                '<html lang="...">',
            )

    # ------------------------------------------------------------------ the matrix

    def run_sample(self, sample: Sample) -> None:
        resolved = rules.resolve(self.table, sample.path)
        if resolved.action == "see-other":
            target = resolved.path
            for accept in (*(f.media_type for f in rules.FORMATS), "*/*", None):
                self.see_other(sample, target, accept)
            path = target
        else:
            path = sample.path
        iri = sample.iri if not path.endswith("/") else None
        for fmt in rules.FORMATS:
            self.document(path, {"Accept": fmt.media_type}, fmt, True, iri)
        for accept, key in Q_CASES:
            self.document(path, {"Accept": accept}, rules.BY_KEY[key], True, iri)
        self.document(path, {}, rules.BY_KEY["html"], True, iri)
        self.document(f"{path}?format=ttl", {"Accept": "text/html"}, rules.BY_KEY["ttl"], True, iri)
        if not path.endswith("/"):
            for fmt in rules.RDF_FORMATS:
                self.document(path + fmt.extension, {}, fmt, False, iri)
        self.alternates(path)
        self.not_acceptable(path)
        self.language(path)

    def alternates(self, path: str) -> None:
        """Every target of the ``Link: rel="alternate"`` header is there, in its type."""
        response = self.get(path, {"Accept": "text/html"})
        if response is None or response.status_code != 200:
            return
        url = self.url(path)
        for target, media in re.findall(
            r'<([^>]*)>\s*;\s*rel="alternate"\s*;\s*type="([^"]+)"',
            response.headers.get("link", ""),
        ):
            linked = urljoin(url, target)
            try:
                answer = self.client.get(linked)
            except httpx.HTTPError as exc:
                self.expect(False, linked, f"an alternate cannot be fetched: {exc}", {})
                continue
            got = answer.headers.get("content-type", "").split(";")[0].strip()
            self.expect(
                answer.status_code == 200 and got == media,
                linked,
                f"the alternate linked from {url} must be served as {media}",
                {},
                f"{answer.status_code} {got}",
                f"200 {media}",
            )

    def not_acceptable(self, path: str) -> None:
        headers = {"Accept": "image/png"}
        response = self.get(path, headers)
        if response is None:
            return
        url = self.url(path)
        if self.expect(
            response.status_code == 406,
            url,
            "an unsupported type must answer 406",
            headers,
            str(response.status_code),
            "406",
        ):
            text = response.text
            self.expect(
                all(f.media_type in text for f in rules.FORMATS),
                url,
                "the 406 page must list the formats on offer",
                headers,
                text[:120],
                ", ".join(f.media_type for f in rules.FORMATS),
            )

    def language(self, path: str) -> None:
        for lang in self.languages:
            headers = {"Accept": "text/html", "Accept-Language": f"{lang};q=0.9, fr;q=0.5"}
            response = self.document(path, headers, rules.BY_KEY["html"], True, None)
            if response is None:
                continue
            url = self.url(path)
            self.expect(
                html_lang(response.text) == lang,
                url,
                "the page must be in the language asked for",
                headers,
                str(html_lang(response.text)),
                lang,
            )
            vary = response.headers.get("vary", "").lower()
            self.expect(
                "accept-language" in vary,
                url,
                "an HTML answer must Vary on Accept-Language",
                headers,
                vary,
                "Accept-Language",
            )
        if len(self.languages) > 1:
            lang = self.languages[1]
            headers = {"Accept": "text/html", "Accept-Language": self.languages[0]}
            response = self.get(f"{path}?lang={lang}", headers)
            if response is not None:
                self.expect(
                    html_lang(response.text) == lang,
                    self.url(path),
                    "?lang= must choose the page's language",
                    headers,
                    str(html_lang(response.text)),
                    lang,
                )

    def context(self) -> None:
        headers = {"Origin": "https://example.invalid"}
        response = self.get(rules.CONTEXT, headers)
        if response is None:
            return
        url = self.url(rules.CONTEXT)
        if self.expect(
            response.status_code == 200,
            url,
            "the JSON-LD context must be served",
            headers,
            str(response.status_code),
            "200",
        ):
            media = response.headers.get("content-type", "").split(";")[0].strip()
            self.expect(
                media == "application/ld+json",
                url,
                "wrong Content-Type",
                headers,
                media,
                "application/ld+json",
            )
            origin = response.headers.get("access-control-allow-origin", "")
            self.expect(
                origin == "*", url, "the context must allow any origin (CORS)", headers, origin, "*"
            )


def check_conneg(
    base_url: str,
    model: SiteModel,
    per_kind: int = 1,
    progress: Callable[[str], None] | None = None,
    client: httpx.Client | None = None,
) -> ConnegReport:
    """Run the matrix against ``base_url`` (where the base IRI is deployed)."""
    owned = client is None
    client = client or httpx.Client(timeout=30, follow_redirects=False, trust_env=False)
    try:
        table = rules.rule_table(
            model.instance_prefix, model.negotiated_prefixes(), model.settings.languages
        )
        checker = Checker(base_url, table, client)
        checker.report.samples = samples_from(model, per_kind)
        for sample in checker.report.samples:
            if progress:
                progress(sample.path)
            checker.run_sample(sample)
        checker.context()
        return checker.report
    finally:
        if owned:
            client.close()
