"""The offline loader: article dumps and exported .jsonl files into the store.

Files stream in small units through the shared chain (clean -> date -> dedupe -> story ->
store), so memory stays flat however many there are and however large a .jsonl backup is. A bad file is reported with its path and the
reason and counted; every valid file is still stored.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings

from newsmon.chain import Chain, Prepared, Rejected
from newsmon.documents import DocumentError, decode_document, parse_document
from newsmon.items import Article, from_record
from newsmon.lang import warm_up as warm_up_language_models
from newsmon.store import Store

JSONL_SUFFIXES = (".jsonl", ".ndjson")
# Files that are never article dumps: skipped silently while walking directories.
_SKIPPED_NAMES = {".DS_Store", "Thumbs.db"}
# What a path is when it is not a regular file, for the rejection message.
_FILE_KINDS = {
    stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
    stat.S_IFDIR: "a directory",
}  # fmt: skip


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
            yield path  # a missing file is reported by read_dump with its reason


Located = tuple[str, Article | DocumentError]


def file_problem(path: Path, max_bytes: int) -> DocumentError | None:
    """Why `path` cannot be read as input, checked before it is opened (opening a FIFO waits
    for a writer, forever): not a regular file (symlinks are followed), or larger than
    `max_bytes` (NEWSMON_LOAD_MAX_DOCUMENT_BYTES; a .jsonl file is capped line by line)."""
    try:
        info = path.stat()
    except OSError as exc:
        return DocumentError(f"cannot read: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return DocumentError(f"not a regular file ({_FILE_KINDS.get(stat.S_IFMT(info.st_mode), 'special file')})")
    if info.st_size > max_bytes and path.suffix.lower() not in JSONL_SUFFIXES:
        return DocumentError(f"{info.st_size:,} bytes, over the {max_bytes:,} a document may be (NEWSMON_LOAD_MAX_DOCUMENT_BYTES)")
    return None


def read_dump(path: str) -> Located:
    """(path, the article of one plain-text dump, or why it cannot be used).

    A dump does not say when its page was fetched: the file's modification time stands in,
    so that a relative dateline ("2 saat əvvəl") counts from then, not from the load.
    """
    try:
        with open(path, "rb") as dump:
            data = dump.read()
            modified = datetime.fromtimestamp(os.fstat(dump.fileno()).st_mtime, timezone.utc)
        article = parse_document(decode_document(data), source_path=path)
        article.fetched_at = article.fetched_at or modified
        return path, article
    except OSError as exc:
        return path, DocumentError(f"cannot read: {exc.strerror or exc}")
    except DocumentError as exc:
        return path, exc


def read_jsonl_lines(path: Path, max_chars: int) -> Iterator[tuple[int, str] | Located]:
    """The non-blank lines of a .jsonl file with their numbers, read lazily (backups are large);
    a line longer than `max_chars` is not read whole but reported as (location, error), and a
    file that cannot be read at all is a DocumentError."""
    try:
        with path.open(encoding="utf-8-sig") as lines:
            number = 0
            while line := lines.readline(max_chars + 1):
                number += 1
                if len(line) > max_chars and not line.endswith("\n"):
                    while (rest := lines.readline(max_chars)) and not rest.endswith("\n"):
                        pass  # the rest of the oversized line, in bounded pieces
                    yield f"{path}:{number}", DocumentError(
                        f"line over the {max_chars:,} characters a document may be (NEWSMON_LOAD_MAX_DOCUMENT_BYTES)"
                    )
                elif line.strip():
                    yield number, line
    except OSError as exc:
        yield DocumentError(f"cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        yield DocumentError(f"not UTF-8 JSON lines: {exc}")


def parse_jsonl_line(path: Path, number: int, line: str) -> Located:
    location = f"{path}:{number}"
    try:
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError("a line must hold one JSON object")
        return location, from_record(record)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        return location, DocumentError(f"bad article record: {exc}")


@dataclass
class WorkUnit:
    """A few articles' worth of input, prepared in one go (in a worker or inline).

    `dumps`: paths of plain-text dumps; `lines`: numbered lines of one .jsonl file (`jsonl`);
    `finished`: the files this unit completes (for the progress bar).
    Paths of files travel as strings: unpickling a Path costs about as much as reading a dump.
    """

    dumps: list[str] = field(default_factory=list)
    jsonl: Path | None = None
    lines: list[tuple[int, str]] = field(default_factory=list)
    errors: list[Located] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)


# Articles per store write (the NEWSMON_LOAD_BATCH_SIZE setting; see settings/base.py).
LOAD_BATCH_SIZE = 2000

# The largest document a dump file (or one .jsonl line) may be: an article is a few KB, so
# anything near this is not one, and reading it whole would cost memory for nothing.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

# Articles per work unit: enough to amortize handing it to a worker (128 loads ~7% faster
# than 32 on two cores), small enough that the units in flight hold ~10 MB.
UNIT_SIZE = 128


def work_units(paths: Iterable[str | os.PathLike[str]], max_bytes: int = MAX_DOCUMENT_BYTES) -> Iterator[WorkUnit]:
    dumps = WorkUnit()
    for path in iter_files(paths):
        if problem := file_problem(path, max_bytes):
            dumps.errors.append((str(path), problem))
            dumps.finished.append(str(path))
            continue
        if path.suffix.lower() not in JSONL_SUFFIXES:
            dumps.dumps.append(str(path))
            dumps.finished.append(str(path))
            if len(dumps.dumps) == UNIT_SIZE:
                yield dumps
                dumps = WorkUnit()
            continue
        if dumps.dumps or dumps.errors:  # keep input order: it decides which of two copies is stored
            yield dumps
            dumps = WorkUnit()
        unit = WorkUnit(jsonl=path)
        for entry in read_jsonl_lines(path, max_bytes):
            if isinstance(entry, DocumentError):
                unit.errors.append((str(path), entry))
                break
            if isinstance(entry[1], DocumentError):
                unit.errors.append(entry)
                continue
            unit.lines.append(entry)
            if len(unit.lines) == UNIT_SIZE:
                yield unit
                unit = WorkUnit(jsonl=path)
        unit.finished.append(str(path))
        yield unit
    if dumps.dumps or dumps.errors:
        yield dumps


def read_unit(unit: WorkUnit) -> Iterator[Located]:
    yield from map(read_dump, unit.dumps)
    if unit.jsonl is not None:
        for number, line in unit.lines:
            yield parse_jsonl_line(unit.jsonl, number, line)
    yield from unit.errors


# Per-process state of a loader worker: a chain without a store, built once per process.
_worker: list[Chain] = []


def _init_worker(settings: dict[str, Any]) -> None:
    _worker[:] = [Chain(settings, None)]


Outcome = Prepared | DocumentError | Rejected


def prepare_unit(unit: WorkUnit) -> tuple[list[str], list[tuple[str, Outcome]], dict[str, int]]:
    """Read a unit and prepare its articles: the store-free part of the chain.

    Returns the files it finished, (location, prepared article or why it was rejected) per
    article, and the counts the steps made, for the caller's stats.
    """
    (chain,) = _worker
    results: list[tuple[str, Outcome]] = []
    for location, parsed in read_unit(unit):
        if isinstance(parsed, Article):
            try:
                parsed = chain.prepare(parsed)
            except Rejected as rejected:
                parsed = rejected
        results.append((location, parsed))
    counts = dict(chain.stats.values)
    chain.stats.values.clear()
    return unit.finished, results, counts


def _prepared_units(paths: Iterable[str | os.PathLike[str]], settings: dict[str, Any], jobs: int):
    units = work_units(paths, BaseSettings(settings).getint("NEWSMON_LOAD_MAX_DOCUMENT_BYTES", MAX_DOCUMENT_BYTES))
    if jobs <= 1:
        _init_worker(settings)
        yield from map(prepare_unit, units)
        return
    # fork: workers inherit the imported modules, so they start in milliseconds, and the
    # language models loaded here, which they share instead of loading a copy each.
    warm_up_language_models()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(settings,)) as pool:
        # A bounded window of units in flight keeps memory flat whatever the input's size.
        in_flight: deque[Future] = deque()
        for unit in units:
            in_flight.append(pool.submit(prepare_unit, unit))
            if len(in_flight) >= 4 * jobs:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def load_paths(
    paths: Iterable[str | os.PathLike[str]],
    store: Store,
    settings: Mapping[str, Any],
    *,
    jobs: int = 1,
    on_problem: Callable[[str], None] = lambda line: None,
    on_file: Callable[[str], None] = lambda path: None,
) -> LoadReport:
    """Load every article under `paths` into `store`; `on_problem` gets one line per rejection.

    With `jobs` > 1, reading and the store-free part of the chain (cleaning, dating, story
    sketches) run in that many worker processes while this process deduplicates, finds stories
    and stores, in input order.
    """
    report = LoadReport()
    newsmon_settings = {key: settings[key] for key in settings if str(key).startswith("NEWSMON_")}
    batch_size = newsmon_settings.get("NEWSMON_LOAD_BATCH_SIZE", LOAD_BATCH_SIZE)
    chain = Chain({**newsmon_settings, "NEWSMON_BATCH_SIZE": batch_size}, store)

    def reject(location: str, reason: str) -> None:
        report.rejected += 1
        on_problem(f"{location}: rejected: {reason}")

    try:
        for finished, results, counts in _prepared_units(paths, newsmon_settings, jobs):
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
            for path in finished:
                on_file(path)
    finally:
        chain.close()  # whatever stopped the load, the articles it let through are written
    values = chain.stats.values
    report.stored = values["newsmon/store/inserted"]
    report.revised = values["newsmon/store/revised"]
    report.duplicates = (
        values["newsmon/dedupe/duplicate"] + values["newsmon/store/duplicate"] + values["newsmon/store/unchanged"]
    )
    return report
