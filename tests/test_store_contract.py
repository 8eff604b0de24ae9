"""The store contract: every backend behaves the same, test for test.

Backends: `sqlite` (a file) and `mongodb` (MongoStore on a real server: the SecantusDB server
the session starts, or any mongod named by $NEWSMON_TEST_MONGO_URI):

    NEWSMON_TEST_MONGO_URI=mongodb://localhost:27017/newsmon_test make test

Times are whole seconds here: BSON dates hold milliseconds, SQLite keeps microseconds.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsmon.fingerprint import content_hash
from newsmon.items import Article, parse_isoformat
from newsmon.store import ALIAS, RememberedUrl, Store, WriteResult, article_key
from newsmon.store.mongo import MongoStore
from newsmon.store.sqlite import SQLiteStore
from store_backends import drop_collections, unique_collections

UTC = timezone.utc
T0 = datetime(2024, 4, 28, 12, 0, tzinfo=UTC)


class Backend:
    """Opens any number of stores on one backend's data and cleans up after the test."""

    def __init__(self, name: str, uri: str) -> None:
        self.name = name
        self.uri = uri
        self.collections = unique_collections()  # tests sharing a MongoDB database do not meet
        self.stores: list[Store] = []

    def open(self) -> Store:
        """A store closed after the test."""
        store = self._connect()
        self.stores.append(store)
        return store

    @contextmanager
    def opened(self) -> Iterator[Store]:
        """A store closed on leaving the block (in its own thread, as SQLite requires)."""
        store = self._connect()
        try:
            yield store
        finally:
            store.close()

    def _connect(self) -> Store:
        if self.name == "sqlite":
            return SQLiteStore(self.uri)
        return MongoStore(self.uri, server_selection_timeout_ms=3000, **self.collections)

    def seen_times(self, store: Store, key: str) -> tuple[datetime, datetime]:
        """(first_seen, last_seen) of one stored article; the interface does not expose them."""
        if isinstance(store, SQLiteStore):
            row = store._db.execute("SELECT first_seen, last_seen FROM articles WHERE key = ?", (key,)).fetchone()
            return parse_isoformat(row[0]), parse_isoformat(row[1])
        document = store.articles.find_one({"_id": key})
        return document["first_seen"], document["last_seen"]

    def remembered(self, store: Store, url: str) -> tuple[str, str, datetime]:
        """(what, target, remembered_at) of one remembered URL; the interface does not expose them."""
        if isinstance(store, SQLiteStore):
            row = store._db.execute("SELECT what, target, remembered_at FROM seen_urls WHERE url = ?", (url,)).fetchone()
            return row[0], row[1], parse_isoformat(row[2])
        document = store.seen.find_one({"_id": url})
        return document["what"], document["target"], document["remembered_at"]

    def cleanup(self) -> None:
        for store in self.stores:
            store.close()
        if self.name == "mongodb":
            # Through a store of its own: a test may have closed the ones it opened.
            with self.opened() as store:
                drop_collections(store)


BACKENDS = [pytest.param("sqlite"), pytest.param("mongodb", marks=pytest.mark.mongo_real)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path}/contract.db"
    else:
        uri = request.getfixturevalue("mongo_uri")  # started by the first test that needs it
    backend = Backend(request.param, uri)
    yield backend
    backend.cleanup()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.open()


def article(n: int = 1, *, url: str | None = None, body: str | None = None, site: str = "en.apa.az",
            lang: str = "en", published_at: datetime | None = None, story_id: str = "") -> Article:
    title = f"Headline number {n}"
    body = body if body is not None else f"First paragraph of article {n}.\n\nSecond paragraph."
    return Article(
        url=f"https://apa.az/en/news/{n}" if url is None else url,
        site=site,
        lang=lang,
        title=title,
        body=body,
        published_at=published_at or T0 + timedelta(hours=n),
        dateline="28 April 2024 16:00 (UTC +04:00)",
        category="Politics",
        tags=["diplomacy", f"tag{n}"],
        authors=["APA"],
        image_url=f"https://apa.az/img/{n}.jpg",
        content_hash=content_hash(title, body),
        story_id=story_id,
        fetched_at=T0 + timedelta(days=1),
    )


def edited(original: Article, body: str) -> Article:
    return replace(original, body=body, content_hash=content_hash(original.title, body), story_id="")


# -- writes ---------------------------------------------------------------------------------------
def test_new_articles_are_inserted_and_read_back_unchanged(store):
    first, second = article(1), article(2, site="az.apa.az", lang="az")
    assert store.upsert_many([first, second]).outcomes == ["inserted", "inserted"]
    assert store.count() == 2
    stored = {a.url: a for a in store.query()}
    assert stored == {first.url: first, second.url: second}
    for a in stored.values():
        assert a.published_at.utcoffset() == timedelta(0) and a.fetched_at.utcoffset() == timedelta(0)


def test_empty_batch_writes_nothing(store):
    assert store.upsert_many([]).outcomes == []
    assert store.count() == 0


def test_same_article_again_is_unchanged_and_only_last_seen_moves(backend, store):
    original = article(1)
    store.upsert_many([original])
    first_seen, last_seen = backend.seen_times(store, original.url)
    assert first_seen == last_seen
    result = store.upsert_many([article(1)])
    assert result.outcomes == ["unchanged"] and result.unchanged == 1
    first_again, last_again = backend.seen_times(store, original.url)
    assert first_again == first_seen
    assert last_again >= last_seen
    assert store.count() == 1 and store.revisions(original.url) == []


def test_edited_article_is_revised_and_keeps_the_old_version(backend, store):
    original = article(1, story_id="story-1")
    store.upsert_many([original])
    first_seen, _ = backend.seen_times(store, original.url)
    new = edited(original, "The corrected text of the article.")
    result = store.upsert_many([new])
    assert result.outcomes == ["revised"] and result.revised == 1
    assert store.count() == 1
    (current,) = store.query()
    assert current.body == new.body and current.content_hash == new.content_hash
    assert current.story_id == "story-1"  # an edit stays in its story
    assert new.story_id == "story-1"
    (revision,) = store.revisions(original.url)
    assert revision["article"] == original
    assert revision["revised_at"].utcoffset() == timedelta(0)
    assert revision["revised_at"] >= first_seen
    assert backend.seen_times(store, original.url)[0] == first_seen
    assert store.has_content_hash(new.content_hash) and not store.has_content_hash(original.content_hash)


def test_revisions_are_listed_oldest_first(store):
    versions = [article(1)] + [edited(article(1), f"Version {n} of the text.") for n in (2, 3, 4)]
    for version in versions:
        store.upsert_many([version])
    revisions = store.revisions(versions[0].url)
    assert [r["article"].body for r in revisions] == [v.body for v in versions[:-1]]
    times = [r["revised_at"] for r in revisions]
    assert times == sorted(times)
    assert store.revisions("https://apa.az/en/news/unknown") == []


def test_same_text_under_a_new_url_is_a_duplicate(store):
    original = article(1)
    store.upsert_many([original])
    copy = article(1, url="https://apa.az/en/other-path/1")
    result = store.upsert_many([copy])
    assert result.outcomes == ["duplicate"] and result.duplicates == 1
    assert store.count() == 1
    assert not store.has_url(copy.url)


def test_edit_into_text_stored_elsewhere_is_a_duplicate(store):
    first, second = article(1), article(2)
    store.upsert_many([first, second])
    same_text_as_second = replace(first, title=second.title, body=second.body, content_hash=second.content_hash)
    assert store.upsert_many([same_text_as_second]).outcomes == ["duplicate"]
    assert {a.url: a.body for a in store.query()} == {first.url: first.body, second.url: second.body}


def test_url_less_article_adopts_the_url_of_its_crawled_copy(backend, store):
    loaded = article(1, url="")
    loaded.source, loaded.source_path = "file", "dumps/000_1.txt"
    assert store.upsert_many([loaded]).outcomes == ["inserted"]
    first_seen, _ = backend.seen_times(store, article_key(loaded))
    crawled = article(1)
    assert store.upsert_many([crawled]).outcomes == ["duplicate"]
    assert store.count() == 1
    assert store.has_url(crawled.url)
    (stored,) = store.query()
    assert stored.url == crawled.url
    assert stored.source_path == "dumps/000_1.txt"  # the stored article is kept, it only gains the URL
    assert backend.seen_times(store, crawled.url)[0] == first_seen
    assert store.upsert_many([article(1)]).outcomes == ["unchanged"]


def test_repeats_inside_one_batch_see_each_other(store):
    first = article(1)
    same_again = article(1)
    edit = edited(article(1), "Edited within the same batch.")
    copy_elsewhere = article(1, url="https://apa.az/en/copy/1", body=edit.body)
    result = store.upsert_many([first, same_again, edit, copy_elsewhere])
    assert result.outcomes == ["inserted", "unchanged", "revised", "duplicate"]
    assert store.count() == 1
    (current,) = store.query()
    assert current.body == edit.body
    assert [r["article"].body for r in store.revisions(first.url)] == [first.body]


def test_url_adoption_inside_one_batch(store):
    loaded, crawled = article(1, url=""), article(1)
    assert store.upsert_many([loaded, crawled]).outcomes == ["inserted", "duplicate"]
    assert [a.url for a in store.query()] == [crawled.url]
    assert store.has_url(crawled.url)


def test_mixed_batch_reports_every_outcome_in_input_order(store):
    store.upsert_many([article(1), article(2)])
    batch = [article(3), article(1), edited(article(2), "New text for two."), article(1, url="https://x.az/1")]
    result = store.upsert_many(batch)
    assert result.outcomes == ["inserted", "unchanged", "revised", "duplicate"]
    assert (result.inserted, result.unchanged, result.revised, result.duplicates) == (1, 1, 1, 1)
    assert store.count() == 3


# -- lookups --------------------------------------------------------------------------------------
def test_url_and_content_lookups(store):
    stored, missing = article(1), article(2)
    store.upsert_many([stored, article(3, url="")])
    assert store.has_url(stored.url) and not store.has_url(missing.url)
    assert not store.has_url("")
    assert store.known_urls([stored.url, missing.url, "", stored.url]) == {stored.url}
    assert store.known_urls([]) == set()
    assert store.known_urls(iter([missing.url])) == set()
    assert store.has_content_hash(stored.content_hash) and not store.has_content_hash(missing.content_hash)
    assert store.has_content_hash(article(3).content_hash)


# -- remembered URLs: fetched, but no article stored under them ------------------------------------
OLD_SLUG = "https://en.apa.az/incident/fire-breaks-out-at-shopping-center-520917"
GONE = "https://en.apa.az/incident/deleted-article-520916"
UNDATED = "https://en.apa.az/sports/page-without-a-date-520915"


def test_remembered_urls_are_known_but_not_stored(backend, store):
    stored = article(1)
    store.upsert_many([stored])
    before = datetime.now(UTC) - timedelta(seconds=1)
    store.remember_urls(
        [RememberedUrl(OLD_SLUG, ALIAS, stored.url), RememberedUrl(GONE, "http_404"), RememberedUrl("", "no_date")]
    )
    after = datetime.now(UTC) + timedelta(seconds=1)
    assert store.known_urls([stored.url, OLD_SLUG, GONE, UNDATED, ""]) == {stored.url, OLD_SLUG, GONE}
    what, target, remembered_at = backend.remembered(store, OLD_SLUG)
    assert (what, target) == (ALIAS, stored.url)
    assert before <= remembered_at <= after and remembered_at.utcoffset() == timedelta(0)
    assert backend.remembered(store, GONE)[:2] == ("http_404", "")
    assert not store.has_url(OLD_SLUG) and store.count() == 1 and [a.url for a in store.query()] == [stored.url]
    store.remember_urls([])
    assert store.known_urls(iter([GONE])) == {GONE}


def test_dropped_pages_count_as_known_within_the_recheck_window_and_aliases_always(store):
    stored = article(1)
    store.upsert_many([stored])
    store.remember_urls([RememberedUrl(OLD_SLUG, ALIAS, stored.url), RememberedUrl(UNDATED, "no_date")])
    now = datetime.now(UTC)
    offered = [stored.url, OLD_SLUG, UNDATED]
    assert store.known_urls(offered) == set(offered)  # no window: dropped pages are never tried again
    assert store.known_urls(offered, dropped_since=now - timedelta(hours=1)) == set(offered)
    # Remembered before the window opened: the dropped page is due for another try.
    assert store.known_urls(offered, dropped_since=now + timedelta(hours=1)) == {stored.url, OLD_SLUG}
    # Naive bounds are UTC; other zones mean the same instants.
    baku = timezone(timedelta(hours=4))
    assert store.known_urls(offered, dropped_since=(now + timedelta(hours=1)).astimezone(baku)) == {stored.url, OLD_SLUG}
    assert store.known_urls(offered, dropped_since=(now - timedelta(hours=1)).replace(tzinfo=None)) == set(offered)


def test_remembering_a_url_again_replaces_what_was_remembered(backend, store):
    later = datetime.now(UTC) + timedelta(hours=1)
    store.remember_urls([RememberedUrl(UNDATED, "no_date")])
    assert store.known_urls([UNDATED], dropped_since=later) == set()
    # Its text came: now it led to an article stored under its canonical URL.
    store.remember_urls([RememberedUrl(UNDATED, ALIAS, article(1).url)])
    assert store.known_urls([UNDATED], dropped_since=later) == {UNDATED}
    assert backend.remembered(store, UNDATED)[:2] == (ALIAS, article(1).url)
    store.remember_urls([RememberedUrl(UNDATED, "no_body"), RememberedUrl(UNDATED, "http_404")])  # the last one wins
    assert backend.remembered(store, UNDATED)[:2] == ("http_404", "")
    assert store.known_urls([UNDATED], dropped_since=later) == set()


def test_known_urls_of_a_long_list(store):
    """More URLs than one SQL statement may bind: the store splits the lookup, the answer is whole."""
    stored = [article(n) for n in range(1, 401)]
    store.upsert_many(stored)
    remembered = [f"https://en.apa.az/incident/gone-{n}" for n in range(700)]
    store.remember_urls(RememberedUrl(url, "http_404") for url in remembered)
    unknown = [f"https://en.apa.az/incident/never-seen-{n}" for n in range(700)]
    offered = [*unknown, *remembered, *(a.url for a in stored)]
    assert store.known_urls(offered) == {*remembered, *(a.url for a in stored)}


# -- queries --------------------------------------------------------------------------------------
@pytest.fixture
def corpus(store) -> list[Article]:
    articles = [
        article(1, site="en.apa.az", lang="en"),
        article(2, site="az.apa.az", lang="az"),
        article(3, site="ru.apa.az", lang="ru"),
        article(4, site="en.apa.az", lang="en"),
        article(5, site="az.apa.az", lang="az", published_at=T0 + timedelta(days=2)),
    ]
    store.upsert_many(articles)
    return articles


def urls(articles) -> list[str]:
    return [a.url for a in articles]


def test_query_returns_newest_first_with_times_as_written(store, corpus):
    result = list(store.query())
    assert urls(result) == urls(sorted(corpus, key=lambda a: a.published_at, reverse=True))
    assert {a.url: a.published_at for a in result} == {a.url: a.published_at for a in corpus}
    assert all(a.published_at.tzinfo is not None and a.published_at.utcoffset() == timedelta(0) for a in result)


def test_query_filters(store, corpus):
    by_url = {a.url: a for a in corpus}
    since, until = T0 + timedelta(hours=2), T0 + timedelta(hours=4)
    assert urls(store.query(since=since, until=until)) == urls([corpus[2], corpus[1]])  # until is exclusive
    assert urls(store.query(since=T0 + timedelta(days=1))) == [corpus[4].url]
    assert urls(store.query(until=T0 + timedelta(hours=2))) == [corpus[0].url]
    assert urls(store.query(lang="az")) == urls([corpus[4], corpus[1]])
    assert urls(store.query(site="en.apa.az")) == urls([corpus[3], corpus[0]])
    assert urls(store.query(site="en.apa.az", lang="az")) == []
    assert urls(store.query(limit=2)) == urls([corpus[4], corpus[3]])
    assert urls(store.query(limit=0)) == []
    # Other time zones and naive (UTC) bounds mean the same instants.
    baku = timezone(timedelta(hours=4))
    assert urls(store.query(since=since.astimezone(baku), until=until.replace(tzinfo=None))) == urls([corpus[2], corpus[1]])
    assert set(by_url) == set(urls(store.query(lang="", site="")))


def test_count_uses_the_same_filters(store, corpus):
    assert store.count() == 5
    assert store.count(lang="az") == 2
    assert store.count(site="en.apa.az", since=T0 + timedelta(hours=2)) == 1
    assert store.count(until=T0) == 0


def test_summary(store):
    store.upsert_many(
        [
            article(1, site="en.apa.az", lang="en", story_id="s1"),
            article(2, site="en.apa.az", lang="en", story_id="s1"),
            article(3, site="az.apa.az", lang="az", story_id="s1"),
            article(4, site="az.apa.az", lang="az", story_id="s2", published_at=T0 + timedelta(days=1)),
            article(5, site="ru.apa.az", lang="ru", story_id="s2", published_at=T0 + timedelta(days=1, hours=23)),
            article(6, site="en.apa.az", lang="en", story_id="s3", published_at=T0 - timedelta(days=1)),
        ]
    )
    store.upsert_many([edited(article(6, site="en.apa.az", lang="en", published_at=T0 - timedelta(days=1)), "Edit.")])
    summary = store.summary()
    assert summary["total"] == 6
    assert list(summary["by_site"].items()) == [("en.apa.az", 3), ("az.apa.az", 2), ("ru.apa.az", 1)]
    assert list(summary["by_lang"].items()) == [("en", 3), ("az", 2), ("ru", 1)]
    assert list(summary["by_day"].items()) == [("2024-04-30", 1), ("2024-04-29", 1), ("2024-04-28", 3), ("2024-04-27", 1)]
    assert [(s["story_id"], s["articles"], s["outlets"], s["langs"]) for s in summary["stories"]] == [
        ("s1", 3, ["en.apa.az", "az.apa.az"], ["en", "az"]),  # articles without an outlet count by site
        ("s2", 2, ["az.apa.az", "ru.apa.az"], ["az", "ru"]),
    ]
    assert summary["stories"][1]["first"] == {
        "outlet": "az.apa.az", "site": "az.apa.az", "lang": "az", "published_at": "2024-04-29T12:00:00+00:00", "title": "Headline number 4",
    }  # fmt: skip
    assert [s["story_id"] for s in summary["multi_outlet_stories"]] == ["s1", "s2"]
    assert [s["story_id"] for s in summary["multi_lang_stories"]] == ["s1", "s2"]
    assert summary["revisions"] == 1


def test_summary_lists_stories_of_several_outlets_and_languages(store):
    store.upsert_many(
        [
            article(1, site="apa.az", lang="az", story_id="wire"),
            replace(article(2, site="report.az", lang="az", story_id="wire"), outlet="report"),
            replace(article(3, site="report.az", lang="en", story_id="wire"), outlet="report"),
            replace(article(4, site="report.az", lang="en", story_id="update"), outlet="report"),
            replace(article(5, site="report.az", lang="en", story_id="update"), outlet="report"),
        ]
    )
    summary = store.summary()
    assert [s["story_id"] for s in summary["stories"]] == ["wire", "update"]
    (wire,) = summary["multi_outlet_stories"]
    assert (wire["story_id"], wire["outlets"], wire["langs"], wire["first"]["outlet"]) == ("wire", ["apa.az", "report"], ["az", "en"], "apa.az")
    assert [s["story_id"] for s in summary["multi_lang_stories"]] == ["wire"]


def test_summary_of_an_empty_store(store):
    assert store.summary() == {
        "total": 0, "by_site": {}, "by_lang": {}, "by_day": {}, "stories": [], "multi_outlet_stories": [], "multi_lang_stories": [],
        "revisions": 0,
    }  # fmt: skip


# -- near-duplicate bands and crawl runs ----------------------------------------------------------
# Band keys are signed 64-bit integers, the full range of them.
B1, B2, B3, B9 = -(2**63), 2**63 - 1, 0, 12345


def test_story_bands(store):
    assert store.story_candidates([]) == {}
    store.add_stories([("s1", b"one", [B1, B2]), ("s2", b"two", [B1]), ("s3", b"three", [B3])])
    store.add_stories([("s1", b"one", [B1])])  # again: no effect
    store.add_stories([])
    assert store.story_candidates([B1, B2, B9]) == {"s1": 2, "s2": 1}
    assert store.story_candidates([B3]) == {"s3": 1}
    assert store.story_candidates([B9]) == {}


def test_story_sketches_first_writer_wins_and_later_bands_still_count(store):
    assert store.story_sketches([]) == {}
    store.add_stories([("s1", b"\x00first\xff", [B1]), ("s2", b"two", []), ("s1", b"second in the same call", [B2])])
    store.add_stories([("s1", b"later", [B3]), ("s3", bytes(range(256)), [])])
    assert store.story_sketches(["s1", "s2", "s3", "s9", "s1"]) == {
        "s1": b"\x00first\xff",
        "s2": b"two",
        "s3": bytes(range(256)),
    }
    assert store.story_sketches(["s9"]) == {}
    assert store.story_candidates([B1, B2, B3]) == {"s1": 3}


def test_story_index_format_and_reset(store):
    assert store.story_index_format() == ""
    store.add_stories([("s1", b"one", [B1])])
    store.set_story_index_format("v1")
    store.set_story_index_format("v2")
    assert store.story_index_format() == "v2"
    store.upsert_many([article(1)])
    store.reset_story_index()
    assert (store.story_index_format(), store.story_candidates([B1]), store.story_sketches(["s1"])) == ("", {}, {})
    assert store.count() == 1  # articles are not part of the index
    store.add_stories([("s1", b"again", [B2])])
    assert store.story_candidates([B1, B2]) == {"s1": 1}


def test_runs_newest_first_as_json_ready_dicts(store):
    for hour, spider in [(1, "apa"), (3, "apa"), (2, "other")]:
        store.record_run({"spider": spider, "started_at": T0 + timedelta(hours=hour), "items": hour, "errors": []})
    runs = store.recent_runs()
    assert [(r["spider"], r["items"]) for r in runs] == [("apa", 3), ("other", 2), ("apa", 1)]
    assert runs[0] == {"spider": "apa", "started_at": "2024-04-28T15:00:00+00:00", "items": 3, "errors": []}
    assert [r["items"] for r in store.recent_runs("apa")] == [3, 1]
    assert [r["items"] for r in store.recent_runs(limit=1)] == [3]
    assert store.recent_runs("nobody") == []


# -- persistence and concurrency ------------------------------------------------------------------
def test_data_survives_close_and_reopen(backend, store):
    original = article(1)
    store.upsert_many([original])
    store.upsert_many([edited(article(1), "Second version.")])
    store.add_stories([("s1", b"sketch", [B1])])
    store.set_story_index_format("v2")
    store.record_run({"spider": "apa", "started_at": T0})
    store.remember_urls([RememberedUrl(GONE, "http_404")])
    store.close()
    reopened = backend.open()
    assert reopened.count() == 1 and reopened.has_url(original.url)
    assert [r["article"] for r in reopened.revisions(original.url)] == [original]
    assert reopened.story_candidates([B1]) == {"s1": 1} and reopened.story_index_format() == "v2"
    assert len(reopened.recent_runs()) == 1
    assert reopened.known_urls([GONE]) == {GONE}
    assert reopened.upsert_many([edited(article(1), "Second version.")]).outcomes == ["unchanged"]


def test_two_stores_writing_the_same_articles_at_once_store_each_once(backend):
    """Like two crawler processes: each thread opens its own store on the same database."""
    batch_urls = [article(n).url for n in range(1, 41)]
    start = threading.Barrier(2, timeout=30)
    results: list[WriteResult] = []
    errors: list[BaseException] = []

    def crawl() -> None:
        try:
            with backend.opened() as store:
                start.wait()
                for n in range(0, len(batch_urls), 10):
                    results.append(store.upsert_many([article(m) for m in range(n + 1, n + 11)]))
        except BaseException as exc:  # a thread's exception would otherwise be lost
            start.abort()  # and the other thread would wait for this one
            errors.append(exc)

    threads = [threading.Thread(target=crawl) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = backend.open()
    assert store.count() == len(batch_urls)
    assert sorted(urls(store.query())) == sorted(batch_urls)
    written = [outcome for result in results for outcome in result.outcomes]
    assert len(written) == 2 * len(batch_urls) and set(written) <= {"inserted", "unchanged"}
    assert written.count("inserted") == len(batch_urls)  # atomic upserts: one writer inserts each


def test_url_of_content_tells_stored_url_empty_url_and_unknown(store):
    crawled, loaded, missing = article(1), article(2, url=""), article(3)
    store.upsert_many([crawled, loaded])
    assert store.url_of_content(crawled.content_hash) == crawled.url
    assert store.url_of_content(loaded.content_hash) == ""
    assert store.url_of_content(missing.content_hash) is None


# -- listings read in part (newsmon.spiders.base.ListingProgress) -------------------------------


def test_listing_gaps_are_kept_per_scope_and_forgotten(store: Store):
    assert store.listing_gaps("apa:en") == []
    store.set_listing_gaps("apa:en", ["https://en.apa.az/all-news?page=7", "https://en.apa.az/all-news?page=31"])
    store.set_listing_gaps("report:en", ["https://report.az/en/infinity/index?date=2026-04-08+10%3A00%3A00&oldest=1"])
    assert store.listing_gaps("apa:en") == ["https://en.apa.az/all-news?page=7", "https://en.apa.az/all-news?page=31"]
    store.set_listing_gaps("apa:en", ["https://en.apa.az/all-news?page=8"])
    assert store.listing_gaps("apa:en") == ["https://en.apa.az/all-news?page=8"]
    store.set_listing_gaps("apa:en", [])
    assert store.listing_gaps("apa:en") == [] and len(store.listing_gaps("report:en")) == 1


# -- watchlists and alerts -----------------------------------------------------------------------
def watchlist(name: str = "energy", terms: tuple[str, ...] = ("oil",), **filters) -> "Watchlist":
    from newsmon.watch import Watchlist

    return Watchlist(name, terms, **filters)


def test_watchlists_are_saved_listed_by_name_and_removed(store):
    from newsmon.store import WatchlistExists

    second = store.add_watchlist(watchlist("zeta", ("Bayramov", "gas price"), outlets=("apa",), langs=("en", "az")))
    first = store.add_watchlist(watchlist("alpha"))
    assert first.id and second.id and first.id != second.id
    assert first.created_at is not None and first.created_at.utcoffset() == timedelta(0)
    assert [w.name for w in store.watchlists()] == ["alpha", "zeta"]
    assert store.watchlists()[1] == second
    with pytest.raises(WatchlistExists, match="'alpha' exists already"):
        store.add_watchlist(watchlist("alpha", ("other",)))
    assert store.remove_watchlist(first.id) is True
    assert store.remove_watchlist(first.id) is False
    assert store.watchlists() == [second]


def test_one_alert_per_story_grown_by_its_copies(store):
    from newsmon.store import ALERT_RAISED, ALERT_UNCHANGED, ALERT_UPDATED

    watch = store.add_watchlist(watchlist())
    founder = replace(article(1), outlet="apa", story_id="story-1")
    copy = replace(article(2, site="report.az"), outlet="report", story_id="story-1")
    outcome, alert = store.record_alert(watch.id, founder)
    assert outcome == ALERT_RAISED
    assert (alert.watchlist_id, alert.story_id, alert.copies, alert.outlets) == (watch.id, "story-1", 1, ["apa"])
    assert alert.first["url"] == founder.url and alert.first["title"] == founder.title
    assert alert.first["published_at"] == "2024-04-28T13:00:00+00:00"
    assert store.record_alert(watch.id, copy)[0] == ALERT_UPDATED
    outcome, alert = store.record_alert(watch.id, copy)  # the same copy again: a replayed batch, a revision
    assert outcome == ALERT_UNCHANGED and (alert.copies, alert.outlets) == (2, ["apa", "report"])
    assert alert.first["url"] == founder.url and alert.updated_at >= alert.raised_at
    other_story = replace(article(3), outlet="apa", story_id="story-2")
    assert store.record_alert(watch.id, other_story)[0] == ALERT_RAISED
    assert [a.story_id for a in store.alerts()] == ["story-2", "story-1"]
    assert [a.story_id for a in store.alerts(limit=1)] == ["story-2"]
    other_watch = store.add_watchlist(watchlist("second"))
    assert store.record_alert(other_watch.id, founder)[0] == ALERT_RAISED  # its own alert of the same story
    assert [a.story_id for a in store.alerts(watchlist_id=other_watch.id)] == ["story-1"]
    assert store.alerts(since=datetime.now(UTC) + timedelta(minutes=1)) == []
    store.remove_watchlist(watch.id)
    assert [a.watchlist_id for a in store.alerts()] == [other_watch.id]


def test_two_processes_raise_one_alert_for_one_story(backend):
    """Writers of their own (threads with stores of their own, as two crawls have) record the copies
    of one story at once: one of them raises the alert, the others update it."""
    from newsmon.store import ALERT_RAISED

    with backend.opened() as store:
        watch_id = store.add_watchlist(watchlist()).id
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def record(n: int) -> None:
        with backend.opened() as store:
            barrier.wait()
            for round_ in range(5):
                copy = replace(article(n * 10 + round_), outlet=f"outlet{n}", story_id=f"story-{round_}")
                outcomes.append(store.record_alert(watch_id, copy)[0])

    threads = [threading.Thread(target=record, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(ALERT_RAISED) == 5
    with backend.opened() as store:
        alerts = store.alerts()
    assert sorted(a.story_id for a in alerts) == [f"story-{r}" for r in range(5)]
    assert {a.copies for a in alerts} == {4}


# -- the change sequence (newsmon export --after) ------------------------------------------------
def test_changes_number_inserts_revisions_and_adoptions_not_repeats(store):
    assert (store.latest_change(), list(store.changes(0))) == (0, [])
    first, second, third = article(1), article(2), article(3)
    store.upsert_many([first, second, third])
    changes = list(store.changes(0))
    assert [c.article.url for c in changes] == [first.url, second.url, third.url]
    assert [c.seq for c in changes] == sorted(c.seq for c in changes) and len({c.seq for c in changes}) == 3
    cursor = changes[-1].seq
    assert store.latest_change() == cursor
    store.upsert_many([first, second])  # unchanged: no change
    assert list(store.changes(cursor)) == []
    revised = edited(second, "A corrected text.")
    store.upsert_many([revised])
    (change,) = store.changes(cursor)
    assert change.seq > cursor and change.article.content_hash == revised.content_hash
    offline = replace(article(4), url="")
    store.upsert_many([offline])
    store.upsert_many([replace(offline, url="https://apa.az/en/news/4")])  # the crawled copy gives it its URL
    assert [c.article.url for c in store.changes(change.seq)] == ["https://apa.az/en/news/4"]
    assert [c.article.url for c in store.changes(0, limit=2)] == [first.url, third.url]


def test_articles_stored_before_the_change_sequence_get_numbers(backend):
    with backend.opened() as store:
        store.upsert_many([article(1), article(2)])
        if isinstance(store, SQLiteStore):
            store._db.execute("DROP INDEX articles_seq")
            store._db.execute("ALTER TABLE articles DROP COLUMN seq")
        else:
            # A database from before the sequence: no numbers, and none of its meta documents.
            store.articles.update_many({}, {"$unset": {"seq": ""}})
            store.meta.delete_many({"_id": {"$in": ["change_seq", "change_seq_backfilled"]}})
    with backend.opened() as store:
        numbered = list(store.changes(0))
        assert sorted(c.article.url for c in numbered) == [article(1).url, article(2).url]
        assert len({c.seq for c in numbered}) == 2
        store.upsert_many([article(3)])
        assert [c.article.url for c in store.changes(max(c.seq for c in numbered))] == [article(3).url]
