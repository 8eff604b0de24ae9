"""The analyst's desk: search latency on a large store, against a plain scan, and the Now page.

- SQLite: a store of 100,000 synthetic articles (az, en and ru text drawn from the replay
  corpus's real words, Zipf-like), bulk-inserted with `upsert_many` (the FTS table filled in the
  same transactions); `store.search` p50/p95 over a mix of queries (common and rare words, two
  words, Azerbaijani typed with and without its letters, a phrase, filters) against a `LIKE
  '%word%'` scan of the same words, in the same run (target: p95 <= 100 ms).
- MongoDB (SecantusDB started here, or $NEWSMON_TEST_MONGO_URI): the same on a smaller store,
  SecantusDB builds its multikey token index slowly (each article has a few hundred tokens);
  the scan is a `$regex` over title and body. SecantusDB walks the token index for one word
  (an equality or `$in`) but scans the collection for an `$and` of several, so its multi-word
  searches are scans there; a mongod intersects or filters on the index.
- The Now page (`GET /` of the desk app through Starlette's TestClient) on the SQLite store:
  render time, p50/p95.
"""
from __future__ import annotations

import itertools
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from newsmon.fingerprint import content_hash
from newsmon.items import Article
from newsmon.replay.corpus_az import STORIES as AZ_STORIES
from newsmon.replay.corpus_en import STORIES as EN_STORIES
from newsmon.replay.corpus_ru import STORIES as RU_STORIES
from newsmon.store import Store
from newsmon.store.mongo import MongoStore
from newsmon.store.sqlite import SQLiteStore

SEED = 20261201
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
BATCH = 2_000
SQLITE_ARTICLES, SQLITE_ARTICLES_QUICK = 100_000, 5_000
MONGO_ARTICLES, MONGO_ARTICLES_QUICK = 3_000, 500
REPEATS, REPEATS_QUICK = 5, 2
SCAN_REPEATS = 1
TARGET_P95_MS = 100
OUTLETS = {"az": [("apa", "apa.az"), ("oxu", "oxu.az"), ("report", "report.az")],
           "en": [("apa", "en.apa.az"), ("azernews", "azernews.az"), ("trend", "en.trend.az")],
           "ru": [("apa", "ru.apa.az"), ("report", "report.az"), ("trend", "ru.trend.az")]}  # fmt: skip
# (query, filters): what an analyst types, typed in several ways.
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("Əliyev", {}), ("Aliyev", {}), ("prezident", {}), ("neft", {"lang": "az"}), ("Bakı", {}), ("Baki", {}),
    ("gas Europe", {}), ('"Milli Məclis"', {}), ("Президент", {}), ("нефть", {"outlet": "report"}),
    ("azerbaijan", {"lang": "en"}), ("Gəncə", {}),
]  # fmt: skip
WORD = re.compile(r"[^\W\d_]{2,}")


def vocabulary(stories: Sequence) -> list[str]:
    """The replay corpus's words of one language, most frequent first."""
    counts: dict[str, int] = {}
    for story in stories:
        for text in (story.title, *story.paragraphs):
            for word in WORD.findall(text):
                counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], w))


def generate(count: int) -> Iterator[Article]:
    """`count` articles, a third per language: titles of 8 words, bodies of ~5 paragraphs."""
    rng = random.Random(SEED)
    words = {"az": vocabulary(AZ_STORIES), "en": vocabulary(EN_STORIES), "ru": vocabulary(RU_STORIES)}
    cumulative = {lang: list(itertools.accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(vocab))))
                  for lang, vocab in words.items()}  # fmt: skip
    for n in range(count):
        lang = ("az", "en", "ru")[n % 3]
        outlet, site = OUTLETS[lang][n % len(OUTLETS[lang])]

        def text(k: int) -> str:
            return " ".join(rng.choices(words[lang], cum_weights=cumulative[lang], k=k))

        title = f"{text(8).capitalize()} {n}"
        body = "\n\n".join(f"{text(rng.randint(30, 60)).capitalize()}." for _ in range(5))
        yield Article(
            url=f"https://{site}/news/{n}", site=site, outlet=outlet, lang=lang, title=title, body=body,
            published_at=T0 + timedelta(minutes=5 * n), category=("politics", "economy", "society")[n % 3],
            content_hash=content_hash(title, body), story_id=f"s{n // 4}",
        )  # fmt: skip


def fill(store: Store, count: int) -> float:
    """Articles per second of `upsert_many` in batches (generating them is not timed)."""
    articles = generate(count)
    spent = 0.0
    while batch := list(itertools.islice(articles, BATCH)):
        started = time.perf_counter()
        store.upsert_many(batch)
        spent += time.perf_counter() - started
    return count / spent


def timings_ms(operation: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        operation()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def search_timings(store: Store, repeats: int) -> list[float]:
    times: list[float] = []
    for query, filters in QUERIES:
        times += timings_ms(lambda: store.search(query, limit=20, **filters), repeats)
    return times


def scan_words() -> list[str]:
    return [re.sub(r'"', "", query).split()[0] for query, _ in QUERIES]


def sqlite_scan_ms(store: SQLiteStore) -> list[float]:
    """A `LIKE '%word%'` over every stored record, newest 20 (what search is without an index)."""
    sql = "SELECT record FROM articles WHERE record LIKE ? ORDER BY published_at DESC LIMIT 20"
    return [t for word in scan_words() for t in timings_ms(lambda: store._db.execute(sql, (f"%{word}%",)).fetchall(), SCAN_REPEATS)]


def mongo_scan_ms(store: MongoStore) -> list[float]:
    """A case-insensitive `$regex` over title and body, newest 20."""
    def scan(word: str) -> list:
        pattern = {"$regex": re.escape(word), "$options": "i"}
        query = {"$or": [{"title": pattern}, {"body": pattern}]}
        return list(store.articles.find(query, {"search_tokens": 0}, sort=[("published_at", -1)], limit=20))

    return [t for word in scan_words() for t in timings_ms(lambda: scan(word), SCAN_REPEATS)]


def describe(label: str, scan_label: str, search: list[float], scan: list[float], count: int) -> list[str]:
    """Both distributions, and the scan's cost over the search's at the median and at p95 (a scan
    of a common word stops early at the newest 20; of a rare one it reads every article)."""
    return [
        f"desk search {label} ({count:,} articles): p50 {statistics.median(search):.1f} ms, p95 {p95(search):.1f} ms"
        f" over {len(search)} searches",
        f"desk {scan_label} scan, same words: p50 {statistics.median(scan):.1f} ms, p95 {p95(scan):.1f} ms;"
        f" scan/search {statistics.median(scan) / statistics.median(search):.2f}x at p50,"
        f" {p95(scan) / p95(search):.1f}x at p95",
    ]


def now_page_ms(uri: str, repeats: int) -> list[float]:
    from fastapi.testclient import TestClient

    from newsmon.desk import create_app

    with TestClient(create_app(lambda: SQLiteStore(uri))) as client:
        client.get("/")  # templates compiled
        return timings_ms(lambda: client.get("/").raise_for_status(), repeats * 4)


def run(quick: bool = False) -> list[str]:
    from bench.bench_mongo import bench_server, fresh_store

    repeats = REPEATS_QUICK if quick else REPEATS
    lines = []
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-desk-") as folder:
        uri = f"sqlite:///{Path(folder) / 'desk.db'}"
        count = SQLITE_ARTICLES_QUICK if quick else SQLITE_ARTICLES
        with SQLiteStore(uri) as store:
            rate = fill(store, count)
            lines.append(f"desk store fill SQLite: {rate:,.0f} articles/s (upsert_many, FTS kept in step)")
            search = search_timings(store, repeats)
            lines += describe("SQLite FTS5", "LIKE", search, sqlite_scan_ms(store), count)
            verdict = "met" if p95(search) <= TARGET_P95_MS else "MISSED"
            lines.append(f"desk search SQLite target p95 <= {TARGET_P95_MS} ms: {verdict}")
        now = now_page_ms(uri, repeats)
        lines.append(f"desk Now page render (50 articles, {count:,} stored): p50 {statistics.median(now):.1f} ms,"
                     f" p95 {p95(now):.1f} ms")  # fmt: skip
    with bench_server() as server, fresh_store(server.uri) as store:
        count = MONGO_ARTICLES_QUICK if quick else MONGO_ARTICLES
        rate = fill(store, count)
        lines.append(f"desk store fill MongoDB ({server.what}): {rate:,.0f} articles/s")
        lines += describe("MongoDB token index", "$regex", search_timings(store, repeats), mongo_scan_ms(store), count)
    return lines
