"""The RDF documents of a resource, in every format of the rule table, byte-deterministic.

Each document holds the same graph in every format (tests compare them as graphs): what the
resource says (its blank nodes included) and the statements of named resources pointing to it,
so a crawler can follow links both ways. Turtle and N-Triples come from the project's own
deterministic writers; JSON-LD is compacted per entity with the generated context, exactly as
the exports in ``dist/`` are (one :class:`~spacecoop.jsonld.Compactor` for the whole run).
"""

from __future__ import annotations

from functools import cached_property

import pyoxigraph as ox

from spacecoop import jsonld
from spacecoop.export import serialize
from spacecoop.rdfwriter import relabel, write_ntriples, write_turtle
from spacecoop.site.model import SiteModel
from spacecoop.site.rules import Format


class Documents:
    """Serializer of per-resource documents, sharing one JSON-LD context for the site."""

    def __init__(self, model: SiteModel) -> None:
        self.model = model

    @cached_property
    def context(self) -> jsonld.Context:
        graph = [*self.model.vocabulary, *self.model.data]
        return jsonld.generate_context(
            graph, self.model.vocabulary, self.model.config, self.model.prefixes
        )

    @cached_property
    def compactor(self) -> jsonld.Compactor:
        return jsonld.Compactor(self.context, jsonld.context_iri(self.model.config))

    def context_bytes(self) -> bytes:
        return jsonld.context_bytes(self.context)

    def triples(self, path: str) -> list[ox.Triple]:
        """The graph of the document at ``path`` (the vocabulary for the vocabulary index)."""
        model = self.model
        if path == model.vocabulary_prefix:
            return list(dict.fromkeys(model.vocabulary))
        iri = model.iri_of_path(path)
        return model.document_triples(iri) if iri is not None else []

    def render(self, triples: list[ox.Triple], fmt: Format) -> bytes:
        prefixes = self._prefixes(triples)
        if fmt.key == "ttl":
            return write_turtle(triples, prefixes)
        if fmt.key == "nt":
            return write_ntriples(triples)
        if fmt.key == "rdf":
            return serialize(triples, "rdfxml", prefixes)
        if fmt.key == "jsonld":
            documents = jsonld.EntityDocuments(relabel(triples))
            return b"".join(jsonld.compacted_chunks(documents, self.compactor))
        raise ValueError(f"not an RDF format: {fmt.key}")

    def _prefixes(self, triples: list[ox.Triple]) -> dict[str, str]:
        """Only the prefixes the document uses, so that small documents stay small."""
        stems: set[str] = set()  # each IRI up to its last / or #: few, and what prefixes end at
        for t in triples:
            for term in (t.subject, t.predicate, t.object):
                iri = (
                    term.value
                    if isinstance(term, ox.NamedNode)
                    else (
                        term.datatype.value
                        if isinstance(term, ox.Literal) and term.datatype is not None
                        else None
                    )
                )
                if iri is not None:
                    stems.add(iri[: max(iri.rfind("/"), iri.rfind("#")) + 1])
        return {
            name: ns
            for name, ns in self.model.prefixes.items()
            if any(stem.startswith(ns) for stem in stems)
        }
