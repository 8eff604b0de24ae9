"""Store write throughput: batched upserts against one write per article, on the same backend.

`bulk` is `upsert_many` in batches of 500 (what the store step does); `per-item` is
`upsert_many([article])` per article, one transaction or round trip each; for MongoDB also a raw
`insert_one` per article. Each run starts from an empty store and writes new articles
(generated, deterministic, with bodies of APA's usual length); the best of three runs counts.

SQLite is a file in a temporary directory. The MongoDB path measured here is mongomock, an
in-process fake without network round trips or indexes (it scans its collection for every
operation): its numbers say nothing about a MongoDB server, where batching saves one network
round trip per article. bench_mongo measures the same over the wire, on a real server.

    python -m bench.bench_store [--quick]
"""
from __future__ import annotations

import argparse
import itertools
import random
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from typing import Any

from newsmon.fingerprint import content_hash
from newsmon.items import Article
from newsmon.store import Store, article_key
from newsmon.store.mongo import MongoStore
from newsmon.store.sqlite import SQLiteStore
from tests.store_backends import MOCK_URI, mongomock_client

BATCH_SIZE = 500
TARGET_SQLITE_BULK_PER_SECOND = 20_000
_WORDS = (
    "prezident nazir sərhəd enerji nəqliyyat region sülh müqavilə parlament iqtisadiyyat president minister"
    " agreement border delimitation energy transport cooperation peace treaty delegation economy export"
).split()
_T0 = datetime(2024, 4, 28, tzinfo=timezone.utc)


def generate_articles(count: int, start: int = 0, seed: int = 20240428) -> list[Article]:
    """`count` distinct articles of about 2,000 characters, the same for the same arguments."""
    rng = random.Random(seed + start)
    articles = []
    for n in range(start, start + count):
        title = " ".join(rng.choice(_WORDS) for _ in range(8)).capitalize() + f" {n}"
        body = "\n\n".join(" ".join(rng.choice(_WORDS) for _ in range(45)) + "." for _ in range(6))
        articles.append(
            Article(
                url=f"https://apa.az/en/news/{n}",
                site="en.apa.az",
                lang="en",
                title=title,
                body=body,
                published_at=_T0 + timedelta(minutes=n),
                dateline=f"{_T0 + timedelta(minutes=n):%d %B %Y %H:%M} (UTC +04:00)",
                category="Politics",
                tags=["politics", "region"],
                authors=["APA"],
                content_hash=content_hash(title, body),
                fetched_at=_T0 + timedelta(days=1),
            )
        )
    return articles


def per_second(count: int, write: Callable[[], None]) -> float:
    started = time.perf_counter()
    write()
    return count / (time.perf_counter() - started)


def bulk_rate(store: Store, articles: Sequence[Article]) -> float:
    def write() -> None:
        for start in range(0, len(articles), BATCH_SIZE):
            store.upsert_many(articles[start : start + BATCH_SIZE])

    return per_second(len(articles), write)


def per_item_rate(store: Store, articles: Sequence[Article]) -> float:
    return per_second(len(articles), lambda: [store.upsert_many([article]) for article in articles])


def insert_one_rate(store: MongoStore, articles: Sequence[Article]) -> float:
    """The naive MongoDB baseline: one `insert_one` per article, nothing checked."""
    documents = [{"_id": article_key(a), **asdict(a)} for a in articles]
    return per_second(len(documents), lambda: [store.articles.insert_one(d) for d in documents])


@contextmanager
def sqlite_stores() -> Iterator[Callable[[], Store]]:
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as folder:
        numbers = itertools.count()
        yield lambda: SQLiteStore(f"sqlite:///{folder}/bench-{next(numbers)}.db")


@contextmanager
def mongomock_stores() -> Iterator[Callable[[], MongoStore]]:
    yield lambda: MongoStore(MOCK_URI, client=mongomock_client())


BACKENDS: dict[str, Callable[[], Any]] = {"sqlite": sqlite_stores, "mongomock": mongomock_stores}


def measure(backend: str, bulk_count: int, item_count: int, repeats: int = 1) -> dict[str, float]:
    """Articles per second of each way of writing, each run on a fresh store of `backend`.

    The best of `repeats` runs counts: other load on the machine only ever slows a run down.
    """
    ways = [("bulk", bulk_rate, bulk_count), ("per-item", per_item_rate, item_count)]
    if backend != "sqlite":
        ways.append(("insert_one", insert_one_rate, item_count))
    rates = {}
    with BACKENDS[backend]() as open_store:
        for label, rate, count in ways:
            articles = generate_articles(count)
            rates[label] = max(_timed_on_fresh_store(open_store, rate, articles) for _ in range(repeats))
    return rates


def _timed_on_fresh_store(open_store: Callable[[], Any], rate: Callable[[Any, Sequence[Article]], float],
                          articles: Sequence[Article]) -> float:
    store = open_store()
    try:
        return rate(store, articles)
    finally:
        store.close()


def report(backend: str, rates: dict[str, float], note: str) -> str:
    bulk = rates["bulk"]
    line = f"store: {backend} bulk {bulk:,.0f}/s vs per-item {rates['per-item']:,.0f}/s = {bulk / rates['per-item']:.1f}x"
    if "insert_one" in rates:
        line += f", vs insert_one {rates['insert_one']:,.0f}/s = {bulk / rates['insert_one']:.1f}x"
    return f"{line} ({note})"


def run(quick: bool = False) -> list[str]:
    bulk_count, item_count, repeats = (5_000, 1_000, 1) if quick else (50_000, 5_000, 3)
    sqlite = measure("sqlite", bulk_count, item_count, repeats)
    verdict = "met" if sqlite["bulk"] >= TARGET_SQLITE_BULK_PER_SECOND else "MISSED"
    lines = [report("sqlite", sqlite, f"target ≥{TARGET_SQLITE_BULK_PER_SECOND:,}/s in batches: {verdict}")]
    # mongomock scans its whole collection for every operation (writes grow quadratically), so it
    # gets a small run, the same size for every way of writing.
    mock_count = 300 if quick else 1_000
    mock = measure("mongomock", mock_count, mock_count)
    note = "mongomock is an in-process fake that scans its collection per operation: not MongoDB's numbers"
    lines.append(report("mongomock", mock, note))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_store", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    for line in run(quick=parser.parse_args(argv).quick):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
