"""The embedded SPARQL store: pyoxigraph on disk, replaced atomically on every load.

One named graph per source file; queries see their union as the default graph
(``use_default_graph_as_union``), decided once here. A load writes a complete new store
into a fresh folder, flushes it, then points the configured store path (a symbolic link) at
it with one atomic rename: a reader opens either the old or the new store, never a mix.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from spacecoop.endpoint.guard import Refused, scan
from spacecoop.errors import SpacecoopError

if TYPE_CHECKING:
    from spacecoop.load import SourceFile


@dataclass(frozen=True)
class StoreInfo:
    path: Path
    quads: int
    graphs: int


def _versions_dir(path: Path) -> Path:
    return path.with_name(path.name + ".versions")


@dataclass
class PreparedStore:
    """A complete new store written beside the live one, not yet switched in."""

    path: Path
    folder: Path
    quads: int
    graphs: int

    def open(self) -> ox.Store:
        return ox.Store.read_only(str(self.folder))

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def commit(self) -> StoreInfo:
        """Point the store path at this store with one atomic rename, then drop the old one."""
        path = self.path
        if path.exists() and not path.is_symlink():
            raise SpacecoopError(f"{path} exists and is not a store link made by spacecoop")
        previous = path.resolve() if path.is_symlink() else None
        link = path.with_name(f".{path.name}.{os.getpid()}.link")
        link.unlink(missing_ok=True)
        link.symlink_to(self.folder.relative_to(path.parent), target_is_directory=True)
        os.replace(link, path)  # the atomic switch
        for old in _versions_dir(path).iterdir():
            if old.is_dir() and old not in (self.folder, previous):
                shutil.rmtree(old, ignore_errors=True)  # left by an interrupted load
        if previous is not None and previous != self.folder:
            shutil.rmtree(previous, ignore_errors=True)
        return StoreInfo(path, self.quads, self.graphs)


def prepare_store(
    path: Path,
    quads: Iterable[ox.Quad] = (),
    sources: Iterable[SourceFile] | None = None,
) -> PreparedStore:
    """Write ``quads`` (or parsed ``sources``) into a fresh on-disk store next to ``path``.

    Sources without blank nodes are bulk-loaded by the store from their text, in Rust; the
    others are inserted from the quads of their one parse (their blank node labels kept).
    """
    versions = _versions_dir(path)
    versions.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=versions, prefix="store-"))
    try:
        store = ox.Store(str(folder))
        if sources is None:
            store.bulk_extend(quads)
        else:
            for source in sources:
                source.copy_into(store, bulk=True)
        store.flush()
        count = len(store)
        graphs = sum(1 for _ in store.named_graphs())
        del store
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return PreparedStore(path, folder, count, graphs)


def load_store(
    path: Path, quads: Iterable[ox.Quad] = (), sources: Iterable[SourceFile] | None = None
) -> StoreInfo:
    """Replace the store at ``path`` by one holding exactly ``quads`` (or ``sources``)."""
    prepared = prepare_store(path, quads, sources)
    try:
        return prepared.commit()
    except BaseException:
        prepared.discard()
        raise


def open_store(path: Path, read_only: bool = True) -> ox.Store:
    """Open the store a previous load made; read-only opens allow concurrent readers."""
    if not path.exists():
        raise SpacecoopError(f"no store at {path}: run `spacecoop load` or `spacecoop build` first")
    target = str(path.resolve())
    return ox.Store.read_only(target) if read_only else ox.Store(target)


# Well-known W3C and community prefixes, usable in queries without a PREFIX line.
STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
}


def run_query(
    store: ox.Store,
    query: str,
    bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
    base_iri: str | None = None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run SPARQL over the union of all source graphs; bound values are never spliced into text."""
    try:
        # SERVICE and LOAD would make pyoxigraph fetch from the network: never from here.
        found = scan(query, base_iri or "")
    except Refused as exc:
        raise SpacecoopError(str(exc)) from None
    substitutions = {ox.Variable(name): value for name, value in (bindings or {}).items()}
    try:
        return store.query(
            query,
            # FROM / FROM NAMED choose the dataset themselves; otherwise all graphs are queried.
            use_default_graph_as_union=not found.has_dataset_clause,
            substitutions=substitutions or None,
            prefixes=STANDARD_PREFIXES,
            base_iri=base_iri,
        )
    except SyntaxError as exc:
        raise SpacecoopError(
            f"query syntax error: {exc.msg if hasattr(exc, 'msg') else exc}"
        ) from None
    except RuntimeError as exc:
        if "projection" in str(exc):
            raise SpacecoopError(
                f"{exc}: a bound variable must be in scope in the query's result "
                "(bind a variable of a triple pattern and list it in SELECT, or use SELECT *)"
            ) from None
        raise
