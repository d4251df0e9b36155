"""The served front-end: starlette routes that make every IRI under the base resolve locally.

The configured base IRI is mapped onto the server's root, so ``{base}id/kind/slug`` is looked
up at ``/id/kind/slug``. The rule table decides: things answer 303 See Other to their
document, documents negotiate their format (``Accept`` with q-values, ``?format=``, or a file
extension) and, for HTML, their language (``?lang=``, then a ``lang`` cookie the switch sets,
then ``Accept-Language``). Every negotiated answer says ``Vary`` and links its alternates.

The model is built once when the app is created; pages are rendered on first request and kept.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from spacecoop.config import Config
from spacecoop.export import MEDIA_TYPES
from spacecoop.load import load
from spacecoop.site import rules
from spacecoop.site.documents import Documents
from spacecoop.site.model import SiteModel
from spacecoop.site.pages import Site, read_downloads

VARY = "Accept, Accept-Language, Cookie"
COOKIE = "lang"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
ASSETS = {"site.css": "text/css; charset=utf-8", "search.js": "text/javascript; charset=utf-8"}


def asset(name: str) -> bytes:
    return (files("spacecoop.site") / "static" / name).read_bytes()


class SiteApp:
    """Request handlers over one model."""

    def __init__(self, model: SiteModel, dist: Path) -> None:
        self.model = model
        self.dist = dist
        self.site = Site(model, static=False, sparql_url="/sparql", downloads=read_downloads(dist))
        self.documents = Documents(model)
        self.table = rules.rule_table(
            model.instance_prefix, model.negotiated_prefixes(), model.settings.languages
        )
        self.assets = {name: asset(name) for name in ASSETS}
        self.render = lru_cache(maxsize=4096)(self._render)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home, methods=["GET"]),
            Route("/search.json", self.search, methods=["GET"]),
            Route("/favicon.ico", self.no_icon, methods=["GET"]),
            Route("/assets/{name}", self.static_asset, methods=["GET"]),
            Route("/dist/{name:path}", self.download, methods=["GET"]),
            Route("/{path:path}", self.resource, methods=["GET"]),
        ]

    # ------------------------------------------------------------------ helpers

    def language(self, request: Request) -> tuple[str, bool]:
        """The page language and whether the request chose it explicitly (``?lang=``)."""
        languages = self.model.settings.languages
        asked = request.query_params.get("lang")
        if asked in languages:
            return asked, True
        cookie = request.cookies.get(COOKIE)
        if cookie in languages:
            return cookie, False
        return rules.choose_language(request.headers.get("accept-language"), languages), False

    def _render(self, stem: str, key: str, lang: str) -> bytes | None:
        if key == "html":
            page = self.site.render(stem, lang)
            return page.encode("utf-8") if page is not None else None
        triples = self.documents.triples(stem)
        return self.documents.render(triples, rules.BY_KEY[key]) if triples else None

    def html(
        self, body: str | bytes, lang: str, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        return Response(
            body,
            status_code=status,
            media_type=rules.BY_KEY["html"].content_type,
            headers={
                "Content-Language": lang,
                "Content-Security-Policy": CSP,
                "X-Content-Type-Options": "nosniff",
                **(headers or {}),
            },
        )

    def not_found(self, request: Request) -> Response:
        lang, _ = self.language(request)
        return self.html(self.site.error_page("404", lang), lang, 404)

    def not_acceptable(self, request: Request) -> Response:
        lang, _ = self.language(request)
        return self.html(self.site.error_page("406", lang), lang, 406, {"Vary": VARY})

    # ------------------------------------------------------------------ handlers

    async def home(self, request: Request) -> Response:
        lang, explicit = self.language(request)
        response = self.html(self.render("", "html", lang), lang, headers={"Vary": VARY})
        if explicit:
            response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="lax")
        return response

    async def no_icon(self, _request: Request) -> Response:
        """Browsers ask for an icon on every page (the query page's too): there is none."""
        return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})

    async def search(self, _request: Request) -> Response:
        return Response(self.site.search_index(False), media_type="application/json")

    async def static_asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.assets:
            return self.not_found(request)
        return Response(
            self.assets[name], media_type=ASSETS[name], headers={"Cache-Control": "max-age=300"}
        )

    async def download(self, request: Request) -> Response:
        name = request.path_params["name"]
        listed = {d.name for d in self.site.downloads}
        path = self.dist / name
        if name not in listed or not path.is_file():
            return self.not_found(request)
        media = MEDIA_TYPES.get(path.suffix, "text/plain")
        if media.startswith("text/") or media in ("application/n-triples", "application/n-quads"):
            media += "; charset=utf-8"
        return Response(path.read_bytes(), media_type=media)

    async def resource(self, request: Request) -> Response:
        path = request.path_params["path"]
        if path in (
            "index.html",
            *(f"index.{lang}.html" for lang in self.model.settings.languages),
        ):
            return await self.home(request)
        found = rules.resolve(self.table, path)
        if found.action == "see-other":
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse("/" + found.path + query, status_code=303)
        if found.action == "cors":
            return Response(
                self.documents.context_bytes(),
                media_type="application/ld+json",
                headers={"Access-Control-Allow-Origin": "*"},
            )
        if found.action not in ("negotiate", "document"):
            return self.not_found(request)
        stem = found.path
        if not self.site.has_page(stem):
            if self.site.has_page(stem + "/"):
                return RedirectResponse("/" + stem + "/", status_code=301)
            return self.not_found(request)
        has_data = self.site.has_data(stem)
        headers: dict[str, str] = {}
        fmt = found.format
        if fmt is None:  # negotiated: ?format= first, then Accept
            headers["Vary"] = VARY
            asked = request.query_params.get("format")
            if asked is not None:
                fmt = rules.BY_KEY.get(asked)
            else:
                fmt = rules.choose_format(request.headers.get("accept"), html_only=not has_data)
            if fmt is None or (fmt.key != "html" and not has_data):
                return self.not_acceptable(request)
        elif fmt.key != "html" and not has_data:
            return self.not_found(request)
        if has_data:
            headers["Link"] = rules.alternates("/" + stem)
        if fmt.key == "html":
            lang, explicit = (found.language, False) if found.language else self.language(request)
            body = self.render(stem, "html", lang)
            if body is None:
                return self.not_found(request)
            response = self.html(body, lang, headers=headers)
            if explicit:
                response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="lax")
            return response
        body = self.render(stem, fmt.key, "")
        if body is None:
            return self.not_found(request)
        return Response(body, media_type=fmt.content_type, headers=headers)


def site_routes(config: Config) -> list[BaseRoute]:
    """The site's routes for ``spacecoop serve``, built from the configured sources."""
    model = SiteModel.from_dataset(load(config), config)
    return SiteApp(model, config.dist).routes()
