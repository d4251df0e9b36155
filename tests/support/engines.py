"""Helpers for comparing the fast engine with pySHACL (the reference) on the same inputs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from spacecoop.config import Config
from spacecoop.engine import engine_results
from spacecoop.engine.differential import compare_core, compare_rules, keys
from spacecoop.load import LoadedDataset, parse_file
from spacecoop.validate import report_results, run_pyshacl, shapes_and_data

__all__ = ["compare_core", "compare_rules", "dataset_of", "fast_keys", "pyshacl_keys", "show"]

Key = tuple


def show(results: set[Key], limit: int = 12) -> str:
    def short(term: object) -> str:
        text = str(term)
        return text if len(text) < 70 else text[:67] + "..."

    lines = [" | ".join(short(t) for t in key) for key in sorted(results, key=str)[:limit]]
    more = f"\n  ... {len(results) - limit} more" if len(results) > limit else ""
    return "\n  ".join(["", *lines]) + more


def dataset_of(paths: list[tuple[str, Path]], base_iri, root: Path) -> LoadedDataset:  # type: ignore[no-untyped-def]
    """Parse files strictly as (kind, path); a file listed twice is parsed once (same bnodes)."""
    config = Config(root, "urn:x-local:/", "urn:x-local:/def/", "urn:x-local:/id/")
    parsed = {}
    sources = []
    for kind, path in paths:
        if path not in parsed:
            parsed[path], _ = parse_file(path, kind, config, base_iri=base_iri(path))
        sources.append(replace(parsed[path], kind=kind))
    return LoadedDataset(sources, [])


def pyshacl_keys(dataset: LoadedDataset) -> set[Key]:
    data, shapes = shapes_and_data(dataset)
    return keys(report_results(run_pyshacl(data, shapes)))


def fast_keys(dataset: LoadedDataset) -> set[Key]:
    return keys(engine_results(dataset)[0].results)
