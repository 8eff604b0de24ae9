"""Fault injection: MongoDB failing for a while, staying down, dying mid-batch, racing writers.

Whatever happens, every article that was stored or spooled ends up stored exactly once, and no
credential from the URI shows in a message, a log line, a stat or a repr.

The database is a real server's (the session's SecantusDB, or $NEWSMON_TEST_MONGO_URI), one
database per test. The faults here are injected between the store and its collections, where
their timing is exact (the third write fails, an acknowledgement is lost after the write was
applied); tests/test_mongo_server_faults.py injects them into the server process with signals.

Time is the tests' own (`Clock`): the circuit breaker stays open until a test moves the clock.
"""
from __future__ import annotations

import fcntl
import json
import logging
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pymongo import TEXT, MongoClient
from pymongo.errors import AutoReconnect, OperationFailure

from newsmon.chain import Chain, CounterStats, Rejected, StoreStep
from newsmon.cli import build_parser
from newsmon.commands import replay as replay_command
from newsmon.fingerprint import content_hash
from newsmon.items import Article, to_record
from newsmon.store import StoreError, StoreUnavailable, open_store
from newsmon.store.mongo import MongoStore
from newsmon.store.spool import Spool
from store_backends import COLLECTION_ATTRIBUTES, database_of_its_own

SECRET = "s3cret-pw"
URI = f"mongodb://crawler:{SECRET}@db.example.net:27017/newsmon_test?authSource=admin"
T0 = datetime(2024, 4, 28, 12, 0, tzinfo=timezone.utc)
PAIRS_FILE = Path(__file__).parent / "fixtures/stories/pairs.jsonl"
WRITES = {"bulk_write", "insert_one"}
BREAKER_SECONDS = 30.0


@pytest.fixture
def client(mongo_uri: str) -> Iterator[MongoClient]:
    """A client of the real server whose default database is the test's own, dropped afterwards."""
    with database_of_its_own(mongo_uri) as client:
        yield client


class Clock:
    """A monotonic clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = BREAKER_SECONDS) -> None:
        self.now += seconds


class Outage:
    """Makes collection methods fail with AutoReconnect: the next `failures` calls, or all while `down`.

    With `lose_acks`, a call is carried out first and fails afterwards, like a connection lost
    before the server's answer arrived.
    """

    def __init__(self, *, failures: int = 0, down: bool = False, lose_acks: bool = False) -> None:
        self.failures = failures
        self.down = down
        self.lose_acks = lose_acks
        self.failed = 0
        self.calls: Counter[str] = Counter()  # by method name, failed or not

    def call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls[method.__name__] += 1
        if not (self.down or self.failures):
            return method(*args, **kwargs)
        self.failures = max(0, self.failures - 1)
        self.failed += 1
        if self.lose_acks:
            method(*args, **kwargs)
        raise AutoReconnect(f"db.example.net:27017: connection closed (mongodb://crawler:{SECRET}@db.example.net)")


class FaultyCollection:
    """A collection whose `methods` go through an Outage; everything else is the real collection's."""

    def __init__(self, collection: Any, outage: Outage, methods: set[str] | None) -> None:
        self._collection = collection
        self._outage = outage
        self._methods = methods

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._collection, name)
        if not callable(attribute) or (self._methods is not None and name not in self._methods):
            return attribute
        return lambda *args, **kwargs: self._outage.call(attribute, *args, **kwargs)


def inject(store: MongoStore, outage: Outage, methods: set[str] | None = WRITES) -> MongoStore:
    """Route the store's collections through `outage` (`methods=None`: every method, a full outage)."""
    for name in COLLECTION_ATTRIBUTES:
        setattr(store, name, FaultyCollection(getattr(store, name), outage, methods))
    return store


def mongo_store(client: Any, clock: Clock | None = None, **options: Any) -> MongoStore:
    options = {"retry_attempts": 3, "retry_backoff": 0.001, "breaker_seconds": BREAKER_SECONDS, **options}
    return MongoStore(URI, client=client, clock=clock or Clock(), **options)


def crawled(n: int, body: str | None = None) -> Article:
    """An article as a spider yields it, before the chain cleans and fingerprints it."""
    return Article(
        url=f"https://apa.az/en/news/{n}",
        site="en.apa.az",
        lang="en",
        title=f"Headline number {n}",
        body=body or f"Text of article {n}.\n\nSecond paragraph of article {n}.",
        published_at=T0 + timedelta(minutes=n),
    )


def settings(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    return {"NEWSMON_SPOOL_DIR": str(tmp_path / "spool"), "NEWSMON_BATCH_SIZE": 5, **overrides}


def crawl(chain: Chain, articles: list[Article]) -> None:
    """Like the pipelines: a rejected article (a duplicate) is dropped and the crawl goes on."""
    for article in articles:
        try:
            chain.process(article)
        except Rejected:
            pass
    chain.close()


def stored_urls(store: Any) -> list[str]:
    return sorted(a.url for a in store.query())


# -- transient failures -------------------------------------------------------------------------------
def test_a_failing_write_is_retried_and_nothing_is_lost(caplog, tmp_path, client):
    outage = Outage(failures=2)
    store = inject(mongo_store(client), outage)
    chain = Chain(settings(tmp_path), store)
    with caplog.at_level(logging.WARNING):
        crawl(chain, [crawled(n) for n in range(12)])
    assert outage.failed == 2
    assert chain.stats.get_value("newsmon/store/inserted") == 12
    assert chain.stats.get_value("newsmon/store/spooled") == 0
    assert stored_urls(store) == sorted(a.url for a in map(crawled, range(12)))
    assert "retry 1/2" in caplog.text and "retry 2/2" in caplog.text


def test_an_outage_longer_than_the_retries_is_store_unavailable(caplog, client):
    store = inject(mongo_store(client), Outage(down=True), methods=None)
    with caplog.at_level(logging.WARNING), pytest.raises(StoreUnavailable) as raised:
        store.count()
    assert "unreachable (count)" in str(raised.value) and "AutoReconnect" in str(raised.value)
    assert caplog.text.count("retry") == 2  # three attempts
    assert SECRET not in str(raised.value) + caplog.text


def test_a_store_opens_while_the_server_is_down_which_its_first_operation_reports_quickly(caplog):
    # A real pymongo client against a closed port. Opening needs no server (a crawl starts and
    # spools); the first operation shows the outage after the short selection timeout, here the
    # URI's own, which wins over the store's option.
    uri = f"mongodb://crawler:{SECRET}@127.0.0.1:9/newsmon_test?serverSelectionTimeoutMS=50"
    with caplog.at_level(logging.WARNING):
        store = open_store(uri, server_selection_timeout_ms=60_000, retry_attempts=2, retry_backoff=0.001)
        with pytest.raises(StoreUnavailable) as raised:
            store.count()
        with pytest.raises(StoreUnavailable) as fast:
            store.known_urls(["https://apa.az/en/news/1"])
    message = str(raised.value)
    assert "unreachable (count)" in message and "crawler:***@127.0.0.1:9" in message
    assert "Timeout: 0.05s" in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert "unreachable (known_urls): not tried, failing fast for" in str(fast.value)
    assert caplog.text.count("retry 1/1") == 1  # the second operation did not reach for the network
    assert SECRET not in message + str(fast.value) + caplog.text
    store.close()


# -- the circuit breaker: an outage costs the retries once, not on every operation ---------------------
def test_after_an_outage_operations_fail_fast_until_the_breaker_lets_one_try(caplog, client):
    outage, clock = Outage(down=True), Clock()
    store = inject(mongo_store(client, clock), outage, methods=None)
    with pytest.raises(StoreUnavailable, match=r"unreachable \(count\): AutoReconnect"):
        store.count()
    assert outage.failed == 3  # the retries, once

    # Open: no operation touches the network, whatever it is.
    for operation in (lambda: store.has_content_hash("x"), lambda: store.upsert_many([_prepared(1)]),
                      lambda: list(store.query()), lambda: store.story_candidates([1])):  # fmt: skip
        with pytest.raises(StoreUnavailable, match="not tried, failing fast for 30.0 s more"):
            operation()
    clock.advance(BREAKER_SECONDS - 0.1)
    with pytest.raises(StoreUnavailable, match="not tried"):
        store.count()
    assert outage.failed == 3

    # Half open: one try, which fails and opens the breaker again.
    clock.advance(0.1)
    with pytest.raises(StoreUnavailable, match="AutoReconnect"):
        store.count()
    assert outage.failed == 4
    with pytest.raises(StoreUnavailable, match="not tried"):
        store.count()

    # The server is back: the next try closes the breaker, and transient errors are retried again.
    outage.down = False
    clock.advance()
    with caplog.at_level(logging.INFO):
        assert store.count() == 0
    assert "answers again" in caplog.text
    outage.failures = 2
    assert store.count() == 0
    assert outage.failed == 6


def test_without_a_breaker_every_operation_is_retried(client):
    outage = Outage(down=True)
    store = inject(mongo_store(client, breaker_seconds=0), outage, methods=None)
    for expected_failures in (3, 6):
        with pytest.raises(StoreUnavailable, match="AutoReconnect"):
            store.count()
        assert outage.failed == expected_failures


def test_the_first_operation_that_reaches_the_server_creates_the_indexes_once(client):
    outage, clock = Outage(down=True), Clock()
    store = inject(mongo_store(client, clock), outage, methods=None)  # opening took no operation
    with pytest.raises(StoreUnavailable):
        store.upsert_many([_prepared(1)])
    assert outage.calls["create_index"] == 3  # the first index, on each try
    assert "content_hash_unique" not in client.get_default_database().articles.index_information()

    outage.down = False
    clock.advance()
    assert store.upsert_many([_prepared(1)]).inserted == 1
    indexes = client.get_default_database().articles.index_information()
    assert {"content_hash_unique", "published_desc", "site_lang_published", "story"} <= set(indexes)
    created = outage.calls["create_index"]
    assert store.has_url(_prepared(1).url) and store.count() == 1
    assert outage.calls["create_index"] == created  # once per store, not per operation
    # Another process's store does it again, harmlessly, and its unique index holds.
    assert mongo_store(client).upsert_many([_prepared(1)]).outcomes == ["unchanged"]
    assert client.get_default_database().articles.index_information() == indexes


class RefusingTextIndexes:
    """A collection whose server refuses a second text index, as MongoDB does (one per collection)."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    def create_index(self, keys: Any, **options: Any) -> str:
        if any(kind == TEXT for _, kind in (keys if isinstance(keys, list) else [])):
            raise OperationFailure("only one text index per collection allowed, found existing text index", code=67)
        return self._collection.create_index(keys, **options)


def test_an_analysts_own_text_index_leaves_the_store_working(caplog, client):
    store = mongo_store(client)
    store.articles = RefusingTextIndexes(store.articles)
    with caplog.at_level(logging.WARNING):
        assert store.upsert_many([_prepared(1)]).inserted == 1
    assert "no full-text search, the text index on title/body was refused: OperationFailure: only one" in caplog.text
    assert store.has_url(_prepared(1).url) and store.text_search is False


def test_the_store_knows_whether_the_server_has_full_text_search_and_says_so_once(caplog, client):
    """mongod creates the text index; SecantusDB refuses it (it has no text indexes): one short line."""
    store = mongo_store(client)
    assert store.text_search is None  # nothing asked yet
    with caplog.at_level(logging.WARNING):
        store.upsert_many([_prepared(1)])
        store.count()
        store.upsert_many([_prepared(2)])
    refusals = [r.getMessage() for r in caplog.records if "no full-text search" in r.getMessage()]
    has_text_index = "title_body_text" in client.get_default_database().articles.index_information()
    assert store.text_search is has_text_index
    assert len(refusals) == (0 if has_text_index else 1)
    # The server's reason, not its whole reply (pymongo's str() of it runs to hundreds of characters).
    assert all("full error" not in line and len(line) < 300 for line in refusals), refusals
    assert store.count() == 2


# -- values BSON cannot encode ---------------------------------------------------------------------------
def test_text_bson_cannot_encode_is_a_store_error_naming_the_article_and_field(caplog, client):
    store = mongo_store(client)
    good, bad = _prepared(1), _prepared(2, "Broken text \ud800 of two.")  # a lone surrogate: valid JSON, not UTF-8
    with pytest.raises(StoreError) as raised:
        store.upsert_many([good, bad])
    message = str(raised.value)
    assert not isinstance(raised.value, StoreUnavailable)  # nothing to wait out or spool for
    assert f"cannot store article {bad.url!r} (field body: UnicodeEncodeError:" in message
    assert "surrogates not allowed" in message
    assert good.url not in message
    message.encode("utf-8")  # the message itself holds no lone surrogate: it can be logged
    assert store.count() == 0  # nothing of the batch was written
    assert store.upsert_many([good]).inserted == 1  # and the store goes on: not an outage, no breaker
    unencodable_url = _prepared(3)
    unencodable_url.url = "https://apa.az/en/news/\udcff"
    with pytest.raises(StoreError, match=r"cannot store article 'https://apa.az/en/news/\\udcff' \(field _id"):
        store.upsert_many([unencodable_url])
    with pytest.raises(StoreError, match=r"known_urls failed, a value cannot be encoded as BSON: UnicodeEncodeError"):
        store.known_urls(["https://apa.az/\ud800"])
    assert store.count() == 1 and SECRET not in caplog.text + message


# -- spooling while the store is down, replay when it is back ----------------------------------------
def test_down_store_spools_the_crawl_continues_and_replay_stores_each_article_once(caplog, tmp_path, client):
    outage = Outage(down=True)
    clock = Clock()
    store = inject(mongo_store(client, clock), outage)
    chain = Chain(settings(tmp_path), store)
    with caplog.at_level(logging.WARNING):
        crawl(chain, [crawled(n) for n in range(12)])  # no exception: the crawl goes on
    assert chain.stats.get_value("newsmon/store/spooled") == 12
    assert mongo_store(client).count() == 0  # as another process sees the database
    spool = Spool(tmp_path / "spool", URI)
    assert spool.pending() == 12 and len(spool.files()) == 3  # batches of 5, 5 and 2
    assert "articles spooled to" in caplog.text

    outage.down = False  # the database is back: once the breaker lets it try, the next crawl replays first
    clock.advance()
    again = Chain(settings(tmp_path), store)
    assert again.stats.get_value("newsmon/store/replayed") == 12
    assert spool.pending() == 0 and spool.files() == []
    crawl(again, [crawled(n) for n in range(10, 14)])  # overlaps the replayed articles
    assert store.count() == 14
    assert stored_urls(store) == sorted(crawled(n).url for n in range(14))
    assert again.stats.get_value("newsmon/dedupe/duplicate") == 2


def test_a_full_outage_is_spooled_by_the_store_step(tmp_path, client):
    # Reads fail too; the store step alone (no dedupe lookups) must still lose nothing.
    outage = Outage(down=True)
    step = StoreStep(settings(tmp_path), inject(mongo_store(client), outage, methods=None), CounterStats())
    articles = [_prepared(n) for n in range(7)]
    for article in articles:
        step.process(article)
    step.close()
    assert step.stats.values == {"newsmon/store/spooled": 7}
    outage.down = False
    replayed, remaining = Spool(tmp_path / "spool", URI).replay(mongo_store(client))
    assert (replayed, remaining) == (7, 0)
    assert stored_urls(mongo_store(client)) == sorted(a.url for a in articles)


def test_a_crash_between_spool_and_replay_loses_nothing_and_stores_nothing_twice(tmp_path, client):
    first = mongo_store(client)
    crawl(Chain(settings(tmp_path), first), [crawled(1), crawled(2, body="First version of two.")])
    outage = Outage(down=True, lose_acks=True)  # writes arrive, their acknowledgements do not
    chain = Chain(settings(tmp_path), inject(mongo_store(client), outage))
    crawl(chain, [crawled(2, body="Second version of two."), crawled(3), crawled(4)])
    assert chain.stats.get_value("newsmon/store/spooled") == 3
    del chain  # the process dies: nothing of it survives but the database and the spool directory

    store = mongo_store(client)
    restarted = Chain(settings(tmp_path), store)
    assert restarted.stats.get_value("newsmon/store/replayed") == 3
    assert Spool(tmp_path / "spool", URI).pending() == 0
    assert store.count() == 4 and stored_urls(store) == sorted(crawled(n).url for n in range(1, 5))
    (current,) = [a for a in store.query() if a.url == crawled(2).url]
    assert current.body == "Second version of two."
    # The revision was written before the acknowledgement was lost, and again by the replay: kept once.
    assert [r["article"].body for r in store.revisions(crawled(2).url)] == ["First version of two."]
    Spool(tmp_path / "spool", URI).replay(store)  # replaying again (nothing left) changes nothing
    assert store.count() == 4


class DiesAfterWriting:
    """A store whose process is killed right after a write, before the spool file is removed."""

    def __init__(self, store: MongoStore) -> None:
        self.store = store

    def upsert_many(self, articles: list[Article]) -> Any:
        self.store.upsert_many(articles)
        raise SystemExit("killed")


def test_a_crash_during_replay_replays_the_batch_again_harmlessly(tmp_path, client):
    spool = Spool(tmp_path / "spool", URI)
    spool.append([_prepared(1), _prepared(2, "Edited text of two.")])
    store = mongo_store(client)
    store.upsert_many([_prepared(2)])
    with pytest.raises(SystemExit):
        spool.replay(DiesAfterWriting(store))
    assert spool.pending() == 2  # the file outlives the process that was replaying it
    assert spool.replay(store) == (2, 0)
    assert store.count() == 2
    assert [r["article"].body for r in store.revisions(_prepared(2).url)] == [_prepared(2).body]


def test_a_truncated_last_spool_line_is_skipped_and_reported(caplog, tmp_path, client):
    spool = Spool(tmp_path / "spool", URI)
    path = spool.append([_prepared(1), _prepared(2)])
    whole_line = json.dumps(to_record(_prepared(3)))
    with open(path, "a", encoding="utf-8") as file:
        file.write(whole_line[: len(whole_line) // 2])  # the crash came in the middle of this line
    store = mongo_store(client)
    with caplog.at_level(logging.WARNING):
        assert spool.replay(store) == (2, 0)
    assert f"spool {path} line 3 unreadable" in caplog.text
    assert stored_urls(store) == [_prepared(1).url, _prepared(2).url]
    assert not path.exists()


def test_a_batch_still_being_written_is_left_alone(tmp_path, client):
    spool = Spool(tmp_path / "spool", URI)
    path = spool.append([_prepared(1)])
    store = mongo_store(client)
    with open(path, encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)  # as the writer holds it until the batch is complete
        assert spool.replay(store) == (0, 1)
    assert spool.replay(store) == (1, 0)


def test_replay_stops_while_the_store_is_still_down(tmp_path, client):
    spool = Spool(tmp_path / "spool", URI)
    spool.append([_prepared(1), _prepared(2)])
    spool.append([_prepared(3)])
    assert spool.replay(inject(mongo_store(client), Outage(down=True))) == (0, 3)
    assert spool.replay(mongo_store(client)) == (3, 0)


def test_newsmon_replay_command(tmp_path, capsys):
    spool_dir = tmp_path / "spool"
    store_uri = f"sqlite:///{tmp_path}/newsmon.db"
    Spool(spool_dir, store_uri).append([_prepared(1), _prepared(2)])
    args = build_parser().parse_args(["replay", "--store", store_uri, "--spool-dir", str(spool_dir)])
    assert args.run is replay_command.run
    assert args.run(args) == 0
    assert "replayed 2 articles" in capsys.readouterr().out
    assert args.run(args) == 0
    assert "nothing to replay" in capsys.readouterr().out
    with open_store(store_uri) as store:
        assert store.count() == 2


def test_each_store_replays_only_its_own_spool(tmp_path, capsys, client):
    outage = Outage(down=True)
    crawl(Chain(settings(tmp_path), inject(mongo_store(client), outage)), [crawled(1), crawled(2)])
    other_store = f"sqlite:///{tmp_path}/other.db"
    with open_store(other_store) as other:  # another crawler, sharing the spool root
        assert Chain(settings(tmp_path), other).stats.get_value("newsmon/store/replayed") == 0
        assert other.count() == 0
    args = build_parser().parse_args(["replay", "--store", other_store, "--spool-dir", str(tmp_path / "spool")])
    assert args.run(args) == 0
    assert "nothing to replay into sqlite:///" in capsys.readouterr().out

    spool = Spool(tmp_path / "spool", URI)
    assert spool.pending() == 2
    # The spool follows the store, not its password (which never reaches the file system).
    assert Spool(tmp_path / "spool", URI.replace(SECRET, "rotated")).directory == spool.directory
    assert SECRET not in str(spool.directory) and spool.directory != Spool(tmp_path / "spool", other_store).directory
    assert Chain(settings(tmp_path), mongo_store(client)).stats.get_value("newsmon/store/replayed") == 2


# -- a full outage: every step goes on without the store -------------------------------------------------
def test_a_full_outage_loses_no_article_and_the_replay_stores_each_once(caplog, tmp_path, client):
    crawl(Chain(settings(tmp_path), mongo_store(client)), [crawled(n) for n in range(3)])
    outage, clock = Outage(down=True), Clock()
    store = inject(mongo_store(client, clock), outage, methods=None)  # reads fail too
    chain = Chain(settings(tmp_path), store)
    copy_of_0 = crawled(0)
    copy_of_0.url = "https://apa.az/en/elsewhere/0"  # stored content under a new URL
    # Batches of 5: 3..7, then 8, 9, the copy, 3 again (in the spool, not in the batch) and 8 again.
    during = [*map(crawled, range(3, 10)), copy_of_0, crawled(3), crawled(8)]
    with caplog.at_level(logging.WARNING):
        crawl(chain, during)  # no StoreUnavailable gets out of the chain
    values = chain.stats.values
    assert values["newsmon/dedupe/store_unavailable"] == 9 and values["newsmon/dedupe/duplicate"] == 1
    assert values["newsmon/story/store_unavailable"] == 9
    assert values["newsmon/store/spooled"] == 9
    assert outage.failed == 3  # one operation's tries; the breaker kept every other one off the network
    warnings = [r.getMessage() for r in caplog.records if r.name == "newsmon.chain" and r.levelno == logging.WARNING]
    assert len(warnings) == 2  # once per step and outage, not per article
    # The story step's comes first: it checks the index format when the chain starts.
    assert "provisional stories" in warnings[0]
    assert "duplicates are only looked for in the current batch" in warnings[1]
    assert all("mongodb://crawler:***@db.example.net" in w and SECRET not in w for w in warnings)

    outage.down = False
    clock.advance()
    restarted = Chain(settings(tmp_path), store)
    assert restarted.stats.get_value("newsmon/store/replayed") == 9
    assert stored_urls(store) == sorted(crawled(n).url for n in range(10))  # the copy is a duplicate
    stored = {a.url: a for a in store.query()}
    assert all(stored[crawled(n).url].story_id == stored[crawled(n).url].content_hash for n in range(3, 10))
    # Their stories are indexed once they are written, so later copies find them.
    founded = [stored[crawled(n).url].story_id for n in range(3, 10)]
    assert sorted(store.story_sketches(founded)) == sorted(founded)
    assert Spool(tmp_path / "spool", URI).pending() == 0


def test_a_copy_spooled_during_an_outage_joins_its_stored_story_when_replayed(tmp_path, client):
    pair = next(json.loads(line) for line in PAIRS_FILE.read_text(encoding="utf-8").splitlines() if '"az-quake-samaxi/copy"' in line)
    original = crawled(1, pair["a"]["body"])
    copy = crawled(2, pair["b"]["body"])
    crawl(Chain(settings(tmp_path), mongo_store(client)), [original])
    outage = Outage(down=True)
    during = Chain(settings(tmp_path), inject(mongo_store(client), outage, methods=None))
    crawl(during, [copy])
    assert during.stats.get_value("newsmon/store/spooled") == 1 and copy.story_id == copy.content_hash  # provisional
    store = mongo_store(client)
    after = Chain(settings(tmp_path), store)
    assert after.stats.get_value("newsmon/store/replayed") == 1
    assert after.stats.get_value("newsmon/story/joined") == 1
    stored = {a.url: a.story_id for a in store.query()}
    assert stored[copy.url] == stored[original.url] == original.story_id


def test_dedupe_and_stories_use_the_store_again_once_it_answers(caplog, tmp_path, client):
    first = crawled(1)
    crawl(Chain(settings(tmp_path), mongo_store(client)), [first])
    (story,) = {a.story_id for a in mongo_store(client).query()}
    outage, clock = Outage(down=True), Clock()
    chain = Chain(settings(tmp_path, NEWSMON_BATCH_SIZE=1), inject(mongo_store(client, clock), outage, methods=None))

    def retitled(title: str, url: str) -> Article:
        """The same text under another headline: another article, the same story."""
        return Article(url=url, site=first.site, lang="en", title=title, body=first.body, published_at=T0)

    with caplog.at_level(logging.INFO):
        during = chain.process(retitled("Headline while the store is down", "https://apa.az/en/news/during"))
        assert during.story_id == during.content_hash != story  # provisional: stored stories are out of reach
        outage.down = False
        clock.advance()
        copy_of_first = crawled(1)
        copy_of_first.url = "https://apa.az/en/elsewhere/1"
        with pytest.raises(Rejected, match="duplicate"):
            chain.process(copy_of_first)  # found in the store again
        after = chain.process(retitled("Headline once the store is back", "https://apa.az/en/news/after"))
        assert after.story_id == story
    chain.close()
    values = chain.stats.values
    assert values["newsmon/dedupe/store_unavailable"] == values["newsmon/story/store_unavailable"] == 1
    assert values["newsmon/store/spooled"] == 1 and values["newsmon/store/inserted"] == 1
    back = [r.getMessage() for r in caplog.records if r.name == "newsmon.chain" and "answers again" in r.getMessage()]
    assert len(back) == 2  # dedupe and story, once each


# -- racing writers -----------------------------------------------------------------------------------
class RacedCollection:
    """Before the first bulk write goes through, another process writes `rival_batch` first."""

    def __init__(self, collection: Any, rival: MongoStore, rival_batch: list[Article]) -> None:
        self._collection = collection
        self._rival = rival
        self._rival_batch = rival_batch

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    def bulk_write(self, requests: Any, **kwargs: Any) -> Any:
        if self._rival_batch:
            batch, self._rival_batch = self._rival_batch, []
            self._rival.upsert_many(batch)
        return self._collection.bulk_write(requests, **kwargs)


def test_an_insert_race_ends_in_one_document_not_an_error(client):
    store, rival = mongo_store(client), mongo_store(client)
    batch = [_prepared(n) for n in range(4)]
    store.articles = RacedCollection(store.articles, rival, [_prepared(n) for n in range(4)])
    result = store.upsert_many(batch)
    assert result.outcomes == ["unchanged"] * 4  # re-classified against what the rival stored
    assert store.count() == 4


def test_a_revision_race_keeps_every_version(client):
    store, rival = mongo_store(client), mongo_store(client)
    store.upsert_many([_prepared(1, "Version one.")])
    store.articles = RacedCollection(store.articles, rival, [_prepared(1, "Version two, by the rival.")])
    result = store.upsert_many([_prepared(1, "Version three.")])
    assert result.outcomes == ["revised"]
    assert [a.body for a in store.query()] == ["Version three."]
    bodies = [r["article"].body for r in store.revisions(_prepared(1).url)]
    assert set(bodies) == {"Version one.", "Version two, by the rival."}
    assert bodies[-1] == "Version two, by the rival."


def test_a_content_race_under_two_urls_ends_in_one_document(client):
    store, rival = mongo_store(client), mongo_store(client)
    copy = _prepared(1)
    copy.url = "https://apa.az/en/elsewhere/1"
    store.articles = RacedCollection(store.articles, rival, [copy])
    assert store.upsert_many([_prepared(1)]).outcomes == ["duplicate"]
    assert stored_urls(store) == [copy.url]


# -- credentials ---------------------------------------------------------------------------------------
def test_credentials_never_show(caplog, tmp_path, client):
    store = inject(mongo_store(client), Outage(down=True))
    chain = Chain(settings(tmp_path), store)
    with caplog.at_level(logging.DEBUG):
        crawl(chain, [crawled(n) for n in range(6)])
        with pytest.raises(StoreUnavailable) as raised:
            store.upsert_many([_prepared(1)])
    shown = [caplog.text, str(raised.value), repr(raised.value), repr(store), store.uri, json.dumps(chain.stats.values)]
    shown += [path.read_text() for path in Spool(tmp_path / "spool", URI).files()]
    assert chain.stats.get_value("newsmon/store/spooled") == 6
    assert store.uri == "mongodb://crawler:***@db.example.net:27017/newsmon_test?authSource=admin"
    for text in shown:
        assert SECRET not in text


class Unauthorized(Outage):
    """Every call fails as MongoDB answers wrong credentials: not an outage to wait out."""

    def call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        raise OperationFailure("Authentication failed.", code=18)


def test_wrong_credentials_stop_a_chain_from_starting(tmp_path, client):
    store = inject(mongo_store(client), Unauthorized(), methods=None)
    with pytest.raises(StoreError) as raised:
        Chain(settings(tmp_path), store)  # the story step checks the index when it starts
    assert not isinstance(raised.value, StoreUnavailable)
    assert "Authentication failed" in str(raised.value) and "mongodb://crawler:***@db.example.net" in str(raised.value)


# -- helpers ------------------------------------------------------------------------------------------
def _prepared(n: int, body: str | None = None) -> Article:
    """An article as the store step receives it: cleaned and fingerprinted."""
    article = crawled(n, body)
    article.content_hash = content_hash(article.title, article.body)
    return article

