"""Failure paths of the store side: no batch lost, no wedged connection, no poison spool file,
one story index rebuild at a time."""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from twisted.internet import defer, task

from newsmon import pipelines
from newsmon.chain import Chain, CounterStats, Rejected, StoreStep
from newsmon.fingerprint import content_hash
from newsmon.cli import main
from newsmon.items import Article, to_record
from newsmon.store import StoreError, StoreUnavailable
from newsmon.store.spool import Spool
from newsmon.store.sqlite import SQLiteStore
from newsmon.stories import StoryParams, ensure_index_format

T0 = datetime(2024, 4, 28, 12, 0, tzinfo=timezone.utc)


def crawled(n: int, body: str | None = None) -> Article:
    return Article(
        url=f"https://apa.az/en/news/{n}", site="en.apa.az", lang="en", title=f"Headline number {n}",
        body=body or f"Text of article {n}.\n\nSecond paragraph of article {n}.", published_at=T0 + timedelta(minutes=n),
    )  # fmt: skip


def prepared(n: int, body: str | None = None) -> Article:
    article = crawled(n, body)
    article.content_hash = content_hash(article.title, article.body)
    return article


def settings(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    return {"NEWSMON_SPOOL_DIR": str(tmp_path / "spool"), "NEWSMON_BATCH_SIZE": 3, **overrides}


def sqlite_store(tmp_path: Path, **options: Any) -> SQLiteStore:
    return SQLiteStore(f"sqlite:///{tmp_path}/newsmon.db", **options)


class FailingWrites:
    """A store whose next `failures` writes raise `error`; everything else is the real store's."""

    def __init__(self, store: SQLiteStore, error: Exception, failures: int = 1) -> None:
        self._store = store
        self.error = error
        self.failures = failures

    def upsert_many(self, articles):
        if self.failures:
            self.failures -= 1
            raise self.error
        return self._store.upsert_many(articles)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def crawl(chain: Chain, articles: list[Article]) -> list[str]:
    """Like the pipelines; returns the reasons of the articles the chain dropped."""
    dropped = []
    for article in articles:
        try:
            chain.process(article)
        except Rejected as rejected:
            dropped.append(rejected.reason)
    return dropped


# -- a failed flush -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "error", [StoreError("SQLite write failed: disk I/O error"), UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogate")]
)
def test_a_batch_the_store_failed_to_write_is_spooled_not_lost(tmp_path, error, caplog):
    store = FailingWrites(sqlite_store(tmp_path), error)
    chain = Chain(settings(tmp_path), store)
    with caplog.at_level(logging.ERROR):
        crawl(chain, [crawled(n) for n in range(3)])  # the third article fills the batch: a failed flush
    assert chain.stats.get_value("newsmon/store/spooled") == 3
    assert "store write failed, 3 articles spooled to" in caplog.text
    # The same articles again (a re-listed page): not duplicates of articles never stored.
    assert crawl(chain, [crawled(n) for n in range(3)]) == []
    chain.close()
    assert store.count() == 3
    restarted = Chain(settings(tmp_path), sqlite_store(tmp_path))
    assert restarted.stats.get_value("newsmon/store/replayed") == 3
    assert Spool(tmp_path / "spool", store.uri).pending() == 0


def test_a_batch_neither_the_store_nor_the_spool_took_is_reported_lost_by_name(tmp_path, caplog):
    (tmp_path / "spool").write_text("a file where the spool directory should be")
    store = FailingWrites(sqlite_store(tmp_path), StoreError("disk full"))
    chain = Chain(settings(tmp_path), store)
    with caplog.at_level(logging.ERROR):
        crawl(chain, [crawled(n) for n in range(3)])
    assert chain.stats.get_value("newsmon/store/lost") == 3
    assert "3 articles lost: " + " ".join(crawled(n).url for n in range(3)) in caplog.text
    assert crawl(chain, [crawled(0)]) == []  # not a duplicate of the lost one
    chain.close()
    assert [a.url for a in store.query()] == [crawled(0).url]


def test_a_lock_held_by_another_writer_is_waited_for_then_spooled(tmp_path):
    holder = sqlite_store(tmp_path)
    holder._db.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    waiter = sqlite_store(tmp_path, timeout=0.05)
    with pytest.raises(StoreUnavailable, match="locked by another writer"):
        waiter.upsert_many([prepared(1)])
    step = StoreStep(settings(tmp_path), waiter, CounterStats())
    step.process(prepared(1))
    step.close()
    assert step.stats.values == {"newsmon/store/spooled": 1}
    holder._db.execute("COMMIT")
    assert Spool(tmp_path / "spool", waiter.uri).replay(waiter) == (1, 0)


class ClockedLoopingCall(task.LoopingCall):
    clock = task.Clock()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = ClockedLoopingCall.clock


class BrokenFlush(StoreStep):
    flushes = 0

    def is_stale(self) -> bool:
        return True

    def flush(self):
        BrokenFlush.flushes += 1
        raise RuntimeError("a bug in a flush callback")


class InlineChain:
    """A crawler's chain whose store thread is the caller's own."""

    crawler = None

    def __init__(self, steps: list[Any]) -> None:
        self.steps = steps

    async def ready(self) -> "InlineChain":
        return self

    def call(self, function, *args):
        return defer.maybeDeferred(function, *args)


def test_the_flush_timer_keeps_running_after_a_failed_flush(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(pipelines.task, "LoopingCall", ClockedLoopingCall)
    pipeline = pipelines.StorePipeline(InlineChain([BrokenFlush(settings(tmp_path), None, CounterStats())]))
    asyncio.run(pipeline.open_spider())
    with caplog.at_level(logging.ERROR):
        for _ in range(2):
            ClockedLoopingCall.clock.advance(pipeline._timer.interval)
    assert BrokenFlush.flushes == 2 and pipeline._timer.running
    assert "timed flush failed" in caplog.text
    pipeline._timer.stop()


# -- one bad record -------------------------------------------------------------------------------
def test_a_failed_write_rolls_back_and_releases_the_write_lock(tmp_path):
    store = sqlite_store(tmp_path)
    with pytest.raises(StoreError):
        store.upsert_many([prepared(1), prepared(2, body="Text with a lone surrogate \ud800.")])
    assert not store._db.in_transaction
    assert store.upsert_many([prepared(3)]).outcomes == ["inserted"]
    other = sqlite_store(tmp_path, timeout=0.05)
    assert other.upsert_many([prepared(4)]).outcomes == ["inserted"]
    assert sorted(a.url for a in other.query()) == [prepared(3).url, prepared(4).url]


def test_text_no_store_can_encode_is_rejected_by_the_clean_step_naming_the_field(tmp_path):
    chain = Chain(settings(tmp_path), sqlite_store(tmp_path))
    bad = crawled(1, body="Text with a lone surrogate \ud800 in it.")
    with pytest.raises(Rejected) as rejected:
        chain.process(bad)
    assert rejected.value.reason == "bad_text" and "body is not valid Unicode" in str(rejected.value)
    tagged = crawled(2)
    tagged.tags = ["fine", "bad \udfff"]
    with pytest.raises(Rejected, match="tags is not valid Unicode"):
        chain.process(tagged)
    assert chain.stats.get_value("newsmon/clean/bad_text") == 2


def test_load_names_a_record_with_bad_text_and_stores_the_others(tmp_path, capsys):
    good = to_record(prepared(1))
    bad = {**to_record(prepared(2)), "title": "A lone surrogate \ud800"}
    dump = tmp_path / "backup.jsonl"
    # json.dumps writes the surrogate as the escape "\ud800": valid JSON, but no valid text.
    dump.write_text(f"{json.dumps(bad)}\n{json.dumps(good)}\n", encoding="utf-8")
    uri = f"sqlite:///{tmp_path}/newsmon.db"
    assert main(["load", "--store", uri, "--jobs", "1", "--no-progress", str(dump)]) == 1
    captured = capsys.readouterr()
    assert f"{dump}:1: rejected: title is not valid Unicode" in captured.err
    assert "1 stored" in captured.out
    with SQLiteStore(uri) as store:
        assert [a.url for a in store.query()] == [good["url"]]


# -- the spool ------------------------------------------------------------------------------------
def test_a_batch_the_store_refuses_is_quarantined_and_the_chain_starts_anyway(tmp_path, caplog):
    store = sqlite_store(tmp_path)
    spool = Spool(tmp_path / "spool", store.uri)
    poison = spool.append([prepared(1), prepared(2)])
    content = poison.read_bytes()
    spool.append([prepared(3)])
    with caplog.at_level(logging.ERROR):
        chain = Chain(settings(tmp_path), FailingWrites(store, StoreError("the store refuses it")))
    quarantined = poison.parent / "quarantine" / poison.name
    assert quarantined.read_bytes() == content and not poison.exists()
    assert f"spooled batch {poison} cannot be replayed (the store refused the batch: the store refuses it)" in caplog.text
    assert chain.stats.get_value("newsmon/store/quarantined") == 1
    assert chain.stats.get_value("newsmon/store/replayed") == 1
    assert [a.url for a in store.query()] == [prepared(3).url]
    assert spool.pending() == 0 and spool.files() == []


def test_an_unreadable_line_before_the_last_quarantines_its_batch_untouched(tmp_path):
    store = sqlite_store(tmp_path)
    spool = Spool(tmp_path / "spool", store.uri)
    path = spool.append([prepared(1), prepared(2)])
    first, second = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(first + '{"url": "half a record\n' + second, encoding="utf-8")
    damaged = path.read_bytes()
    quarantined = []
    assert spool.replay(store, quarantined=quarantined.append) == (0, 0)
    assert quarantined == [path.parent / "quarantine" / path.name]
    assert quarantined[0].read_bytes() == damaged
    assert store.count() == 0  # nothing of a damaged batch is written, nothing of it deleted


def test_a_complete_but_unreadable_last_line_is_no_crash_and_quarantines_its_batch(tmp_path):
    store = sqlite_store(tmp_path)
    spool = Spool(tmp_path / "spool", store.uri)
    path = spool.append([prepared(1)])
    with open(path, "a", encoding="utf-8") as file:
        file.write('{"title": 42}\n')  # a whole line: written so, not cut short by a crash
    assert spool.replay(store) == (0, 0)
    assert (path.parent / "quarantine" / path.name).exists() and store.count() == 0


class FailingLookups(FailingWrites):
    def story_candidates(self, band_keys):
        raise StoreError("the story index cannot be read")


def test_a_replay_that_fails_leaves_the_spool_and_the_chain_starts(tmp_path, caplog):
    store = sqlite_store(tmp_path)
    Spool(tmp_path / "spool", store.uri).append([prepared(1)])
    with caplog.at_level(logging.ERROR):
        chain = Chain(settings(tmp_path), FailingLookups(store, StoreError("unused"), failures=0))
    assert chain.stats.get_value("newsmon/store/replay_failed") == 1
    assert "spooled batches not replayed, they stay in" in caplog.text
    assert Spool(tmp_path / "spool", store.uri).pending() == 1


def test_newsmon_replay_says_what_it_quarantined_and_exits_1(tmp_path, capsys):
    uri = f"sqlite:///{tmp_path}/newsmon.db"
    spool = Spool(tmp_path / "spool", uri)
    path = spool.append([prepared(1)])
    path.write_text("not a record\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    spool.append([prepared(2)])
    assert main(["replay", "--store", uri, "--spool-dir", str(tmp_path / "spool")]) == 1
    captured = capsys.readouterr()
    assert "replayed 1 articles" in captured.out
    assert f"1 batches could not be replayed: moved to {spool.directory / 'quarantine'}" in captured.err


# -- the story index rebuild ----------------------------------------------------------------------
class RebuildsSlowly(SQLiteStore):
    """Says when it has reset the index (holding the rebuild lock), then stops until the other
    process has looked at the index format."""

    def __init__(self, uri: str, resetting: threading.Event, other_looked: threading.Event) -> None:
        super().__init__(uri)
        self.resetting = resetting
        self.other_looked = other_looked

    def reset_story_index(self) -> None:
        super().reset_story_index()
        self.resetting.set()
        self.other_looked.wait(timeout=10)  # a guard against a hang, not a timed assertion


class LooksAtTheFormat(SQLiteStore):
    def __init__(self, uri: str, looked: threading.Event) -> None:
        super().__init__(uri)
        self.looked = looked

    def story_index_format(self) -> str:
        recorded = super().story_index_format()
        self.looked.set()
        return recorded


def test_two_processes_starting_on_a_changed_story_format_rebuild_the_index_once(tmp_path):
    uri = f"sqlite:///{tmp_path}/newsmon.db"
    with SQLiteStore(uri) as store:
        chain = Chain(settings(tmp_path), store)
        crawl(chain, [crawled(n, body=f"Story number {n} is told here in a few words, {n}.") for n in range(4)])
        chain.close()
    params = StoryParams(bands=16)  # another LSH shape: the stored index has to be rebuilt
    looked = threading.Event()
    first_resetting = threading.Event()
    results: dict[str, int] = {}

    def first() -> None:
        with RebuildsSlowly(uri, first_resetting, looked) as store:
            results["first"] = ensure_index_format(store, params)

    def second() -> None:
        first_resetting.wait(timeout=10)
        with LooksAtTheFormat(uri, looked) as store:
            results["second"] = ensure_index_format(store, params)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"first": 4, "second": 0}
    with SQLiteStore(uri) as store:
        assert store.story_index_format() == params.index_format
        assert ensure_index_format(store, params) == 0


def test_recording_a_run_while_another_writer_holds_the_lock_is_a_store_error(tmp_path):
    holder = sqlite_store(tmp_path)
    holder._db.execute("BEGIN IMMEDIATE")
    waiter = sqlite_store(tmp_path, timeout=0.05)
    with pytest.raises(StoreUnavailable):  # the run recorder logs a StoreError; a raw sqlite3 error was a traceback
        waiter.record_run({"spider": "apa", "started_at": T0, "finish_reason": "finished"})
    holder._db.execute("COMMIT")
    waiter.record_run({"spider": "apa", "started_at": T0, "finish_reason": "finished"})
    assert [run["finish_reason"] for run in waiter.recent_runs("apa")] == ["finished"]
