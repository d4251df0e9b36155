"""Dataset descriptions: VoID statistics and a DCAT catalogue entry, generated from a build.

Why: a linked-data consumer decides whether and how to use a dataset from its VoID (size,
classes, links to other datasets, where the dumps and the endpoint are) and a data portal
harvests DCAT (distributions with media type, size and checksum, version chain). Written by
hand they go stale at the first build; generated here they are always the build's own numbers.

Both are deterministic: every count comes from the graph, every size and checksum from the
files of the same build, every date from the sources (``dcterms:modified`` of the ontology
headers) and never from the clock. VoID is written after the graph files and DCAT after every
other file, because DCAT lists their sizes and SHA-256 sums.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.rdfwriter import SortedLines, sorted_ntriples, write_turtle

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
FOAF = "http://xmlns.com/foaf/0.1/"
FORMATS = "http://www.w3.org/ns/formats/"
IANA = "https://www.iana.org/assignments/media-types/"
PREFIXES = {
    "rdf": RDF,
    "xsd": XSD,
    "owl": OWL,
    "dcterms": DCTERMS,
    "void": VOID,
    "dcat": DCAT,
    "spdx": SPDX,
    "foaf": FOAF,
    "formats": FORMATS,
}
RDF_TYPE = RDF + "type"

#: Datasets that links point into: name -> (title, entity namespace, homepage).
LINK_TARGETS = {
    "wikidata": ("Wikidata", "http://www.wikidata.org/entity/", "https://www.wikidata.org/"),
}
#: Predicates whose objects in a link target's namespace make a linkset.
LINK_PREDICATES = (OWL + "sameAs", "https://schema.org/sameAs", "http://schema.org/sameAs")
#: W3C format IRIs (void:feature) of the dump files, by suffix.
DUMP_FEATURES = {
    ".ttl": FORMATS + "Turtle",
    ".nt": FORMATS + "N-Triples",
    ".nq": FORMATS + "N-Quads",
    ".trig": FORMATS + "TriG",
    ".jsonld": FORMATS + "JSON-LD",
    ".rdf": FORMATS + "RDF_XML",
}
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"


class FileInfo(Protocol):
    """What DCAT needs to know about one file of the build (``export.Output``)."""

    name: str
    size: int
    sha256: str
    media_type: str


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri(XSD + "integer"))


class _Builder:
    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, s: ox.NamedNode | ox.BlankNode, p: str, o: object) -> None:
        if isinstance(o, str):
            o = ox.Literal(o)
        self.triples.append(ox.Triple(s, _iri(p), o))  # type: ignore[arg-type]

    def node(self) -> ox.BlankNode:
        return ox.BlankNode()


def source_dates(triples: Iterable[ox.Triple]) -> dict[str, ox.Literal]:
    """Latest ``dcterms:modified`` and earliest ``dcterms:created`` of the ontology headers."""
    ontologies: set = set()
    dates: dict[str, list[ox.Literal]] = defaultdict(list)
    collected = []
    for t in triples:
        if t.predicate.value == RDF_TYPE and t.object == _iri(OWL + "Ontology"):
            ontologies.add(t.subject)
        elif t.predicate.value in (DCTERMS + "modified", DCTERMS + "created") and isinstance(
            t.object, ox.Literal
        ):
            collected.append(t)
    for t in collected:
        if t.subject in ontologies:
            dates[t.predicate.value].append(t.object)
    result = {}
    if dates.get(DCTERMS + "modified"):
        result["modified"] = max(dates[DCTERMS + "modified"], key=lambda lit: lit.value)
    if dates.get(DCTERMS + "created"):
        result["created"] = min(dates[DCTERMS + "created"], key=lambda lit: lit.value)
    return result


def _describe_dataset(b: _Builder, dataset: ox.NamedNode, config: Config, dates: dict) -> None:
    meta = config.dataset
    if meta.title:
        b.add(dataset, DCTERMS + "title", meta.title)
    if meta.description:
        b.add(dataset, DCTERMS + "description", meta.description)
    if meta.license:
        license_ = meta.license
        b.add(
            dataset,
            DCTERMS + "license",
            _iri(license_) if re.match(r"^https?://", license_) else ox.Literal(license_),
        )
    for key in ("created", "modified"):
        if key in dates:
            b.add(dataset, DCTERMS + ("issued" if key == "created" else key), dates[key])


def _slug(predicate: str) -> str:
    namespace, local = re.match(r"^(.*?)([^/#]*)$", predicate).groups()  # type: ignore[union-attr]
    tail = namespace.rstrip("/#").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9]+", "", tail) + "-" + local


def void_description(
    graph: Iterable[ox.Triple],
    config: Config,
    dumps: Sequence[str],
    lines: Iterable[bytes] | None = None,
    dates: dict[str, ox.Literal] | None = None,
) -> bytes:
    """``void.ttl``: statistics, partitions and linksets of ``graph``, dumps and endpoint.

    Counted on the graph's canonical N-Triples lines, which come sorted and distinct from a
    bounded-memory sort: equal terms have equal text, a subject's lines are adjacent, and
    distinct objects are counted by a second sort, so no set of terms is held in memory.
    ``lines`` (those lines, already sorted once for the N-Triples file) and ``dates``
    (:func:`source_dates`) spare reading ``graph``; without them it is read twice.
    """
    triples = subjects = entities = 0
    objects = SortedLines()
    by_class: Counter[bytes] = Counter()
    by_property: Counter[bytes] = Counter()
    links: Counter[tuple[str, str]] = Counter()
    entity_prefix = b"<" + config.instance_namespace.encode()
    link_predicates = {f"<{p}>".encode(): p for p in LINK_PREDICATES}
    targets = [(name, b"<" + space.encode()) for name, (_t, space, _h) in LINK_TARGETS.items()]
    rdf_type = f"<{RDF_TYPE}>".encode()
    previous = None
    batch: list[bytes] = []
    for line in sorted_ntriples(graph) if lines is None else lines:
        triples += 1
        subject, predicate, rest = line.split(b" ", 2)
        obj = rest[:-3]  # without " .\n"
        if subject != previous:
            subjects += 1
            entities += subject.startswith(entity_prefix)
            previous = subject
        by_property[predicate] += 1
        if predicate == rdf_type and obj[:1] == b"<":
            by_class[obj] += 1
        if predicate in link_predicates and obj[:1] == b"<":
            for name, space in targets:
                if obj.startswith(space):
                    links[(name, link_predicates[predicate])] += 1
        batch.append(obj + b"\n")
        if len(batch) >= 20_000:
            objects.extend(batch)
            batch = []
    objects.extend(batch)
    by_class_iri = Counter({k.decode()[1:-1]: v for k, v in by_class.items()})
    by_property_iri = Counter({k.decode()[1:-1]: v for k, v in by_property.items()})
    distinct_objects = sum(1 for _ in objects.merged())
    b = _Builder()
    dataset = _iri(config.dataset.iri)
    b.add(dataset, RDF_TYPE, _iri(VOID + "Dataset"))
    _describe_dataset(b, dataset, config, source_dates(graph) if dates is None else dates)
    b.add(dataset, VOID + "uriSpace", config.instance_namespace)
    b.add(dataset, VOID + "vocabulary", _iri(config.vocabulary_namespace))
    if config.sparql_endpoint:
        b.add(dataset, VOID + "sparqlEndpoint", _iri(config.sparql_endpoint))
    for name in dumps:
        b.add(dataset, VOID + "dataDump", _iri(config.dataset.downloads + name))
        suffix = name[name.rfind(".") :]
        if suffix in DUMP_FEATURES:
            b.add(dataset, VOID + "feature", _iri(DUMP_FEATURES[suffix]))
    for predicate, value in (
        ("triples", triples),
        ("entities", entities),
        ("distinctSubjects", subjects),
        ("distinctObjects", distinct_objects),
        ("classes", len(by_class_iri)),
        ("properties", len(by_property_iri)),
    ):
        b.add(dataset, VOID + predicate, _count(value))
    for class_iri, members in sorted(by_class_iri.items()):
        partition = b.node()
        b.add(dataset, VOID + "classPartition", partition)
        b.add(partition, VOID + "class", _iri(class_iri))
        b.add(partition, VOID + "entities", _count(members))
    for property_iri, count in sorted(by_property_iri.items()):
        partition = b.node()
        b.add(dataset, VOID + "propertyPartition", partition)
        b.add(partition, VOID + "property", _iri(property_iri))
        b.add(partition, VOID + "triples", _count(count))
    for (name, predicate), count in sorted(links.items()):
        title, space, homepage = LINK_TARGETS[name]
        target = _iri(homepage)
        linkset = _iri(f"{config.dataset.iri}/linkset/{name}-{_slug(predicate)}")
        b.add(dataset, VOID + "subset", linkset)
        b.add(linkset, RDF_TYPE, _iri(VOID + "Linkset"))
        b.add(linkset, VOID + "subjectsTarget", dataset)
        b.add(linkset, VOID + "objectsTarget", target)
        b.add(linkset, VOID + "linkPredicate", _iri(predicate))
        b.add(linkset, VOID + "triples", _count(count))
        b.add(target, RDF_TYPE, _iri(VOID + "Dataset"))
        b.add(target, DCTERMS + "title", title)
        b.add(target, VOID + "uriSpace", space)
        b.add(target, FOAF + "homepage", target)
    return write_turtle(b.triples, PREFIXES)


def dcat_description(
    config: Config,
    files: Sequence[FileInfo],
    dates: dict[str, ox.Literal],
    previous_version: str | None = None,
) -> bytes:
    """``dcat.ttl``: the dataset, one distribution per file, the endpoint as a data service."""
    b = _Builder()
    dataset = _iri(config.dataset.iri)
    b.add(dataset, RDF_TYPE, _iri(DCAT + "Dataset"))
    _describe_dataset(b, dataset, config, dates)
    b.add(dataset, DCAT + "version", config.version)
    b.add(dataset, OWL + "versionInfo", config.version)
    if previous_version:
        b.add(dataset, DCAT + "previousVersion", _iri(f"{config.dataset.iri}/{previous_version}"))
    for info in sorted(files, key=lambda f: f.name):
        distribution = _iri(f"{config.dataset.iri}/distribution/{info.name}")
        url = _iri(config.dataset.downloads + info.name)
        b.add(dataset, DCAT + "distribution", distribution)
        b.add(distribution, RDF_TYPE, _iri(DCAT + "Distribution"))
        b.add(distribution, DCTERMS + "title", info.name)
        b.add(distribution, DCAT + "downloadURL", url)
        b.add(distribution, DCAT + "accessURL", url)
        b.add(distribution, DCAT + "mediaType", _iri(IANA + info.media_type))
        b.add(
            distribution,
            DCAT + "byteSize",
            ox.Literal(str(info.size), datatype=_iri(XSD + "nonNegativeInteger")),
        )
        checksum = b.node()
        b.add(distribution, SPDX + "checksum", checksum)
        b.add(checksum, RDF_TYPE, _iri(SPDX + "Checksum"))
        b.add(checksum, SPDX + "algorithm", _iri(SPDX + "checksumAlgorithm_sha256"))
        b.add(
            checksum,
            SPDX + "checksumValue",
            ox.Literal(info.sha256, datatype=_iri(XSD + "hexBinary")),
        )
    if config.sparql_endpoint:
        service = _iri(config.sparql_endpoint)
        access = _iri(f"{config.dataset.iri}/distribution/sparql")
        b.add(service, RDF_TYPE, _iri(DCAT + "DataService"))
        b.add(service, DCTERMS + "title", "SPARQL endpoint")
        b.add(service, DCAT + "endpointURL", service)
        b.add(service, DCAT + "servesDataset", dataset)
        b.add(service, DCTERMS + "conformsTo", _iri(SPARQL_PROTOCOL))
        b.add(dataset, DCAT + "distribution", access)
        b.add(access, RDF_TYPE, _iri(DCAT + "Distribution"))
        b.add(access, DCTERMS + "title", "SPARQL endpoint")
        b.add(access, DCAT + "accessURL", service)
        b.add(access, DCAT + "accessService", service)
    return write_turtle(b.triples, PREFIXES)
