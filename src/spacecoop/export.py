"""Exports: deterministic files built from the loaded dataset, staged and renamed atomically.

``build_dist`` writes every output into a temporary sibling folder and swaps it into place
only when all of them succeeded, so a failed or interrupted build leaves the previous
``dist/`` intact. The same sources always give byte-identical files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from spacecoop.config import Config
from spacecoop.errors import ConfigError
from spacecoop.load import LoadedDataset
from spacecoop.rdfwriter import relabel, write_nquads, write_ntriples, write_turtle

EXPORT_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def _sorted_for_serializer(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return sorted(
        set(relabel(triples)), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))
    )


def serialize(triples: Iterable[ox.Triple], fmt: str, prefixes: dict[str, str]) -> bytes:
    """One graph in one format, deterministically."""
    if fmt == "ttl":
        return write_turtle(triples, prefixes)
    if fmt == "nt":
        return write_ntriples(triples)
    if fmt not in EXPORT_FORMATS or fmt in ("nq", "trig"):
        raise ConfigError(f"cannot write a single graph as {fmt!r}")
    return ox.serialize(
        _sorted_for_serializer(triples), format=EXPORT_FORMATS[fmt], prefixes=prefixes
    )


def serialize_dataset(dataset: LoadedDataset, fmt: str) -> bytes:
    """All named graphs (one per source file) as N-Quads or TriG."""
    quads = list(dataset.quads())
    if fmt == "nq":
        return write_nquads(quads)
    if fmt == "trig":
        ordered = sorted(
            set(quads),
            key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)),
        )
        return ox.serialize(ordered, format=ox.RdfFormat.TRIG, prefixes=dataset.prefixes())
    raise ConfigError(f"{fmt!r} is not a dataset format (use nq or trig)")


@dataclass(frozen=True)
class Output:
    """One file of ``dist/``."""

    name: str
    size: int
    sha256: str
    media_type: str


MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".trig": "application/trig",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".json": "application/json",
}


def planned_outputs(dataset: LoadedDataset, config: Config) -> dict[str, Callable[[], bytes]]:
    """Every file of ``dist/`` with the function that produces its bytes."""
    name = config.name
    graph = list(dataset.triples("ontology", "data"))
    vocabulary = list(dataset.triples("ontology"))
    shapes = list(dataset.triples("shapes"))
    prefixes = dataset.prefixes()
    return {
        f"{name}.ttl": lambda: serialize(graph, "ttl", prefixes),
        f"{name}.nt": lambda: serialize(graph, "nt", prefixes),
        f"{name}.jsonld": lambda: serialize(graph, "jsonld", prefixes),
        f"{name}.nq": lambda: serialize_dataset(dataset, "nq"),
        "vocabulary.ttl": lambda: serialize(vocabulary, "ttl", prefixes),
        "vocabulary.rdf": lambda: serialize(vocabulary, "rdfxml", prefixes),
        "vocabulary.jsonld": lambda: serialize(vocabulary, "jsonld", prefixes),
        "shapes.ttl": lambda: serialize(shapes, "ttl", prefixes),
    }


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file via a temporary sibling and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def swap_directory(staged: Path, target: Path) -> None:
    """Replace ``target`` by ``staged`` with renames only; the old tree is removed last."""
    retired = target.with_name(f".{target.name}.old")
    if retired.exists():
        shutil.rmtree(retired)
    if target.exists():
        os.replace(target, retired)
    os.replace(staged, target)
    if retired.exists():
        shutil.rmtree(retired)


@dataclass
class StagedDist:
    """All outputs written into a staging folder; ``commit`` swaps it in place of dist/."""

    staged: Path
    target: Path
    outputs: list[Output]

    def commit(self) -> None:
        swap_directory(self.staged, self.target)

    def discard(self) -> None:
        shutil.rmtree(self.staged, ignore_errors=True)


def stage_dist(
    dataset: LoadedDataset,
    config: Config,
    extra: dict[str, Callable[[], bytes]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> StagedDist:
    """Write all outputs into a staging folder beside ``dist/``; nothing visible changes yet."""
    target = config.dist
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.staging."))
    staged.chmod(0o755)
    try:
        outputs = planned_outputs(dataset, config)
        outputs.update(extra or {})
        written: list[Output] = []
        for name in sorted(outputs):
            if progress:
                progress(name)
            data = outputs[name]()
            (staged / name).write_bytes(data)
            written.append(
                Output(
                    name,
                    len(data),
                    hashlib.sha256(data).hexdigest(),
                    MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream"),
                )
            )
        sums = "".join(f"{o.sha256}  {o.name}\n" for o in written).encode()
        (staged / "SHA256SUMS").write_bytes(sums)
        written.append(
            Output("SHA256SUMS", len(sums), hashlib.sha256(sums).hexdigest(), "text/plain")
        )
        return StagedDist(staged, target, written)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def build_dist(dataset: LoadedDataset, config: Config) -> list[Output]:
    """Stage and commit ``dist/`` in one call."""
    staged = stage_dist(dataset, config)
    try:
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    return staged.outputs
