"""Linked-data publishing: dereferenceable IRIs, pages per language, vocabulary documentation.

Modules, in the order data flows through them:

- ``settings``: ``[tool.spacecoop.site]`` (entry points, the partner map), resolved to IRIs.
- ``model``: the resource model, built once from the loaded dataset: labels per language with
  fallback, types, outgoing and incoming links, sources, sameAs and Wikidata links, the
  document path of every IRI under the base, partner maps.
- ``vocab``: term documentation (domain, range, shapes, examples, ontology headers).
- ``documents``: the RDF documents of a resource in Turtle, JSON-LD, N-Triples and RDF/XML.
- ``pages`` (with ``messages`` and ``templates/``): the HTML pages, one renderer for both
  front-ends.
- ``rules``: the one rule table for dereferencing: 303s, negotiation (format and language),
  CORS; resolved by the server and translated for nginx and Apache.
- ``web``: the routes ``spacecoop serve`` mounts beside ``/sparql``.
- ``static``: ``spacecoop site -o site/``, the same pages as files.
- ``check``: ``spacecoop check-conneg BASE_URL``, the Accept x IRI matrix as findings.
"""
