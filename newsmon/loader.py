"""The offline loader: article dumps and exported .jsonl files into the store.

Files stream one at a time through the shared chain (clean -> date -> dedupe -> store), so
memory stays flat however many there are. A bad file is reported with its path and the
reason and counted; every valid file is still stored.
"""
from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsmon.chain import Chain, Prepared, Rejected
from newsmon.documents import DocumentError, decode_document, parse_document
from newsmon.items import Article, from_record
from newsmon.store import Store

JSONL_SUFFIXES = (".jsonl", ".ndjson")
# Files that are never article dumps: skipped silently while walking directories.
_SKIPPED_NAMES = {".DS_Store", "Thumbs.db"}


@dataclass
class LoadReport:
    read: int = 0
    stored: int = 0
    revised: int = 0
    duplicates: int = 0
    rejected: int = 0

    def summary(self) -> str:
        return (
            f"{self.read} documents read: {self.stored} stored, {self.revised} revised,"
            f" {self.duplicates} duplicates, {self.rejected} rejected"
        )


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named and files below named directories (recursively, sorted, hidden ones skipped)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and name not in _SKIPPED_NAMES:
                        yield Path(root) / name
        else:
            yield path  # a missing file is reported by read_articles with its reason


def read_articles(path: Path) -> Iterator[tuple[str, Article | DocumentError]]:
    """(location, article or error) for each article a file holds: one for a dump, one per .jsonl line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield str(path), DocumentError(f"cannot read: {exc.strerror or exc}")
        return
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _read_jsonl(path, data)
        return
    try:
        yield str(path), parse_document(decode_document(data), source_path=str(path))
    except DocumentError as exc:
        yield str(path), exc


def _read_jsonl(path: Path, data: bytes) -> Iterator[tuple[str, Article | DocumentError]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield str(path), DocumentError(f"not UTF-8 JSON lines: {exc}")
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        location = f"{path}:{number}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("a line must hold one JSON object")
            yield location, from_record(record)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            yield location, DocumentError(f"bad article record: {exc}")


# Per-process state of a loader worker: a chain without a store, built once per process.
_worker: list[Chain] = []


def _init_worker(settings: dict[str, Any]) -> None:
    _worker[:] = [Chain(settings, None)]


def prepare_file(path: Path) -> tuple[Path, list[tuple[str, Prepared | DocumentError | Rejected]], dict[str, int]]:
    """Read one file and prepare its articles: the store-free part of the chain.

    Runs in a worker process or inline. Returns the path, (location, prepared article or why
    it was rejected) per article, and the counts the steps made, for the caller's stats.
    """
    (chain,) = _worker
    results: list[tuple[str, Prepared | DocumentError | Rejected]] = []
    for location, parsed in read_articles(path):
        if isinstance(parsed, Article):
            try:
                parsed = chain.prepare(parsed)
            except Rejected as rejected:
                parsed = rejected
        results.append((location, parsed))
    counts = dict(chain.stats.values)
    chain.stats.values.clear()
    return path, results, counts


def _prepared_files(paths: Iterable[str | os.PathLike[str]], settings: dict[str, Any], jobs: int):
    if jobs <= 1:
        _init_worker(settings)
        yield from map(prepare_file, iter_files(paths))
        return
    # fork: workers inherit the imported modules, so they start in milliseconds.
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_init_worker, initargs=(settings,)) as pool:
        yield from pool.imap(prepare_file, iter_files(paths), chunksize=16)


def load_paths(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    settings: Mapping[str, Any],
    *,
    jobs: int = 1,
    on_problem: Callable[[str], None] = lambda line: None,
    on_file: Callable[[Path], None] = lambda path: None,
) -> LoadReport:
    """Load every article under `paths` into `store`; `on_problem` gets one line per rejection.

    With `jobs` > 1, reading and the store-free part of the chain (cleaning, dating, story
    sketches) run in that many worker processes while this process deduplicates, finds stories
    and stores, in input order.
    """
    report = LoadReport()
    chain = Chain(settings, store)
    newsmon_settings = {key: settings[key] for key in settings if str(key).startswith("NEWSMON_")}

    def reject(location: str, reason: str) -> None:
        report.rejected += 1
        on_problem(f"{location}: rejected: {reason}")

    for path, results, counts in _prepared_files(paths, newsmon_settings, jobs):
        for key, count in counts.items():
            chain.stats.inc_value(key, count)
        for location, prepared in results:
            report.read += 1
            if isinstance(prepared, Prepared):
                try:
                    chain.commit(prepared)
                    continue
                except Rejected as rejected:
                    prepared = rejected
            if isinstance(prepared, Rejected) and prepared.reason == "duplicate":
                continue  # counted from the chain's stats below
            reject(location, str(prepared))
        on_file(path)
    chain.close()
    values = chain.stats.values
    report.stored = values["newsmon/store/inserted"]
    report.revised = values["newsmon/store/revised"]
    report.duplicates = (
        values["newsmon/dedupe/duplicate"] + values["newsmon/store/duplicate"] + values["newsmon/store/unchanged"]
    )
    return report
