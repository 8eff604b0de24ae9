"""Story lookup throughput against a persisted SQLite story index of 1,000 and of 100,000 stories.

Both stores are built in one run; the same articles (half of them edited copies of indexed
ones, half new) are then looked up in each with `StoryIndex.assign`, the work the story step
does per article, in alternating rounds. Most indexed stories are filler: random signatures
written in bulk through the store API (`add_stories`), bands included, which is what
unrelated articles look like to the index, and far faster to make than hashing 100,000 texts.
"""
from __future__ import annotations

import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from newsmon.fingerprint import content_hash
from newsmon.items import Article
from newsmon.store.sqlite import SQLiteStore
from newsmon.stories import Sketch, StoryIndex, StoryParams, band_keys, make_sketch

SIZES = (1_000, 100_000)
QUICK_SIZES = (1_000, 20_000)
QUERIES = 1_000
QUICK_QUERIES = 400
INDEXED_TEXTS = 200  # real texts among the indexed stories; the queries' copies are of these
BATCH_SIZE = 500  # the story step's pending state is cleared at every flush of this many
FILL_CHUNK = 25_000  # stories per bulk write
MEMORY_SAMPLE = 200
ROUNDS = 3
TARGET_RATIO = 2.0
SEED = 20260312


def pseudo_words(rng: random.Random, count: int) -> list[str]:
    syllables = ["ba", "ka", "la", "ma", "na", "ra", "sa", "ta", "və", "də", "lı", "rı", "ov", "an", "ər", "iz", "ul", "ək"]
    return ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(count)]


def synthetic_text(rng: random.Random, vocabulary: list[str]) -> str:
    """Four to six paragraphs of two to four sentences, word frequencies roughly Zipfian."""
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

    def sentence() -> str:
        return " ".join(rng.choices(vocabulary, weights, k=rng.randint(8, 20))).capitalize() + "."

    return "\n\n".join(" ".join(sentence() for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(4, 6)))


def edited_copy(rng: random.Random, text: str) -> str:
    """A rewrite: one sentence dropped, an agency intro added."""
    sentences = text.split(". ")
    del sentences[rng.randrange(len(sentences))]
    return "Bakı. Trend: " + ". ".join(sentences)


def article(text: str) -> Article:
    return Article(body=text, content_hash=content_hash("", text))


def filler_stories(rng: np.random.Generator, start: int, stop: int, params: StoryParams) -> Iterator[tuple[str, Sketch]]:
    signatures = rng.integers(0, 2**32 - 1, size=(stop - start, params.num_perm), dtype=np.uint32)
    for number, signature in zip(range(start, stop), signatures):
        keys = band_keys(Sketch(signature, frozenset()), params)
        yield f"{number:032x}", Sketch(signature, frozenset(), tuple(keys))


def index_stories(store: SQLiteStore, stories: list[tuple[str, Sketch]]) -> None:
    store.add_stories((story_id, sketch.to_bytes(), sketch.keys) for story_id, sketch in stories)


def grow_index(store: SQLiteStore, params: StoryParams, rng: np.random.Generator, start: int, stop: int) -> None:
    for chunk_start in range(start, stop, FILL_CHUNK):
        index_stories(store, list(filler_stories(rng, chunk_start, min(chunk_start + FILL_CHUNK, stop), params)))


def look_up(store: SQLiteStore, params: StoryParams, texts: list[str]) -> tuple[float, list[str]]:
    """µs per article of `StoryIndex.assign` over `texts`, and the story ids it gave."""
    articles = [article(text) for text in texts]
    index = StoryIndex(store, params)
    started = time.perf_counter()
    for number, item in enumerate(articles, start=1):
        index.assign(item)
        if number % BATCH_SIZE == 0:
            index.commit([], [])  # a flush: nothing written here, the pending state is dropped
    per_item_us = (time.perf_counter() - started) / len(articles) * 1e6
    return per_item_us, [item.story_id for item in articles]


def peak_lookup_heap(store: SQLiteStore, params: StoryParams, texts: list[str]) -> int:
    tracemalloc.start()
    look_up(store, params, texts)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def build_store(path: Path, size: int, params: StoryParams, originals: list[str]) -> tuple[SQLiteStore, float]:
    """A story index of `size` stories: the real texts, then filler; returns it and the seconds it took."""
    started = time.perf_counter()
    store = SQLiteStore(f"sqlite:///{path}")
    index_stories(store, [(content_hash("", text), make_sketch(text, params)) for text in originals])
    grow_index(store, params, np.random.default_rng(SEED), len(originals), size)
    return store, time.perf_counter() - started


def run(quick: bool = False) -> list[str]:
    sizes = QUICK_SIZES if quick else SIZES
    query_count = QUICK_QUERIES if quick else QUERIES
    params = StoryParams()
    rng = random.Random(SEED)
    vocabulary = pseudo_words(rng, 5_000)
    originals = [synthetic_text(rng, vocabulary) for _ in range(INDEXED_TEXTS)]
    copied = [rng.randrange(INDEXED_TEXTS) for _ in range(query_count // 2)]
    queries = [edited_copy(rng, originals[i]) for i in copied]
    queries += [synthetic_text(rng, vocabulary) for _ in range(query_count - len(queries))]
    expected = [content_hash("", originals[i]) for i in copied]

    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        built = [build_store(Path(tmp) / f"{size}.db", size, params, originals) for size in sizes]
        stores = [store for store, _ in built]
        look_up(stores[0], params, queries[:20])  # imports, permutations, first reads
        # Rounds alternate between the sizes so that a busy machine slows both alike.
        timings: list[list[float]] = [[] for _ in sizes]
        found = [0 for _ in sizes]
        for _ in range(ROUNDS):
            for n, store in enumerate(stores):
                per_item_us, story_ids = look_up(store, params, queries)
                timings[n].append(per_item_us)
                found[n] = sum(story_id == want for story_id, want in zip(story_ids, expected))
        costs = [statistics.median(timing) for timing in timings]
        for size, (store, fill_s), cost, copies_found in zip(sizes, built, costs, found):
            peak = peak_lookup_heap(store, params, queries[:MEMORY_SAMPLE])
            lines.append(
                f"stories: {size:>7,} indexed (built in {fill_s:.1f} s): {cost:.0f} µs per lookup,"
                f" {1e6 / cost:,.0f}/s, copies found {copies_found}/{len(copied)},"
                f" peak heap {peak / 1024:.0f} KiB over {MEMORY_SAMPLE} lookups"
            )
            store.close()
    ratio = costs[-1] / costs[0]
    verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(
        f"stories: cost at {sizes[-1]:,} / cost at {sizes[0]:,} = {ratio:.2f}x (target ≤{TARGET_RATIO:.0f}x: {verdict}),"
        f" median of {ROUNDS} rounds; max RSS {max_rss_mib:.0f} MiB (mostly the bulk fill)"
    )
    return lines


if __name__ == "__main__":
    import sys

    print("\n".join(run(quick="--quick" in sys.argv)))
