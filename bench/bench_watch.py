"""Watchlist matching per article at 1, 100 and 1,000 watchlists, and the Parquet export rate.

Matching: the replay corpus's articles (az, en, ru; newsmon.replay) against watchlists of two
terms drawn from the corpus's own words (so that some match, as real ones do) and from names
that never occur. `indexed` is newsmon.watch.Matcher, which checks only the watchlists filed
under a word of the article; `each` tries every watchlist on every article, in the same run, to
show what the index saves. Folding and tokenizing the article (the same for any number of
watchlists) is timed apart, as `prepare`. Medians of per-article times over the corpus, five runs.
Target: matching at 1,000 watchlists far below 1,000x the cost at one.

Parquet: a SQLite store of synthetic articles of APA's usual length (bench_store's), exported
the way `newsmon export --format parquet` does it, against JSON lines in the same run; best of three.

    python -m bench.bench_watch [--quick]
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from bench.bench_store import generate_articles
from newsmon.commands.export import exporter_for
from newsmon.replay.site import CORPUS, plain_text
from newsmon.store.sqlite import SQLiteStore
from newsmon.watch import ArticleText, Matcher, Watchlist

T = TypeVar("T")

WATCHLIST_COUNTS = (1, 100, 1000)
RUNS = 5
TARGET_RATIO = 100  # far below 1000x: a tenth of it at most
PARQUET_ARTICLES, PARQUET_ARTICLES_QUICK = 100_000, 5_000


def corpus_articles() -> list[dict[str, str]]:
    return [
        {"title": story.title, "body": "\n\n".join(plain_text(p) for p in story.paragraphs), "lang": lang}
        for lang, stories in CORPUS.items()
        for story in stories
    ]


def make_watchlists(count: int, vocabulary: Sequence[str], seed: int = 14) -> list[Watchlist]:
    """Two terms each: a corpus word and, for half of them, a name no article has."""
    rng = random.Random(seed)
    return [
        Watchlist(f"w{n}", (rng.choice(vocabulary), rng.choice(vocabulary) if n % 2 else f"Nobody{n}"))
        for n in range(count)
    ]


def per_article_median(articles: Sequence[T], work: Callable[[T], object]) -> float:
    """Median over RUNS of the mean time of `work` per article, in microseconds."""
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for article in articles:
            work(article)
        runs.append((time.perf_counter() - started) / len(articles) * 1e6)
    return statistics.median(runs)


def each(watchlists: Sequence[Watchlist]) -> Callable[[ArticleText], list[Watchlist]]:
    """Every watchlist tried on its own: the obvious matcher, for comparison."""
    matchers = [Matcher.of([w]) for w in watchlists]
    return lambda text: [w for m in matchers for w in m.match(text)]


def matching_lines() -> list[str]:
    articles = corpus_articles()
    texts = [ArticleText.of(**article) for article in articles]
    vocabulary = sorted({t for text in texts for t in text.words if len(t) > 3})
    prepare = per_article_median(articles, lambda article: ArticleText.of(**article))
    indexed, naive, matched = {}, {}, {}
    for count in WATCHLIST_COUNTS:
        watchlists = make_watchlists(count, vocabulary)
        matcher = Matcher.of(watchlists)
        indexed[count] = per_article_median(texts, matcher.match)
        naive[count] = per_article_median(texts, each(watchlists))
        matched[count] = sum(len(matcher.match(text)) for text in texts) / len(texts)
    ratio = indexed[1000] / indexed[1]
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    lines = [
        f"watch: {len(texts)} corpus articles, prepare (fold + tokenize) {prepare:.1f} µs/article (any number of watchlists)",
    ]
    for count in WATCHLIST_COUNTS:
        lines.append(
            f"watch: {count:>5} watchlists: indexed {indexed[count]:8.1f} µs/article, each-in-turn {naive[count]:9.1f} µs/article"
            f" ({matched[count]:.2f} matches/article)"
        )
    total_ratio = (prepare + indexed[1000]) / (prepare + indexed[1])
    lines.append(
        f"watch: 1000 vs 1 watchlists: indexed {ratio:.1f}x ({total_ratio:.1f}x with prepare),"
        f" each-in-turn {naive[1000] / naive[1]:.0f}x; at 1000 the index is {naive[1000] / indexed[1000]:.0f}x"
        f" faster than each-in-turn (target ≤{TARGET_RATIO}x: {verdict})"
    )
    return lines


def parquet_lines(count: int) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(f"sqlite:///{folder}/bench.db")
        started = time.perf_counter()
        for start in range(0, count, 5000):
            store.upsert_many(generate_articles(min(5000, count - start), start))
        built = time.perf_counter() - started
        rates = {}
        for name in ("parquet", "jsonl"):
            best = 0.0
            for _ in range(3):
                stream = io.BytesIO()
                started = time.perf_counter()
                exporter = exporter_for(name, stream)
                exporter.start_exporting()
                for article in store.query():
                    exporter.export_item(article)
                exporter.finish_exporting()
                best = max(best, count / (time.perf_counter() - started))
            rates[name] = (best, len(stream.getvalue()))
        store.close()
    (parquet, parquet_bytes), (jsonl, jsonl_bytes) = rates["parquet"], rates["jsonl"]
    return [
        f"export: parquet {parquet:,.0f} articles/s ({parquet_bytes / 2**20:.1f} MiB), jsonl {jsonl:,.0f} articles/s"
        f" ({jsonl_bytes / 2**20:.1f} MiB), from a SQLite store of {count:,} articles (built in {built:.0f} s)"
    ]


def run(quick: bool = False) -> list[str]:
    return [*matching_lines(), *parquet_lines(PARQUET_ARTICLES_QUICK if quick else PARQUET_ARTICLES)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=f"a store of {PARQUET_ARTICLES_QUICK:,} articles for the export")
    for line in run(quick=parser.parse_args(argv).quick):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
