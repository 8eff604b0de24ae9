"""What the analyst's desk reads from a store, the same on every backend: full-text search,
one article, one story, outlets per story, articles per day, and the paged, filtered query.

Backends as in the contract suite: SQLite, and MongoStore on a real server (SecantusDB, which
has no text index, so its search is the indexed token fallback).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from newsmon.fingerprint import content_hash
from newsmon.items import Article
from newsmon.search import parse_query
from newsmon.store import open_store
from newsmon.store.mongo import SEARCH_FIELD, MongoStore, token_filter
from newsmon.store.sqlite import SQLiteStore, fts_expression
from test_store_contract import T0, Backend, article, backend, edited, store  # noqa: F401 (fixtures)


def news(n: int, title: str, body: str, *, lang: str = "az", site: str = "apa.az", outlet: str = "apa",
         hours: int | None = None, story_id: str = "", category: str = "Politics") -> Article:
    base = article(n, site=site, lang=lang, story_id=story_id, published_at=T0 + timedelta(hours=n if hours is None else hours))
    return replace(base, title=title, body=body, outlet=outlet, category=category, content_hash=content_hash(title, body))


@pytest.fixture
def desk_corpus(store) -> list[Article]:
    articles = [
        news(1, "Prezident İlham Əliyev nümayəndə heyətini qəbul edib", "Görüşdə neft hasilatı müzakirə olunub.",
             story_id="s1"),
        news(2, "President Ilham Aliyev received the delegation", "Oil production was discussed.", lang="en",
             site="en.apa.az", story_id="s1"),
        news(3, "Президент Ильхам Алиев принял делегацию", "Обсуждалась добыча нефти. ЁЛКА", lang="ru",
             site="report.az", outlet="report", story_id="s1", category="Политика"),
        news(4, "Neft hasilatı artıb", "Ölkədə hasilat artıb, neft ixracı da.", site="report.az", outlet="report",
             story_id="s2", category="Economy"),
        news(5, "Hasilat və neft", "Neft sözü hasilatdan sonra gəlmir: hasilatı neft.", story_id="s3",
             category="Economy"),
    ]
    store.upsert_many(articles)
    return articles


def titles(articles) -> list[str]:
    return [a.title for a in articles]


def found(store, query, **filters) -> list[int]:
    return [int(a.url.rsplit("/", 1)[1]) for a in store.search(query, **filters)]


@pytest.mark.parametrize(
    "query, numbers",
    [
        ("Əliyev", [2, 1]),  # newest first; the English copy spells it Aliyev
        ("Aliyev", [2, 1]),
        ("ƏLİYEV", [2, 1]),
        ("Eliyev", [1]),  # ə typed as e: only the Azerbaijani text has it
        ("ilham", [2, 1]),
        ("ИЛЬХАМ алиев", [3]),
        ("елка", [3]),  # ё is е
        ("neft hasilatı", [5, 4, 1]),  # every word, anywhere
        ('"neft hasilatı"', [4, 1]),  # in a row
        ('"neft hasilati" ixraci', [4]),
        ('"hasilatı neft"', [5]),
        ("neft nothing", []),
        ("...", []),
    ],
)
def test_search(store, desk_corpus, query, numbers):
    assert found(store, query) == numbers


def test_search_filters_and_pages(store, desk_corpus):
    assert found(store, "neft", outlet="report") == [4]
    assert found(store, "neft", lang="az") == [5, 4, 1]
    assert found(store, "neft OR", lang="en") == []
    assert found(store, "neft", since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=5)) == [4]
    assert found(store, "neft", limit=2) == [5, 4]
    assert found(store, "neft", limit=2, offset=2) == [1]
    assert found(store, '"neft hasilatı"', limit=1, offset=1) == [1]  # phrases checked after the index
    assert found(store, "neft", limit=0) == []


def test_search_follows_revisions_and_adopted_urls(store, desk_corpus):
    store.upsert_many([edited(desk_corpus[0], "Görüşdə qaz ixracı müzakirə olunub.")])
    assert found(store, "neft", lang="az") == [5, 4]
    assert found(store, "qaz") == [1]
    loaded = replace(news(9, "Yükləmə Sumqayıt", "Bir mətn"), url="")
    store.upsert_many([loaded])
    store.upsert_many([replace(loaded, url="https://apa.az/az/news/9")])
    assert [a.url for a in store.search("sumqayit")] == ["https://apa.az/az/news/9"]


def test_search_treats_query_syntax_as_words(store, desk_corpus):
    # FTS5 operators and MongoDB operators in a query are words like any other.
    for query in ('neft AND "', "neft NOT hasilat*", "neft {$ne: 1}", "NEAR(neft hasilat)", "neft' OR 1=1 --"):
        assert isinstance(store.search(query), list)
    assert found(store, "neft*") == [5, 4, 1]


def test_article_and_story(store, desk_corpus):
    assert store.article(desk_corpus[1].url).title == desk_corpus[1].title
    assert store.article("https://apa.az/none") is None
    assert titles(store.story("s1")) == titles(desk_corpus[:3])  # in order of publication
    assert store.story("none") == [] and store.story("") == []


def test_story_outlets(store, desk_corpus):
    assert store.story_outlets(["s1", "s2", "s3", "none", ""]) == {"s1": 2, "s2": 1, "s3": 1}
    assert store.story_outlets([]) == {}


def test_daily_counts(store, desk_corpus):
    store.upsert_many([news(30, "Sabah", "Sabahkı xəbər", hours=30)])
    assert store.daily_counts(since=T0) == {
        "apa.az": {"2024-04-28": 2, "2024-04-29": 1},
        "en.apa.az": {"2024-04-28": 1},
        "report.az": {"2024-04-28": 2},
    }
    assert store.daily_counts(since=T0 + timedelta(days=1)) == {"apa.az": {"2024-04-29": 1}}


def test_query_by_outlet_and_category_in_pages(store, desk_corpus):
    assert titles(store.query(outlet="report")) == titles([desk_corpus[3], desk_corpus[2]])
    assert titles(store.query(category="Economy")) == titles([desk_corpus[4], desk_corpus[3]])
    assert titles(store.query(limit=2, offset=1)) == titles([desk_corpus[3], desk_corpus[2]])
    assert titles(store.query(offset=4)) == titles([desk_corpus[0]])


# -- how each backend does it ----------------------------------------------------------------------
def test_fts_expression_quotes_every_form():
    assert fts_expression(parse_query('Əliyev "neft hasilatı" bp')) == (
        '("eliyev" OR "aliyev") AND "neft hasilati" AND "bp"'
    )


@pytest.mark.parametrize(
    "query, condition",
    [
        ("neft", {SEARCH_FIELD: "neft"}),
        ("Əliyev", {SEARCH_FIELD: {"$in": ["eliyev", "aliyev"]}}),
        ('Əliyev "neft hasilatı" neft', {"$and": [
            {SEARCH_FIELD: {"$in": ["eliyev", "aliyev"]}}, {SEARCH_FIELD: "neft"}, {SEARCH_FIELD: "hasilati"},
        ]}),
        ('"İlham Əliyev"', {"$and": [{SEARCH_FIELD: "ilham"}, {SEARCH_FIELD: {"$in": ["eliyev", "aliyev"]}}]}),
    ],
)  # fmt: skip
def test_token_filter_asks_for_every_word_in_one_of_its_forms(query, condition):
    assert token_filter(parse_query(query)) == condition


def test_sqlite_store_of_an_older_layout_gets_its_search_index_once(tmp_path):
    path = tmp_path / "old.db"
    uri = f"sqlite:///{path}"
    with open_store(uri) as store:
        store.upsert_many([news(1, "Əliyev", "Bakı")])
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE article_search")  # as a store made before search existed
        db.execute("DROP TABLE article_search_rows")
    with open_store(uri) as store:
        assert found(store, "aliyev") == [1]
    with open_store(uri) as store:  # opened again: nothing rebuilt, nothing doubled
        assert isinstance(store, SQLiteStore)
        assert store._db.execute("SELECT COUNT(*) FROM article_search").fetchone() == (1,)
        assert store._db.execute("SELECT outlet, lang FROM article_search_rows").fetchall() == [("apa", "az")]


@pytest.fixture
def mongo_backend(mongo_uri) -> Iterator[Backend]:
    backend = Backend("mongodb", mongo_uri)
    yield backend
    backend.cleanup()


@pytest.mark.mongo_real
def test_mongodb_search_uses_the_token_index_and_backfills_old_documents(mongo_backend):
    backend = mongo_backend
    store = backend.open()
    assert isinstance(store, MongoStore)
    first = news(1, "Əliyev", "Bakı")
    store.upsert_many([first, news(2, "Neft", "Sumqayıt")])
    store.upsert_many([edited(first, "Bakıda")])
    # Documents stored before the field existed, and a store that has not yet looked at them.
    store.articles.update_many({}, {"$unset": {SEARCH_FIELD: ""}})
    store.meta.delete_one({"_id": "search_tokens"})
    fresh = backend.open()
    assert found(fresh, "aliyev") == [1] and found(fresh, "sumqayit") == [2]
    stored = store.articles.find_one({"_id": "https://apa.az/en/news/1"})
    assert stored[SEARCH_FIELD] == ["aliyev", "bakida", "eliyev"]
    assert "search_tokens" in store.articles.index_information()
    revisions = list(store.revisions_collection.find({}, {"_id": 0}))
    assert len(revisions) == 1 and SEARCH_FIELD not in json.dumps(revisions, default=str)
    assert SEARCH_FIELD not in json.dumps(fresh.article("https://apa.az/en/news/1").__dict__, default=str)
