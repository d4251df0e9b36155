"""Time and peak memory of each export format on a generated graph.

Usage: ``python scripts/bench_exports.py [--triples 100000]``. Each format runs in a fresh
process (load + that one export), so the peak resident memory of one does not hide another's;
the "load" row is the cost of loading alone, included in every other row.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ["load", "ttl", "nt", "nq", "trig", "rdfxml", "jsonld", "frame", "void+dcat", "dist"]


# --- the generated project ------------------------------------------------------------------
# Each entity has a type, labels in two languages, a date, a number, two links to other
# entities, a Wikidata-style owl:sameAs and, every fifth entity, a nested blank node.

PYPROJECT = """[project]
name = "bench"
version = "1.0.0"

[tool.spacecoop]
base_iri = "https://example.org/bench/"
ontology = ["ontology/*.ttl"]
shapes = ["shapes/*.ttl"]
data = ["data/*.ttl"]
queries = []

[tool.spacecoop.reverse_terms]
members = "https://example.org/bench/def/partOf"

[tool.spacecoop.frames.groups]
class = "https://example.org/bench/def/Group"
embed = ["members", "leader"]
"""

ONTOLOGY = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix b: <https://example.org/bench/def/> .
<https://example.org/bench/def> a owl:Ontology ; owl:versionInfo "1.0.0" ;
    rdfs:label "Bench vocabulary"@en .
b:Item a owl:Class ; rdfs:label "Item"@en .
b:Group a owl:Class ; rdfs:label "Group"@en .
b:partOf a owl:ObjectProperty ; rdfs:label "part of"@en ; rdfs:range b:Group .
b:leader a owl:ObjectProperty ; rdfs:label "leader"@en ; rdfs:range b:Item .
b:related a owl:ObjectProperty ; rdfs:label "related"@en .
b:date a owl:DatatypeProperty ; rdfs:label "date"@en ; rdfs:range xsd:date .
b:count a owl:DatatypeProperty ; rdfs:label "count"@en ; rdfs:range xsd:integer .
b:note a owl:DatatypeProperty ; rdfs:label "note"@en .
"""


def generate(target: Path, triples: int, seed: int = 1) -> Path:
    """Write the project into ``target``; about ``triples`` triples of data."""
    rng = random.Random(seed)
    for folder in ("ontology", "shapes", "data"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    (target / "pyproject.toml").write_text(PYPROJECT)
    (target / "ontology" / "bench.ttl").write_text(ONTOLOGY)
    (target / "shapes" / "none.ttl").write_text("")
    per_entity = 10
    items = max(triples // per_entity, 10)
    groups = max(items // 50, 1)
    lines = [
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix b: <https://example.org/bench/def/> .",
        "@prefix i: <https://example.org/bench/id/item/> .",
        "@prefix g: <https://example.org/bench/id/group/> .",
        "",
    ]
    for n in range(groups):
        lines.append(
            f'g:{n} a b:Group ; rdfs:label "Group {n}"@en ; b:leader i:{rng.randrange(items)} .'
        )
    for n in range(items):
        day = f"{2000 + n % 25}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        note = f' ; b:note [ rdfs:label "note {n}"@en ; b:count {n % 7} ]' if n % 5 == 0 else ""
        lines.append(
            f'i:{n} a b:Item ; rdfs:label "Item {n}"@en , "条目 {n}"@zh ; '
            f'b:date "{day}"^^xsd:date ; b:count {n} ; b:partOf g:{n % groups} ; '
            f"b:related i:{rng.randrange(items)} ; "
            f"owl:sameAs <http://www.wikidata.org/entity/Q{n + 1}>{note} ."
        )
    (target / "data" / "items.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def run_one(project: Path, fmt: str) -> dict:
    """In this process: load the project and write one export to /dev/null."""
    from spacecoop.config import load_config
    from spacecoop.export import build_dist, export_chunks, export_graphs, graph_dumps
    from spacecoop.load import load

    start = time.perf_counter()
    config = load_config(project)
    dataset = load(config)
    size = 0
    if fmt == "dist":
        size = sum(o.size for o in build_dist(dataset, config))
    elif fmt == "void+dcat":
        from spacecoop.catalog import dcat_description, source_dates, void_description

        graph, _vocabulary = export_graphs(dataset, config)
        size = len(void_description(graph, config, graph_dumps(config)))
        size += len(dcat_description(config, [], source_dates(graph)))
    elif fmt != "load":
        frame = "groups" if fmt == "frame" else None
        chunks = export_chunks(dataset, config, "jsonld" if frame else fmt, frame)
        with open("/dev/null", "wb") as sink:
            for chunk in chunks:
                size += len(chunk)
                sink.write(chunk)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "format": fmt,
        "seconds": round(seconds, 2),
        "cpu": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mib": round(usage.ru_maxrss / 1024),
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--one", nargs=2, metavar=("PROJECT", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(Path(args.one[0]), args.one[1])))
        return
    with tempfile.TemporaryDirectory() as folder:
        project = generate(Path(folder) / "bench", args.triples)
        rows = []
        for fmt in FORMATS:
            done = subprocess.run(
                [sys.executable, __file__, "--one", str(project), fmt],
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append(json.loads(done.stdout))
        count = sum(1 for line in (project / "data" / "items.ttl").open() if line.strip())
        print(f"generated graph: ~{args.triples} triples ({count} Turtle statements)")
        print(f"{'format':<10} {'wall s':>7} {'CPU s':>6} {'peak MiB':>9} {'MiB out':>8}")
        for row in rows:
            print(
                f"{row['format']:<10} {row['seconds']:>7} {row['cpu']:>6} {row['peak_mib']:>9} "
                f"{row['bytes'] / 2**20:>8.1f}"
            )


if __name__ == "__main__":
    main()
