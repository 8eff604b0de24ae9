"""Near-duplicate stories and exact duplicates across runs, processes and sources.

The labelled pairs in fixtures/stories/pairs.jsonl measure precision and recall; the chain
tests run the real Chain on a real SQLite store in tmp_path.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from newsmon.chain import Chain, Rejected
from newsmon.fingerprint import content_hash
from newsmon.items import Article, to_record
from newsmon.store import StoreError
from newsmon.store.base import DUPLICATE, INSERTED
from newsmon.store.sqlite import SQLiteStore
from newsmon.stories import (
    Sketch,
    StoryIndex,
    StoryParams,
    band_keys,
    figure_overlap,
    figures,
    make_sketch,
    shingles,
)
from newsmon.text import clean_body, clean_title

PAIRS_FILE = Path(__file__).parent / "fixtures/stories/pairs.jsonl"
PAIRS = [json.loads(line) for line in PAIRS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
PAIRS_BY_ID = {pair["id"]: pair for pair in PAIRS}
PARAMS = StoryParams()
PUBLISHED = datetime(2026, 3, 12, 8, 0, tzinfo=timezone.utc)


def stored_form(doc: dict, **fields) -> Article:
    """A fixture text as the chain hands it to the story step: cleaned, fingerprinted."""
    title, body = clean_title(doc["title"]), clean_body(doc["body"])
    return Article(title=title, body=body, content_hash=content_hash(title, body), **fields)


def raw_article(doc: dict, url: str = "", **fields) -> Article:
    """A fixture text as a spider or loader yields it, before the chain."""
    fields = {"site": "apa.az", "lang": "az", "published_at": PUBLISHED, "source": "crawl" if url else "file", **fields}
    return Article(url=url, title=doc["title"], body=doc["body"], **fields)


def store_at(path: Path) -> SQLiteStore:
    return SQLiteStore(f"sqlite:///{path}")


def chain_for(store: SQLiteStore, tmp_path: Path, batch_size: int = 500) -> Chain:
    settings = {"NEWSMON_BATCH_SIZE": batch_size, "NEWSMON_SPOOL_DIR": str(tmp_path / "spool")}
    return Chain(settings, store)


def pair_docs(pair_id: str) -> tuple[dict, dict]:
    pair = PAIRS_BY_ID[pair_id]
    return pair["a"], pair["b"]


# -- pure helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size", "expected"),
    [
        ("Bakı, APA. Xəbər verir!", 2, {"baki apa", "apa xəbər", "xəbər verir"}),  # ı/İ folded as in fingerprints
        ("İlham ƏLİYEV\r\nqəbul   edib", 3, {"ilham əliyev qəbul", "əliyev qəbul edib"}),
        ("two words", 3, {"two words"}),
        ("«—»", 3, set()),
        ("", 1, set()),
    ],
)
def test_shingles(text, size, expected):
    assert shingles(text, size) == {shingle.encode("utf-8") for shingle in expected}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 ABŞ dolları 1,7 manat", {"1", "1.7"}),
        ("1 US dollar is 1.7 manat", {"1", "1.7"}),
        ("saat 03:17-də", {"3", "17"}),
        ("$3,184.60 per ounce", {"3.184.60"}),
        ("maddə 178.3.2, 2024-2025-ci illər", {"178.3.2", "2024", "2025"}),
        ("0 victims, 00 injured", {"0"}),
        ("no figures here", set()),
    ],
)
def test_figures(text, expected):
    assert figures(text) == frozenset(expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({1, 2, 3}, {1, 2, 3}, 1.0),
        ({1, 2, 3}, {1, 2, 3, 4, 5}, 1.0),  # a copy with an added sentence
        ({1, 2, 3, 4}, {1, 2, 5, 6}, 0.5),  # the next day's rates
        (set(), {1, 2}, 1.0),  # nothing to contradict
        ({1}, {2}, 0.0),
    ],
)
def test_figure_overlap(a, b, expected):
    assert figure_overlap(frozenset(a), frozenset(b)) == expected


def test_sketch_round_trips_through_bytes():
    sketch = make_sketch("Azərbaycan Mərkəzi Bankı 13 mart üçün 1,7 manat məzənnəsini açıqlayıb.", PARAMS)
    again = Sketch.from_bytes(sketch.to_bytes())
    assert np.array_equal(again.signature, sketch.signature) and again.figures == sketch.figures
    assert len(sketch.to_bytes()) == 8 + 4 * PARAMS.num_perm + 4 * len(sketch.figures)


def test_band_keys_are_stable_and_specific_to_the_lsh_shape():
    text = clean_body(PAIRS[0]["a"]["body"])
    keys = band_keys(make_sketch(text, PARAMS), PARAMS)
    assert len(keys) == len(set(keys)) == PARAMS.bands
    assert keys == band_keys(make_sketch(text, StoryParams()), StoryParams())
    other_shape = StoryParams(bands=16)
    assert not set(keys) & set(band_keys(make_sketch(text, other_shape), other_shape))
    assert band_keys(make_sketch("…", PARAMS), PARAMS) == []


def test_params_from_settings():
    params = StoryParams.from_settings({"NEWSMON_STORY_THRESHOLD": "0.6", "NEWSMON_STORY_BANDS": 16})
    assert (params.threshold, params.bands, params.rows, params.num_perm) == (0.6, 16, 8, 128)
    assert StoryParams.from_settings({}) == StoryParams()
    with pytest.raises(ValueError, match="must divide"):
        StoryParams(num_perm=128, bands=30)


# -- the labelled pairs -------------------------------------------------------------------


def test_the_labelled_set_is_large_and_balanced():
    assert len(PAIRS) >= 60 and len(PAIRS_BY_ID) == len(PAIRS)
    for lang in ("az", "en", "ru"):
        labels = [pair["label"] for pair in PAIRS if pair["lang"] == lang]
        assert labels.count("copy") >= 10 and labels.count("different") >= 10, lang


def joins_story(pair: dict, store: SQLiteStore, *, flush_between: bool) -> bool:
    """Whether the pair's second text gets the first one's story, stored or still in the batch."""
    index = StoryIndex(store, PARAMS)
    first, second = stored_form(pair["a"]), stored_form(pair["b"])
    index.assign(first)
    if flush_between:
        index.commit([first], [INSERTED])
    index.assign(second)
    return second.story_id == first.story_id


def test_precision_and_recall_on_labelled_pairs(tmp_path):
    predicted = {pair["id"]: joins_story(pair, store_at(tmp_path / f"{n}.db"), flush_between=True) for n, pair in enumerate(PAIRS)}
    copies = {pair["id"] for pair in PAIRS if pair["label"] == "copy"}
    joined = {pair_id for pair_id, same in predicted.items() if same}
    precision = len(joined & copies) / len(joined) if joined else 0.0
    recall = len(joined & copies) / len(copies)
    print(f"\nstories: precision {precision:.3f}, recall {recall:.3f} on {len(PAIRS)} pairs ({len(copies)} copies)")
    for pair_id in sorted(copies - joined):
        print(f"  missed copy: {pair_id} ({PAIRS_BY_ID[pair_id]['edit']})")
    for pair_id in sorted(joined - copies):
        print(f"  false join: {pair_id} ({PAIRS_BY_ID[pair_id]['edit']})")
    assert precision >= 0.95, f"precision {precision:.3f}"
    assert recall >= 0.9, f"recall {recall:.3f}"


def test_copies_within_one_unflushed_batch_match_as_stored_ones_do(tmp_path):
    for n, pair in enumerate(PAIRS):
        stored = joins_story(pair, store_at(tmp_path / f"stored-{n}.db"), flush_between=True)
        pending = joins_story(pair, store_at(tmp_path / f"pending-{n}.db"), flush_between=False)
        assert stored == pending, pair["id"]


# -- story assignment through the chain and the SQLite store -------------------------------

ORIGINAL, COPY = pair_docs("az-quake-samaxi/copy")
_, OTHER_QUAKE = pair_docs("az-quake-samaxi/other")


def test_stories_persist_across_runs(tmp_path):
    path = tmp_path / "newsmon.db"
    with store_at(path) as store:
        chain = chain_for(store, tmp_path)
        original = chain.process(raw_article(ORIGINAL, "https://apa.az/hadise/samaxida-zelzele-1"))
        chain.close()
        assert chain.stats.values["newsmon/story/new"] == 1
    with store_at(path) as store:  # the next run: a new process state, the same file
        chain = chain_for(store, tmp_path)
        copy = chain.process(raw_article(COPY, "https://az.trend.az/azerbaijan/society/2"))
        other = chain.process(raw_article(OTHER_QUAKE, "https://apa.az/hadise/qebelede-zelzele-3"))
        chain.close()
        assert (chain.stats.values["newsmon/story/joined"], chain.stats.values["newsmon/story/new"]) == (1, 1)
        assert original.story_id == copy.story_id == original.content_hash
        assert other.story_id == other.content_hash != original.story_id
        assert store.summary()["stories"] == [{"story_id": original.story_id, "articles": 2}]


def test_two_store_instances_share_the_index(tmp_path):
    path = tmp_path / "newsmon.db"
    with store_at(path) as first, store_at(path) as second:  # e.g. two crawlers on one file
        crawler_a, crawler_b = chain_for(first, tmp_path / "a"), chain_for(second, tmp_path / "b")
        original = crawler_a.process(raw_article(ORIGINAL, "https://apa.az/hadise/samaxida-zelzele-1"))
        crawler_a.close()
        copy = crawler_b.process(raw_article(COPY, "https://az.trend.az/azerbaijan/society/2"))
        crawler_b.close()
        assert copy.story_id == original.story_id


def test_a_second_process_joins_the_story(tmp_path):
    path = tmp_path / "newsmon.db"
    with store_at(path) as store:
        chain = chain_for(store, tmp_path)
        original = chain.process(raw_article(ORIGINAL, "https://apa.az/hadise/samaxida-zelzele-1"))
        chain.close()
    dump = tmp_path / "copy.jsonl"
    dump.write_text(json.dumps(to_record(raw_article(COPY, "https://az.trend.az/azerbaijan/society/2"))) + "\n", encoding="utf-8")
    loaded = subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "load", str(dump), "--store", f"sqlite:///{path}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ, "NEWSMON_STORE": ""},
    )
    assert loaded.returncode == 0, loaded.stderr
    with store_at(path) as store:
        stored = {a.url: a.story_id for a in store.query()}
    assert stored == {a: original.story_id for a in ("https://apa.az/hadise/samaxida-zelzele-1", "https://az.trend.az/azerbaijan/society/2")}


def test_copies_in_one_batch_share_a_story_indexed_once(tmp_path):
    with store_at(tmp_path / "newsmon.db") as store:
        chain = chain_for(store, tmp_path)
        original = chain.process(raw_article(ORIGINAL, "https://apa.az/hadise/1"))
        copy = chain.process(raw_article(COPY, "https://az.trend.az/2"))
        other = chain.process(raw_article(OTHER_QUAKE, "https://apa.az/hadise/3"))
        assert copy.story_id == original.story_id != other.story_id  # before the flush
        chain.close()
        assert set(store.story_sketches([original.story_id, other.story_id, copy.content_hash])) == {
            original.story_id,
            other.story_id,
        }
        assert (chain.stats.values["newsmon/story/new"], chain.stats.values["newsmon/story/joined"]) == (2, 1)


def test_a_story_whose_first_article_was_a_duplicate_is_indexed_under_its_first_stored_copy(tmp_path):
    with store_at(tmp_path / "newsmon.db") as store:
        index = StoryIndex(store, PARAMS)
        founder, copy = stored_form(ORIGINAL), stored_form(COPY)
        index.assign(founder)
        index.assign(copy)
        # Another process stored the founder's text first: the store turns it away.
        assert index.commit([founder, copy], [DUPLICATE, INSERTED]) == (1, 0)
        assert list(store.story_sketches([founder.story_id])) == [founder.content_hash]
        later = stored_form({"title": "Şamaxıda zəlzələ", "body": COPY["body"] + "\n\nTəkanlar Bakıda da hiss olunub."})
        assert StoryIndex(store, PARAMS).assign(later) == founder.story_id


def test_an_incoming_story_id_is_kept_and_indexed(tmp_path):
    with store_at(tmp_path / "newsmon.db") as store:
        chain = chain_for(store, tmp_path)
        exported = chain.process(raw_article(ORIGINAL, "https://apa.az/hadise/1", story_id="story-from-export"))
        chain.close()
        chain = chain_for(store, tmp_path)
        copy = chain.process(raw_article(COPY, "https://az.trend.az/2"))
        other = chain.process(raw_article(OTHER_QUAKE, "https://apa.az/hadise/3", story_id="story-from-export"))
        chain.close()
        assert exported.story_id == copy.story_id == other.story_id == "story-from-export"
        assert chain.stats.values["newsmon/story/joined"] == 2


def test_an_index_write_failure_keeps_the_articles_and_is_counted(tmp_path, monkeypatch):
    with store_at(tmp_path / "newsmon.db") as store:
        def unavailable(entries):
            raise StoreError("disk full")

        monkeypatch.setattr(store, "add_story_sketches", unavailable)
        chain = chain_for(store, tmp_path)
        chain.process(raw_article(ORIGINAL, "https://apa.az/hadise/1"))
        chain.close()
        assert store.count() == 1
        assert chain.stats.values["newsmon/story/unindexed"] == 1


# -- exact duplicates across sources ------------------------------------------------------


def as_file_dump(doc: dict) -> Article:
    """The same article as a saved file gives it: CRLF line ends, ragged spacing, no URL."""
    body = doc["body"].replace("\n", "\r\n").replace(". ", ".  ")
    return raw_article({"title": f"  {doc['title']} ", "body": body}, source_path="dumps/samaxi.txt")


def as_crawled(doc: dict) -> Article:
    return raw_article(doc, "https://apa.az/hadise/samaxida-zelzele-954015")


@pytest.mark.parametrize("same_run", [True, False], ids=["same-batch", "separate-runs"])
@pytest.mark.parametrize("order", [(as_file_dump, as_crawled), (as_crawled, as_file_dump)], ids=["file-then-crawl", "crawl-then-file"])
def test_the_same_article_from_a_file_and_from_the_web_is_stored_once(tmp_path, order, same_run):
    first, second = (make(ORIGINAL) for make in order)
    with store_at(tmp_path / "newsmon.db") as store:
        chain = chain_for(store, tmp_path)
        stored = chain.process(first)
        if not same_run:
            chain.close()
            chain = chain_for(store, tmp_path)
        if second.url:
            chain.process(second)  # the crawled copy goes on, to give the loaded article its URL
        else:
            with pytest.raises(Rejected) as rejected:
                chain.process(second)
            assert rejected.value.reason == "duplicate"
        chain.close()
        assert second.content_hash == stored.content_hash
        assert [article.url for article in store.query()] == ["https://apa.az/hadise/samaxida-zelzele-954015"]


# -- the commands -------------------------------------------------------------------------


def newsmon(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsmon.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NEWSMON_STORE": ""},
    )


def test_stats_lists_multi_article_stories_and_export_carries_story_ids(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    texts = {
        "1-rates.txt": pair_docs("az-rates-0312/copy")[0],
        "2-rates-oxu.txt": pair_docs("az-rates-0312/copy")[1],
        "3-rates-next-day.txt": pair_docs("az-rates-0312/other")[1],
        "4-quake.txt": ORIGINAL,
        "5-quake-trend.txt": COPY,
        "6-quake-update.txt": {"title": ORIGINAL["title"], "body": ORIGINAL["body"] + "\n\nTəkanlar Bakıda da hiss olunub."},
    }
    for name, doc in texts.items():
        (docs / name).write_text(f"{doc['title']}\n\n# 12 mart 2026 10:51 (UTC +04:00)\n\n{doc['body']}\n", encoding="utf-8")
    store = f"sqlite:///{tmp_path}/store/newsmon.db"
    loaded = newsmon("load", str(docs), "--store", store, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    stats = newsmon("stats", "--store", store, "--json", cwd=tmp_path)
    assert stats.returncode == 0, stats.stderr
    stories = json.loads(stats.stdout)["stories"]
    assert [story["articles"] for story in stories] == [3, 2]  # largest first; singletons left out
    exported = [json.loads(line) for line in newsmon("export", "--store", store, cwd=tmp_path).stdout.splitlines()]
    by_title = {}
    for record in exported:
        by_title.setdefault(record["story_id"], []).append(record["title"])
    assert sorted(len(titles) for titles in by_title.values()) == [1, 2, 3]
    assert stories[0]["story_id"] in by_title and len(by_title[stories[0]["story_id"]]) == 3
    text = newsmon("stats", "--store", store, cwd=tmp_path).stdout
    assert "stories told by several articles" in text and stories[0]["story_id"] in text
