"""One rule table for dereferencing: the served app, nginx, Apache and the checker read it.

Why one table: hand-written redirect and content-negotiation rules drift from what the site
really holds (Widoco#286). Here the formats, the 303 rule for things and the negotiated folders
are data; :func:`resolve` applies them in ``spacecoop serve``, :func:`nginx_maps` /
:func:`nginx_locations` and :func:`htaccess` translate the same table for a static host, and
``spacecoop check-conneg`` derives its expectations from it.

Negotiation follows RFC 9110 §12.5.1 (q-values, most specific range wins, the server's order
breaks ties: HTML, then Turtle, JSON-LD, N-Triples, RDF/XML). The nginx translation computes
each format's q-value with regular expressions, to one decimal place; Apache's mod_negotiation
does the same natively from the generated type maps.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacecoop.endpoint import negotiation


@dataclass(frozen=True)
class Format:
    """One representation of a resource document."""

    key: str  # also the ?format= value
    extension: str
    media_type: str
    content_type: str  # what the server sends: text types and XML with their charset
    name: str


FORMATS: tuple[Format, ...] = (
    Format("html", ".html", "text/html", "text/html; charset=utf-8", "HTML"),
    Format("ttl", ".ttl", "text/turtle", "text/turtle; charset=utf-8", "Turtle"),
    # JSON has no charset parameter (RFC 8259 §11): it is always UTF-8.
    Format("jsonld", ".jsonld", "application/ld+json", "application/ld+json", "JSON-LD"),
    Format(
        "nt", ".nt", "application/n-triples", "application/n-triples; charset=utf-8", "N-Triples"
    ),
    Format("rdf", ".rdf", "application/rdf+xml", "application/rdf+xml; charset=utf-8", "RDF/XML"),
)
BY_KEY = {f.key: f for f in FORMATS}
BY_EXTENSION = {f.extension: f for f in FORMATS}
RDF_FORMATS = tuple(f for f in FORMATS if f.key != "html")
OFFERS = tuple(negotiation.Offer(f.content_type, f.key) for f in FORMATS)
HTML_ONLY = (OFFERS[0],)
CONTEXT = "context.jsonld"


@dataclass(frozen=True)
class Rule:
    """``see-other``: ``{path}X`` answers 303 to ``{target}X``; ``negotiate``: extensionless
    paths under ``path`` choose a file by Accept (and HTML by language); ``cors``: the file
    ``path`` is served with ``media_type`` to any origin."""

    action: str
    path: str
    target: str = ""
    media_type: str = ""


@dataclass(frozen=True)
class RuleTable:
    rules: tuple[Rule, ...]
    languages: tuple[str, ...]

    @property
    def negotiated(self) -> list[str]:
        return [r.path for r in self.rules if r.action == "negotiate"]

    @property
    def see_other(self) -> list[Rule]:
        return [r for r in self.rules if r.action == "see-other"]


def rule_table(
    instance_prefix: str | None, negotiated: list[str], languages: tuple[str, ...]
) -> RuleTable:
    """The table for a site: things 303 to their documents; documents negotiate."""
    rules: list[Rule] = []
    if instance_prefix:
        rules.append(Rule("see-other", instance_prefix, "doc/"))
    rules += [Rule("negotiate", prefix) for prefix in negotiated if prefix != instance_prefix]
    rules.append(Rule("cors", CONTEXT, media_type="application/ld+json"))
    return RuleTable(tuple(rules), languages)


# ---------------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class Resolution:
    """What the table says about one request path (relative to the site root, no ``/``)."""

    action: str  # see-other | document | negotiate | cors | none
    path: str = ""  # document path (without extension) or redirect target
    format: Format | None = None  # fixed by an extension
    language: str | None = None  # fixed by a .{lang}.html extension


def split_extension(path: str, languages: tuple[str, ...]) -> tuple[str, Format | None, str | None]:
    """``doc/x/y.zh.html`` -> (``doc/x/y``, html, ``zh``); ``doc/x/y`` -> (path, None, None)."""
    last = path.rsplit("/", 1)[-1]
    if "." not in last:
        return path, None, None
    stem, dot, ext = path.rpartition(".")
    fmt = BY_EXTENSION.get(dot + ext)
    if fmt is None:
        return path, None, None
    if fmt.key == "html":
        base, _, lang = stem.rpartition(".")
        if base and lang in languages and "/" not in lang:
            return base, fmt, lang
    return stem, fmt, None


def resolve(table: RuleTable, path: str) -> Resolution:
    """Apply the table to a request path such as ``id/book/x`` or ``doc/book/x.ttl``."""
    for rule in table.rules:
        if rule.action == "cors" and path == rule.path:
            return Resolution("cors", path)
        if rule.action == "see-other" and path.startswith(rule.path) and path != rule.path:
            return Resolution("see-other", rule.target + path[len(rule.path) :])
        if rule.action == "negotiate" and (path + "/").startswith(rule.path):
            stem, fmt, lang = split_extension(path, table.languages)
            if fmt is None:
                return Resolution("negotiate", path)
            if stem.endswith("/index"):  # def/index.ttl is the file of def/
                stem = stem.removesuffix("index")
            return Resolution("document", stem, fmt, lang)
    return Resolution("none", path)


def choose_format(accept: str | None, html_only: bool = False) -> Format | None:
    """The best format for an Accept header (HTML first on a tie); None: nothing acceptable."""
    offer = negotiation.choose(negotiation.parse_accept(accept), HTML_ONLY if html_only else OFFERS)
    return BY_KEY[offer.format] if offer is not None else None


def choose_language(header: str | None, languages: tuple[str, ...]) -> str:
    """The configured language an Accept-Language header ranks highest (RFC 4647 basic
    filtering on the primary subtag); the first configured language when none matches."""
    best, best_q = languages[0], 0.0
    for part in (header or "").split(","):
        tag, *params = part.split(";")
        tag = tag.strip().lower()
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.split("-")[0]
        match = next((lang for lang in languages if lang.lower() in (tag, primary)), None)
        if tag == "*" and q > best_q:
            match = languages[0]
        # earlier entries win ties, as browsers list languages in order of preference
        if match is not None and q > best_q:
            best, best_q = match, q
    return best


def html_file(stem: str, lang: str) -> str:
    """The file of the HTML page of ``stem`` in ``lang`` (``def/`` -> ``def/index.zh.html``)."""
    return f"{stem}index.{lang}.html" if stem.endswith("/") or not stem else f"{stem}.{lang}.html"


def data_file(stem: str, fmt: Format) -> str:
    return f"{stem}index{fmt.extension}" if stem.endswith("/") or not stem else stem + fmt.extension


def alternates(url_stem: str) -> str:
    """The ``Link`` header naming every representation of a document."""
    return ", ".join(
        f'<{data_file(url_stem, f)}>; rel="alternate"; type="{f.media_type}"' for f in FORMATS
    )


# ---------------------------------------------------------------------------- nginx

_LETTERS = "abcdefghijk"  # q = 0, 0.1, ..., 1.0: nginx compares them as characters


def _media_regex(media: str, capture: str) -> str:
    """A case-insensitive regex finding ``media`` in an Accept header and capturing its q."""
    escaped = media.replace("+", r"\+").replace("*", r"\*").replace(".", r"\.")
    return (
        rf'"~*(?:^|,)\s*{escaped}(?=\s*(?:[;,]|$))(?:\s*;\s*(?!q\s*=)[^;,]*)*'
        rf'(?:\s*;\s*q\s*=\s*(?<{capture}>[0-9.]+))?[^,]*(?:,|$)"'
    )


def nginx_maps(table: RuleTable) -> str:
    """The ``map`` blocks (http level) that negotiate format and language like :func:`resolve`."""
    lines = [
        "# Generated by spacecoop from its rule table (site/rules.py); regenerate, do not edit.",
        "# Include at http level, beside the server block that includes locations.conf.",
        "",
    ]
    for f in FORMATS:
        main = f.media_type.partition("/")[0]
        lines.append(f"map $http_accept $sc_q_{f.key} {{")
        lines.append('    default "-";')
        lines.append('    "" "";')
        for level, media in enumerate((f.media_type, f"{main}/*", "*/*")):
            capture = f"sc_{f.key}_{level}"
            lines.append(f"    {_media_regex(media, capture)} ${capture};")
        lines.append("}")
        lines.append(f"map $sc_q_{f.key} $sc_l_{f.key} {{")
        lines.append("    default a;")
        lines.append('    "" k;')
        lines.append(r'    "~^1(?:\.0*)?$" k;')
        for digit in range(9, 0, -1):
            lines.append(rf'    "~^0?\.{digit}" {_LETTERS[digit]};')
        lines.append(r'    "~^0?\.0*[1-9]" b;')
        lines.append("}")
    key = "".join(f"$sc_l_{f.key}" for f in FORMATS)
    lines.append(f'map "{key}" $sc_neg {{')
    lines.append('    default "";')
    for index, f in enumerate(FORMATS):
        for level in range(1, len(_LETTERS)):
            letter = _LETTERS[level]
            below, upto = f"[a-{_LETTERS[level - 1]}]", f"[a-{letter}]"
            pattern = below * index + letter + upto * (len(FORMATS) - index - 1)
            lines.append(f'    "~^{pattern}$" {f.key};')
    lines.append("}")
    lines.append("map $arg_format $sc_forced {")
    lines.append('    "" "";')
    lines += [f"    {f.key} {f.key};" for f in FORMATS]
    lines.append('    default "-";')
    lines.append("}")
    lines.append('map "$sc_forced|$sc_neg" $sc_format {')
    lines.append('    default "";')
    lines.append(r'    "~^-\|" "";')
    lines.append(r'    "~^(?<sc_forced_key>[a-z]+)\|" $sc_forced_key;')
    lines.append(r'    "~^\|(?<sc_neg_key>[a-z]+)$" $sc_neg_key;')
    lines.append("}")
    default = table.languages[0]
    lines.append('map "$arg_lang|$http_accept_language" $sc_lang {')
    lines.append(f"    default {default};")
    for lang in table.languages:
        lines.append(rf'    "~^{lang}\|" {lang};')
    for lang in table.languages:
        lines.append(rf'    "~*^\|\s*{lang}(?:[-;,\s]|$)" {lang};')
    lines.append("}")
    lines.append("map $sc_format $sc_suffix {")
    lines.append('    default "";')
    for f in FORMATS:
        suffix = ".$sc_lang.html" if f.key == "html" else f.extension
        lines.append(f'    {f.key} "{suffix}";')
    lines.append("}")
    lines.append("map $sc_format $sc_content_language {")
    lines.append('    default "";')
    lines.append("    html $sc_lang;")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _nginx_link(stem: str) -> str:
    parts = [
        f'<{stem}{f.extension}>; rel=\\"alternate\\"; type=\\"{f.media_type}\\"' for f in FORMATS
    ]
    return ", ".join(parts)


def nginx_locations(table: RuleTable) -> str:
    """The server-level rules: types, 303s, negotiated documents, CORS, error pages."""
    folders = "|".join(p.rstrip("/") for p in table.negotiated)
    formats = "|".join(f.extension[1:] for f in FORMATS)
    types = {
        "text/html": "html",
        "text/css": "css",
        "text/javascript": "js",
        "application/json": "json",
        "image/svg+xml": "svg",
        "text/plain": "txt",
        "application/n-quads": "nq",
        "application/trig": "trig",
        **{f.media_type: f.extension[1:] for f in RDF_FORMATS},
    }
    vary = 'add_header Vary "Accept, Accept-Language" always;'
    lines = [
        "# Generated by spacecoop from its rule table (site/rules.py); regenerate, do not edit.",
        "# Include inside the server block whose root is the generated site folder.",
        "absolute_redirect off;",
        "index index.html;",
        "charset utf-8;",
        "charset_types text/css text/plain text/turtle text/javascript "
        "application/n-triples application/rdf+xml application/n-quads application/trig;",
        "types {",
        *(f"    {media} {ext};" for media, ext in sorted(types.items())),
        "}",
        "default_type text/plain;",
        "error_page 404 /404.html;",
        "error_page 406 /406.html;",
        "location = /404.html { internal; }",
        "location = /406.html { internal; " + vary + " }",
        "location = / {",
        f"    {vary}",
        "    add_header Content-Language $sc_lang always;",
        "    try_files /index.$sc_lang.html /index.html =404;",
        "}",
    ]
    for rule in table.rules:
        if rule.action == "see-other":
            lines += [
                f"location ~ ^/{rule.path}(?<sc_rest>.+)$ {{",
                f"    return 303 /{rule.target}$sc_rest$is_args$args;",
                "}",
            ]
        elif rule.action == "cors":
            lines += [
                f"location = /{rule.path} {{",
                '    add_header Access-Control-Allow-Origin "*" always;',
                "}",
            ]
    if folders:
        lines += [
            f"location ~ ^(?<sc_dir>/(?:{folders})/(?:.*/)?)$ {{",
            '    if ($sc_format = "") { return 406; }',
            f"    {vary}",
            f'    add_header Link "{_nginx_link("${sc_dir}index")}" always;',
            "    add_header Content-Language $sc_content_language always;",
            "    try_files ${uri}index$sc_suffix ${uri}index.html =404;",
            "}",
            f"location ~ ^/(?:{folders})/.*\\.(?:{formats})$ {{",
            "}",
            f"location ~ ^(?<sc_doc>/(?:{folders})/(?:.*/)?[^./]+)$ {{",
            '    if ($sc_format = "") { return 406; }',
            f"    {vary}",
            f'    add_header Link "{_nginx_link("$sc_doc")}" always;',
            "    add_header Content-Language $sc_content_language always;",
            "    try_files $uri$sc_suffix =404;",
            "}",
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- Apache


def htaccess(table: RuleTable) -> str:
    """Apache rules: mod_rewrite for 303s and overrides, mod_negotiation type maps (``.var``
    files written beside each document) for Accept and Accept-Language with q-values."""
    folders = "|".join(p.rstrip("/") for p in table.negotiated)
    lines = [
        "# Generated by spacecoop from its rule table (site/rules.py); regenerate, do not edit.",
        "# Needs mod_rewrite, mod_negotiation, mod_headers and mod_mime (AllowOverride All).",
        "Options -MultiViews -Indexes",
        "DirectoryIndex index.var index.html",
        "AddHandler type-map .var",
        "AddDefaultCharset off",
        "AddType text/html .html",
        *(f"AddType {f.media_type} {f.extension}" for f in RDF_FORMATS),
        "AddCharset utf-8 .html .ttl .nt .rdf",
        "ErrorDocument 404 /404.html",
        "ErrorDocument 406 /406.html",
        "RewriteEngine On",
        "# Set RewriteBase to the site's URL path when it is not served at the root.",
        "RewriteBase /",
    ]
    for rule in table.rules:
        if rule.action == "cors":
            lines += [
                f'<Files "{rule.path}">',
                f"    ForceType {rule.media_type}",
                '    Header always set Access-Control-Allow-Origin "*"',
                "</Files>",
            ]
    for rule in table.rules:
        if rule.action == "see-other":
            lines.append(f"RewriteRule ^{rule.path}(.+)$ {rule.target}$1 [R=303,L]")
    if folders:
        keys = "|".join(f.key for f in RDF_FORMATS)
        langs = "|".join(table.languages)
        doc = rf"^((?:{folders})/(?:.*/)?)([^./]+)$"  # $1 folder, $2 document name
        folder = rf"^((?:{folders})/(?:.*/)?)$"
        query = r"RewriteCond %{QUERY_STRING} (?:^|&)"
        lines += [
            "# ?format= and ?lang= choose a file directly; SC_DOC names the document for the",
            "# Link header (mod_rewrite's internal redirect renames it REDIRECT_SC_DOC)",
            rf"{query}format=({keys})(?:&|$)",
            rf"RewriteRule {doc} $1$2.%1 [E=SC_DOC:$2,L]",
            rf"{query}format=({keys})(?:&|$)",
            rf"RewriteRule {folder} $1index.%1 [E=SC_DOC:index,L]",
            rf"{query}lang=({langs})(?:&|$)",
            rf"RewriteRule {doc} $1$2.%1.html [E=SC_DOC:$2,L]",
            rf"{query}lang=({langs})(?:&|$)",
            rf"RewriteRule {folder} $1index.%1.html [E=SC_DOC:index,L]",
            rf"{query}format=html(?:&|$)",
            rf"RewriteRule {doc} $1$2.{table.languages[0]}.html [E=SC_DOC:$2,L]",
            "# anything else negotiates through the type map beside the document (whose",
            "# choice is one more internal redirect: REDIRECT_REDIRECT_SC_DOC)",
            rf"RewriteRule {doc} $1$2.var [E=SC_DOC:$2,L]",
            rf"RewriteRule {folder} $1index.var [E=SC_DOC:index,L]",
            'Header always merge Vary "Accept, Accept-Language" env=REDIRECT_SC_DOC',
            *(
                f'Header always append Link "<%{{{var}}}e{f.extension}>; '
                f'rel=\\"alternate\\"; type=\\"{f.media_type}\\"" env={var}'
                for var in ("REDIRECT_SC_DOC", "REDIRECT_REDIRECT_SC_DOC")
                for f in FORMATS
            ),
        ]
    return "\n".join(lines) + "\n"


def type_map(name: str, languages: tuple[str, ...], html_only: bool = False) -> str:
    """The mod_negotiation type map of one document (``name`` is its file stem).

    Source qualities: 1 for HTML and slightly less, in the table's order, for RDF, so that the
    client's q-values decide and the server's order only breaks ties.
    """
    blocks = [f"URI: {name}\n"]
    for lang in languages:
        blocks.append(
            f"URI: {name}.{lang}.html\nContent-Type: text/html; charset=utf-8; qs=1.0\n"
            f"Content-Language: {lang}\n"
        )
    if not html_only:
        for rank, f in enumerate(RDF_FORMATS, start=1):
            quality = f"qs={1 - rank / 100:.2f}"
            blocks.append(f"URI: {name}{f.extension}\nContent-Type: {f.content_type}; {quality}\n")
    return "\n".join(blocks)
