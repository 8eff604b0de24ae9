"""The on-disk spool: batches that could not be written while the store was unreachable.

Each store has a spool directory of its own under the spool root (NEWSMON_SPOOL_DIR, default
`data/spool`): `<root>/<spool_key(store URI)>/`. Crawlers writing to different stores may share
the root, and a batch is only ever replayed into the store it was meant for.

Each spooled batch is one JSON-lines file (`to_record` per line, the export format) in the spool
directory, named so that sorting the names gives the order the batches were spooled in; replay
keeps that order, so a later version of an article is never replaced by an earlier one.

Durability: a batch is written and fsynced before `append` returns, so a crash afterwards loses
nothing. A crash during `append` can leave a truncated last line, which replay skips and reports.
Concurrency: the writer holds an exclusive `flock` on a file until it is complete, and replay
skips files it cannot lock, so a crawler spooling and another process replaying share a directory
safely. Replay is idempotent (the store's upserts make re-applying a batch harmless) and removes
a file only after the store accepted its batch. A batch that cannot be replayed (an unreadable
line, a batch the store refuses) is moved to `quarantine/` in the store's spool directory, so it
never blocks the batches after it, and nothing in it is deleted.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from newsmon.items import Article, from_record, to_record
from newsmon.store.base import Store, StoreError, StoreUnavailable, WriteResult, redact_uri

logger = logging.getLogger(__name__)

DEFAULT_SPOOL_DIR = "data/spool"  # next to the default store, sqlite:///data/newsmon.db
SPOOL_DIR_ENV_VAR = "NEWSMON_SPOOL_DIR"
SUFFIX = ".jsonl"
# Where, inside a store's spool directory, batches that cannot be replayed are kept.
QUARANTINE = "quarantine"


def resolve_spool_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """The spool root: an explicit directory (the NEWSMON_SPOOL_DIR setting) wins, then
    $NEWSMON_SPOOL_DIR, then the default."""
    return Path(directory or os.environ.get(SPOOL_DIR_ENV_VAR) or DEFAULT_SPOOL_DIR)


def spool_key(store_uri: str) -> str:
    """The name of a store's spool directory: a short hash of its URI without the password, so
    that changing the password keeps the spool and no credential reaches the file system."""
    return hashlib.sha256(redact_uri(store_uri).encode()).hexdigest()[:16]


class Spool:
    """The spooled batches of one store, in its directory under the spool root `root`."""

    def __init__(self, root: str | os.PathLike[str], store_uri: str) -> None:
        self.store_uri = redact_uri(store_uri)
        self.directory = Path(root) / spool_key(store_uri)

    def __repr__(self) -> str:
        return f"Spool({str(self.directory)!r}, store={self.store_uri!r})"

    def append(self, articles: Sequence[Article]) -> Path:
        """Write one batch durably; returns its file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}{SUFFIX}"
        path = self.directory / name
        # Created under a hidden name and locked before it gets its real name, so that a replaying
        # process never sees it unlocked and half written.
        hidden = self.directory / f".{name}"
        with open(hidden, "x", encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            os.rename(hidden, path)
            file.writelines(json.dumps(to_record(a), ensure_ascii=False) + "\n" for a in articles)
            file.flush()
            os.fsync(file.fileno())
        _fsync_directory(self.directory)
        return path

    def files(self) -> list[Path]:
        """Spooled batches, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.suffix == SUFFIX and not p.name.startswith("."))

    def pending(self) -> int:
        """How many articles wait in the spool."""
        count = 0
        for path in self.files():
            with open(path, "rb") as file:
                count += sum(1 for line in file if line.strip())
        return count

    def replay(
        self,
        store: Store,
        *,
        prepare: Callable[[list[Article]], None] = lambda batch: None,
        written: Callable[[list[Article], WriteResult], None] = lambda batch, result: None,
        quarantined: Callable[[Path], None] = lambda path: None,
    ) -> tuple[int, int]:
        """Write the spooled batches to `store`, oldest first: (articles replayed, articles still spooled).

        `prepare` gets each batch before it is written, `written` gets it with the store's
        outcomes before its file is removed. Stops at the first batch the store cannot take
        because it is unreachable again. A batch that cannot be replayed (a line other than a
        truncated last one is unreadable, or the store refuses it) is moved, untouched, to the
        QUARANTINE directory and the replay goes on; `quarantined` gets its new path.
        """
        replayed = 0
        for path in self.files():
            with _locked(path) as file:
                if file is None:
                    continue  # still being written, or being replayed by another process
                try:
                    articles = _read_batch(path, file)
                except UnreadableBatch as exc:
                    quarantined(self._quarantine(path, str(exc)))
                    continue
                if articles:
                    prepare(articles)
                    try:
                        result = store.upsert_many(articles)
                    except StoreUnavailable as exc:
                        logger.warning("spool replay stopped, store unavailable: %s", exc)
                        break
                    except StoreError as exc:
                        quarantined(self._quarantine(path, f"the store refused the batch: {exc}"))
                        continue
                    written(articles, result)
                path.unlink(missing_ok=True)  # another replayer may have finished it first
                replayed += len(articles)
        if replayed:
            logger.info("replayed %d spooled articles from %s", replayed, self.directory)
        return replayed, self.pending()

    def _quarantine(self, path: Path, reason: str) -> Path:
        """Move a batch that cannot be replayed out of the way, keeping every byte of it."""
        target_dir = self.directory / QUARANTINE
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        os.rename(path, target)
        _fsync_directory(self.directory)
        logger.error(
            "spooled batch %s cannot be replayed (%s): moved to %s; once mended, move it back to replay it",
            path, reason, target,
        )  # fmt: skip
        return target


class UnreadableBatch(ValueError):
    """A spool file holds a line that is not an article record (and not a truncated last line)."""


@contextmanager
def _locked(path: Path) -> Iterator[IO[str] | None]:
    """The file opened and exclusively locked, or None when someone else holds it or it is gone."""
    try:
        file = open(path, encoding="utf-8")
    except FileNotFoundError:
        yield None
        return
    with file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        # Replayed and removed by another process between our listing and our lock.
        yield file if path.exists() else None


def _read_batch(path: Path, file: IO[str]) -> list[Article]:
    """The batch in a spool file. Only its last line may be unreadable, and only when it has no
    line end: `append` was cut short by a crash there, and that line is skipped with a warning."""
    try:
        lines = file.readlines()
    except UnicodeDecodeError as exc:
        raise UnreadableBatch(f"not UTF-8: {exc}") from None
    articles = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            articles.append(from_record(json.loads(line)))
        except ValueError as exc:  # json.JSONDecodeError is a ValueError, and so is a bad record
            if number < len(lines) or line.endswith("\n"):
                raise UnreadableBatch(f"line {number} unreadable: {exc}") from None
            logger.warning("spool %s line %d unreadable, skipped (truncated by a crash?): %s", path, number, exc)
    return articles


def _fsync_directory(directory: Path) -> None:
    """Make the new file's name durable too, not only its content."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
