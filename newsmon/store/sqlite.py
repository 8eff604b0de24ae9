"""The embedded default store: one SQLite file in WAL mode.

URIs follow SQLAlchemy: `sqlite:///relative/path.db`, `sqlite:////absolute/path.db`.
Every write batch runs in one `BEGIN IMMEDIATE` transaction, which takes the database's write
lock before reading, so concurrent crawler processes sharing the file cannot race.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from newsmon.items import Article, from_record, isoformat_utc, parse_isoformat, to_record
from newsmon.search import SearchQuery, parse_query, search_forms
from newsmon.store.base import (
    ALERT_RAISED,
    ALERT_UNCHANGED,
    ALERT_UPDATED,
    ALIAS,
    Alert,
    ArticleFilter,
    Change,
    DUPLICATE,
    INSERTED,
    IndexedStory,
    REVISED,
    UNCHANGED,
    STORIES_LISTED,
    STORY_LISTS,
    RememberedUrl,
    Store,
    StoreError,
    StoreUnavailable,
    WatchlistExists,
    WriteResult,
    StoryMember,
    alert_article,
    alert_story,
    article_key,
    article_outlet,
    describe_stories,
    new_watchlist_id,
    redact_uri,
)
from newsmon.watch import Watchlist

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    key TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    site TEXT NOT NULL,
    lang TEXT NOT NULL,
    published_at TEXT,
    story_id TEXT NOT NULL DEFAULT '',
    record TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    seq INTEGER  -- the change sequence: see SQLiteStore._add_change_sequence
);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published_at DESC);
CREATE INDEX IF NOT EXISTS articles_site_lang_published ON articles (site, lang, published_at);
CREATE INDEX IF NOT EXISTS articles_story ON articles (story_id);
CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    revised_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS revisions_key ON revisions (key, id);
-- Band rows name their story by the sketch's integer `ref`: half the size of a row holding
-- the 32-character story id, so 32 rows per story touch half the pages on every write.
CREATE TABLE IF NOT EXISTS story_sketches (
    ref INTEGER PRIMARY KEY,
    story_id TEXT NOT NULL UNIQUE,
    sketch BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS story_bands (
    band_key INTEGER NOT NULL,
    story_ref INTEGER NOT NULL,
    PRIMARY KEY (band_key, story_ref)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    spider TEXT NOT NULL,
    started_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_spider_started ON runs (spider, started_at DESC);
CREATE TABLE IF NOT EXISTS seen_urls (
    url TEXT PRIMARY KEY,
    what TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    remembered_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS watchlists (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
) WITHOUT ROWID;
-- One alert per (watchlist, story): the primary key makes a second process's insert of the
-- same story an update instead of a second alert.
CREATE TABLE IF NOT EXISTS alerts (
    watchlist_id TEXT NOT NULL,
    story_id TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    first TEXT NOT NULL,
    article_keys TEXT NOT NULL,
    outlets TEXT NOT NULL,
    PRIMARY KEY (watchlist_id, story_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS alerts_raised ON alerts (raised_at DESC);
"""

# Full-text search (newsmon.search): one FTS5 row per article, its rowid the article row's, holding
# every folded form of the title and the body; and a narrow row of what a search sorts and filters
# by, so that ordering 30,000 hits by time reads 40-byte rows, not 3-KB articles (5-8x faster at
# 100,000 articles, bench/bench_desk.py). Both kept in step with `articles` in the same write
# transactions; a store of an older layout gets them created and filled when opened.
# (VACUUM may renumber the rowids of a table without INTEGER PRIMARY KEY; newsmon never runs it.)
_SEARCH_SCHEMA = (
    "CREATE VIRTUAL TABLE article_search USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TABLE article_search_rows (rowid INTEGER PRIMARY KEY, published_at TEXT, lang TEXT, outlet TEXT)",
)
_SEARCH_INSERT = "INSERT INTO article_search (rowid, title, body) SELECT rowid, ?, ? FROM articles WHERE key = ?"
# An article's outlet; the site for records stored before outlets existed.
_OUTLET = "COALESCE(NULLIF(json_extract(record, '$.outlet'), ''), site)"
_SEARCH_ROW = (
    "INSERT OR REPLACE INTO article_search_rows (rowid, published_at, lang, outlet)"
    f" SELECT rowid, published_at, lang, {_OUTLET} FROM articles WHERE key = ?"
)

# `meta` rows of listings read in part: `listing_gaps:<scope>` -> JSON list of URLs to continue from.
_LISTING_GAPS = "listing_gaps:"
# SQLite allows at most 999 bound parameters per statement in older builds.
_CHUNK = 500


def sqlite_path(uri: str) -> Path:
    """`sqlite:///data/x.db` -> data/x.db (relative), `sqlite:////tmp/x.db` -> /tmp/x.db."""
    prefix = "sqlite:///"
    if not uri.startswith(prefix) or len(uri) == len(prefix):
        raise StoreError(f"bad SQLite URI {redact_uri(uri)!r}: expected sqlite:///relative/path or sqlite:////absolute/path")
    return Path(uri[len(prefix):])


def _enable_wal(db: sqlite3.Connection, timeout: float) -> None:
    """Switch to WAL, waiting for the lock: SQLite does not (no busy handler for this switch), so
    two processes opening a new database at once would fail with "database is locked"."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _is_locked(error: BaseException) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (extended codes included): another connection holds the lock."""
    code = getattr(error, "sqlite_errorcode", None)
    locked = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return isinstance(error, sqlite3.OperationalError) and code is not None and (code & 0xFF) in locked


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _comparable_time(value: datetime) -> str:
    """UTC with a fixed number of digits (naive means UTC), so that times compare as strings in SQL."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _search_text(text: str) -> str:
    """What the FTS table holds of a title or body: its folded forms, one a line."""
    return "\n".join(search_forms(text))


def _search_row(article: Article, key: str) -> tuple[str, str, str]:
    """The parameters of _SEARCH_INSERT for one article."""
    return _search_text(article.title), _search_text(article.body), key


def fts_expression(query: SearchQuery) -> str:
    """An FTS5 MATCH expression for `query`: every term (AND), each in any of its forms (OR).

    Words are letters and digits only (newsmon.search), so quoting them needs no escaping.
    """
    def term(forms: tuple[tuple[str, ...], ...]) -> str:
        quoted = [f'"{" ".join(form)}"' for form in forms]
        return quoted[0] if len(quoted) == 1 else f"({' OR '.join(quoted)})"

    return " AND ".join(term(t.forms) for t in query.terms)


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SQLiteStore(Store):
    def __init__(self, uri: str, *, timeout: float = 30.0) -> None:
        self.uri = uri
        self.path = sqlite_path(uri)
        self.timeout = timeout
        self._writing = False  # inside a write transaction (see _write_transaction)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            # Articles are ~3 KB rows: 32 KB pages write a batch in far fewer WAL frames than the
            # default 4 KB (bench/bench_store.py: ~12,000 -> ~22,000 articles/s). Only a new database
            # takes it; an existing file keeps its page size.
            self._db.execute("PRAGMA page_size=32768")
            _enable_wal(self._db, timeout)
            self._db.execute("PRAGMA synchronous=NORMAL")
            # The unique indexes and the story-band index are probed and grown at random
            # keys on every write; with SQLite's default 2 MB page cache that slows down as
            # the store grows. A 128 MB cache (a bound, not an allocation) keeps it in check:
            # a bulk load of 100,000 documents runs at ~1,850/s, a fifth slower with 64 MB.
            self._db.execute("PRAGMA cache_size=-131072")
            self._drop_old_story_index()
            self._db.executescript(_SCHEMA)
            self._add_change_sequence()
            self._create_search_index()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open SQLite store {self.path}: {exc}") from exc

    def _drop_old_story_index(self) -> None:
        """Drop story index tables of the layout before story refs (band rows holding story ids).

        The index is derived data: the story step rebuilds it from the stored articles
        (newsmon.stories.ensure_index_format).
        """
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(story_bands)")}
        if "story_id" in columns:
            with self._write_transaction():
                self._db.execute("DROP TABLE story_bands")
                self._db.execute("DROP TABLE story_sketches")

    def _add_change_sequence(self) -> None:
        """Every insert, revision and URL adoption gives the article row the next number of the
        change sequence (`changes`). Written inside the write transaction, which SQLite runs one
        at a time, numbers are committed in order: a reader that sees a number sees every lower
        one. Stores made before the sequence get it now, in row order."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(articles)")}
        if "seq" not in columns:
            with self._write_transaction():
                self._db.execute("ALTER TABLE articles ADD COLUMN seq INTEGER")
                self._db.execute("UPDATE articles SET seq = rowid")
        self._db.execute("CREATE UNIQUE INDEX IF NOT EXISTS articles_seq ON articles (seq)")

    def _create_search_index(self) -> None:
        """Create the FTS table and fill it from the stored articles, in one transaction: a store
        either has no search index or a complete one, so this runs once per store."""
        exists = "SELECT 1 FROM sqlite_master WHERE name = 'article_search_rows'"
        if self._db.execute(exists).fetchone():
            return
        with self._write_transaction():
            # Asked again under the write lock: another process opening the store at the same
            # moment may have created it since.
            if self._db.execute(exists).fetchone():
                return
            self._db.execute("DROP TABLE IF EXISTS article_search")  # of a layout without the narrow rows
            for statement in _SEARCH_SCHEMA:
                self._db.execute(statement)
            rows = self._db.execute("SELECT key, record FROM articles").fetchall()
            self._db.executemany(_SEARCH_INSERT, (_search_row(from_record(json.loads(r)), key) for key, r in rows))
            self._db.executemany(_SEARCH_ROW, ((key,) for key, _ in rows))

    # -- writes -------------------------------------------------------------------------
    def upsert_many(self, articles: Sequence[Article]) -> WriteResult:
        result = WriteResult()
        if not articles:
            return result
        now = _now()
        with self._write_transaction():
            (latest,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()
            self._seqs = itertools.count(latest + 1)
            by_key = self._fetch_existing("key", [article_key(a) for a in articles])
            by_hash = self._fetch_existing("content_hash", [a.content_hash for a in articles])
            inserts: list[tuple[tuple[Any, ...], tuple[str, str, str]]] = []
            for article in articles:
                outcome = self._classify(article, by_key, by_hash, now, inserts)
                result.outcomes.append(outcome)
            self._write_inserts(inserts)
        return result

    @contextmanager
    def _write_transaction(self) -> Iterator[None]:
        """One `BEGIN IMMEDIATE` ... `COMMIT`, rolled back on any failure, so that the connection
        never keeps the write lock, and raised as StoreError when SQLite or the data failed.

        BEGIN IMMEDIATE waits up to `timeout` seconds for another writer's lock; a lock held
        longer is StoreUnavailable, as for a server that cannot be reached: callers spool.
        """
        db = self._db
        if self._writing:  # inside story_index_rebuild: the outer transaction commits or rolls back
            yield
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            self._writing = True
            yield
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if _is_locked(exc):
                raise StoreUnavailable(
                    f"SQLite store {self.path} stayed locked by another writer for {self.timeout:g}s: {exc}"
                ) from exc
            # ValueError: text SQLite cannot encode (UnicodeEncodeError), a record json cannot write.
            if isinstance(exc, (sqlite3.Error, ValueError)):
                raise StoreError(f"SQLite write to {self.path} failed: {exc}") from exc
            raise
        finally:
            self._writing = False

    @contextmanager
    def story_index_rebuild(self) -> Iterator[None]:
        """The whole rebuild in one write transaction: other processes keep reading the old index
        until it commits (WAL), a second rebuilder waits for SQLite's write lock (then finds the
        index rebuilt), and a rebuild cut short leaves the old index as it was."""
        with self._write_transaction():
            yield

    def _write_inserts(self, inserts: list[tuple[tuple[Any, ...], tuple[str, str, str]]]) -> None:
        """Queued new articles, (article row, search row) each: both tables in one go."""
        self._db.executemany(
            "INSERT INTO articles (key, content_hash, url, site, lang, published_at, story_id,"
            " record, first_seen, last_seen, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row for row, _ in inserts),
        )
        self._db.executemany(_SEARCH_INSERT, (search for _, search in inserts))
        self._db.executemany(_SEARCH_ROW, ((row[0],) for row, _ in inserts))
        inserts.clear()

    def _fetch_existing(self, column: str, values: list[str]) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        unique = sorted(set(values))
        for chunk in _chunks(unique):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, content_hash, url, story_id FROM articles WHERE {column} IN ({marks})", chunk
            )
            for key, content_hash, url, story_id in rows:
                row = {"key": key, "content_hash": content_hash, "url": url, "story_id": story_id}
                found[row[column]] = row
        return found

    def _classify(
        self,
        article: Article,
        by_key: dict[str, dict[str, str]],
        by_hash: dict[str, dict[str, str]],
        now: str,
        inserts: list[tuple[tuple[Any, ...], tuple[str, str, str]]],
    ) -> str:
        """Decide one article's outcome and apply updates; new rows are queued in `inserts`.

        `by_key` / `by_hash` are updated as we go so that repeats inside one batch are seen.
        """
        key = article_key(article)
        existing = by_key.get(key)
        if existing is not None:
            if existing["content_hash"] == article.content_hash:
                self._db.execute("UPDATE articles SET last_seen = ? WHERE key = ?", (now, key))
                return UNCHANGED
            if article.content_hash in by_hash:
                return DUPLICATE  # the new text is already stored under another key
            self._write_inserts(inserts)  # the row may be one of this batch's, still queued
            self._revise(article, existing, now)
            by_hash.pop(existing["content_hash"], None)
            existing["content_hash"] = article.content_hash
            by_hash[article.content_hash] = existing
            return REVISED
        stored = by_hash.get(article.content_hash)
        if stored is not None:
            if not stored["url"] and article.url:
                self._write_inserts(inserts)  # the row may be one of this batch's, still queued
                self._adopt_url(stored, article, now)
                by_key[key] = stored
            return DUPLICATE
        record = to_record(article)
        inserts.append((
            (key, article.content_hash, article.url, article.site, article.lang,
             record["published_at"], article.story_id, json.dumps(record, ensure_ascii=False), now, now, next(self._seqs)),
            _search_row(article, key),
        ))  # fmt: skip
        row = {"key": key, "content_hash": article.content_hash, "url": article.url, "story_id": article.story_id}
        by_key[key] = row
        by_hash[article.content_hash] = row
        return INSERTED

    def _revise(self, article: Article, existing: dict[str, str], now: str) -> None:
        key = existing["key"]
        self._db.execute(
            "INSERT INTO revisions (key, revised_at, record) SELECT key, ?, record FROM articles WHERE key = ?",
            (now, key),
        )
        # A revision keeps the story it belongs to: edits do not make a new story.
        article.story_id = existing["story_id"] or article.story_id
        record = to_record(article)
        self._db.execute(
            "UPDATE articles SET content_hash = ?, site = ?, lang = ?, published_at = ?, story_id = ?,"
            " record = ?, last_seen = ?, seq = ? WHERE key = ?",
            (article.content_hash, article.site, article.lang, record["published_at"], article.story_id,
             json.dumps(record, ensure_ascii=False), now, next(self._seqs), key),
        )
        title, body, _ = _search_row(article, key)
        self._db.execute(
            "UPDATE article_search SET title = ?, body = ? WHERE rowid = (SELECT rowid FROM articles WHERE key = ?)",
            (title, body, key),
        )
        self._db.execute(_SEARCH_ROW, (key,))

    def _adopt_url(self, stored: dict[str, str], article: Article, now: str) -> None:
        """A crawled copy of an article first loaded from a file gives the stored one its URL."""
        old_key = stored["key"]
        (record_json,) = self._db.execute("SELECT record FROM articles WHERE key = ?", (old_key,)).fetchone()
        record = json.loads(record_json)
        record["url"] = article.url
        self._db.execute(
            "UPDATE articles SET key = ?, url = ?, record = ?, last_seen = ?, seq = ? WHERE key = ?",
            (article.url, article.url, json.dumps(record, ensure_ascii=False), now, next(self._seqs), old_key),
        )
        self._db.execute("UPDATE revisions SET key = ? WHERE key = ?", (article.url, old_key))
        stored["key"] = stored["url"] = article.url

    # -- reads --------------------------------------------------------------------------
    def has_url(self, url: str) -> bool:
        return bool(url) and self._db.execute("SELECT 1 FROM articles WHERE key = ?", (url,)).fetchone() is not None

    def known_urls(self, urls: Iterable[str], *, dropped_since: datetime | None = None) -> set[str]:
        wanted = sorted({u for u in urls if u})
        since = _comparable_time(dropped_since) if dropped_since else None
        known: set[str] = set()
        for chunk in _chunks(wanted, _CHUNK // 2):  # each URL is bound twice
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key FROM articles WHERE key IN ({marks})"
                f" UNION SELECT url FROM seen_urls WHERE url IN ({marks})"
                " AND (what = ? OR ? IS NULL OR remembered_at >= ?)",
                [*chunk, *chunk, ALIAS, since, since],
            )
            known.update(url for (url,) in rows)
        return known

    def url_of_content(self, content_hash: str) -> str | None:
        row = self._db.execute("SELECT url FROM articles WHERE content_hash = ?", (content_hash,)).fetchone()
        return None if row is None else row[0]

    @classmethod
    def _where(cls, wanted: ArticleFilter) -> tuple[str, list[Any]]:
        """` WHERE …` for `wanted` ("" for everything), and its parameters."""
        clauses, params = cls._conditions(wanted)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    @staticmethod
    def _conditions(wanted: ArticleFilter, outlet_column: str = _OUTLET) -> tuple[list[str], list[Any]]:
        """SQL conditions on `articles` (or, naming its outlet column, `article_search_rows`)."""
        columns = {"outlet": outlet_column, "category": "json_extract(record, '$.category')", "lang": "lang", "site": "site"}
        equal = wanted.equal_fields()
        clauses = [f"{columns[name]} = ?" for name in equal]
        params: list[Any] = list(equal.values())
        for bound, operator in ((wanted.since, ">="), (wanted.until, "<")):
            if bound is not None:
                clauses.append(f"published_at {operator} ?")
                params.append(isoformat_utc(bound))
        return clauses, params

    def query(
        self, *, since=None, until=None, lang=None, site=None, outlet=None, category=None, limit=None, offset=0
    ) -> Iterator[Article]:
        where, params = self._where(ArticleFilter(since, until, lang, site, outlet, category))
        sql = f"SELECT record FROM articles{where} ORDER BY published_at DESC, key LIMIT ? OFFSET ?"
        params += [-1 if limit is None else int(limit), int(offset)]  # LIMIT -1: no limit
        # A separate cursor streams rows, so memory stays flat for large exports.
        for (record_json,) in self._db.execute(sql, params):
            yield from_record(json.loads(record_json))

    def changes(self, after: int, *, limit: int | None = None) -> Iterator[Change]:
        sql = "SELECT seq, record FROM articles WHERE seq > ? ORDER BY seq"
        params: list[Any] = [after]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        # One statement, one snapshot (WAL): a write committing meanwhile is for the next call.
        for seq, record_json in self._db.execute(sql, params):
            yield Change(seq, from_record(json.loads(record_json)))

    def latest_change(self) -> int:
        return self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]

    def count(self, *, since=None, until=None, lang=None, site=None) -> int:
        where, params = self._where(ArticleFilter(since, until, lang, site))
        return self._db.execute(f"SELECT COUNT(*) FROM articles{where}", params).fetchone()[0]

    def article(self, key: str) -> Article | None:
        row = self._db.execute("SELECT record FROM articles WHERE key = ?", (key,)).fetchone()
        return None if row is None else from_record(json.loads(row[0]))

    def story(self, story_id: str) -> list[Article]:
        rows = self._db.execute(
            "SELECT record FROM articles WHERE story_id = ? AND story_id != '' ORDER BY published_at, key", (story_id,)
        )
        return [from_record(json.loads(record)) for (record,) in rows]

    def story_outlets(self, story_ids: Sequence[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in _chunks(sorted(set(story_ids) - {""})):
            counts.update(self._db.execute(
                f"SELECT story_id, COUNT(DISTINCT {_OUTLET}) FROM articles"
                f" WHERE story_id IN ({','.join('?' * len(chunk))}) GROUP BY story_id",
                chunk,
            ))  # fmt: skip
        return counts

    def daily_counts(self, *, since: datetime) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        rows = self._db.execute(
            "SELECT site, substr(published_at, 1, 10), COUNT(*) FROM articles WHERE published_at >= ?"
            " GROUP BY 1, 2 ORDER BY 1, 2",
            (isoformat_utc(since),),
        )
        for site, day, n in rows:
            counts.setdefault(site, {})[day] = n
        return counts

    def search(self, query, *, outlet=None, lang=None, since=None, until=None, limit=20, offset=0) -> list[Article]:
        parsed = parse_query(query)
        if parsed.empty or limit <= 0:
            return []
        # The page of hits is chosen on the narrow rows; only its articles are read.
        clauses, params = self._conditions(ArticleFilter(since, until, lang, outlet=outlet), outlet_column="outlet")
        hits = (
            "SELECT hit.rowid, hit.published_at FROM article_search"
            " JOIN article_search_rows AS hit ON hit.rowid = article_search.rowid"
            f" WHERE {' AND '.join(['article_search MATCH ?', *clauses])}"
            " ORDER BY hit.published_at DESC, hit.rowid LIMIT ? OFFSET ?"
        )
        rows = self._db.execute(
            f"SELECT record FROM ({hits}) AS page JOIN articles ON articles.rowid = page.rowid"
            " ORDER BY page.published_at DESC, page.rowid",
            [fts_expression(parsed), *params, int(limit), int(offset)],
        )
        return [from_record(json.loads(record)) for (record,) in rows]

    def revisions(self, url_or_key: str) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT revised_at, record FROM revisions WHERE key = ? ORDER BY id", (url_or_key,)
        )
        return [{"revised_at": parse_isoformat(at), "article": from_record(json.loads(rec))} for at, rec in rows]

    def summary(self) -> dict[str, Any]:
        db = self._db
        return {
            "total": self.count(),
            "by_site": dict(db.execute("SELECT site, COUNT(*) FROM articles GROUP BY site ORDER BY 2 DESC, 1")),
            "by_lang": dict(db.execute("SELECT lang, COUNT(*) FROM articles GROUP BY lang ORDER BY 2 DESC, 1")),
            "by_day": dict(
                db.execute(
                    "SELECT substr(published_at, 1, 10) AS day, COUNT(*) FROM articles"
                    " GROUP BY day ORDER BY day DESC"
                )
            ),
            **self._stories(),
            "revisions": db.execute("SELECT COUNT(*) FROM revisions").fetchone()[0],
        }

    def _stories(self) -> dict[str, list[dict[str, Any]]]:
        stories = (
            f"SELECT story_id, COUNT(*) AS articles, COUNT(DISTINCT {_OUTLET}) AS outlets, COUNT(DISTINCT lang) AS langs"
            " FROM articles WHERE story_id != '' GROUP BY story_id HAVING articles > 1"
        )
        ranked = {
            name: [row[0] for row in self._db.execute(
                f"SELECT story_id FROM ({stories}) WHERE {column} > 1 ORDER BY {column} DESC, articles DESC, story_id LIMIT ?",
                (STORIES_LISTED,),
            )]
            for name, column in STORY_LISTS.items()
        }  # fmt: skip
        ids = sorted({story_id for listed in ranked.values() for story_id in listed})
        members = self._db.execute(
            f"SELECT story_id, {_OUTLET}, site, lang, published_at, json_extract(record, '$.title') FROM articles"
            f" WHERE story_id IN ({', '.join('?' * len(ids))})",
            ids,
        )
        return describe_stories(ranked, (StoryMember(*row[:4], parse_isoformat(row[4]), row[5]) for row in members))

    # -- near-duplicate index -----------------------------------------------------------
    def story_candidates(self, band_keys: Sequence[int]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in _chunks(list(band_keys)):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT s.story_id FROM story_bands AS b JOIN story_sketches AS s ON s.ref = b.story_ref"
                f" WHERE b.band_key IN ({marks})",
                chunk,
            )
            for (story_id,) in rows:
                counts[story_id] = counts.get(story_id, 0) + 1
        return counts

    def story_sketches(self, story_ids: Sequence[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for chunk in _chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT story_id, sketch FROM story_sketches WHERE story_id IN ({marks})", chunk))
        return found

    def add_stories(self, stories: Iterable[IndexedStory]) -> None:
        stories = list(stories)
        if not stories:
            return
        with self._write_transaction():
            # OR IGNORE: the first sketch of a story stays, whichever process wrote it.
            self._db.executemany(
                "INSERT OR IGNORE INTO story_sketches (story_id, sketch) VALUES (?, ?)",
                ((story_id, sketch) for story_id, sketch, _ in stories),
            )
            refs: dict[str, int] = {}
            for chunk in _chunks(sorted({story_id for story_id, _, _ in stories})):
                marks = ",".join("?" * len(chunk))
                refs.update(self._db.execute(f"SELECT story_id, ref FROM story_sketches WHERE story_id IN ({marks})", chunk))
            self._db.executemany(
                "INSERT OR IGNORE INTO story_bands (band_key, story_ref) VALUES (?, ?)",
                ((key, refs[story_id]) for story_id, _, keys in stories for key in keys),
            )

    def story_index_format(self) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE name = 'story_index_format'").fetchone()
        return "" if row is None else row[0]

    def set_story_index_format(self, index_format: str) -> None:
        self._write_rows(
            "INSERT INTO meta (name, value) VALUES ('story_index_format', ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [(index_format,)],
        )

    def reset_story_index(self) -> None:
        with self._write_transaction():
            self._db.execute("DELETE FROM story_bands")
            self._db.execute("DELETE FROM story_sketches")
            self._db.execute("DELETE FROM meta WHERE name = 'story_index_format'")

    # -- listings read in part --------------------------------------------------------------
    def listing_gaps(self, scope: str) -> list[str]:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (_LISTING_GAPS + scope,)).fetchone()
        return [] if row is None else json.loads(row[0])

    def set_listing_gaps(self, scope: str, urls: Sequence[str]) -> None:
        if urls:
            self._write_rows(
                "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [(_LISTING_GAPS + scope, json.dumps(list(urls)))],
            )
        else:
            self._write_rows("DELETE FROM meta WHERE name = ?", [(_LISTING_GAPS + scope,)])

    # -- remembered URLs ------------------------------------------------------------------
    def remember_urls(self, entries: Iterable[RememberedUrl]) -> None:
        now = _comparable_time(datetime.now(timezone.utc))
        self._write_rows(
            "INSERT INTO seen_urls (url, what, target, remembered_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET what = excluded.what, target = excluded.target,"
            " remembered_at = excluded.remembered_at",
            ((entry.url, entry.what, entry.target, now) for entry in entries if entry.url),
        )

    def _write_rows(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """`executemany` in one write transaction."""
        with self._write_transaction():
            self._db.executemany(sql, rows)

    # -- crawl runs ---------------------------------------------------------------------
    def record_run(self, run: dict[str, Any]) -> None:
        record = json.dumps(run, ensure_ascii=False, default=isoformat_utc)
        started = isoformat_utc(run["started_at"]) if isinstance(run.get("started_at"), datetime) else str(run.get("started_at", ""))
        # In a write transaction like every write, so that a lock or a failure is a StoreError.
        self._write_rows("INSERT INTO runs (spider, started_at, record) VALUES (?, ?, ?)", [(run["spider"], started, record)])

    def recent_runs(self, spider: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        if spider:
            rows = self._db.execute(
                "SELECT record FROM runs WHERE spider = ? ORDER BY started_at DESC, id DESC LIMIT ?", (spider, limit)
            )
        else:
            rows = self._db.execute("SELECT record FROM runs ORDER BY started_at DESC, id DESC LIMIT ?", (limit,))
        return [json.loads(record) for (record,) in rows]

    # -- watchlists and alerts ----------------------------------------------------------
    def add_watchlist(self, watchlist: Watchlist) -> Watchlist:
        saved = dataclasses.replace(watchlist, id=new_watchlist_id(), created_at=datetime.now(timezone.utc))
        try:
            self._write_rows(
                "INSERT INTO watchlists (id, name, record) VALUES (?, ?, ?)",
                [(saved.id, saved.name, json.dumps(saved.to_record(), ensure_ascii=False))],
            )
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise WatchlistExists(f"a watchlist named {watchlist.name!r} exists already") from None
            raise
        return saved

    def watchlists(self) -> list[Watchlist]:
        rows = self._db.execute("SELECT record FROM watchlists ORDER BY name, id")
        return [Watchlist.from_record(json.loads(record)) for (record,) in rows]

    def remove_watchlist(self, watchlist_id: str) -> bool:
        with self._write_transaction():
            self._db.execute("DELETE FROM alerts WHERE watchlist_id = ?", (watchlist_id,))
            return self._db.execute("DELETE FROM watchlists WHERE id = ?", (watchlist_id,)).rowcount > 0

    def record_alert(self, watchlist_id: str, article: Article) -> tuple[str, Alert]:
        story_id, key, outlet, now = alert_story(article), article_key(article), article_outlet(article), _now()
        with self._write_transaction():  # BEGIN IMMEDIATE: the read and the write are one step for every process
            row = self._db.execute(
                "SELECT article_keys, outlets FROM alerts WHERE watchlist_id = ? AND story_id = ?", (watchlist_id, story_id)
            ).fetchone()
            if row is None:
                outcome = ALERT_RAISED
                self._db.execute(
                    "INSERT INTO alerts (watchlist_id, story_id, raised_at, updated_at, first, article_keys, outlets)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (watchlist_id, story_id, now, now, json.dumps(alert_article(article), ensure_ascii=False),
                     json.dumps([key]), json.dumps([outlet])),
                )  # fmt: skip
            else:
                keys, outlets = json.loads(row[0]), json.loads(row[1])
                outcome = ALERT_UNCHANGED if key in keys else ALERT_UPDATED
                if outcome == ALERT_UPDATED:
                    self._db.execute(
                        "UPDATE alerts SET updated_at = ?, article_keys = ?, outlets = ? WHERE watchlist_id = ? AND story_id = ?",
                        (now, json.dumps([*keys, key]), json.dumps(list(dict.fromkeys([*outlets, outlet]))), watchlist_id, story_id),
                    )  # fmt: skip
        (alert,) = self._alerts("WHERE watchlist_id = ? AND story_id = ?", [watchlist_id, story_id], 1)
        return outcome, alert

    def alerts(self, limit: int = 50, *, watchlist_id: str | None = None, since: datetime | None = None) -> list[Alert]:
        clauses, params = [], []
        if watchlist_id is not None:
            clauses.append("watchlist_id = ?")
            params.append(watchlist_id)
        if since is not None:
            clauses.append("raised_at >= ?")
            params.append(_comparable_time(since))
        return self._alerts(("WHERE " + " AND ".join(clauses)) if clauses else "", params, limit)

    def _alerts(self, where: str, params: list[Any], limit: int) -> list[Alert]:
        rows = self._db.execute(
            "SELECT watchlist_id, story_id, raised_at, updated_at, first, article_keys, outlets FROM alerts"
            f" {where} ORDER BY raised_at DESC, watchlist_id, story_id LIMIT ?",
            [*params, max(0, limit)],
        )
        return [
            Alert(watchlist, story, parse_isoformat(raised), parse_isoformat(updated), json.loads(first),
                  len(json.loads(keys)), json.loads(outlets))
            for watchlist, story, raised, updated, first, keys, outlets in rows
        ]  # fmt: skip

    def close(self) -> None:
        self._db.close()

