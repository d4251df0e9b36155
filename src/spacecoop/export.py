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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from spacecoop import jsonld
from spacecoop.config import Config
from spacecoop.errors import ConfigError
from spacecoop.load import LoadedDataset
from spacecoop.rdfwriter import (
    BATCH,
    CanonicalLines,
    FirstPass,
    HeaderStamp,
    Replay,
    SubjectStream,
    iter_nquads,
    iter_ntriples,
    iter_sorted_serialization,
    iter_trig,
    iter_turtle,
    subject_records,
)
from spacecoop.rdfwriter import _chunked as chunked
from spacecoop.rdfwriter import _unique as unique_lines
from spacecoop.versions import VERSION_INFO, VERSION_IRI, stamp, version_iri

#: What an output function returns: the bytes, or chunks of them (streamed to the file).
Content = bytes | Iterable[bytes]

EXPORT_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def header_stamp(config: Config) -> HeaderStamp:
    """:func:`spacecoop.versions.stamp` as the streaming writers apply it."""

    def values(ontology: str) -> list[tuple[str, ox.NamedNode | ox.Literal]]:
        return [
            (VERSION_INFO.value, ox.Literal(config.version)),
            (VERSION_IRI.value, ox.NamedNode(version_iri(ontology, config.version, config))),
        ]

    return HeaderStamp((VERSION_INFO.value, VERSION_IRI.value), values)


class Triples:
    """The triples of some source kinds of a dataset, re-iterable without a list in memory."""

    def __init__(self, dataset: LoadedDataset, *kinds: str) -> None:
        self.dataset, self.kinds = dataset, kinds

    def __iter__(self) -> Iterator[ox.Triple]:
        return self.dataset.triples(*self.kinds)


class StampedTriples:
    """:func:`spacecoop.versions.stamp` of a re-iterable graph, lazily (for one-pass readers)."""

    def __init__(self, triples: Iterable[ox.Triple], config: Config) -> None:
        self.triples, self.config = triples, config
        self.stamp = header_stamp(config)
        self._headers: list[str] | None = None

    def __iter__(self) -> Iterator[ox.Triple]:
        if self._headers is None:
            self._headers = sorted(FirstPass(self.triples, record=lambda _l, _p: []).headers())
        headers = set(self._headers)
        if not headers:
            yield from self.triples
            return
        replaced = set(self.stamp.predicates)
        for t in self.triples:
            if not (t.predicate.value in replaced and t.subject.value in headers):
                yield t
        for ontology in self._headers:
            for predicate, value in self.stamp.values(ontology):
                yield ox.Triple(ox.NamedNode(ontology), ox.NamedNode(predicate), value)


#: Kinds of source that make the exported graph (vocabulary + data).
GRAPH_KINDS = ("ontology", "data")
_DCTERMS = "http://purl.org/dc/terms/"
#: Lines noted while reading, for :func:`spacecoop.catalog.source_dates`.
_DATE_LINES = tuple(
    f" <{iri}> ".encode()
    for iri in (
        _DCTERMS + "modified",
        _DCTERMS + "created",
        "http://www.w3.org/2002/07/owl#Ontology",
    )
)


def _in_default_graph(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad | ox.Triple]:
    """Statements pyoxigraph can write as N-Triples: quads of a named graph become triples."""
    iterator = iter(quads)
    first = next(iterator, None)
    if first is None:
        return
    if isinstance(first.graph_name, ox.DefaultGraph):
        yield first
        yield from iterator
    else:
        yield first.triple
        yield from (q.triple for q in iterator)


class GraphStreams:
    """Every sorted stream of ``dist/`` from one read of the dataset.

    Why: the graph files, the JSON-LD documents and VoID each need the graph sorted (by line,
    by subject, as quads), and reading the sources costs several seconds per million triples.
    One read serializes each batch of statements once and feeds three bounded sorts: the
    N-Triples lines of the graph, its subject records (Turtle and JSON-LD) and the N-Quads
    lines of every source in its named graph. Each merged stream is kept in a temporary file
    (:class:`~spacecoop.rdfwriter.Replay`) for the next writer that reads it.
    """

    def __init__(self, dataset: LoadedDataset, config: Config) -> None:
        self.dataset = dataset
        self.stamp = header_stamp(config)
        self._lines: Replay | None = None
        self._subjects: SubjectStream | None = None
        self._nquads: Iterable[bytes] | None = None
        self._passes: tuple[FirstPass, FirstPass, FirstPass] | None = None
        self._dates: dict[str, ox.Literal] | None = None

    def _read(self) -> tuple[FirstPass, FirstPass, FirstPass]:
        if self._passes is None:
            lines = FirstPass(note=_DATE_LINES)
            subjects = FirstPass(record=subject_records)
            nquads = FirstPass(quads=True)
            for source in self.dataset.sources:
                in_graph = source.kind in GRAPH_KINDS
                suffix = f" <{source.graph}> .\n".encode()
                statements = _in_default_graph(source.iter_parsed())
                while blob := ox.serialize(
                    islice(statements, BATCH), format=ox.RdfFormat.N_TRIPLES
                ):
                    if in_graph:
                        lines.add(blob)
                        subjects.add(blob)
                    # A line ends with " .\n" and nowhere else: literals escape newlines.
                    nquads.add(blob.replace(b" .\n", suffix))
            for first in (lines, subjects, nquads):
                first.spill()
            self._passes = (lines, subjects, nquads)
        return self._passes

    def lines(self) -> CanonicalLines:
        """The graph's canonical N-Triples lines (as :func:`sorted_ntriples` gives them)."""
        if self._lines is None:
            self._lines = Replay(unique_lines(self._read()[0].finish(self.stamp)))
        return CanonicalLines(self._lines)

    def subjects(self) -> SubjectStream:
        """The graph sorted by subject, for Turtle and the JSON-LD documents."""
        if self._subjects is None:
            stream = SubjectStream.of_pass(self._read()[1], self.stamp)
            self._subjects = SubjectStream(
                Replay(stream.records), stream.relabelled, stream.ontologies
            )
        return self._subjects

    def nquads(self) -> Iterator[bytes]:
        """The N-Quads file's lines (every source in its named graph), once."""
        return unique_lines(self._read()[2].finish(self.stamp))

    def dates(self) -> dict[str, ox.Literal]:
        """:func:`spacecoop.catalog.source_dates` of the graph."""
        if self._dates is None:
            from spacecoop.catalog import source_dates

            self._dates = source_dates(self._read()[0].noted)
        return self._dates

    def close(self) -> None:
        for replay in (self._lines, self._subjects.records if self._subjects else None):
            if isinstance(replay, Replay):
                replay.close()


def serialize_chunks(
    triples: Iterable[ox.Triple],
    fmt: str,
    prefixes: dict[str, str],
    stamp: HeaderStamp | None = None,
) -> Iterator[bytes]:
    """One graph in one format, deterministically, in chunks and bounded memory."""
    if fmt == "ttl":
        return iter_turtle(triples, prefixes, stamp)
    if fmt == "nt":
        return iter_ntriples(triples, stamp)
    if fmt not in EXPORT_FORMATS or fmt in ("nq", "trig"):
        raise ConfigError(f"cannot write a single graph as {fmt!r}")
    return iter_sorted_serialization(triples, EXPORT_FORMATS[fmt], prefixes, stamp)


def serialize(triples: Iterable[ox.Triple], fmt: str, prefixes: dict[str, str]) -> bytes:
    """One graph in one format, deterministically."""
    return b"".join(serialize_chunks(triples, fmt, prefixes))


def serialize_dataset(dataset: LoadedDataset, fmt: str, config: Config | None = None) -> bytes:
    """All named graphs (one per source file) as N-Quads or TriG (versions stamped if config)."""
    return b"".join(stream_dataset(dataset, fmt, config))


def stream_dataset(
    dataset: LoadedDataset, fmt: str, config: Config | None = None
) -> Iterable[bytes]:
    """:func:`serialize_dataset` in chunks and bounded memory (sorted through temporary files)."""
    stamp = header_stamp(config) if config is not None else None
    if fmt == "nq":
        return iter_nquads(dataset.quads(), stamp)
    if fmt == "trig":
        return iter_trig(dataset.quads(), dataset.prefixes(), stamp)
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


class JsonLdOutputs:
    """The JSON-LD side of an export, prepared on first use and shared by its outputs.

    ``uses`` is the number of graph-level outputs that will be written (compacted graph plus
    frames): after the last one, the node index is dropped so that it does not sit in memory
    while the other formats are written.
    """

    def __init__(
        self,
        graph: Iterable[ox.Triple],
        vocabulary: list[ox.Triple],
        config: Config,
        prefixes: dict[str, str],
        uses: int | None = None,
        stamp: HeaderStamp | None = None,
        subjects: Callable[[], SubjectStream] | None = None,
    ) -> None:
        self.graph, self.vocabulary, self.config, self.prefixes = (
            graph,
            vocabulary,
            config,
            prefixes,
        )
        self.uses = uses
        self.stamp = stamp
        self.subjects = subjects  # the graph already sorted by subject, if another writer has it
        self._context: jsonld.Context | None = None
        self._graph: jsonld.JsonLdExport | None = None
        self._vocabulary: jsonld.JsonLdExport | None = None

    @property
    def generated_context(self) -> jsonld.Context:
        if self._context is None:
            self._context = jsonld.generate_context(
                self.graph, self.vocabulary, self.config, self.prefixes, self.stamp
            )
        return self._context

    @property
    def whole(self) -> jsonld.JsonLdExport:
        if self._graph is None:
            graph = self.subjects() if self.subjects is not None else self.graph
            self._graph = jsonld.prepare_streamed(
                graph, self.config, self.generated_context, self.stamp
            )
        return self._graph

    @property
    def vocabulary_only(self) -> jsonld.JsonLdExport:
        if self._vocabulary is None:
            self._vocabulary = jsonld.prepare(
                self.vocabulary, self.vocabulary, self.config, context=self.generated_context
            )
        return self._vocabulary

    def _streamed(self, make: Callable[[jsonld.JsonLdExport], Iterator[bytes]]) -> Iterator[bytes]:
        yield from make(self.whole)
        if self.uses is not None:
            self.uses -= 1
            if self.uses <= 0:
                self._graph = None

    def context(self) -> bytes:
        return jsonld.context_bytes(self.generated_context)

    def compacted(self) -> Iterator[bytes]:
        return self._streamed(lambda ld: jsonld.compacted_chunks(ld.documents, ld.compactor))

    def compacted_vocabulary(self) -> Iterator[bytes]:
        ld = self.vocabulary_only
        return jsonld.compacted_chunks(ld.documents, ld.compactor)

    def framed(self, name: str) -> Iterator[bytes]:
        self.whole.frame(name)  # an unknown frame fails here, before anything is written
        return self._streamed(
            lambda ld: jsonld.framed_chunks(ld.documents, ld.compactor, ld.frame(name))
        )


def export_graphs(
    dataset: LoadedDataset, config: Config
) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """The exported graph (vocabulary + data) and vocabulary, with versions stamped."""
    return (
        stamp(dataset.triples("ontology", "data"), config),
        stamp(dataset.triples("ontology"), config),
    )


def planned_outputs(
    dataset: LoadedDataset, config: Config, streams: GraphStreams | None = None
) -> dict[str, Callable[[], Content]]:
    """Every file of ``dist/`` with the function that produces its bytes (or chunks).

    The graph files share one read of the dataset (``streams``, made here if not given).
    """
    name = config.name
    streams = streams or GraphStreams(dataset, config)
    graph = Triples(dataset, *GRAPH_KINDS)  # streamed: never a list of 1M triples
    stamp_ = header_stamp(config)
    vocabulary = stamp(dataset.triples("ontology"), config)
    shapes = list(dataset.triples("shapes"))
    prefixes = dataset.prefixes()
    ld = JsonLdOutputs(
        graph, vocabulary, config, prefixes, 1 + len(config.frames), stamp_, streams.subjects
    )
    outputs: dict[str, Callable[[], Content]] = {
        f"{name}.ttl": lambda: iter_turtle(streams.subjects(), prefixes),
        f"{name}.nt": lambda: iter_ntriples(streams.lines()),
        f"{name}.jsonld": ld.compacted,
        f"{name}.nq": lambda: chunked(streams.nquads()),
        "context.jsonld": ld.context,
        "vocabulary.ttl": lambda: serialize(vocabulary, "ttl", prefixes),
        "vocabulary.rdf": lambda: serialize(vocabulary, "rdfxml", prefixes),
        "vocabulary.jsonld": ld.compacted_vocabulary,
        "shapes.ttl": lambda: serialize(shapes, "ttl", prefixes),
    }
    for frame in sorted(config.frames):
        outputs[f"frames/{frame}.jsonld"] = lambda frame=frame: ld.framed(frame)
    return outputs


def graph_dumps(config: Config) -> list[str]:
    """The files of ``dist/`` that hold the whole graph (VoID ``void:dataDump``)."""
    return [f"{config.name}.{suffix}" for suffix in ("jsonld", "nq", "nt", "ttl")]


def planned_late_outputs(
    dataset: LoadedDataset, config: Config, streams: GraphStreams | None = None
) -> dict[str, Callable[[list[Output]], bytes]]:
    """Files that describe the others, in the order they must be written: VoID, then DCAT.

    DCAT lists the size and SHA-256 of every file written before it (VoID included), so
    these run after :func:`planned_outputs`; ``SHA256SUMS`` comes last of all. Give the
    ``streams`` of :func:`planned_outputs` to count on the lines it already sorted.
    """
    from spacecoop.catalog import dcat_description, void_description
    from spacecoop.release import previous_release

    streams = streams or GraphStreams(dataset, config)
    return {
        "void.ttl": lambda _written: void_description(
            (), config, graph_dumps(config), streams.lines().lines, streams.dates()
        ),
        "dcat.ttl": lambda written: dcat_description(
            config, written, streams.dates(), previous_release(config)
        ),
    }


def export_chunks(
    dataset: LoadedDataset, config: Config, fmt: str, frame: str | None = None
) -> Iterable[bytes]:
    """One export of the graph (vocabulary + data) as the ``export`` command writes it."""
    graph = Triples(dataset, "ontology", "data")
    prefixes = dataset.prefixes()
    stamp_ = header_stamp(config)
    if frame is not None or fmt == "jsonld":
        if fmt != "jsonld":
            raise ConfigError(f"--frame writes JSON-LD; it cannot be combined with {fmt!r}")
        vocabulary = stamp(dataset.triples("ontology"), config)
        ld = JsonLdOutputs(graph, vocabulary, config, prefixes, stamp=stamp_)
        return ld.framed(frame) if frame is not None else ld.compacted()
    if fmt in ("nq", "trig"):
        return stream_dataset(dataset, fmt, config)
    if fmt not in EXPORT_FORMATS:
        known = "|".join(EXPORT_FORMATS)
        raise ConfigError(f"unknown export format {fmt!r} (use {known})")
    return serialize_chunks(graph, fmt, prefixes, stamp_)


def write_content(path: Path, content: Content) -> tuple[int, str]:
    """Write bytes or chunks to ``path``; return size and SHA-256 computed on the way."""
    digest = hashlib.sha256()
    size = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        for chunk in [content] if isinstance(content, bytes) else content:
            stream.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def write_atomic_chunks(path: Path, content: Content) -> None:
    """:func:`write_atomic` for streamed content: a temporary sibling, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write_content(Path(temporary), content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
    streams: GraphStreams | None = None
    try:
        streams = GraphStreams(dataset, config)
        outputs = planned_outputs(dataset, config, streams)
        outputs.update(extra or {})
        written: list[Output] = []

        def record(name: str, content: Content) -> None:
            size, sha256 = write_content(staged / name, content)
            media_type = MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")
            written.append(Output(name, size, sha256, media_type))

        for name in sorted(outputs):
            if progress:
                progress(name)
            record(name, outputs[name]())
        # VoID and DCAT describe the files above (DCAT with their sizes and checksums).
        for name, describe in planned_late_outputs(dataset, config, streams).items():
            if progress:
                progress(name)
            record(name, describe(list(written)))
        sums = "".join(
            f"{o.sha256}  {o.name}\n" for o in sorted(written, key=lambda o: o.name)
        ).encode()
        (staged / "SHA256SUMS").write_bytes(sums)
        written.append(
            Output("SHA256SUMS", len(sums), hashlib.sha256(sums).hexdigest(), "text/plain")
        )
        return StagedDist(staged, target, written)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    finally:
        if streams is not None:
            streams.close()


def build_dist(dataset: LoadedDataset, config: Config) -> list[Output]:
    """Stage and commit ``dist/`` in one call."""
    staged = stage_dist(dataset, config)
    try:
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    return staged.outputs
