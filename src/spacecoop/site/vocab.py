"""Vocabulary documentation: what a term page says, derived from the ontology, shapes and data.

Per term: its kind, labels and definitions in every language, super- and subterms, domain and
range (``owl:unionOf`` lists resolved), the SHACL shapes that constrain it (node shapes by
``sh:targetClass``, property shapes by ``sh:path``) and examples from the data: a few instances
of a class, a few statements that use a property. Per vocabulary: the ontology headers
(title, version, version IRI, licence, dates, creator, preferred prefix and namespace).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from spacecoop.site.model import (
    CLASS_TYPES,
    DCTERMS,
    OWL,
    PROPERTY_TYPES,
    RDF,
    RDF_TYPE,
    RDFS,
    SH,
    SKOS,
    Node,
    SiteModel,
    Term,
)

VANN = "http://purl.org/vocab/vann/"
KIND_ORDER = (
    OWL + "Class",
    RDFS + "Class",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
    RDFS + "Datatype",
)
HEADER_PROPERTIES = (
    ("version", OWL + "versionInfo"),
    ("version_iri", OWL + "versionIRI"),
    ("license", DCTERMS + "license"),
    ("created", DCTERMS + "created"),
    ("modified", DCTERMS + "modified"),
    ("creator", DCTERMS + "creator"),
    ("prefix", VANN + "preferredNamespacePrefix"),
    ("namespace", VANN + "preferredNamespaceUri"),
)
#: Constraint components shown on term pages, in this order.
CONSTRAINTS = (
    "minCount",
    "maxCount",
    "datatype",
    "class",
    "nodeKind",
    "node",
    "in",
    "hasValue",
    "pattern",
    "minInclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "languageIn",
    "uniqueLang",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "or",
    "sparql",
    "severity",
    "message",
)
EXAMPLES = 5


@dataclass
class ShapeUse:
    """One shape constraining a term: the node shape, the path's property shape, values."""

    shape: Node
    node_shape: Node | None
    targets: list[str]
    constraints: list[tuple[str, list[Term]]] = field(default_factory=list)


@dataclass
class TermDoc:
    iri: str
    kinds: list[str]
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    inverse: list[str] = field(default_factory=list)
    with_domain: list[str] = field(default_factory=list)
    with_range: list[str] = field(default_factory=list)
    shapes: list[ShapeUse] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    instance_count: int = 0
    uses: list[ox.Triple] = field(default_factory=list)
    use_count: int = 0
    examples: list[ox.Literal] = field(default_factory=list)

    @property
    def is_class(self) -> bool:
        return bool(CLASS_TYPES.intersection(self.kinds))

    @property
    def is_property(self) -> bool:
        return bool(PROPERTY_TYPES.intersection(self.kinds))


class Vocabulary:
    """Term documentation for one model (indexes built once)."""

    def __init__(self, model: SiteModel) -> None:
        self.model = model
        namespace = model.config.vocabulary_namespace
        self.terms = sorted(
            {
                s.value
                for s in model.out
                if isinstance(s, ox.NamedNode)
                and s.value.startswith(namespace)
                and s.value != namespace
                and s.value in model.paths
                and (CLASS_TYPES | PROPERTY_TYPES | {RDFS + "Datatype"}).intersection(
                    model.types(s)
                )
            }
        )
        self._domains: dict[str, list[str]] = {}
        self._ranges: dict[str, list[str]] = {}
        for term in self.terms:
            node = ox.NamedNode(term)
            self._domains[term] = self.classes_of(model.values(node, RDFS + "domain"))
            self._ranges[term] = self.classes_of(model.values(node, RDFS + "range"))
        self._shapes = self._index_shapes()
        self._uses: dict[str, list[ox.Triple]] = {}
        data = sorted(set(model.data), key=lambda t: (str(t.subject), str(t.object)))
        for t in data:
            self._uses.setdefault(t.predicate.value, []).append(t)

    # ------------------------------------------------------------------ helpers

    def rdf_list(self, head: Term) -> list[Term]:
        items: list[Term] = []
        seen: set[Term] = set()
        while isinstance(head, ox.BlankNode) and head not in seen:
            seen.add(head)
            first = self.model.values(head, RDF + "first")
            rest = self.model.values(head, RDF + "rest")
            if not first:
                break
            items.append(first[0])
            head = rest[0] if rest else ox.NamedNode(RDF + "nil")
        return items

    def classes_of(self, values: list[Term]) -> list[str]:
        """Class IRIs of domain/range values: named classes, and the members of unions."""
        found: list[str] = []
        for value in values:
            if isinstance(value, ox.NamedNode):
                found.append(value.value)
            elif isinstance(value, ox.BlankNode):
                for union in self.model.values(value, OWL + "unionOf"):
                    found += [m.value for m in self.rdf_list(union) if isinstance(m, ox.NamedNode)]
        return list(dict.fromkeys(found))

    def _index_shapes(self) -> dict[str, list[ShapeUse]]:
        """term IRI -> the shapes that name it as target class or as path."""
        model = self.model
        shape_triples = set(model.shapes)
        subjects = sorted({t.subject for t in shape_triples}, key=str)
        found: dict[str, list[ShapeUse]] = {}
        owners: dict[Node, Node] = {}
        for t in shape_triples:
            if t.predicate.value == SH + "property" and isinstance(
                t.object, ox.NamedNode | ox.BlankNode
            ):
                owners[t.object] = t.subject

        def targets(node_shape: Node | None) -> list[str]:
            if node_shape is None:
                return []
            values = []
            for p in ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode"):
                values += [
                    v.value for v in model.values(node_shape, SH + p) if isinstance(v, ox.NamedNode)
                ]
            if CLASS_TYPES.intersection(model.types(node_shape)):
                values.append(str(node_shape.value))
            return values

        def constraints(shape: Node) -> list[tuple[str, list[Term]]]:
            out = []
            for name in CONSTRAINTS:
                values = model.values(shape, SH + name)
                if name == "in" and values:
                    values = self.rdf_list(values[0])
                if values:
                    out.append((name, values))
            return out

        for subject in subjects:
            for cls in model.values(subject, SH + "targetClass"):
                if isinstance(cls, ox.NamedNode):
                    found.setdefault(cls.value, []).append(
                        ShapeUse(subject, subject, targets(subject), constraints(subject))
                    )
            for path in model.values(subject, SH + "path"):
                if isinstance(path, ox.NamedNode):
                    owner = owners.get(subject)
                    found.setdefault(path.value, []).append(
                        ShapeUse(subject, owner, targets(owner), constraints(subject))
                    )
        return found

    # ------------------------------------------------------------------ documents

    def kinds(self, iri: str) -> list[str]:
        types = self.model.types(ox.NamedNode(iri))
        return [k for k in KIND_ORDER if k in types] + [t for t in types if t not in KIND_ORDER]

    def term(self, iri: str) -> TermDoc:
        model = self.model
        node = ox.NamedNode(iri)
        doc = TermDoc(iri, self.kinds(iri))
        sub = RDFS + ("subClassOf" if doc.is_class else "subPropertyOf")
        doc.parents = [v.value for v in model.values(node, sub) if isinstance(v, ox.NamedNode)]
        doc.children = model.sort_by_label(
            s.value for s, p in model.inc.get(node, []) if p == sub and isinstance(s, ox.NamedNode)
        )
        doc.domain = self._domains.get(iri, [])
        doc.range = self._ranges.get(iri, [])
        doc.inverse = [
            v.value for v in model.values(node, OWL + "inverseOf") if isinstance(v, ox.NamedNode)
        ]
        doc.shapes = self._shapes.get(iri, [])
        doc.examples = [
            v for v in model.values(node, SKOS + "example") if isinstance(v, ox.Literal)
        ]
        if doc.is_class:
            doc.with_domain = [t for t in self.terms if iri in self._domains.get(t, [])]
            doc.with_range = [t for t in self.terms if iri in self._ranges.get(t, [])]
            instances = model.instances(iri)
            doc.instance_count = len(instances)
            doc.instances = instances
        if doc.is_property:
            uses = self._uses.get(iri, [])
            doc.use_count = len(uses)
            doc.uses = uses[:EXAMPLES]
        return doc

    def ontologies(self) -> list[str]:
        """Ontology header IRIs: the umbrella (the namespace's own IRI) first."""
        model = self.model
        found = [
            s.value
            for s, types in model._types.items()
            if isinstance(s, ox.NamedNode) and OWL + "Ontology" in types
        ]
        umbrella = model.config.vocabulary_namespace.rstrip("/#")
        return sorted(found, key=lambda i: (i != umbrella, i))

    def header(self, iri: str) -> list[tuple[str, list[Term]]]:
        node = ox.NamedNode(iri)
        return [
            (key, values)
            for key, prop in HEADER_PROPERTIES
            if (values := self.model.values(node, prop))
        ]

    def grouped(self) -> list[tuple[str, list[str]]]:
        """Terms by kind: classes, object, datatype and annotation properties, others."""
        groups: dict[str, list[str]] = {
            "classes": [],
            "object_properties": [],
            "datatype_properties": [],
            "annotation_properties": [],
            "other_terms": [],
        }
        for term in self.terms:
            types = self.model.types(ox.NamedNode(term))
            if CLASS_TYPES.intersection(types):
                groups["classes"].append(term)
            elif OWL + "ObjectProperty" in types:
                groups["object_properties"].append(term)
            elif OWL + "DatatypeProperty" in types:
                groups["datatype_properties"].append(term)
            elif OWL + "AnnotationProperty" in types:
                groups["annotation_properties"].append(term)
            else:
                groups["other_terms"].append(term)
        return [(k, self.model.sort_by_label(v)) for k, v in groups.items() if v]


def is_term_type(types: list[str]) -> bool:
    return bool((CLASS_TYPES | PROPERTY_TYPES | {RDFS + "Datatype"}).intersection(types))


__all__ = ["RDF_TYPE", "TermDoc", "Vocabulary", "is_term_type"]
