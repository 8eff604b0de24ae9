"""Stories: precision and recall on the labelled sets, and lookup cost at 1,000 vs 100,000 stories.

Quality: every labelled pair goes through `StoryIndex` on a fresh SQLite store (the earlier
article stored and indexed, the later one looked up), as the story step does. The events of
tests/fixtures/stories/events.jsonl are reported per split: `tune` is what the thresholds were
chosen on, `heldout` was never looked at while choosing. pairs.jsonl (near-copies and
same-topic news of one language) is reported whole: it set the thresholds of the matcher before.
Precision of a kind counts the labelled pairs of every kind the matcher joined under that kind.

Cost: both stores are built in one run; the same articles (half of them edited copies of indexed
ones, half new) are then looked up in each, in alternating rounds. Most indexed stories are
filler: random signatures and figures at random times over a year, written in bulk through the
store API (`add_stories`), keys included, which is what unrelated articles look like to the
index, and far faster to make than sketching 100,000 texts. The sketch (`prepare`, in worker
processes when loading) and the lookup (`assign` with the sketch given) are timed apart.
"""
from __future__ import annotations

import itertools
import json
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from newsmon.fingerprint import content_hash
from newsmon.items import Article
from newsmon.replay.synthetic import pseudo_words, synthetic_text
from newsmon.store.base import INSERTED
from newsmon.store.sqlite import SQLiteStore
from newsmon.stories import COPY, REWRITE, TRANSLATION, Sketch, StoryIndex, StoryLookup, StoryParams, article_sketch
from newsmon.stories.sketch import with_keys
from newsmon.text import clean_body, clean_title

FIXTURES = Path(__file__).parents[1] / "tests/fixtures/stories"
SIZES = (1_000, 100_000)
QUICK_SIZES = (1_000, 20_000)
QUERIES = 1_000
QUICK_QUERIES = 400
INDEXED_TEXTS = 200  # real texts among the indexed stories; the queries' copies are of these
BATCH_SIZE = 500  # the story step's pending state is cleared at every flush of this many
FILL_CHUNK = 25_000  # stories per bulk write
FILL_DAYS = 365  # filler stories are published over a year: a window holds a realistic share
MEMORY_SAMPLE = 200
ROUNDS = 3
TARGET_RATIO = 2.0
TARGETS = {REWRITE: (0.9, 0.98), TRANSLATION: (0.8, 0.98)}  # recall, precision
KIND_NAMES = {COPY: "near-copies", REWRITE: "rewrites", TRANSLATION: "translations"}
SEED = 20260312
START = datetime(2026, 3, 1, tzinfo=timezone.utc)


# -- quality on the labelled sets --------------------------------------------------------------


def labelled(doc: dict, lang: str, published: datetime | None, outlet: str = "") -> Article:
    title, body = clean_title(doc["title"]), clean_body(doc["body"])
    return Article(title=title, body=body, lang=lang, outlet=outlet, published_at=published, content_hash=content_hash(title, body))


def event_pairs(event: dict) -> Iterator[tuple[str, Article, Article]]:
    """(kind, earlier, later): same-language texts of the event are rewrites, others translations;
    the other event's texts translate each other and tell nothing of this event ("different")."""
    docs = event["texts"]

    def ordered(a: str, b: str) -> list[Article]:  # fresh articles: the index sets their story ids
        texts = [labelled(docs[name], name[:2], datetime.fromisoformat(docs[name]["published"]), docs[name]["outlet"]) for name in (a, b)]
        return sorted(texts, key=lambda text: text.published_at)

    told = [name for name in docs if not name.endswith("_other")]
    other = [name for name in docs if name.endswith("_other")]
    for a, b in [*itertools.combinations(told, 2), *itertools.combinations(other, 2)]:
        yield (REWRITE if a[:2] == b[:2] else TRANSLATION), *ordered(a, b)
    for a in told:
        for b in other:
            yield "different", *ordered(a, b)


def near_copy_pairs(pairs: list[dict]) -> Iterator[tuple[str, Article, Article]]:
    for pair in pairs:
        kind = COPY if pair["label"] == "copy" else "different"
        yield kind, labelled(pair["a"], pair["lang"], START), labelled(pair["b"], pair["lang"], START + timedelta(hours=1))


def match_kind(earlier: Article, later: Article, store: SQLiteStore, params: StoryParams) -> str:
    """How `later` joined `earlier`'s story ("" when it founded its own)."""
    index = StoryIndex(store, params)
    index.assign(earlier)
    index.commit([earlier], [INSERTED])
    index.assign(later)
    return later.story_match if later.story_id == earlier.story_id else ""


def quality(name: str, pairs: list[tuple[str, Article, Article]], params: StoryParams, folder: Path) -> list[str]:
    """Per kind: recall (pairs of the kind that joined), precision (joins under its label that are
    pairs of the kind; a rewrite labelled copy counts as a same-language join) and false merges."""
    outcomes: list[tuple[str, str]] = []
    for number, (kind, earlier, later) in enumerate(pairs):
        with SQLiteStore(f"sqlite:///{folder / f'{name}-{number}.db'}") as store:
            outcomes.append((kind, match_kind(earlier, later, store, params)))
    same_language = {COPY, REWRITE}
    lines = []
    for kind in (COPY, REWRITE, TRANSLATION):
        accepts = same_language if kind in same_language else {kind}
        positives = [got for want, got in outcomes if want == kind]
        if not positives:
            continue
        hits = sum(got in accepts for got in positives)
        labelled_as = [want for want, got in outcomes if got in accepts and (got == kind or kind in same_language)]
        precision = sum(want in accepts for want in labelled_as) / len(labelled_as) if labelled_as else 1.0
        recall = hits / len(positives)
        verdict = ""
        if kind in TARGETS and name.endswith("heldout"):
            want_recall, want_precision = TARGETS[kind]
            verdict = f" (target recall ≥{want_recall} at precision ≥{want_precision}: {'ok' if recall >= want_recall and precision >= want_precision else 'MISSED'})"
        lines.append(f"stories: {name}: {KIND_NAMES[kind]} recall {recall:.3f} ({hits}/{len(positives)}), precision {precision:.3f}{verdict}")
    negatives = [got for want, got in outcomes if want == "different"]
    merged = sum(bool(got) for got in negatives)
    lines.append(f"stories: {name}: other events merged {merged}/{len(negatives)}" + (" (target 0: ok)" if not merged else " (target 0: MISSED)"))
    return lines


def run_quality(params: StoryParams, folder: Path) -> list[str]:
    events = [json.loads(line) for line in (FIXTURES / "events.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = [json.loads(line) for line in (FIXTURES / "pairs.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = quality("pairs.jsonl", list(near_copy_pairs(pairs)), params, folder)
    for split in ("tune", "heldout"):
        split_pairs = [pair for event in events if event["split"] == split for pair in event_pairs(event)]
        lines += quality(f"events {split}", split_pairs, params, folder)
    return lines


# -- lookup cost ---------------------------------------------------------------------------


def edited_copy(rng: random.Random, text: str) -> str:
    """A rewrite: one sentence dropped, an agency intro added."""
    sentences = text.split(". ")
    del sentences[rng.randrange(len(sentences))]
    return "Bakı. Trend: " + ". ".join(sentences)


def article(text: str, published: datetime) -> Article:
    return Article(body=text, lang="az", published_at=published, content_hash=content_hash("", text))


def filler_stories(rng: np.random.Generator, start: int, stop: int, params: StoryParams) -> Iterator[tuple[str, Sketch]]:
    signatures = rng.integers(0, 2**32 - 1, size=(stop - start, params.num_perm), dtype=np.uint32)
    minutes = rng.integers(0, FILL_DAYS * 24 * 60, size=stop - start) + int(START.timestamp() // 60)
    numbers = rng.integers(0, 100_000, size=(stop - start, 6))
    for number, signature, published, figures in zip(range(start, stop), signatures, minutes, numbers):
        sketch = Sketch(signature, frozenset(map(str, figures)), {}, "az", "", int(published))
        yield f"{number:032x}", with_keys(sketch, params)


def index_stories(store: StoryLookup, stories: list[tuple[str, Sketch]]) -> None:
    store.add_stories((story_id, sketch.to_bytes(), sketch.index_keys) for story_id, sketch in stories)


def grow_index(store: SQLiteStore, params: StoryParams, rng: np.random.Generator, start: int, stop: int) -> None:
    for chunk_start in range(start, stop, FILL_CHUNK):
        index_stories(store, list(filler_stories(rng, chunk_start, min(chunk_start + FILL_CHUNK, stop), params)))


def sketch_all(articles: list[Article], params: StoryParams) -> tuple[float, list[Sketch]]:
    """µs per article of the story step's `prepare`, and the sketches."""
    started = time.perf_counter()
    sketches = [article_sketch(item, params) for item in articles]
    return (time.perf_counter() - started) / len(articles) * 1e6, sketches


def look_up(store: SQLiteStore, params: StoryParams, articles: list[Article], sketches: list[Sketch]) -> tuple[float, list[str]]:
    """µs per article of `StoryIndex.assign` given the sketch, and the story ids it gave."""
    index = StoryIndex(store, params)
    started = time.perf_counter()
    for number, (item, sketch) in enumerate(zip(articles, sketches), start=1):
        item.story_id = ""
        index.assign(item, sketch)
        if number % BATCH_SIZE == 0:
            index.commit([], [])  # a flush: nothing written here, the pending state is dropped
    per_item_us = (time.perf_counter() - started) / len(articles) * 1e6
    return per_item_us, [item.story_id for item in articles]


def peak_lookup_heap(store: SQLiteStore, params: StoryParams, articles: list[Article], sketches: list[Sketch]) -> int:
    tracemalloc.start()
    look_up(store, params, articles, sketches)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def build_store(path: Path, size: int, params: StoryParams, originals: list[Article]) -> tuple[SQLiteStore, float]:
    """A story index of `size` stories: the real texts, then filler; returns it and the seconds it took."""
    started = time.perf_counter()
    store = SQLiteStore(f"sqlite:///{path}")
    index_stories(store, [(item.content_hash, article_sketch(item, params)) for item in originals])
    grow_index(store, params, np.random.default_rng(SEED), len(originals), size)
    return store, time.perf_counter() - started


def run_cost(quick: bool, params: StoryParams, folder: Path) -> list[str]:
    sizes = QUICK_SIZES if quick else SIZES
    query_count = QUICK_QUERIES if quick else QUERIES
    rng = random.Random(SEED)
    vocabulary = pseudo_words(rng, 5_000)
    times = [START + timedelta(minutes=rng.randrange(FILL_DAYS * 24 * 60)) for _ in range(INDEXED_TEXTS)]
    originals = [article(synthetic_text(rng, vocabulary), when) for when in times]
    copied = [rng.randrange(INDEXED_TEXTS) for _ in range(query_count // 2)]
    queries = [article(edited_copy(rng, originals[i].body), times[i] + timedelta(hours=1)) for i in copied]
    queries += [article(synthetic_text(rng, vocabulary), START + timedelta(days=rng.randrange(FILL_DAYS))) for _ in range(query_count - len(queries))]
    expected = [originals[i].content_hash for i in copied]
    prepare_us, sketches = sketch_all(queries, params)

    lines: list[str] = [f"stories: sketch (prepare) {prepare_us:.0f} µs per article"]
    built = [build_store(folder / f"{size}.db", size, params, originals) for size in sizes]
    stores = [store for store, _ in built]
    look_up(stores[0], params, queries[:20], sketches[:20])  # imports, first reads
    # Rounds alternate between the sizes so that a busy machine slows both alike.
    timings: list[list[float]] = [[] for _ in sizes]
    found = [0 for _ in sizes]
    for _ in range(ROUNDS):
        for n, store in enumerate(stores):
            per_item_us, story_ids = look_up(store, params, queries, sketches)
            timings[n].append(per_item_us)
            found[n] = sum(story_id == want for story_id, want in zip(story_ids, expected))
    costs = [statistics.median(timing) for timing in timings]
    for size, (store, fill_s), cost, copies_found in zip(sizes, built, costs, found):
        peak = peak_lookup_heap(store, params, queries[:MEMORY_SAMPLE], sketches[:MEMORY_SAMPLE])
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


def run(quick: bool = False) -> list[str]:
    params = StoryParams()
    with tempfile.TemporaryDirectory() as tmp:
        return run_quality(params, Path(tmp)) + run_cost(quick, params, Path(tmp))


if __name__ == "__main__":
    import sys

    print("\n".join(run(quick="--quick" in sys.argv)))
