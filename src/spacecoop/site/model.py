"""The resource model: every page's facts, computed once from the loaded dataset.

Why one model: the served pages, the static site, the RDF documents per resource and the
content-negotiation checker must agree on which resources exist, where their documents live and
what they say. They all read this model; none of them parses a source again.

A resource gets a document when its IRI lies under the configured base IRI and maps onto a
safe path: ``{instance namespace}{kind}/{slug}`` -> ``doc/{kind}/{slug}`` (the IRI itself answers
303 See Other), any other IRI under the base -> the same path (``def/{Term}``, ``shapes/...``;
the IRI is the document). The ontology IRI that is the vocabulary namespace without its final
``/`` maps onto ``def/``, the vocabulary's index page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.load import LoadedDataset
from spacecoop.rdfwriter import relabel
from spacecoop.site.settings import SiteSettings, load_site_settings
from spacecoop.versions import stamp_quads

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
SCHEMA_HTTP = "http://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
WIKIDATA = "http://www.wikidata.org/entity/"
RDF_TYPE = RDF + "type"

#: Where a label comes from, best first.
LABEL_PROPERTIES = (
    RDFS + "label",
    SKOS + "prefLabel",
    DCTERMS + "title",
    SCHEMA + "name",
    FOAF + "name",
)
#: Where a description comes from, best first.
DESCRIPTION_PROPERTIES = (
    SKOS + "definition",
    DCTERMS + "description",
    RDFS + "comment",
    SCHEMA + "description",
)
#: Properties that cite the documents a statement comes from.
SOURCE_PROPERTIES = (DCTERMS + "source", PROV + "wasDerivedFrom")
#: Properties that say two IRIs name the same thing.
SAME_AS_PROPERTIES = (
    OWL + "sameAs",
    SCHEMA + "sameAs",
    SCHEMA_HTTP + "sameAs",
    SKOS + "exactMatch",
)
CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
PROPERTY_TYPES = {
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
}
#: Prefixes for display when the sources do not declare them (the sources' own names win).
WELL_KNOWN_PREFIXES = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "foaf": FOAF,
    "schema": SCHEMA,
    "sh": SH,
    "vann": "http://purl.org/vocab/vann/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "time": "http://www.w3.org/2006/time#",
    "org": "http://www.w3.org/ns/org#",
    "sosa": "http://www.w3.org/ns/sosa/",
    "wd": WIKIDATA,
}
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")

Node = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal


def _text_key(text: str) -> str:
    return text.casefold()


@dataclass
class PartnerRow:
    """One node of a partner map: the node, how it points to the entity, and its values."""

    node: Node
    via: str | None  # the property through which the node points to the entity; None: itself
    partners: list[Term]
    details: dict[str, list[Term]]


@dataclass
class PartnerMap:
    rows: list[PartnerRow]
    partners: list[ox.NamedNode]  # distinct partners, in order of first appearance
    detail_properties: list[str]


@dataclass
class SiteModel:
    """All triples of the site (vocabulary, shapes, data) indexed for page building."""

    config: Config
    settings: SiteSettings
    triples: list[ox.Triple]
    prefixes: dict[str, str]
    vocabulary: list[ox.Triple] = field(default_factory=list)
    shapes: list[ox.Triple] = field(default_factory=list)
    data: list[ox.Triple] = field(default_factory=list)
    out: dict[Node, list[tuple[str, Term]]] = field(default_factory=dict)
    inc: dict[Node, list[tuple[Node, str]]] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # IRI -> document path
    by_path: dict[str, str] = field(default_factory=dict)  # document path -> IRI

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_dataset(
        cls, dataset: LoadedDataset, config: Config, settings: SiteSettings | None = None
    ) -> SiteModel:
        """Build the model once; ontology headers carry the package version, as in dist/."""
        settings = settings or load_site_settings(config)
        vocabulary = [q.triple for q in stamp_quads(dataset.quads("ontology"), config)]
        shapes = list(dataset.triples("shapes"))
        data = list(dataset.triples("data"))
        everything = relabel(dict.fromkeys([*vocabulary, *shapes, *data]))
        ordered = sorted(
            set(everything), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))
        )
        prefixes = dataset.prefixes()
        taken = set(prefixes.values())
        for name, namespace in WELL_KNOWN_PREFIXES.items():
            if name not in prefixes and namespace not in taken:
                prefixes[name] = namespace
        model = cls(
            config, settings, ordered, dict(sorted(prefixes.items())), vocabulary, shapes, data
        )
        model._index()
        return model

    def _index(self) -> None:
        out: dict[Node, list[tuple[str, Term]]] = defaultdict(list)
        inc: dict[Node, list[tuple[Node, str]]] = defaultdict(list)
        for t in self.triples:
            out[t.subject].append((t.predicate.value, t.object))
            if isinstance(t.object, ox.NamedNode | ox.BlankNode):
                inc[t.object].append((t.subject, t.predicate.value))
        self.out, self.inc = dict(out), dict(inc)
        self._types: dict[Node, list[str]] = {
            s: sorted({o.value for p, o in values if p == RDF_TYPE and isinstance(o, ox.NamedNode)})
            for s, values in self.out.items()
        }
        self._labels: dict[Node, dict[str, str]] = {}
        self._descriptions: dict[Node, dict[str, str]] = {}
        for s, values in self.out.items():
            self._labels[s] = self._language_map(values, LABEL_PROPERTIES)
            self._descriptions[s] = self._language_map(values, DESCRIPTION_PROPERTIES)
        self._parents: dict[str, set[str]] = defaultdict(set)
        self._children: dict[str, set[str]] = defaultdict(set)
        for t in self.triples:
            if t.predicate.value == RDFS + "subClassOf" and isinstance(t.object, ox.NamedNode):
                self._parents[t.subject.value].add(t.object.value)
                self._children[t.object.value].add(t.subject.value)
        for s in self.out:
            path = self.document_path(s.value) if isinstance(s, ox.NamedNode) else None
            if path is not None and path not in self.by_path:  # the first IRI claims a path
                self.paths[s.value] = path
                self.by_path[path] = s.value

    @staticmethod
    def _language_map(values: list[tuple[str, Term]], properties: tuple[str, ...]) -> dict:
        found: dict[str, str] = {}
        for prop in properties:
            for p, o in values:
                if p == prop and isinstance(o, ox.Literal):
                    found.setdefault((o.language or "").lower(), o.value)
        return found

    # ------------------------------------------------------------------ paths

    @property
    def instance_prefix(self) -> str | None:
        """``id/``: the instance namespace relative to the base IRI (None if outside it)."""
        base, ns = self.config.base_iri, self.config.instance_namespace
        return ns[len(base) :] if ns.startswith(base) and ns != base else None

    @property
    def vocabulary_prefix(self) -> str | None:
        """``def/``: the vocabulary namespace relative to the base IRI (None if outside it)."""
        base, ns = self.config.base_iri, self.config.vocabulary_namespace
        if not ns.startswith(base) or ns == base or not ns.endswith("/"):
            return None
        return ns[len(base) :]

    def document_path(self, iri: str) -> str | None:
        """The site path of the document about ``iri`` (no extension), or None."""
        base = self.config.base_iri
        if not iri.startswith(base):
            return None
        rest = iri[len(base) :]
        ids, vocabulary = self.instance_prefix, self.vocabulary_prefix
        if vocabulary is not None and rest + "/" == vocabulary:
            return vocabulary
        if ids is not None and rest.startswith(ids):
            rest = "doc/" + rest[len(ids) :]
        segments = rest.split("/")
        if not rest or rest.endswith("/") or not all(_SEGMENT.match(s) for s in segments):
            return None
        if segments[0] in ("assets", "dist") or rest in ("search.json", "context.jsonld"):
            return None  # names the site itself uses
        return rest

    def iri_of_path(self, path: str) -> str | None:
        return self.by_path.get(path)

    def url_path(self, iri: str) -> str | None:
        """The path an IRI is looked up at on the site (``id/...`` for things)."""
        base = self.config.base_iri
        return iri[len(base) :] if iri in self.paths else None

    @property
    def kinds(self) -> dict[str, list[str]]:
        """``doc/{kind}/`` index pages: kind -> IRIs of its resources, sorted by label."""
        found: dict[str, list[str]] = defaultdict(list)
        for iri, path in self.paths.items():
            parts = path.split("/")
            if parts[0] == "doc" and len(parts) >= 3:
                found[parts[1]].append(iri)
        return {k: self.sort_by_label(v) for k, v in sorted(found.items())}

    def negotiated_prefixes(self) -> list[str]:
        """Top-level folders whose extensionless paths negotiate (``doc/``, ``def/``, ...)."""
        tops = {path.split("/", 1)[0] + "/" for path in self.by_path if "/" in path}
        if self.vocabulary_prefix:
            tops.add(self.vocabulary_prefix.split("/", 1)[0] + "/")
        return sorted(tops)

    # ------------------------------------------------------------------ labels

    def labels(self, node: Term) -> dict[str, str]:
        return self._labels.get(node, {}) if not isinstance(node, ox.Literal) else {}

    def descriptions(self, node: Term) -> dict[str, str]:
        return self._descriptions.get(node, {}) if not isinstance(node, ox.Literal) else {}

    def pick(self, texts: dict[str, str], lang: str) -> tuple[str, str] | None:
        """The text in ``lang`` or the best fallback, with the language it is in."""
        if not texts:
            return None
        order = [lang, *self.settings.languages, ""]
        for wanted in order:
            if wanted in texts:
                return texts[wanted], wanted
            for tag in sorted(texts):  # zh-hans for zh
                if wanted and tag.split("-")[0] == wanted:
                    return texts[tag], tag
        tag = sorted(texts)[0]
        return texts[tag], tag

    def curie(self, iri: str) -> str:
        best = ""
        for name, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(namespace) > len(best):
                best, chosen = namespace, name
        if best and re.match(r"^[A-Za-z0-9_.-]*$", iri[len(best) :]):
            return f"{chosen}:{iri[len(best) :]}"
        return iri

    def label(self, node: Term, lang: str) -> tuple[str, str]:
        """A human label and its language (``""`` for none): never a bare IRI if avoidable."""
        if isinstance(node, ox.Literal):
            return node.value, node.language or ""
        picked = self.pick(self.labels(node), lang)
        if picked is not None:
            return picked
        if isinstance(node, ox.BlankNode):
            return "…", ""
        iri = node.value
        if iri.startswith(WIKIDATA):
            return f"Wikidata {iri[len(WIKIDATA) :]}", ""
        return self.curie(iri), ""

    def description(self, node: Term, lang: str) -> tuple[str, str] | None:
        return self.pick(self.descriptions(node), lang)

    def sort_by_label(self, iris: Iterable[str], lang: str | None = None) -> list[str]:
        lang = lang or self.settings.default_language
        return sorted(
            set(iris),
            key=lambda i: (_text_key(self.label(ox.NamedNode(i), lang)[0]), i),
        )

    # ------------------------------------------------------------------ graph lookups

    def types(self, node: Node) -> list[str]:
        return self._types.get(node, [])

    def values(self, node: Node, prop: str) -> list[Term]:
        return [o for p, o in self.out.get(node, []) if p == prop]

    def superclasses(self, class_iri: str) -> list[str]:
        """The class and its superclasses, nearest first (breadth-first, cycle-safe)."""
        found, queue = [class_iri], [class_iri]
        while queue:
            for parent in sorted(self._parents.get(queue.pop(0), ())):
                if parent not in found:
                    found.append(parent)
                    queue.append(parent)
        return found

    def subclasses(self, class_iri: str) -> set[str]:
        found, stack = {class_iri}, [class_iri]
        while stack:
            for child in self._children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found

    def is_a(self, node: Node, classes: Iterable[str]) -> bool:
        wanted: set[str] = set()
        for c in classes:
            wanted |= self.subclasses(c)
        return bool(wanted.intersection(self.types(node)))

    def instances(self, class_iri: str) -> list[str]:
        """Named instances of the class or of a subclass, with a document, sorted by label."""
        classes = self.subclasses(class_iri)
        found = [
            s.value
            for s, types in self._types.items()
            if isinstance(s, ox.NamedNode) and classes.intersection(types) and s.value in self.paths
        ]
        return self.sort_by_label(found)

    def owner(self, node: Node) -> ox.NamedNode | None:
        """The named node a blank node hangs from (following references back), if any."""
        seen: set[Node] = set()
        current: Node = node
        while isinstance(current, ox.BlankNode) and current not in seen:
            seen.add(current)
            referrers = self.inc.get(current, [])
            if not referrers:
                return None
            current = referrers[0][0]
        return current if isinstance(current, ox.NamedNode) else None

    def incoming(self, node: ox.NamedNode) -> list[tuple[ox.NamedNode, str]]:
        """(subject, property) pairs pointing at ``node``; blank subjects become their owner."""
        found: dict[tuple[str, str], tuple[ox.NamedNode, str]] = {}
        for subject, prop in self.inc.get(node, []):
            if prop == RDF_TYPE:
                continue
            owner = subject if isinstance(subject, ox.NamedNode) else self.owner(subject)
            if owner is not None and owner != node:
                found.setdefault((owner.value, prop), (owner, prop))
        return [found[k] for k in sorted(found)]

    def closure(self, node: Node) -> Iterator[ox.Triple]:
        """The triples about ``node`` and, recursively, about the blank nodes it points to."""
        seen: set[Node] = set()
        stack: list[Node] = [node]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            for prop, obj in self.out.get(current, []):
                yield ox.Triple(current, ox.NamedNode(prop), obj)
                if isinstance(obj, ox.BlankNode):
                    stack.append(obj)

    def document_triples(self, iri: str) -> list[ox.Triple]:
        """What the RDF documents of a resource hold: its description, blank nodes included,
        and the statements of other named resources that point to it."""
        node = ox.NamedNode(iri)
        triples = dict.fromkeys(self.closure(node))
        for subject, prop in self.inc.get(node, []):
            if isinstance(subject, ox.NamedNode) and subject != node:
                triples.setdefault(ox.Triple(subject, ox.NamedNode(prop), node))
        return list(triples)

    def wikidata_links(self, node: Node) -> list[str]:
        return sorted(
            {
                o.value
                for _, o in self.out.get(node, [])
                if isinstance(o, ox.NamedNode) and o.value.startswith(WIKIDATA)
            }
        )

    def same_as(self, node: Node) -> list[str]:
        return sorted(
            {
                o.value
                for p, o in self.out.get(node, [])
                if p in SAME_AS_PROPERTIES and isinstance(o, ox.NamedNode)
            }
        )

    def sources(self, node: Node) -> list[Term]:
        return [o for p, o in self.out.get(node, []) if p in SOURCE_PROPERTIES]

    def schema_type(self, node: Node) -> str:
        """The nearest schema.org class of the node's types (via rdfs:subClassOf or
        owl:equivalentClass), for the search-engine JSON-LD; ``Thing`` when none."""
        for class_iri in self.types(node):
            for ancestor in self.superclasses(class_iri):
                candidates = [ancestor] + [
                    o.value
                    for o in self.values(ox.NamedNode(ancestor), OWL + "equivalentClass")
                    if isinstance(o, ox.NamedNode)
                ]
                for candidate in candidates:
                    for ns in (SCHEMA, SCHEMA_HTTP):
                        if candidate.startswith(ns):
                            return candidate[len(ns) :]
        return "Thing"

    # ------------------------------------------------------------------ partner maps

    def partner_map(self, node: ox.NamedNode) -> PartnerMap | None:
        """The partners of an entity of a configured class, and the nodes that name them.

        Rows: the entity itself when it names partners directly, then every node pointing to
        it through a configured link property or being of a configured node class.
        """
        settings = self.settings.map
        if not settings.enabled or not self.is_a(node, settings.classes):
            return None
        candidates: list[tuple[Node, str | None]] = [(node, None)]
        node_classes = set()
        for c in settings.node_classes:
            node_classes |= self.subclasses(c)
        for subject, prop in self.inc.get(node, []):
            if prop in settings.links or node_classes.intersection(self.types(subject)):
                candidates.append((subject, prop))
        rows: list[PartnerRow] = []
        seen: set[Node] = set()
        for subject, via in candidates:
            if subject in seen:
                continue
            seen.add(subject)
            partners = list(
                dict.fromkeys(o for p in settings.partners for o in self.values(subject, p))
            )
            details = {p: self.values(subject, p) for p in settings.details}
            if partners:
                rows.append(PartnerRow(subject, via, partners, details))
        if not rows:
            return None
        lang = self.settings.default_language
        own = [r for r in rows if r.via is None]
        others = sorted(
            (r for r in rows if r.via is not None),
            key=lambda r: (_text_key(self.label(r.node, lang)[0]), str(r.node)),
        )
        rows = own + others
        partners = list(
            dict.fromkeys(p for r in rows for p in r.partners if isinstance(p, ox.NamedNode))
        )
        used = [p for p in settings.details if any(r.details.get(p) for r in rows)]
        return PartnerMap(rows, partners, used)

    # ------------------------------------------------------------------ counts

    def counts(self) -> dict[str, int]:
        classes = {s for s, t in self._types.items() if CLASS_TYPES.intersection(t)}
        properties = {s for s, t in self._types.items() if PROPERTY_TYPES.intersection(t)}
        vocabulary = self.config.vocabulary_namespace
        return {
            "triples": len(self.triples),
            "data_triples": len(set(self.data)),
            "resources": len(self.paths),
            "classes": sum(1 for c in classes if str(c.value).startswith(vocabulary)),
            "properties": sum(1 for p in properties if str(p.value).startswith(vocabulary)),
            "entities": sum(1 for p in self.paths.values() if p.startswith("doc/")),
        }
