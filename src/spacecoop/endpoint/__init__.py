"""The SPARQL 1.1 Protocol endpoint behind ``spacecoop serve``.

Modules follow the parts of the specifications they implement:

- ``protocol``: SPARQL 1.1 Protocol §2.1 (query operation) and §2.2 (update operation) — turns an
  HTTP request into one operation or a 4xx with a plain-text reason.
- ``negotiation``: HTTP content negotiation (``Accept`` with q-values) over the SPARQL result
  formats and the RDF formats for ``CONSTRUCT``/``DESCRIBE``.
- ``guard``: what a public, read-only endpoint refuses before any evaluation (``SERVICE``,
  ``LOAD``, datasets naming graphs that are not in the store).
- ``worker`` and ``pool``: queries run in worker processes so that a deadline can really stop
  them (pyoxigraph has no cancellation); the pool kills and replaces a worker at the deadline.
- ``description``: the SPARQL 1.1 Service Description returned by ``GET /sparql``.
- ``page``: the self-contained query page served to browsers.
- ``app``: the starlette application tying them together.
"""
