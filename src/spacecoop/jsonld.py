"""JSON-LD that web developers can read: a generated context, compacted and framed documents.

Why this module exists: rdflib has no JSON-LD framing, pyoxigraph writes only expanded JSON-LD,
and PyLD (the reference Python processor) does not finish compacting a 100k-triple graph in
minutes. So the export path is split in steps, each small and testable:

1. :func:`from_rdf` turns RDF into expanded JSON-LD node objects, following the JSON-LD 1.1 API
   algorithm "Serialize RDF as JSON-LD" (section 8.4) and "RDF to Object Conversion" (8.5). The
   W3C ``fromRdf`` suite runs through this function (tests/test_jsonld.py).
2. :func:`generate_context` derives ``context.jsonld`` from the vocabulary: one short key per term
   (its local name), ``@type: @id`` for object properties, datatype coercion from a single
   datatype ``rdfs:range``, language maps for labels and definitions, ``@protected``.
3. :class:`EntityDocuments` nests blank nodes into the entity that owns them and builds, per root
   entity, a small expanded document that is compacted on its own: the processor never sees the
   whole graph. Framed "developer JSON" embeds the entities along configured key paths (a frame
   is a class plus paths such as ``partner`` or ``contributions/contributor``).
   :class:`Compactor` compacts with a table-driven fast path for the generated context's terms
   and hands anything else to PyLD; tests check both give the same bytes.
4. :func:`document_loader` is the only loader ever given to PyLD: it serves the generated context
   from memory and refuses every other URL, remote or ``file:``, so reading or writing JSON-LD
   never touches the network or the file system.

Blank nodes arrive already relabelled canonically (:func:`spacecoop.rdfwriter.relabel`) and
blank nodes referenced once are embedded without an identifier, so the output bytes depend only
on the graph.
"""

from __future__ import annotations

import json
import marshal
import math
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pyoxigraph as ox
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from spacecoop.config import Config
from spacecoop.errors import ConfigError, SpacecoopError
from spacecoop.rdfwriter import (
    HeaderStamp,
    SubjectStream,
    relabel,
    subject_groups,
)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = RDF + "type"
RDF_FIRST, RDF_REST, RDF_NIL, RDF_LIST = RDF + "first", RDF + "rest", RDF + "nil", RDF + "List"
RDF_JSON, RDF_DIRECTION, RDF_LANGSTRING = RDF + "JSON", RDF + "direction", RDF + "langString"
RDF_VALUE, RDF_LANGUAGE = RDF + "value", RDF + "language"
XSD_STRING, XSD_BOOLEAN = XSD + "string", XSD + "boolean"
XSD_INTEGER, XSD_DOUBLE = XSD + "integer", XSD + "double"
I18N = "https://www.w3.org/ns/i18n#"

#: Properties whose values are language-tagged text: written as language maps
#: (``"label": {"en": "...", "zh": "..."}``), the shape web developers expect. The list is
#: fixed (not guessed from the data) so that the shape of a key never changes with the data.
LANGUAGE_MAPPED = (
    RDFS + "label",
    RDFS + "comment",
    SKOS + "prefLabel",
    SKOS + "altLabel",
    SKOS + "hiddenLabel",
    SKOS + "definition",
    SKOS + "example",
    SKOS + "note",
    SKOS + "scopeNote",
    SKOS + "editorialNote",
    SKOS + "historyNote",
    SKOS + "changeNote",
    DCTERMS + "title",
    DCTERMS + "alternative",
    DCTERMS + "description",
)
#: Well-known namespaces, in the order in which they claim a short key when two terms share a
#: local name (``dcterms:title`` gets ``title`` before ``dc:title`` would).
WELL_KNOWN = (
    RDF,
    RDFS,
    OWL,
    XSD,
    DCTERMS,
    SKOS,
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/org#",
    "http://xmlns.com/foaf/0.1/",
    "https://schema.org/",
    "http://schema.org/",
    "http://www.w3.org/ns/dcat#",
    "http://rdfs.org/ns/void#",
    "http://purl.org/vocab/vann/",
    "http://www.w3.org/2006/time#",
    "http://www.w3.org/ns/sosa/",
    "http://www.w3.org/ns/ssn/",
)
#: Key names fixed by the brief of the exports: external terms that always get these keys.
PREFERRED_KEYS = {
    RDFS + "label": "label",
    DCTERMS + "source": "source",
    OWL + "sameAs": "sameAs",
}
CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
OBJECT_PROPERTY_TYPES = {OWL + "ObjectProperty"}
PROPERTY_TYPES = {
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
}
DATATYPE_TYPES = {RDFS + "Datatype"}
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOUBLE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")

JsonObject = dict[str, Any]


class JsonLdExportError(SpacecoopError):
    """A JSON-LD document cannot be produced (bad frame configuration, refused context)."""


# ---------------------------------------------------------------------------------------------
# Document loader: contexts only from the package, never from the network or the file system
# ---------------------------------------------------------------------------------------------


def document_loader(contexts: Mapping[str, JsonObject]) -> Callable[..., JsonObject]:
    """A PyLD document loader that serves ``contexts`` (IRI -> document) and refuses the rest.

    Why: PyLD's default loader fetches any URL it meets, and rdflib's reads ``file:`` URLs;
    published data must not depend on (or leak to) a third-party server, and a crafted input
    must not read local files. Every other IRI fails with ``loading document failed``.
    """
    known = {iri: json.loads(json.dumps(doc)) for iri, doc in contexts.items()}

    def load(url: str, options: object = None) -> JsonObject:
        if url in known:
            return {
                "contextUrl": None,
                "documentUrl": url,
                "document": json.loads(json.dumps(known[url])),
                "contentType": "application/ld+json",
            }
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        reason = (
            "file: URLs are never read"
            if scheme == "file"
            else "remote documents are never fetched"
            if scheme in ("http", "https")
            else "unknown document"
        )
        raise jsonld.JsonLdError(
            f"refused to load {url!r}: {reason}; contexts come only from the package",
            "spacecoop.RefusedDocument",
            {"url": url},
            code="loading document failed",
        )

    return load


# ---------------------------------------------------------------------------------------------
# JSON-LD 1.1 API, 8.5: RDF to Object Conversion
# ---------------------------------------------------------------------------------------------


def rdf_to_object(
    term: ox.NamedNode | ox.BlankNode | ox.Literal,
    use_native_types: bool = False,
    rdf_direction: str | None = None,
    processing_mode: str = "json-ld-1.1",
) -> JsonObject:
    """One RDF term as a JSON-LD node reference or value object."""
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    result: JsonObject = {}
    converted: Any = term.value
    type_: str | None = None
    datatype = term.datatype.value if term.datatype is not None else XSD_STRING
    if term.language:
        datatype = RDF_LANGSTRING
    if processing_mode != "json-ld-1.0" and datatype == RDF_JSON:
        try:
            converted = json.loads(term.value)
        except ValueError as exc:
            raise jsonld.JsonLdError(
                f"invalid JSON literal: {exc}",
                "jsonld.InvalidJsonLiteral",
                code="invalid JSON literal",
            ) from None
        type_ = "@json"
    elif use_native_types and not term.language:
        if datatype == XSD_STRING:
            pass
        elif datatype == XSD_BOOLEAN and term.value in ("true", "false", "1", "0"):
            converted = term.value in ("true", "1")
        elif datatype == XSD_INTEGER and _INTEGER.match(term.value):
            converted = int(term.value)
        elif (
            datatype == XSD_DOUBLE
            and _DOUBLE.match(term.value)
            and math.isfinite(float(term.value))
        ):
            converted = float(term.value)
        else:
            type_ = datatype
    elif rdf_direction == "i18n-datatype" and datatype.startswith(I18N):
        language, _, direction = datatype[len(I18N) :].partition("_")
        if language:
            result["@language"] = language
        if direction:
            result["@direction"] = direction
    elif term.language:
        result["@language"] = term.language
    elif datatype != XSD_STRING:
        type_ = datatype
    result["@value"] = converted
    if type_ is not None:
        result["@type"] = type_
    return result


# ---------------------------------------------------------------------------------------------
# JSON-LD 1.1 API, 8.4: Serialize RDF as JSON-LD
# ---------------------------------------------------------------------------------------------


def _term_id(term: ox.NamedNode | ox.BlankNode) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


@dataclass
class _Usage:
    node: JsonObject
    property: str
    value: JsonObject


def from_rdf(
    statements: Iterable[ox.Quad | ox.Triple],
    use_native_types: bool = False,
    use_rdf_type: bool = False,
    rdf_direction: str | None = None,
    processing_mode: str = "json-ld-1.1",
    lossless: bool = False,
) -> list[JsonObject]:
    """Expanded JSON-LD for an RDF dataset (quads) or graph (triples), sorted by ``@id``.

    Implements the JSON-LD 1.1 API algorithm step by step, including the conversion of
    well-formed ``rdf:first``/``rdf:rest`` chains into ``@list``; the step numbers of the
    specification are given in the comments.

    ``lossless`` (the export path) leaves out the two conversions of the algorithm that lose
    triples or bytes: list nodes typed ``rdf:List`` stay nodes (the type triples would be
    dropped), and ``rdf:JSON`` literals stay typed strings (their lexical form would be
    replaced by its canonical JSON).
    """
    default_graph: dict[str, JsonObject] = {}  # 1
    graph_map: dict[str, dict[str, JsonObject]] = {"@default": default_graph}
    referenced_once: dict[str, _Usage | bool] = {}
    nil_usages: dict[str, list[_Usage]] = defaultdict(list)
    compound: dict[str, set[str]] = defaultdict(set)
    for statement in statements:  # 5
        graph_name = getattr(statement, "graph_name", None)
        name = (
            "@default"
            if graph_name is None or isinstance(graph_name, ox.DefaultGraph)
            else _term_id(graph_name)
        )
        node_map = graph_map.setdefault(name, {})  # 5.2
        if name != "@default" and name not in default_graph:  # 5.3
            default_graph[name] = {"@id": name}
        subject = _term_id(statement.subject)
        predicate = statement.predicate.value
        obj = statement.object
        node = node_map.setdefault(subject, {"@id": subject})  # 5.7.1-2
        if rdf_direction == "compound-literal" and predicate == RDF_DIRECTION:
            compound[name].add(subject)  # 5.7.3
        if isinstance(obj, ox.NamedNode | ox.BlankNode):  # 5.7.4
            node_map.setdefault(_term_id(obj), {"@id": _term_id(obj)})
        if predicate == RDF_TYPE and not use_rdf_type and not isinstance(obj, ox.Literal):
            types = node.setdefault("@type", [])  # 5.7.5
            if _term_id(obj) not in types:
                types.append(_term_id(obj))
            continue
        value = rdf_to_object(  # 5.7.6
            obj, use_native_types, rdf_direction, "json-ld-1.0" if lossless else processing_mode
        )
        values = node.setdefault(predicate, [])  # 5.7.7
        if _contains(values, value):
            continue  # the same triple twice: a dataset is a set
        values.append(value)
        if isinstance(obj, ox.NamedNode) and obj.value == RDF_NIL:  # 5.7.8
            nil_usages[name].append(_Usage(node, predicate, value))
        elif isinstance(obj, ox.BlankNode):
            object_id = _term_id(obj)
            if object_id in referenced_once:  # 5.7.9
                referenced_once[object_id] = False
            else:  # 5.7.10
                referenced_once[object_id] = _Usage(node, predicate, value)
    for name, graph_object in graph_map.items():  # 6
        if rdf_direction == "compound-literal":
            _compound_literals(graph_object, compound.get(name, set()))
        for usage in nil_usages.get(name, []):  # 6.4
            node, prop, head = usage.node, usage.property, usage.value
            items: list[JsonObject] = []
            list_nodes: list[str] = []
            while (
                prop == RDF_REST
                and node["@id"].startswith("_:")
                and isinstance(referenced_once.get(node["@id"]), _Usage)
                and _is_list_node(node, allow_type=not lossless)
            ):
                items.append(node[RDF_FIRST][0])
                list_nodes.append(node["@id"])
                node_usage = referenced_once[node["@id"]]
                assert isinstance(node_usage, _Usage)
                node, prop, head = node_usage.node, node_usage.property, node_usage.value
                if not node["@id"].startswith("_:"):
                    break
            head.pop("@id", None)  # 6.4.4
            items.reverse()
            head["@list"] = items
            for node_id in list_nodes:
                graph_object.pop(node_id, None)
    result: list[JsonObject] = []
    for subject in sorted(default_graph):  # 7
        node = default_graph[subject]
        if subject in graph_map and subject != "@default":
            node["@graph"] = [n for key, n in sorted(graph_map[subject].items()) if not _only_id(n)]
        if not _only_id(node):
            result.append(node)
    return result


def _contains(values: list[JsonObject], value: JsonObject) -> bool:
    """Node equality of JSON-LD values (``1`` is not ``true``, as in Python it would be)."""
    kind = type(value.get("@value"))
    return any(v == value and type(v.get("@value")) is kind for v in values)


def _only_id(node: JsonObject) -> bool:
    return set(node) == {"@id"}


def _is_list_node(node: JsonObject, allow_type: bool = True) -> bool:
    keys = set(node) - {"@id"}
    if "@type" in keys and allow_type:
        if node["@type"] != [RDF_LIST]:
            return False
        keys.discard("@type")
    return keys == {RDF_FIRST, RDF_REST} and len(node[RDF_FIRST]) == 1 and len(node[RDF_REST]) == 1


def _compound_literals(graph_object: dict[str, JsonObject], subjects: set[str]) -> None:
    """8.4 step 6.1: ``rdf:value``/``rdf:language``/``rdf:direction`` nodes become values."""
    for node in list(graph_object.values()):
        for prop, values in node.items():
            if prop.startswith("@") or not isinstance(values, list):
                continue
            for index, value in enumerate(values):
                ref = value.get("@id") if isinstance(value, dict) else None
                if ref not in subjects or ref not in graph_object:
                    continue
                literal = graph_object[ref]
                converted: JsonObject = {"@value": literal[RDF_VALUE][0]["@value"]}
                if RDF_LANGUAGE in literal:
                    converted["@language"] = literal[RDF_LANGUAGE][0]["@value"]
                converted["@direction"] = literal[RDF_DIRECTION][0]["@value"]
                values[index] = converted
    for subject in subjects:
        graph_object.pop(subject, None)


# ---------------------------------------------------------------------------------------------
# The context: one short key per term of the vocabulary and per external term used
# ---------------------------------------------------------------------------------------------


def local_name(iri: str) -> str:
    """The part after the last ``#`` or ``/`` (or ``:`` for URNs)."""
    for separator in ("#", "/", ":"):
        if separator in iri:
            tail = iri.rsplit(separator, 1)[1]
            if tail:
                return tail
    return iri


@dataclass
class Context:
    """The generated context and the key of each IRI (for frames and coverage checks)."""

    document: JsonObject
    keys: dict[str, str]  # term IRI -> key
    reverse: dict[str, str]  # reverse key -> property IRI

    @property
    def definitions(self) -> JsonObject:
        return self.document["@context"]

    def iri_of(self, key: str) -> str | None:
        definition = self.definitions.get(key)
        if isinstance(definition, str):
            return definition
        if isinstance(definition, dict):
            return definition.get("@id") or definition.get("@reverse")
        return None


def _namespace_rank(iri: str) -> int:
    for rank, namespace in enumerate(WELL_KNOWN):
        if iri.startswith(namespace):
            return rank
    return len(WELL_KNOWN)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _camel(text: str) -> str:
    """A JSON-friendly key: ``other-property`` -> ``otherProperty``; never starts with a digit."""
    parts = [p for p in re.split(r"[^A-Za-z0-9_]+", text) if p]
    if not parts:
        return ""
    key = parts[0] + "".join(_capitalised(p) for p in parts[1:])
    return key if not key[0].isdigit() else f"n{key}"


def _stamped_in_one_pass(
    graph: Iterable[ox.Triple],
    stamp: HeaderStamp | None,
    stamped: set[str],
    held: list[ox.Triple],
    headers: set[str],
) -> Iterator[ox.Triple]:
    """``graph`` with versions stamped: the stamped predicates' triples are held back until
    the end, when the ontology headers are known."""
    if stamp is None:
        yield from graph
        return
    ontology = ox.NamedNode(OWL + "Ontology")
    for t in graph:
        predicate = t.predicate.value
        if predicate in stamped:
            held.append(t)
            continue
        if predicate == RDF_TYPE and t.object == ontology and isinstance(t.subject, ox.NamedNode):
            headers.add(t.subject.value)
        yield t
    yield from (t for t in held if t.subject.value not in headers)
    for header in sorted(headers):
        for predicate, value in stamp.values(header):
            yield ox.Triple(ox.NamedNode(header), ox.NamedNode(predicate), value)


def generate_context(
    graph: Iterable[ox.Triple],
    vocabulary: Iterable[ox.Triple],
    config: Config,
    prefixes: Mapping[str, str] | None = None,
    stamp: HeaderStamp | None = None,
) -> Context:
    """``context.jsonld`` for ``graph`` (vocabulary + data), derived from the vocabulary.

    With ``stamp``, ``graph`` is read as the stamp would leave it (in the same single pass).

    - every term of the configured vocabulary namespace gets its local name as key;
    - every other predicate and class used in the graph gets its local name too, unless a
      vocabulary term or a better-known namespace claimed it first, in which case its key is
      the source prefix plus the capitalised local name (``dctermsSource``);
    - object properties get ``@type: @id``; a property whose ``rdfs:range`` is one datatype
      (other than ``xsd:string``) gets that datatype; external terms get ``@type: @id`` when
      every value in the graph is an IRI;
    - labels, definitions, titles and descriptions are language maps;
    - ``[tool.spacecoop.reverse_terms]`` adds reverse keys for framed documents.

    The key order is fixed (keywords and aliases, prefixes, then terms case-insensitively), so
    the same sources always give the same file.
    """
    namespace = config.vocabulary_namespace
    prefixes = dict(prefixes or {})
    types: dict[str, set[str]] = defaultdict(set)
    ranges: dict[str, set[str]] = defaultdict(set)
    datatypes: set[str] = set()
    for t in vocabulary:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            types[t.subject.value].add(t.object.value)
            if t.object.value in DATATYPE_TYPES:
                datatypes.add(t.subject.value)
        elif t.predicate.value == RDFS + "range":
            ranges[t.subject.value].add(
                t.object.value if isinstance(t.object, ox.NamedNode) else "_:"
            )
    used_predicates: set[str] = set()
    used_classes: set[str] = set()
    value_kinds: dict[str, set[str]] = defaultdict(set)
    list_firsts: dict[ox.BlankNode, object] = {}
    list_rests: dict[ox.BlankNode, object] = {}
    blank_objects: dict[str, list[ox.BlankNode]] = defaultdict(list)

    def kind_of(obj: object) -> str:
        if isinstance(obj, ox.Literal):
            return "@language" if obj.language else obj.datatype.value
        return "@id"

    stamped = set(stamp.predicates) if stamp is not None else set()
    held: list[ox.Triple] = []
    headers: set[str] = set()
    for t in _stamped_in_one_pass(graph, stamp, stamped, held, headers):
        predicate = t.predicate.value
        if predicate == RDF_TYPE:
            if isinstance(t.object, ox.NamedNode):
                used_classes.add(t.object.value)
            continue
        used_predicates.add(predicate)
        if isinstance(t.subject, ox.BlankNode):
            if predicate == RDF_FIRST:
                list_firsts[t.subject] = t.object
            elif predicate == RDF_REST:
                list_rests[t.subject] = t.object
        if isinstance(t.object, ox.BlankNode):
            blank_objects[predicate].append(t.object)
        else:
            value_kinds[predicate].add(kind_of(t.object))
    # A blank node object is a node (matched by "@type": "@id") unless it heads a list, in
    # which case the list items decide (a list of strings is not a list of IRIs).
    for predicate, nodes in blank_objects.items():
        for node in nodes:
            current: object = node
            seen: set[object] = set()
            if current not in list_firsts:
                value_kinds[predicate].add("@id")
            while current in list_firsts and current not in seen:
                seen.add(current)
                item = list_firsts[current]  # type: ignore[index]
                # a nested list is neither an IRI nor a literal: it blocks any coercion
                value_kinds[predicate].add("@list" if item in list_firsts else kind_of(item))
                current = list_rests.get(current)  # type: ignore[arg-type]

    def is_datatype(iri: str) -> bool:
        return iri.startswith(XSD) or iri in datatypes or iri.startswith(RDF)

    declared = {
        iri
        for iri, kinds in types.items()
        if iri.startswith(namespace) and kinds & (CLASS_TYPES | PROPERTY_TYPES | DATATYPE_TYPES)
    }
    terms = declared | used_predicates | used_classes
    keys: dict[str, str] = {}
    taken: set[str] = {"id", "type"}
    order = sorted(
        terms,
        key=lambda iri: (
            0 if iri.startswith(namespace) else 1 if iri in PREFERRED_KEYS else 2,
            _namespace_rank(iri),
            iri,
        ),
    )
    namespace_prefix = {ns: name for name, ns in sorted(prefixes.items())}
    for iri in order:
        local = PREFERRED_KEYS.get(iri) or (
            iri[len(namespace) :] if iri.startswith(namespace) else local_name(iri)
        )
        term_namespace = iri[: len(iri) - len(local_name(iri))]
        prefix = _camel(
            namespace_prefix.get(term_namespace)
            or term_namespace.rstrip("/#:").rsplit("/", 1)[-1]
            or "term"
        )
        qualified = f"{prefix}{_capitalised(_camel(local_name(iri)))}"
        candidates = [_camel(local), qualified]
        candidates += [f"{qualified}{n}" for n in range(2, len(order) + 3)]
        key = next(c for c in candidates if _KEY.match(c) and c not in taken)
        keys[iri] = key
        taken.add(key)
    definitions: dict[str, Any] = {}
    for iri, key in keys.items():
        definition: dict[str, Any] = {"@id": iri}
        kinds = types.get(iri, set())
        declared_ranges = ranges.get(iri, set())
        single_range = next(iter(declared_ranges)) if len(declared_ranges) == 1 else None
        used = value_kinds.get(iri, set())
        if iri in LANGUAGE_MAPPED or single_range == RDF_LANGSTRING:
            definition["@container"] = "@language"
        elif kinds & OBJECT_PROPERTY_TYPES:
            definition["@type"] = "@id"
        elif single_range and is_datatype(single_range):
            if single_range not in (XSD_STRING, RDFS + "Literal", RDF_LANGSTRING):
                definition["@type"] = single_range
        elif used == {"@id"} and not (kinds & CLASS_TYPES):
            definition["@type"] = "@id"
        definitions[key] = definition if len(definition) > 1 else iri
    reverse: dict[str, str] = {}
    for key, iri in sorted(config.reverse_terms.items()):
        if key in taken or not _KEY.match(key):
            raise ConfigError(
                f"[tool.spacecoop.reverse_terms] {key!r} is not a free JSON-LD key "
                "(a term of the vocabulary already uses it, or it is not a plain name)"
            )
        taken.add(key)
        reverse[key] = iri
        definitions[key] = {"@reverse": iri, "@type": "@id"}
    ordered_prefixes = {name: ns for name, ns in (("rdf", RDF), ("xsd", XSD)) if name not in taken}
    document: JsonObject = {
        "@context": {
            "@version": 1.1,
            "@protected": True,
            "id": "@id",
            "type": "@type",
            **ordered_prefixes,
            **dict(sorted(definitions.items(), key=lambda kv: (kv[0].lower(), kv[0]))),
        }
    }
    return Context(document, keys, reverse)


# ---------------------------------------------------------------------------------------------
# Per-entity documents: blank nodes nested into their owner, frames along configured paths
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FramePath:
    """One configured path, resolved to (IRI, reverse?) steps."""

    text: str
    steps: tuple[tuple[str, bool], ...]


@dataclass
class FrameSpec:
    """A frame: the class of its root entities and the paths embedded under each root."""

    name: str
    class_iri: str
    paths: list[FramePath] = field(default_factory=list)

    def tree(self) -> dict[tuple[str, bool], dict]:
        """The paths as a tree of steps, so shared prefixes are embedded once."""
        root: dict[tuple[str, bool], dict] = {}
        for path in self.paths:
            level = root
            for step in path.steps:
                level = level.setdefault(step, {})
        return root


def resolve_frames(config: Config, context: Context) -> list[FrameSpec]:
    """The ``[tool.spacecoop.frames]`` table checked against the context keys."""
    specs = []
    for name, frame in sorted(config.frames.items()):
        class_iri = context.iri_of(frame.class_) if ":" not in frame.class_ else frame.class_
        if class_iri is None:
            raise ConfigError(f"[tool.spacecoop.frames.{name}] unknown class {frame.class_!r}")
        spec = FrameSpec(name, class_iri)
        for text in frame.embed:
            steps = []
            for key in text.split("/"):
                if key in context.reverse:
                    steps.append((context.reverse[key], True))
                    continue
                iri = context.iri_of(key)
                if iri is None or key in ("id", "type") or key.startswith("@"):
                    known = ", ".join(sorted(k for k in context.definitions if k[0] != "@"))
                    raise ConfigError(
                        f"[tool.spacecoop.frames.{name}] embed path {text!r}: {key!r} is not a "
                        f"key of the generated context (known keys: {known})"
                    )
                steps.append((iri, False))
            spec.paths.append(FramePath(text, tuple(steps)))
        specs.append(spec)
    return specs


class EntityDocuments:
    """Expanded node objects of a graph, indexed so one entity's document is cheap to build.

    Built once per export from :func:`from_rdf` of the canonically relabelled graph. Blank
    nodes referenced exactly once are nested into their referrer without an identifier (like
    ``[ ... ]`` in Turtle); any other blank node is a root of its own and keeps its canonical
    label.
    """

    def __init__(self, triples: Iterable[ox.Triple], relabelled: bool = False) -> None:
        nodes = from_rdf(triples if relabelled else relabel(triples), lossless=True)
        self.nodes: dict[str, JsonObject] = {n["@id"]: n for n in nodes}
        references: dict[str, int] = defaultdict(int)
        self.incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for node in nodes:
            for prop, values in node.items():
                if prop.startswith("@"):
                    continue
                for value in _node_references(values):
                    references[value] += 1
                    self.incoming[value].append((prop, node["@id"]))
        self.nested = {
            node_id
            for node_id in self.nodes
            if node_id.startswith("_:") and references.get(node_id) == 1
        }
        self.roots = self._roots()

    def _roots(self) -> list[str]:
        roots = [n for n in self.nodes if n not in self.nested]
        reached: set[str] = set()
        for root in roots:
            self._reach(root, reached)
        # Blank nodes that only reference each other in a cycle: the first becomes a root.
        for node_id in sorted(self.nested):
            if node_id not in reached:
                self.nested.discard(node_id)
                roots.append(node_id)
                self._reach(node_id, reached)
        return sorted(roots, key=self._root_order)

    def _reach(self, node_id: str, reached: set[str]) -> None:
        stack = [node_id]
        while stack:
            current = stack.pop()
            for prop, values in self.nodes.get(current, {}).items():
                if prop.startswith("@"):
                    continue
                for ref in _node_references(values):
                    if ref in self.nested and ref not in reached:
                        reached.add(ref)
                        stack.append(ref)

    def _root_order(self, node_id: str) -> tuple[int, str]:
        types = self.nodes[node_id].get("@type", [])
        rank = 0 if OWL + "Ontology" in types else 2 if node_id.startswith("_:") else 1
        return (rank, node_id)

    def expanded(self, node_id: str, embed_shared: bool = False) -> JsonObject:
        """The node object of ``node_id`` with its own blank nodes nested inside.

        With ``embed_shared`` (frames), blank nodes used by several nodes are embedded too,
        with their label, since a developer cannot look a blank node up anywhere else.
        """
        node = self.nodes.get(node_id, {"@id": node_id})
        return self._expand(node, keep_id=True, shared=(node_id,) if embed_shared else None)

    def _expand(
        self, node: JsonObject, keep_id: bool, shared: tuple[str, ...] | None
    ) -> JsonObject:
        result: JsonObject = {}
        for prop, values in node.items():
            if prop == "@id":
                if keep_id:
                    result["@id"] = values
            elif prop.startswith("@"):
                result[prop] = values
            else:
                result[prop] = [self._value(v, shared) for v in values]
        return result

    def _value(self, value: JsonObject, shared: tuple[str, ...] | None) -> JsonObject:
        if "@list" in value:
            return {"@list": [self._value(v, shared) for v in value["@list"]]}
        ref = value.get("@id")
        if ref is None or "@value" in value:
            return value
        if ref in self.nested:
            return self._expand(self.nodes[ref], keep_id=False, shared=shared)
        if shared is not None and ref.startswith("_:") and ref not in shared and ref in self.nodes:
            return self._expand(self.nodes[ref], keep_id=True, shared=(*shared, ref))
        return value

    def framed(self, node_id: str, tree: dict[tuple[str, bool], dict]) -> JsonObject:
        """The node with the entities along the frame's paths embedded (cycle-safe)."""
        return self._framed(node_id, tree, (node_id,))

    def _framed(
        self, node_id: str, tree: dict[tuple[str, bool], dict], stack: tuple[str, ...]
    ) -> JsonObject:
        result = self.expanded(node_id, embed_shared=True)
        for (iri, reverse), subtree in sorted(tree.items()):
            if reverse:
                subjects = sorted({s for p, s in self.incoming.get(node_id, []) if p == iri})
                embedded = [
                    self._framed(s, subtree, (*stack, s)) if s not in stack else {"@id": s}
                    for s in subjects
                ]
                if embedded:
                    result.setdefault("@reverse", {})[iri] = embedded
                continue
            if iri not in result:
                continue
            result[iri] = [
                self._framed(v["@id"], subtree, (*stack, v["@id"]))
                if set(v) == {"@id"} and v["@id"] not in stack
                else v
                for v in result[iri]
            ]
        return result

    def subclasses(self, class_iri: str) -> set[str]:
        """The class and its subclasses (``rdfs:subClassOf``, transitively) in the graph."""
        children: dict[str, set[str]] = defaultdict(set)
        for node_id, node in self.nodes.items():
            for parent in node.get(RDFS + "subClassOf", []):
                if "@id" in parent:
                    children[parent["@id"]].add(node_id)
        found, stack = {class_iri}, [class_iri]
        while stack:
            for child in children.get(stack.pop(), set()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found

    def of_class(self, class_iri: str) -> list[str]:
        """Root entities typed with the class or one of its subclasses (the data is asserted,
        not inferred, so an instance of a subclass carries only the subclass)."""
        classes = self.subclasses(class_iri)
        return [n for n in self.roots if classes.intersection(self.nodes[n].get("@type", []))]


class _Nodes(Mapping[str, JsonObject]):
    """Node objects by ``@id``: IRI nodes in a temporary file (marshal), blank nodes in memory."""

    def __init__(self, blank: dict[str, JsonObject]) -> None:
        self.blank = blank
        self.index: dict[str, tuple[int, int]] = {}
        self.file = tempfile.TemporaryFile(prefix="spacecoop-nodes-")  # noqa: SIM115
        self.end = 0

    def add(self, node: JsonObject) -> None:
        data = marshal.dumps(node)
        self.index[node["@id"]] = (self.end, len(data))
        self.file.write(data)
        self.end += len(data)

    def __getitem__(self, key: str) -> JsonObject:
        if key.startswith("_:"):
            return self.blank[key]
        offset, size = self.index[key]
        self.file.seek(offset)
        return marshal.loads(self.file.read(size))

    def __contains__(self, key: object) -> bool:
        return key in self.blank or key in self.index

    def __iter__(self) -> Iterator[str]:
        yield from self.index
        yield from self.blank

    def __len__(self) -> int:
        return len(self.index) + len(self.blank)


def _subject_node(
    subject: str, triples: list[ox.Quad] | list[ox.Triple], partial: JsonObject | None
) -> JsonObject:
    """:func:`from_rdf` (lossless) for the triples of one IRI subject.

    Values of blank nodes come from ``partial``, the subject's node in :func:`from_rdf` of the
    triples that touch blank nodes (where lists were already turned into ``@list``): they are
    taken in input order, as from_rdf would have appended them.
    """
    node: JsonObject = {"@id": subject}
    queues = {
        prop: iter(values) for prop, values in (partial or {}).items() if not prop.startswith("@")
    }
    blank_seen: set[tuple[str, str]] = set()
    nil: list[JsonObject] = []
    for t in triples:
        predicate = t.predicate.value
        obj = t.object
        if predicate == RDF_TYPE and not isinstance(obj, ox.Literal):
            types = node.setdefault("@type", [])
            if _term_id(obj) not in types:
                types.append(_term_id(obj))
            continue
        if isinstance(obj, ox.BlankNode):
            if (predicate, obj.value) not in blank_seen:
                blank_seen.add((predicate, obj.value))
                node.setdefault(predicate, []).append(next(queues[predicate]))
            continue
        value = rdf_to_object(obj, processing_mode="json-ld-1.0")
        values = node.setdefault(predicate, [])
        if _contains(values, value):
            continue
        values.append(value)
        if isinstance(obj, ox.NamedNode) and obj.value == RDF_NIL:
            nil.append(value)
    for value in nil:  # 8.4 step 6.4: an IRI subject's rdf:nil is an empty list
        value.pop("@id", None)
        value["@list"] = []
    return node


class StreamedDocuments(EntityDocuments):
    """:class:`EntityDocuments` of a large graph in bounded memory, with the same output.

    One pass sorts the triples by subject (:class:`spacecoop.rdfwriter.FirstPass`, spilling to
    temporary files), builds each IRI subject's node object from its group and stores it in a
    temporary file; only the triples that touch blank nodes, the index, the types and the
    links that frames follow backwards (``reverse``) stay in memory.
    """

    def __init__(
        self,
        triples: Iterable[ox.Triple] | SubjectStream,
        stamp: HeaderStamp | None = None,
        reverse: Iterable[str] = (),
    ) -> None:
        stream = triples if isinstance(triples, SubjectStream) else SubjectStream.of(triples, stamp)
        records = stream.records
        blank = EntityDocuments(stream.relabelled, relabelled=True)
        self.nested = blank.nested
        nodes = _Nodes({k: v for k, v in blank.nodes.items() if k.startswith("_:")})
        self.nodes = nodes  # type: ignore[assignment]
        self.incoming = defaultdict(list)
        self.types: dict[str, tuple[str, ...]] = {}
        self.children: dict[str, set[str]] = defaultdict(set)
        reverse = set(reverse)
        for subject, group in subject_groups(records):
            node = _subject_node(subject, group, blank.nodes.get(subject))
            nodes.add(node)
            self._note(node, reverse)
        for node in nodes.blank.values():
            self._note(node, reverse)
        blank_roots = [n for n in blank.roots if n.startswith("_:")]
        ontology = sorted(
            n for n in [*nodes.index, *blank_roots] if OWL + "Ontology" in self.types.get(n, ())
        )
        first_ids = set(ontology)
        blank_roots = sorted(n for n in blank_roots if n not in first_ids)
        self.roots = [
            *ontology,
            *(n for n in nodes.index if n not in first_ids),
            *blank_roots,
        ]

    def _note(self, node: JsonObject, reverse: set[str]) -> None:
        node_id = node["@id"]
        if "@type" in node:
            self.types[node_id] = tuple(sys.intern(t) for t in node["@type"])
        for parent in node.get(RDFS + "subClassOf", []):
            if "@id" in parent:
                self.children[parent["@id"]].add(node_id)
        for prop in reverse.intersection(node):
            for ref in _node_references(node[prop]):
                self.incoming[ref].append((prop, node_id))

    def subclasses(self, class_iri: str) -> set[str]:
        found, stack = {class_iri}, [class_iri]
        while stack:
            for child in self.children.get(stack.pop(), set()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found

    def of_class(self, class_iri: str) -> list[str]:
        classes = self.subclasses(class_iri)
        return [n for n in self.roots if classes.intersection(self.types.get(n, ()))]


def _node_references(values: object) -> Iterator[str]:
    if not isinstance(values, list):
        return
    for value in values:
        if not isinstance(value, dict):
            continue
        if "@list" in value:
            yield from _node_references(value["@list"])
        elif "@id" in value and "@value" not in value:
            yield value["@id"]


# ---------------------------------------------------------------------------------------------
# Compaction with PyLD, one entity at a time
# ---------------------------------------------------------------------------------------------


class _Unsupported(Exception):
    """A node uses a JSON-LD feature the fast path does not handle: PyLD compacts it."""


_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")


class FastCompaction:
    """JSON-LD 1.1 compaction restricted to the shape of a generated context.

    Why: PyLD looks for a compact-IRI prefix by scanning every term for every IRI it meets
    (about 7 ms per entity with a 200-term context, a minute per 100k triples). A generated
    context has one term per IRI and only four kinds of term (plain, ``@type: @id``, one
    datatype, language map) plus reverse terms, so term selection (IRI Compaction, JSON-LD 1.1
    API 6.2) reduces to a table lookup. Anything else (lists, graphs, JSON literals, text
    direction, native values) raises :class:`_Unsupported` and goes to PyLD. Tests check that
    both give the same bytes for every entity of the project's graph.
    """

    def __init__(self, context: Context) -> None:
        self.terms: dict[str, tuple[str, str, str | None]] = {}  # IRI -> (key, kind, datatype)
        self.reverse: dict[str, str] = {}
        self.prefixes: list[tuple[str, str]] = []
        for key, definition in context.definitions.items():
            if key.startswith("@") or key in ("id", "type"):
                continue
            if isinstance(definition, str):
                self.terms.setdefault(definition, (key, "plain", None))
                if definition.endswith(_GEN_DELIMS):
                    self.prefixes.append((key, definition))
            elif "@reverse" in definition:
                self.reverse.setdefault(definition["@reverse"], key)
            elif definition.get("@container") == "@language":
                self.terms.setdefault(definition["@id"], (key, "language", None))
            elif definition.get("@type") == "@id":
                self.terms.setdefault(definition["@id"], (key, "id", None))
            elif "@type" in definition:
                self.terms.setdefault(definition["@id"], (key, "typed", definition["@type"]))
            else:
                raise ValueError(f"unexpected term definition {key!r}")
        self.keys = {key for key, _kind, _dt in self.terms.values()} | set(context.definitions)

    def iri(self, iri: str, vocab: bool) -> str:
        """IRI Compaction without a value: a term (vocab only), a compact IRI, or the IRI."""
        if vocab:
            term = self.terms.get(iri)
            if term is not None and term[1] in ("plain", "id"):
                return term[0]
        candidate: str | None = None
        for key, namespace in self.prefixes:
            if iri != namespace and iri.startswith(namespace):
                curie = f"{key}:{iri[len(namespace) :]}"
                if curie not in self.keys and (
                    candidate is None or (len(curie), curie) < (len(candidate), candidate)
                ):
                    candidate = curie
        return candidate or iri

    def node(self, node: JsonObject) -> JsonObject:
        result: JsonObject = {}
        for prop in sorted(node):
            values = node[prop]
            if prop == "@id":
                result["id"] = self.iri(values, vocab=False)
            elif prop == "@type":
                types = [self.iri(t, vocab=True) for t in values]
                result["type"] = types[0] if len(types) == 1 else types
            elif prop == "@reverse":
                rest: JsonObject = {}
                for reverse_prop in sorted(values):
                    items = [self.item(v, "id") for v in values[reverse_prop]]
                    key = self.reverse.get(reverse_prop)
                    target = result if key is not None else rest
                    name = key if key is not None else self.iri(reverse_prop, vocab=True)
                    for item in items:
                        _add(target, name, item)
                if rest:
                    result["@reverse"] = rest
            elif prop.startswith("@"):
                raise _Unsupported(prop)
            else:
                for value in values:
                    self.property_value(result, prop, value)
        return result

    @staticmethod
    def kind(value: JsonObject) -> str:
        if "@value" in value:
            if not isinstance(value["@value"], str) or set(value) - {
                "@value",
                "@type",
                "@language",
            }:
                raise _Unsupported("value")
            if "@language" in value:
                return "lang"
            return "typed" if "@type" in value else "plain"
        if "@list" in value or "@graph" in value or "@set" in value or "@index" in value:
            raise _Unsupported("container")
        return "ref" if set(value) == {"@id"} else "node"

    _MATCHES: ClassVar[dict[str, set[str]]] = {
        "plain": {"ref", "node", "lang", "typed", "plain"},
        "id": {"ref", "node"},
        "language": {"lang", "plain"},
        "typed": {"typed"},
    }

    def property_value(self, result: JsonObject, prop: str, value: JsonObject) -> None:
        kind = self.kind(value)
        term = self.terms.get(prop)
        if term is not None and kind in self._MATCHES[term[1]]:
            key, term_kind, datatype = term
            if term_kind == "typed" and value.get("@type") != datatype:
                term_kind, key = "", self.iri(prop, vocab=True)
        else:
            key, term_kind = self.iri(prop, vocab=True), ""
        if term_kind == "language":
            languages = result.setdefault(key, {})
            _add(languages, value.get("@language", "@none"), value["@value"])
            return
        _add(result, key, self.item(value, term_kind))

    def item(self, value: JsonObject, term_kind: str) -> Any:
        kind = self.kind(value)
        if kind == "ref":
            compacted = self.iri(value["@id"], vocab=False)
            return compacted if term_kind == "id" else {"id": compacted}
        if kind == "node":
            return self.node(value)
        if kind == "plain" or term_kind == "typed":
            return value["@value"]
        if kind == "lang":
            return {"@language": value["@language"], "@value": value["@value"]}
        return {"type": self.iri(value["@type"], vocab=True), "@value": value["@value"]}


def _add(target: JsonObject, key: str, value: Any) -> None:
    """Add a value the way compaction does: a scalar first, an array from the second on."""
    if key not in target:
        target[key] = value
    elif isinstance(target[key], list):
        target[key].append(value)
    else:
        target[key] = [target[key], value]


class Compactor:
    """Compaction of small documents against one context, resolved once per run.

    ``engine="fast"`` (the default) uses :class:`FastCompaction` and falls back to PyLD for
    nodes outside its subset; ``engine="pyld"`` always uses PyLD (the reference, for tests).
    """

    def __init__(self, context: Context, context_iri: str, engine: str = "fast") -> None:
        self.context = context
        self.context_iri = context_iri
        self.engine = engine
        self.fast = FastCompaction(context)
        self.loader = document_loader({context_iri: context.document})
        # One resolver for the whole run: the context is processed once, not per entity, and
        # its cache dies with this object (PyLD's global cache would outlive a changed context).
        self.resolver = ContextResolver({}, self.loader)

    def options(self) -> JsonObject:
        return {
            "documentLoader": self.loader,
            "contextResolver": self.resolver,
            "base": "",
            "compactToRelative": False,
        }

    def compact(self, node: JsonObject) -> JsonObject:
        """One expanded node object, compacted; the ``@context`` entry is left out."""
        if self.engine == "fast":
            try:
                return order_keys(self.fast.node(node))
            except _Unsupported:
                pass
        return self.compact_pyld(node)

    def compact_pyld(self, node: JsonObject) -> JsonObject:
        options = {**self.options(), "skipExpansion": True}
        compacted = jsonld.compact([node], self.context_iri, options)
        compacted.pop("@context", None)
        return order_keys(compacted)

    def expand(self, document: JsonObject, on_dropped: Callable[[str | None], Any]) -> list:
        """Expand a document that uses the context, reporting every key that maps to nothing."""
        return jsonld.expand(document, self.options(), on_property_dropped=on_dropped)


_FIRST_KEYS = ("@context", "id", "@id", "type", "@type")


def order_keys(value: Any) -> Any:
    """``@context``, ``id`` and ``type`` first, then keys sorted: stable, readable JSON."""
    if isinstance(value, list):
        return [v if type(v) is str else order_keys(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) > 1:
        first = [k for k in _FIRST_KEYS if k in value]
        rest = sorted((k for k in value if k not in _FIRST_KEYS), key=_key_order)
        keys: Iterable[str] = (*first, *rest)
    else:
        keys = value
    # strings (most values) need no copy: skip the call
    return {k: v if type(v) is str else order_keys(v) for k in keys for v in (value[k],)}


def _key_order(key: str) -> tuple[str, str]:
    return (key.lower(), key)


def dump_json(value: Any, margin: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, the same text, faster; with
    ``margin``, every line after the first starts with it (a member of a larger document).

    Why: with an indent, the standard library encodes in pure Python, one generator per
    container; a million-triple graph spends more time there than in compaction. Strings go
    through the same C escaping function; any value other than the JSON types of a compacted
    document falls back to :func:`json.dumps`.
    """
    parts: list[str] = []
    try:
        _dump(value, "\n" + margin, parts)
    except _NotPlain:
        text = json.dumps(value, ensure_ascii=False, indent=2)
        return text.replace("\n", "\n" + margin) if margin else text
    return "".join(parts)


class _NotPlain(Exception):
    """A value :func:`_dump` leaves to :func:`json.dumps` (non-string keys, special floats)."""


_encode_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _dump(value: Any, newline: str, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(_encode_string(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            out.append(separator)
            out.append(_encode_string(key))
            out.append(": ")
            _dump(item, inner, out)
            separator = "," + inner
        out.append(newline + "}")
    elif kind is list:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _dump(item, inner, out)
            separator = "," + inner
        out.append(newline + "]")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float and math.isfinite(value):
        out.append(float.__repr__(value))
    else:
        raise _NotPlain


def _graph_document(context_iri: str, members: Iterable[JsonObject]) -> Iterator[bytes]:
    """``{"@context": IRI, "@graph": [...]}`` written member by member (streamed)."""
    yield ("{\n" + f'  "@context": {json.dumps(context_iri)},\n' + '  "@graph": [').encode()
    first = True
    for member in members:
        text = dump_json(member, "    ")  # escaped in strings, a newline is layout only
        yield (("\n    " if first else ",\n    ") + text).encode("utf-8")
        first = False
    yield ("\n  ]\n}\n" if not first else "]\n}\n").encode()


def context_bytes(context: Context) -> bytes:
    return (dump_json(context.document) + "\n").encode("utf-8")


def compacted_chunks(documents: EntityDocuments, compactor: Compactor) -> Iterator[bytes]:
    """The whole graph compacted with the context, one root entity at a time."""
    members = (compactor.compact(documents.expanded(root)) for root in documents.roots)
    return _graph_document(compactor.context_iri, members)


def framed_chunks(
    documents: EntityDocuments, compactor: Compactor, frame: FrameSpec
) -> Iterator[bytes]:
    """Developer JSON: every entity of the frame's class with its paths embedded."""
    tree = frame.tree()
    members = (
        compactor.compact(documents.framed(root, tree))
        for root in documents.of_class(frame.class_iri)
    )
    return _graph_document(compactor.context_iri, members)


@dataclass
class JsonLdExport:
    """Everything JSON-LD for one graph: context, compacted graph, frames."""

    context: Context
    documents: EntityDocuments
    compactor: Compactor
    frames: list[FrameSpec]

    def frame(self, name: str) -> FrameSpec:
        for spec in self.frames:
            if spec.name == name:
                return spec
        known = ", ".join(f.name for f in self.frames) or "none configured"
        raise ConfigError(f"unknown frame {name!r} (known: {known})")


def context_iri(config: Config) -> str:
    return config.context_iri or f"{config.base_iri}context.jsonld"


def prepare_streamed(
    graph: Iterable[ox.Triple] | SubjectStream,
    config: Config,
    context: Context,
    stamp: HeaderStamp | None = None,
) -> JsonLdExport:
    """:func:`prepare` for a large graph: documents from :class:`StreamedDocuments`."""
    frames = resolve_frames(config, context)
    reverse = {iri for f in frames for p in f.paths for iri, back in p.steps if back}
    documents = StreamedDocuments(graph, stamp, reverse)
    return JsonLdExport(context, documents, Compactor(context, context_iri(config)), frames)


def prepare(
    graph: list[ox.Triple],
    vocabulary: list[ox.Triple],
    config: Config,
    prefixes: Mapping[str, str] | None = None,
    context: Context | None = None,
) -> JsonLdExport:
    """Context, documents and compactor for ``graph``; pass ``context`` to reuse one."""
    context = context or generate_context(graph, vocabulary, config, prefixes)
    documents = EntityDocuments(graph)
    compactor = Compactor(context, context_iri(config))
    return JsonLdExport(context, documents, compactor, resolve_frames(config, context))
