"""The MongoDB store over the wire: a SecantusDB server started here (tests/mongo_server.py), or
the server $NEWSMON_TEST_MONGO_URI names (a real mongod).

- writes: `upsert_many` in batches of 500 against one `upsert_many([article])` and one raw
  `insert_one` per article (articles/s and ratios);
- the known-URL lookup of a listing page of 50 URLs (µs, median);
- story lookups (`StoryIndex.assign`) against a small and a large story index (cost ratio);
- the loader (`newsmon load`'s `load_paths`) into MongoDB (documents/s).

SecantusDB's Python server is slower than mongod (by its own figures 2-27x per operation), so
on it these are lower bounds for mongod; mongomock's figures (bench_store) are no MongoDB's.
On SecantusDB the large story index is not 100,000 stories: building 2,000 there takes some 6 s
(sketches included), so 100,000 would take about 5 minutes of `make bench`; it is 2,000 stories
there, 100,000 on a mongod. The filler stories are bulk-inserted as index documents (one per band
key, `insert_many` in large chunks) rather than story by story through `add_stories`; the lookups
read the index through the store as a crawl does.
"""
from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bench.bench_loader import load_in_subprocess, write_documents
from bench.bench_store import BATCH_SIZE, bulk_rate, generate_articles, insert_one_rate, per_item_rate
from bench.bench_stories import (
    SEED,
    START,
    article,
    edited_copy,
    filler_stories,
    index_stories,
    look_up,
    sketch_all,
)
from newsmon.replay.synthetic import pseudo_words, synthetic_text
from newsmon.store import RememberedUrl
from newsmon.store.mongo import MongoStore
from newsmon.stories import StoryParams, article_sketch
from tests.mongo_server import SecantusServer
from tests.store_backends import database_of_its_own, real_mongo_uri, with_database

LOWER_BOUND = "SecantusDB, 2-27x slower than mongod by its own figures: lower bounds for mongod"
LISTING_PAGE = 50
LOOKUP_REPEATS = 100
STORY_TARGET_RATIO = 2.0
INSERT_CHUNK = 5_000


class BenchServer(NamedTuple):
    uri: str
    what: str  # what the server is, for the report
    pid: int | None  # the server's process when it was started here, for its CPU time


@contextmanager
def bench_server() -> Iterator[BenchServer]:
    """A server to write to: the one $NEWSMON_TEST_MONGO_URI names, or SecantusDB started here."""
    if given := real_mongo_uri():
        yield BenchServer(given, "the server of $NEWSMON_TEST_MONGO_URI", None)
        return
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-mongo-") as folder, SecantusServer(Path(folder)) as server:
        assert server.process is not None
        yield BenchServer(server.uri("newsmon_bench"), LOWER_BOUND, server.process.pid)


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def fresh_store(uri: str) -> Iterator[MongoStore]:
    """A store on a database of its own, dropped afterwards."""
    with database_of_its_own(uri) as client:
        yield MongoStore(uri, client=client)


def writes(uri: str, bulk_count: int, item_count: int) -> dict[str, float]:
    rates = {}
    for label, rate, count in (("bulk", bulk_rate, bulk_count), ("per-item", per_item_rate, item_count),
                               ("insert_one", insert_one_rate, item_count)):  # fmt: skip
        with fresh_store(uri) as store:
            rates[label] = rate(store, generate_articles(count))
    return rates


def known_url_lookups(uri: str, stored_count: int) -> dict[str, float]:
    """Median µs of `known_urls` for listing pages of stored, mixed and new URLs."""
    articles = generate_articles(stored_count)
    gone = [f"https://apa.az/en/gone/{n}" for n in range(stored_count // 2)]
    new = [f"https://apa.az/en/new/{n}" for n in range(LISTING_PAGE)]
    stored = [a.url for a in articles]
    pages = {
        "stored": stored[-LISTING_PAGE:],
        "mixed": stored[: LISTING_PAGE * 3 // 5] + gone[: LISTING_PAGE // 5] + new[: LISTING_PAGE // 5],
        "new": new,
    }
    with fresh_store(uri) as store:
        for start in range(0, len(articles), BATCH_SIZE):
            store.upsert_many(articles[start : start + BATCH_SIZE])
        store.remember_urls(RememberedUrl(url, "http_404") for url in gone)
        medians = {}
        for name, page in pages.items():
            times = []
            for _ in range(LOOKUP_REPEATS):
                started = time.perf_counter()
                store.known_urls(page)
                times.append(time.perf_counter() - started)
            medians[name] = statistics.median(times) * 1e6
    return medians


def story_lookups(uri: str, sizes: tuple[int, int], query_count: int) -> tuple[list[float], list[float]]:
    """(µs per lookup, seconds to build) for an index of each size (> 100): 100 real texts, then filler."""
    params = StoryParams()
    rng = random.Random(SEED)
    vocabulary = pseudo_words(rng, 5_000)
    originals = [article(synthetic_text(rng, vocabulary), START) for _ in range(100)]
    queries = [article(edited_copy(rng, originals[rng.randrange(len(originals))].body), START) for _ in range(query_count // 2)]
    queries += [article(synthetic_text(rng, vocabulary), START) for _ in range(query_count - len(queries))]
    _, sketches = sketch_all(queries, params)
    costs, build_seconds = [], []
    for size in sizes:
        with fresh_store(uri) as store:
            started = time.perf_counter()
            index_stories(store, [(item.content_hash, article_sketch(item, params)) for item in originals])
            insert_filler(store, filler_stories(np.random.default_rng(SEED), len(originals), size, params))
            build_seconds.append(time.perf_counter() - started)
            look_up(store, params, queries[:20], sketches[:20])  # first reads
            costs.append(statistics.median(look_up(store, params, queries, sketches)[0] for _ in range(3)))
    return costs, build_seconds


def insert_filler(store: MongoStore, stories: Iterator) -> None:
    """The index documents `add_stories` would write, bulk-inserted (the collections start empty)."""
    store.count()  # the store's indexes first, as its first operation makes them
    sketches, bands = [], {}
    for story_id, sketch in stories:
        sketches.append({"_id": story_id, "sketch": sketch.to_bytes()})
        for key in sketch.index_keys:
            bands.setdefault(key, []).append(story_id)
    band_documents = [{"_id": key, "stories": ids} for key, ids in bands.items()]
    for collection, documents in ((store.sketches, sketches), (store.bands, band_documents)):
        for start in range(0, len(documents), INSERT_CHUNK):
            collection.insert_many(documents[start : start + INSERT_CHUNK], ordered=False)


def loader(uri: str, count: int) -> float:
    with tempfile.TemporaryDirectory() as folder, database_of_its_own(uri) as client:
        write_documents(Path(folder), count)
        database_uri = with_database(uri, client.get_default_database().name)
        done = load_in_subprocess(Path(folder), database_uri, os.cpu_count() or 1)
    return done["stored"] / done["seconds"]


def run(quick: bool = False) -> list[str]:
    on_mongod = bool(real_mongo_uri())
    # Sized for SecantusDB, where a full run takes some five minutes.
    if quick:
        bulk_count, item_count, stored_count, story_sizes, queries, documents = 500, 100, 500, (150, 600), 40, 60
    else:
        bulk_count, item_count, stored_count, queries, documents = 5_000, 1_000, 5_000, 200, 500
        story_sizes = (1_000, 100_000) if on_mongod else (500, 2_000)
    with bench_server() as server:
        uri = server.uri
        rates = writes(uri, bulk_count, item_count)
        lookups = known_url_lookups(uri, stored_count)
        costs, built = story_lookups(uri, story_sizes, queries)
        loaded = loader(uri, documents)
    bulk = rates["bulk"]
    ratio = costs[1] / costs[0]
    verdict = "ok" if ratio <= STORY_TARGET_RATIO else "MISSED"
    return [
        f"mongodb: bulk {bulk:,.0f}/s ({bulk_count:,} articles in batches of {BATCH_SIZE}) vs per-item"
        f" {rates['per-item']:,.0f}/s = {bulk / rates['per-item']:.1f}x, vs insert_one {rates['insert_one']:,.0f}/s"
        f" = {bulk / rates['insert_one']:.1f}x ({server.what})",
        f"mongodb: known_urls of a listing page of {LISTING_PAGE} URLs ({stored_count:,} stored): median"
        + ", ".join(f" {lookups[kind]:,.0f} µs {kind}" for kind in ("stored", "mixed", "new")),
        f"mongodb: story lookup {costs[0]:,.0f} µs at {story_sizes[0]:,} stories, {costs[1]:,.0f} µs at"
        f" {story_sizes[1]:,} (built in {built[0]:.0f} s and {built[1]:.0f} s): {ratio:.2f}x"
        f" (target ≤{STORY_TARGET_RATIO:.0f}x: {verdict})",
        f"mongodb: loader {documents:,} documents: {loaded:,.0f} docs/s",
    ]


if __name__ == "__main__":
    import sys

    print("\n".join(run(quick="--quick" in sys.argv)))
