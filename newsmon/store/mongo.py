"""The production store: MongoDB through pymongo 4.

URIs: `mongodb://[user:pass@]host[:port][,host…]/database?options` or `mongodb+srv://…`; TLS, auth
and replica-set options pass through the URI untouched. The database is the one the URI names
(`newsmon` when it names none).

Documents. `articles`: one per article, `_id` = the article key (canonical URL, or `content:<hash>`),
the article's fields flat (times as BSON dates in UTC), plus `first_seen` / `last_seen`.
`revisions`: earlier versions, `{key, revised_at, seq, article}`. `story_bands`: `{_id: band_key, stories: [story_id, …]}`,
one per LSH band key (a story has some 50): a lookup is one `$in` on `_id`, whose cost stays flat
as the index grows (a multikey `$in` on SecantusDB scans), and a new key is one insert into one
index (four times cheaper there than a document per (band, story) pair with its own index). A
key already there (another story sharing a band, a near miss) gets the story added to it.
`story_sketches`: `{_id: story_id, sketch}`, the first writer's. `runs`: `{spider, started_at, record}`.
`meta`: `{_id: name, value}`, e.g. the story index format (newsmon.stories.ensure_index_format)
and where listings read in part continue (`listing_gaps:<scope>`).
An article document also holds `search_tokens`, the distinct folded words of its title and body
(newsmon.search.search_tokens), indexed (multikey): `search` finds articles by them on every
server. Not `$text`, even where the server has text indexes: a text search cannot ask for
"eliyev or aliyev, and neft" (its words are alternatives, its phrases all required), which is
what folding ə two ways needs, and its own diacritic folding knows neither ə nor ı. Phrases are
checked on the candidates' text. Documents stored before the field existed get it when a store
first reaches the server (`meta` `search_tokens` records that it was done).
`seen_urls`: fetched URLs under which no article is stored, `{_id: url, what, target, remembered_at}`
(looked up by `_id`, so the primary index is all they need).
`watchlists`: `{_id: id, name, record}` (name unique). `alerts`: one per (watchlist, story),
`{_id: "<watchlist id>/<story id>", watchlist_id, story_id, raised_at, updated_at, first,
article_keys, outlets}`: the `_id` makes the alert of a story unique across processes.

Change sequence (`changes`, `newsmon export --after`): every insert, revision and URL adoption
gives the article document the next number, `seq`, from the `meta` document `change_seq`
(`{value, writers: {<token>: {first, expires}}}`). Numbers are reserved a batch at a time by a
compare-and-set that also registers the writer, and the writer is unregistered once its writes
are done. A reader stops below the lowest number a registered writer still holds, so a number
committed out of order (writer A holds 9, writer B writes 10 first) is not passed over. A writer
that died is ignored once its registration expires (`change_lease_seconds`). docs/mongodb.md
explains why this is safe. Articles stored before the sequence get numbers on the first
operation of a store that reaches the server.

Opening a store needs no server: the indexes are created (idempotently) by the first operation
that reaches it, before that operation. So a crawl starts while MongoDB is down, and spools.

Failures. Transient errors (connection lost, no server selectable in `server_selection_timeout_ms`)
are retried with exponential backoff; then the operation raises StoreUnavailable, which the store
step answers by spooling the batch (newsmon.store.spool). That costs seconds, during which Scrapy's
reactor is blocked; a circuit breaker keeps an outage from costing them on every item: once an
operation failed for good, operations fail at once, without network, for `breaker_seconds`; then
one operation gets one try, which ends the outage or starts another wait. Messages show the URI
without password.

Writes. A batch costs one prefetch query (by keys and by content hashes), then one unordered
`bulk_write` of upserts (plus one for the revisions, and one ordered one for the rare URL adoptions).
Every update is conditioned on the content hash read by the prefetch and is an upsert, so a
document that another process changed in between makes the server report a duplicate-key error
(E11000) instead of silently losing a write; those articles are classified again against the
fresh state. A race therefore ends in one document, never in an error or in two documents.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import bson
from bson import ObjectId
from bson.codec_options import CodecOptions
from bson.errors import BSONError
from pymongo import ASCENDING, DESCENDING, TEXT, DeleteOne, InsertOne, MongoClient, ReturnDocument, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, ConnectionFailure, DuplicateKeyError, OperationFailure, PyMongoError

from newsmon.items import ARTICLE_FIELDS, DATETIME_FIELDS, Article, from_record, isoformat_utc, parse_isoformat
from newsmon.search import SearchQuery, holds_phrases, parse_query, search_tokens
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
    REVISED,
    IndexedStory,
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

logger = logging.getLogger(__name__)

DEFAULT_DATABASE = "newsmon"
DUPLICATE_KEY = 11000
# AutoReconnect, NetworkTimeout and ServerSelectionTimeoutError are all ConnectionFailures.
TRANSIENT_ERRORS = (ConnectionFailure,)
# A value BSON cannot hold: text with a lone surrogate ("\ud800", valid in JSON but not UTF-8)
# raises UnicodeEncodeError, a value of no BSON type InvalidDocument. pymongo raises them while
# encoding a request, before anything is sent.
ENCODING_ERRORS = (BSONError, UnicodeEncodeError)
# A batch whose documents keep changing under it (other writers) is classified again this often.
MAX_WRITE_ROUNDS = 5
# Returned datetimes are timezone-aware UTC, whichever client (or test double) was injected.
CODEC_OPTIONS = CodecOptions(tz_aware=True)
_STORY_INDEX_FORMAT = "story_index_format"  # its `meta` document
# The story index's document layout, recorded with its format: an index written in another one
# (a document per (band, story) pair, before) is rebuilt, its collections dropped with their indexes.
_STORY_INDEX_LAYOUT = "band-key-documents"
_LISTING_GAPS = "listing_gaps:"  # + scope: where a listing read in part continues
_CHANGE_SEQ = "change_seq"  # the `meta` document of the change sequence
_BACKFILL_CHUNK = 1000
SEARCH_FIELD = "search_tokens"
_SEARCH_BACKFILLED = "search_tokens"  # its `meta` document: every article has SEARCH_FIELD
_SEQ_BACKFILLED = "change_seq_backfilled"  # its `meta` document: every article has its `seq`
_WITHOUT_TOKENS = {SEARCH_FIELD: 0}  # the projection of reads: the tokens are the index's, not the article's
_REBUILD_LEASE = "story_index_rebuild"  # the `meta` document of the process rebuilding the story index
# Longer than any rebuild takes (100,000 stories: minutes); a holder that died frees it then.
_REBUILD_LEASE_TERM = timedelta(hours=1)
_LEASE_POLL_SECONDS = 0.5
INSERT_BATCH = 1000  # requests per bulk write of the search token backfill

T = TypeVar("T")


class MongoStore(Store):
    def __init__(
        self,
        uri: str,
        *,
        client: Any = None,
        articles_collection: str = "articles",
        revisions_collection: str = "revisions",
        bands_collection: str = "story_bands",
        sketches_collection: str = "story_sketches",
        runs_collection: str = "runs",
        seen_collection: str = "seen_urls",
        meta_collection: str = "meta",
        watchlists_collection: str = "watchlists",
        alerts_collection: str = "alerts",
        retry_attempts: int = 3,
        retry_backoff: float = 0.5,
        server_selection_timeout_ms: int = 2000,
        socket_timeout_ms: int = 20_000,
        breaker_seconds: float = 30.0,
        change_lease_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """A store on the URI's database; no server is contacted yet (see the module docstring).

        `client`: an already configured client (tests inject one to wrap its collections); it stays
        the caller's and is not closed by `close()`. Its default database is used, which for a
        client made from the URI is the database the URI names.
        `retry_attempts`: tries per operation on transient errors, waiting `retry_backoff` seconds,
        doubled after each try. `server_selection_timeout_ms`: how long one try waits for a server;
        `socket_timeout_ms`: for the server's answer (pymongo's default is to wait for ever, so a
        server that stops answering without closing its connections would stop the crawl for good).
        `breaker_seconds`: how long operations fail fast after one failed for good (0: never);
        `clock` measures it (seconds, monotonic). `change_lease_seconds`: how long a writer's
        reserved change numbers hold readers back (`changes`) before it is taken for dead; far
        longer than a batch write takes.
        """
        # Only the redacted form is kept: it is what every message and `repr` shows.
        self.uri = redact_uri(uri)
        self.retry_attempts = max(1, retry_attempts)
        self.retry_backoff = retry_backoff
        self._breaker = CircuitBreaker(breaker_seconds, clock)
        self.change_lease = timedelta(seconds=change_lease_seconds)
        self._indexed = False
        # Whether the server has the text index on title/body (a `$text` search needs it); None
        # until the first operation that reaches the server has checked the indexes.
        self.text_search: bool | None = None
        self._owns_client = client is None
        if client is None:
            client = _connect(uri, server_selection_timeout_ms=server_selection_timeout_ms,
                              socket_timeout_ms=socket_timeout_ms)  # fmt: skip
        self._client = client
        database = client.get_default_database(DEFAULT_DATABASE, codec_options=CODEC_OPTIONS)
        self.articles: Collection = database[articles_collection]
        self.revisions_collection: Collection = database[revisions_collection]
        self.bands: Collection = database[bands_collection]
        self.sketches: Collection = database[sketches_collection]
        self.runs: Collection = database[runs_collection]
        self.seen: Collection = database[seen_collection]
        self.meta: Collection = database[meta_collection]
        self.watchlists_collection: Collection = database[watchlists_collection]
        self.alerts_collection: Collection = database[alerts_collection]

    def __repr__(self) -> str:
        return f"MongoStore({self.uri!r})"

    def _ensure_indexes_once(self) -> None:
        """Before the first operation that reaches the server: the unique indexes must exist before
        anything is written. Every store (every process) does it once."""
        if not self._indexed:
            self._ensure_indexes()
            self._indexed = True

    def _ensure_indexes(self) -> None:
        """Idempotent: creating an index that exists with the same options does nothing."""
        articles = self.articles
        articles.create_index("content_hash", unique=True, name="content_hash_unique")
        articles.create_index([("published_at", DESCENDING)], name="published_desc")
        articles.create_index(
            [("site", ASCENDING), ("lang", ASCENDING), ("published_at", DESCENDING)], name="site_lang_published"
        )
        articles.create_index("story_id", name="story")
        # Not unique: while articles stored before the sequence get theirs, many have none.
        articles.create_index("seq", name="change_seq")
        articles.create_index([(SEARCH_FIELD, ASCENDING), ("published_at", DESCENDING)], name="search_tokens")
        self.revisions_collection.create_index(
            [("key", ASCENDING), ("revised_at", ASCENDING), ("seq", ASCENDING)], name="key_revised"
        )
        self.runs.create_index([("spider", ASCENDING), ("started_at", DESCENDING)], name="spider_started")
        self.watchlists_collection.create_index("name", unique=True, name="name_unique")
        self.alerts_collection.create_index(
            [("watchlist_id", ASCENDING), ("story_id", ASCENDING)], unique=True, name="watchlist_story_unique"
        )
        self.alerts_collection.create_index([("raised_at", DESCENDING)], name="raised_desc")
        self._number_unnumbered_articles()
        try:
            # For full-text search. No stemming ("none"): the text is Azerbaijani, Russian and English.
            articles.create_index(
                [("title", TEXT), ("body", TEXT)], name="title_body_text", default_language="none"
            )
            self.text_search = True
        except OperationFailure as exc:
            # A collection holds one text index at most, so an analyst's own one makes this fail;
            # some servers have none (SecantusDB). The store works without it.
            self.text_search = False
            logger.warning("MongoDB %s: no full-text search, the text index on title/body was refused: %s",
                           self.uri, _describe(exc))  # fmt: skip
        self._backfill_search_tokens()

    def _backfill_search_tokens(self) -> None:
        """Give SEARCH_FIELD to the articles stored without it, once per store (idempotent: two
        processes doing it at once write the same tokens)."""
        if self.meta.find_one({"_id": _SEARCH_BACKFILLED}) is not None:
            return
        missing = self.articles.find({SEARCH_FIELD: {"$exists": False}}, {"title": 1, "body": 1})
        requests = [
            UpdateOne({"_id": d["_id"]}, {"$set": {SEARCH_FIELD: search_tokens(d.get("title", ""), d.get("body", ""))}})
            for d in missing
        ]
        for start in range(0, len(requests), INSERT_BATCH):
            self.articles.bulk_write(requests[start : start + INSERT_BATCH], ordered=False)
        self.meta.update_one({"_id": _SEARCH_BACKFILLED}, {"$set": {"value": True}}, upsert=True)

    # -- failures -----------------------------------------------------------------------
    def _call(self, what: str, operation: Callable[[], T]) -> T:
        """Run one idempotent database operation (after the indexes, the first time), retrying
        transient failures with backoff.

        Raises StoreUnavailable once the retries are exhausted or while the breaker is open,
        StoreError for other server errors.
        """

        def with_indexes() -> T:
            self._ensure_indexes_once()
            return operation()

        with self._breaker_guard(what) as attempts, self._errors(what):
            return self._retrying(what, with_indexes, attempts)

    def _retrying(self, what: str, operation: Callable[[], T], attempts: int) -> T:
        delay = self.retry_backoff
        for attempt in range(1, attempts):
            try:
                return operation()
            except TRANSIENT_ERRORS as exc:
                logger.warning(
                    "MongoDB %s: %s failed (%s), retry %d/%d in %.2f s",
                    self.uri, what, _describe(exc), attempt, attempts - 1, delay,
                )  # fmt: skip
                time.sleep(delay)
                delay *= 2
        return operation()

    @contextmanager
    def _breaker_guard(self, what: str) -> Iterator[int]:
        """Fails fast while the breaker is open; else yields how many tries the operation gets.

        Half open (the last operation failed for good, the wait is over) it gets one: while the
        outage lasts, each check costs one server selection timeout, not every retry.
        """
        if wait := self._breaker.wait():
            raise StoreUnavailable(
                f"MongoDB {self.uri} unreachable ({what}): not tried, failing fast for {wait:.1f} s more"
            )
        half_open = self._breaker.tripped
        try:
            yield 1 if half_open else self.retry_attempts
        except StoreUnavailable:
            if self._breaker.trip():
                logger.warning(
                    "MongoDB %s unreachable: operations fail fast for %g s at a time until it answers",
                    self.uri, self._breaker.seconds,
                )  # fmt: skip
            raise
        if half_open:
            logger.info("MongoDB %s answers again", self.uri)
        self._breaker.reset()

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """pymongo's errors as the store's, with credentials masked in every message.

        `from None`: the message names the original error, whose unmasked text goes no further.
        BulkWriteError passes through: its per-document errors are the caller's to interpret.
        """
        try:
            yield
        except BulkWriteError:
            raise
        except TRANSIENT_ERRORS as exc:
            raise StoreUnavailable(f"MongoDB {self.uri} unreachable ({what}): {_describe(exc)}") from None
        except PyMongoError as exc:
            raise StoreError(f"MongoDB {self.uri}: {what} failed: {_describe(exc)}") from None
        except ENCODING_ERRORS as exc:
            message = f"MongoDB {self.uri}: {what} failed, a value cannot be encoded as BSON: {_describe(exc)}"
            raise Unencodable(message) from None

    def _bulk(self, collection: Collection, requests: list[Any], *, ordered: bool) -> set[int]:
        """One bulk write: the indexes of the requests that failed on a duplicate key.

        Any other per-document error is a StoreError; a write-concern error (not enough replicas
        acknowledged) is StoreUnavailable, so the batch is spooled and re-applied later.
        """
        what = f"write to {collection.name}"
        try:
            self._call(what, lambda: collection.bulk_write(requests, ordered=ordered))
        except BulkWriteError as exc:
            details = exc.details
            other = [e for e in details["writeErrors"] if e["code"] != DUPLICATE_KEY]
            if other:
                raise StoreError(f"MongoDB {self.uri}: {what} failed: {redact_uri(str(other[0]))}") from None
            if details.get("writeConcernErrors"):
                raise StoreUnavailable(f"MongoDB {self.uri}: {what} not acknowledged by enough replicas") from None
            failed = {e["index"] for e in details["writeErrors"]}
            if ordered and failed:
                failed |= set(range(min(failed), len(requests)))  # an ordered bulk stops at its first error
            return failed
        return set()

    # -- writes -------------------------------------------------------------------------
    def upsert_many(self, articles: Sequence[Article]) -> WriteResult:
        if not articles:
            return WriteResult()
        try:
            return self._upsert_many(articles)
        except Unencodable:
            # Only now is each article encoded on its own, to name the culprits: it costs nothing
            # while all is well. Nothing of the batch's articles was written (pymongo encodes a
            # request before sending it); its revisions may have been, which leaves an extra copy
            # of a stored version at most, as a lost race does.
            culprits = [f"{article_key(a)!r} ({reason})" for a in articles if (reason := _why_unencodable(a))]
            raise Unencodable(f"MongoDB {self.uri}: cannot store article {', '.join(culprits)}") from None

    def _upsert_many(self, articles: Sequence[Article]) -> WriteResult:
        outcomes = [""] * len(articles)
        pending = list(range(len(articles)))
        for _ in range(MAX_WRITE_ROUNDS):
            batch = _Batch(self._prefetch([articles[i] for i in pending]), _now())
            for position in pending:
                outcomes[position] = batch.classify(position, articles[position])
            lost = self._apply(batch)
            # Articles whose document lost a race go again, against what the other writer left.
            pending = [position for position in pending if batch.owners[position] in lost]
            if not pending:
                return WriteResult(outcomes)
        raise StoreError(f"MongoDB {self.uri}: {len(pending)} articles kept changing under concurrent writers")

    def _prefetch(self, articles: list[Article]) -> list[dict[str, Any]]:
        """The stored documents sharing a key or a content hash with the batch.

        Two queries, one per unique index, rather than one `$or` of both: a server may not plan an
        `$or` on its indexes (SecantusDB scans the collection for it, 3.7 s a batch at 3,000
        articles, against 13 ms for the two)."""
        keys = list({article_key(a) for a in articles})
        hashes = list({a.content_hash for a in articles})

        def fetch() -> list[dict[str, Any]]:
            found = {d["_id"]: d for d in self.articles.find({"_id": {"$in": keys}})}
            found.update((d["_id"], d) for d in self.articles.find({"content_hash": {"$in": hashes}}))
            return list(found.values())

        return self._call("prefetch", fetch)

    def _apply(self, batch: "_Batch") -> set["_Doc"]:
        """Write what `batch` decided; returns the documents whose write lost a race."""
        if batch.revisions:
            # First, so that a failure later in the batch cannot lose an old version. The ids are
            # deterministic, so re-applying the batch (retry, spool replay) adds no copies; a write
            # that then loses a race leaves an extra copy of a version behind, never a gap.
            requests = [UpdateOne({"_id": r["_id"]}, {"$setOnInsert": r}, upsert=True) for r in batch.revisions]
            self._bulk(self.revisions_collection, requests, ordered=False)
        docs = batch.docs_to_write()
        changing = [doc for doc in docs if doc.inserts or doc.changed]
        if not changing:
            return self._write_docs(batch, docs)
        with self._numbered_changes(len(changing)) as numbers:
            for doc in changing:
                doc.seq = next(numbers)
            return self._write_docs(batch, docs)

    def _write_docs(self, batch: "_Batch", docs: list["_Doc"]) -> set["_Doc"]:
        lost: set[_Doc] = set()
        moved = [doc for doc in docs if doc.moved]
        if moved:
            # The document of an adopted URL gets a new _id: delete the old one before inserting
            # the new one (content_hash is unique), in this order, hence an ordered bulk.
            owners = [doc for doc in moved for _ in range(2)]
            requests = [request for doc in moved for request in (doc.delete_stored(), doc.write(batch.now))]
            lost |= self._lost_races(owners, requests, ordered=True)
        staying = [doc for doc in docs if not doc.moved]
        if staying:
            lost |= self._lost_races(staying, [doc.write(batch.now) for doc in staying], ordered=False)
        return lost

    def _lost_races(self, owners: list["_Doc"], requests: list[Any], *, ordered: bool) -> set["_Doc"]:
        """Write `requests` (made for `owners`) to the articles; the documents whose write lost a race."""
        failed = self._bulk(self.articles, requests, ordered=ordered)
        return {owners[i] for i in failed}

    # -- the change sequence ------------------------------------------------------------
    def _reserve_changes(self, count: int) -> tuple[ObjectId, int]:
        """Reserve `count` change numbers and register this writer as holding them, in one
        compare-and-set on `change_seq`; returns (the writer's token, the first number).

        Raw operations: called inside `_call` (a batch write, the first operation's numbering)."""
        token = ObjectId()
        while True:
            now = _now()
            current = self.meta.find_one({"_id": _CHANGE_SEQ})
            if current is None:
                try:
                    self.meta.insert_one({"_id": _CHANGE_SEQ, "value": count,
                                          "writers": {str(token): {"first": 1, "expires": now + self.change_lease}}})  # fmt: skip
                    return token, 1
                except DuplicateKeyError:
                    continue  # another writer made it first
            value = current["value"]
            expired = {f"writers.{t}": "" for t, w in current.get("writers", {}).items() if _utc(w["expires"]) < now}
            update: dict[str, Any] = {"$set": {"value": value + count,
                                               f"writers.{token}": {"first": value + 1, "expires": now + self.change_lease}}}  # fmt: skip
            if expired:
                update["$unset"] = expired
            if self.meta.update_one({"_id": _CHANGE_SEQ, "value": value}, update).modified_count:
                return token, value + 1

    def _release_changes(self, token: ObjectId) -> None:
        self.meta.update_one({"_id": _CHANGE_SEQ}, {"$unset": {f"writers.{token}": ""}})

    @contextmanager
    def _numbered_changes(self, count: int) -> Iterator[Iterator[int]]:
        """`count` change numbers, held from reservation until the block's writes are done."""
        token, first = self._call("reserve change numbers", lambda: self._reserve_changes(count))
        try:
            yield iter(range(first, first + count))
        finally:
            self._call("release change numbers", lambda: self._release_changes(token))

    def _number_unnumbered_articles(self) -> None:
        """Give articles stored before the change sequence their numbers (raw operations: it runs
        inside the first `_call`). Two processes doing it at once number each article once: the
        update only applies to an article that has no number yet. Once done, `meta` says so: the
        search for unnumbered articles scans the collection (`$exists: false` walks no index on
        SecantusDB), which every crawl start would otherwise pay."""
        if self.meta.find_one({"_id": _SEQ_BACKFILLED}) is not None:
            return
        while ids := [d["_id"] for d in self.articles.find({"seq": {"$exists": False}}, {"_id": 1}, limit=_BACKFILL_CHUNK)]:
            token, first = self._reserve_changes(len(ids))
            try:
                requests = [UpdateOne({"_id": key, "seq": {"$exists": False}}, {"$set": {"seq": first + n}})
                            for n, key in enumerate(ids)]  # fmt: skip
                self.articles.bulk_write(requests, ordered=False)
            finally:
                self._release_changes(token)
            logger.info("MongoDB %s: %d articles stored before the change sequence numbered", self.uri, len(ids))
        self.meta.update_one({"_id": _SEQ_BACKFILLED}, {"$set": {"value": True}}, upsert=True)

    def _change_horizon(self) -> int:
        """The lowest change number a reader must not reach yet: the first one a live writer
        holds, else the one after the last reserved."""
        current = self.meta.find_one({"_id": _CHANGE_SEQ})
        if current is None:
            return 1
        now = _now()
        held = [w["first"] for w in current.get("writers", {}).values() if _utc(w["expires"]) >= now]
        return min([*held, current["value"] + 1])

    def changes(self, after: int, *, limit: int | None = None) -> Iterator[Change]:
        if limit is not None and limit <= 0:
            return
        with self._breaker_guard("changes"), self._errors("changes"):
            self._ensure_indexes_once()
            horizon = self._change_horizon()
            cursor = self.articles.find({"seq": {"$gt": after, "$lt": horizon}}, sort=[("seq", ASCENDING)], limit=limit or 0)
            with closing(cursor):
                for document in cursor:
                    yield Change(document["seq"], _article(document))

    def latest_change(self) -> int:
        current = self._call("latest_change", lambda: self.meta.find_one({"_id": _CHANGE_SEQ}))
        return 0 if current is None else current["value"]

    # -- reads --------------------------------------------------------------------------
    def has_url(self, url: str) -> bool:
        return bool(url) and self._call("has_url", lambda: self.articles.find_one({"_id": url}, {"_id": 1})) is not None

    def known_urls(self, urls: Iterable[str], *, dropped_since: datetime | None = None) -> set[str]:
        wanted = [u for u in set(urls) if u]
        if not wanted:
            return set()

        def lookup() -> set[str]:
            stored = self._ids(self.articles, {"_id": {"$in": wanted}})
            # Two collections, two queries. One `$unionWith` aggregation does it in one round trip,
            # but measured on SecantusDB (a listing page of 50 URLs, 5,000 articles) it took 0.4 s
            # against 13-28 ms for these two `find`s, whatever the mix. The second query asks only
            # for the URLs the first did not find, and is left out when it found all: a listing
            # page of stored articles costs one.
            rest = [url for url in wanted if url not in stored]
            if not rest:
                return stored
            # By _id alone, the rest decided here: with an `$or` beside it SecantusDB scans the
            # collection instead of walking the _id index.
            remembered = self.seen.find({"_id": {"$in": rest}}, {"what": 1, "remembered_at": 1})
            return stored | {d["_id"] for d in remembered if _counts_as_known(d, dropped_since)}

        return self._call("known_urls", lookup)

    @staticmethod
    def _ids(collection: Collection, query: dict[str, Any]) -> set[str]:
        return {document["_id"] for document in collection.find(query, {"_id": 1})}

    def url_of_content(self, content_hash: str) -> str | None:
        found = self._call(
            "url_of_content", lambda: self.articles.find_one({"content_hash": content_hash}, {"url": 1})
        )
        return None if found is None else found.get("url", "")

    def query(
        self, *, since=None, until=None, lang=None, site=None, outlet=None, category=None, limit=None, offset=0
    ) -> Iterator[Article]:
        if limit is not None and limit <= 0:
            return  # SQL's LIMIT 0; pymongo's limit(0) would mean "no limit"
        query = _filter(ArticleFilter(since, until, lang, site, outlet, category))
        for document in self._stream("query", query, skip=offset, limit=limit or 0):
            yield _article(document)

    def _stream(self, what: str, query: dict[str, Any], *, skip: int = 0, limit: int = 0) -> Iterator[dict[str, Any]]:
        """Article documents matching `query`, newest first, streamed batch by batch; a failure
        mid-stream is not retried (documents were already yielded)."""
        sort = [("published_at", DESCENDING), ("_id", ASCENDING)]
        with self._breaker_guard(what), self._errors(what):
            self._ensure_indexes_once()
            cursor = self.articles.find(query, _WITHOUT_TOKENS, sort=sort, skip=skip, limit=limit)
            with closing(cursor):
                yield from cursor

    def article(self, key: str) -> Article | None:
        found = self._call("article", lambda: self.articles.find_one({"_id": key}, _WITHOUT_TOKENS))
        return None if found is None else _article(found)

    def story(self, story_id: str) -> list[Article]:
        if not story_id:
            return []
        sort = [("published_at", ASCENDING), ("_id", ASCENDING)]
        found = self._call("story", lambda: list(self.articles.find({"story_id": story_id}, _WITHOUT_TOKENS, sort=sort)))
        return [_article(document) for document in found]

    def story_outlets(self, story_ids: Sequence[str]) -> dict[str, int]:
        ids = sorted(set(story_ids) - {""})
        if not ids:
            return {}
        rows = self._call("story_outlets", lambda: list(self.articles.aggregate([
            {"$match": {"story_id": {"$in": ids}}},
            {"$group": {"_id": "$story_id", "outlets": {"$addToSet": _OUTLET}}},
        ])))  # fmt: skip
        return {row["_id"]: len(row["outlets"]) for row in rows}

    def daily_counts(self, *, since: datetime) -> dict[str, dict[str, int]]:
        day = {"$dateToString": {"format": "%Y-%m-%d", "date": "$published_at"}}
        rows = self._call("daily_counts", lambda: list(self.articles.aggregate([
            {"$match": {"published_at": {"$gte": _utc(since)}}},
            {"$group": {"_id": {"site": "$site", "day": day}, "n": {"$sum": 1}}},
        ])))  # fmt: skip
        counts: dict[str, dict[str, int]] = {}
        for row in sorted(rows, key=lambda r: (r["_id"]["site"], r["_id"]["day"])):
            counts.setdefault(row["_id"]["site"], {})[row["_id"]["day"]] = row["n"]
        return counts

    def search(self, query, *, outlet=None, lang=None, since=None, until=None, limit=20, offset=0) -> list[Article]:
        parsed = parse_query(query)
        if parsed.empty or limit <= 0:
            return []
        conditions = {**_filter(ArticleFilter(since, until, lang, outlet=outlet)), **token_filter(parsed)}
        if not any(term.phrase for term in parsed.terms):
            return [_article(d) for d in self._stream("search", conditions, skip=offset, limit=limit)]
        # Phrases are checked here, so the server cannot skip or limit: the candidates stream by.
        found: list[Article] = []
        matched = 0
        for document in self._stream("search", conditions):
            if holds_phrases(parsed, document.get("title", ""), document.get("body", "")):
                matched += 1
                if matched > offset:
                    found.append(_article(document))
                    if len(found) == limit:
                        break
        return found

    def count(self, *, since=None, until=None, lang=None, site=None) -> int:
        query = _filter(ArticleFilter(since, until, lang, site))
        return self._call("count", lambda: self.articles.count_documents(query))

    def revisions(self, url_or_key: str) -> list[dict[str, Any]]:
        sort = [("revised_at", ASCENDING), ("seq", ASCENDING)]
        documents = self._call("revisions", lambda: list(self.revisions_collection.find({"key": url_or_key}, sort=sort)))
        return [{"revised_at": _utc(d["revised_at"]), "article": _article(d["article"])} for d in documents]

    def summary(self) -> dict[str, Any]:
        by_count = {"n": -1, "_id": 1}
        return {
            "total": self.count(),
            "by_site": self._group_count("$site", by_count),
            "by_lang": self._group_count("$lang", by_count),
            # Days in UTC, like the ISO strings the SQLite store groups by.
            "by_day": self._group_count({"$dateToString": {"format": "%Y-%m-%d", "date": "$published_at"}}, {"_id": -1}),
            **self._stories(),
            "revisions": self._call("count revisions", lambda: self.revisions_collection.count_documents({})),
        }

    def _stories(self) -> dict[str, list[dict[str, Any]]]:
        stories = [
            {"$match": {"story_id": {"$ne": ""}}},
            {"$group": {"_id": "$story_id", "articles": {"$sum": 1}, "outlets": {"$addToSet": _OUTLET}, "langs": {"$addToSet": "$lang"}}},
            {"$project": {"articles": 1, "outlets": {"$size": "$outlets"}, "langs": {"$size": "$langs"}}},
            {"$match": {"articles": {"$gt": 1}}},
        ]
        ranked = {
            name: [row["_id"] for row in self._aggregate([
                *stories,
                {"$match": {column: {"$gt": 1}}},
                {"$sort": {column: -1, "articles": -1, "_id": 1}},
                {"$limit": STORIES_LISTED},
            ])]
            for name, column in STORY_LISTS.items()
        }  # fmt: skip
        ids = sorted({story_id for listed in ranked.values() for story_id in listed})
        fields = {"_id": 0, "story_id": 1, "outlet": 1, "site": 1, "lang": 1, "published_at": 1, "title": 1}
        documents = self._call("summary", lambda: list(self.articles.find({"story_id": {"$in": ids}}, fields))) if ids else []
        members = (
            StoryMember(d["story_id"], d.get("outlet") or d["site"], d["site"], d["lang"], _utc(d["published_at"]), d["title"])
            for d in documents
        )
        return describe_stories(ranked, members)

    def _group_count(self, expression: Any, sort: dict[str, int]) -> dict[Any, int]:
        rows = self._aggregate([{"$group": {"_id": expression, "n": {"$sum": 1}}}, {"$sort": sort}])
        return {row["_id"]: row["n"] for row in rows}

    def _aggregate(self, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._call("summary", lambda: list(self.articles.aggregate(pipeline)))

    # -- near-duplicate index -----------------------------------------------------------
    def story_candidates(self, band_keys: Sequence[int]) -> dict[str, int]:
        keys = list(set(band_keys))
        if not keys:
            return {}
        rows = self._call("story_candidates", lambda: list(self.bands.find({"_id": {"$in": keys}})))
        return dict(Counter(story_id for row in rows for story_id in row["stories"]))

    def story_sketches(self, story_ids: Sequence[str]) -> dict[str, bytes]:
        ids = list(set(story_ids))
        if not ids:
            return {}
        rows = self._call("story_sketches", lambda: list(self.sketches.find({"_id": {"$in": ids}})))
        return {row["_id"]: bytes(row["sketch"]) for row in rows}

    def add_stories(self, stories: Iterable[IndexedStory]) -> None:
        sketches: dict[str, bytes] = {}
        bands: dict[int, dict[str, None]] = {}
        for story_id, sketch, keys in stories:
            sketches.setdefault(story_id, sketch)
            for key in keys:
                bands.setdefault(key, {})[story_id] = None
        if not sketches:
            return
        # Sketches first: a band found by another process always has its sketch to verify. A
        # duplicate _id is a story indexed already (by this process or another): the first
        # writer's sketch stays.
        inserts = [InsertOne({"_id": sid, "sketch": sketch}) for sid, sketch in sketches.items()]
        self._bulk(self.sketches, inserts, ordered=False)
        # Nearly every band key is new: inserts, which cost a third of an upsert on SecantusDB.
        # A duplicate _id is a key another story has already: this batch's stories join it.
        keys = list(bands)
        failed = self._bulk(self.bands, [InsertOne({"_id": k, "stories": list(bands[k])}) for k in keys], ordered=False)
        shared = [keys[i] for i in sorted(failed)]
        requests = [UpdateOne({"_id": k}, {"$addToSet": {"stories": {"$each": list(bands[k])}}}, upsert=True) for k in shared]
        for _ in range(MAX_WRITE_ROUNDS):
            if not requests:
                return
            # A duplicate key here is a concurrent upsert of a key just reset away; the same
            # update, tried again, finds the document and adds this batch's stories to it.
            failed = self._bulk(self.bands, requests, ordered=False)
            requests = [requests[i] for i in sorted(failed)]
        raise StoreError(f"MongoDB {self.uri}: {len(requests)} story bands kept colliding with concurrent writers")

    def story_index_format(self) -> str:
        found = self._call("story_index_format", lambda: self.meta.find_one({"_id": _STORY_INDEX_FORMAT}))
        # An index of another layout is no index for this code: "" has the chain rebuild it.
        if found is None or found.get("layout") != _STORY_INDEX_LAYOUT:
            return ""
        return found["value"]

    def set_story_index_format(self, index_format: str) -> None:
        recorded = {"value": index_format, "layout": _STORY_INDEX_LAYOUT}
        self._call(
            "set_story_index_format",
            lambda: self.meta.update_one({"_id": _STORY_INDEX_FORMAT}, {"$set": recorded}, upsert=True),
        )

    @contextmanager
    def story_index_rebuild(self) -> Iterator[None]:
        """A lease in `meta` (`story_index_rebuild`): one process rebuilds, the others wait for it
        to be released, or to expire (its holder died): a rebuild never runs twice at once."""
        owner = ObjectId()
        while not self._take_lease(owner):
            time.sleep(_LEASE_POLL_SECONDS)
        try:
            yield
        finally:
            self._call("story_index_rebuild", lambda: self.meta.delete_one({"_id": _REBUILD_LEASE, "owner": owner}))

    def _take_lease(self, owner: ObjectId) -> bool:
        now = datetime.now(timezone.utc)
        lease = {"owner": owner, "expires": now + _REBUILD_LEASE_TERM}

        def insert() -> bool:
            try:
                self.meta.insert_one({"_id": _REBUILD_LEASE, **lease})
            except DuplicateKeyError:
                return False
            return True

        if self._call("story_index_rebuild", insert):
            return True
        # Held: by this process already (a retried insert that had gone through), or by one that
        # let it expire (it died): take it over; else wait.
        held_by_us_or_expired = {"_id": _REBUILD_LEASE, "$or": [{"owner": owner}, {"expires": {"$lt": now}}]}
        taken = self._call(
            "story_index_rebuild", lambda: self.meta.find_one_and_update(held_by_us_or_expired, {"$set": lease})
        )
        return taken is not None

    def listing_gaps(self, scope: str) -> list[str]:
        found = self._call("listing_gaps", lambda: self.meta.find_one({"_id": _LISTING_GAPS + scope}))
        return [] if found is None else list(found["value"])

    def set_listing_gaps(self, scope: str, urls: Sequence[str]) -> None:
        key = {"_id": _LISTING_GAPS + scope}
        if urls:
            self._call("set_listing_gaps", lambda: self.meta.update_one(key, {"$set": {"value": list(urls)}}, upsert=True))
        else:
            self._call("set_listing_gaps", lambda: self.meta.delete_one(key))

    def reset_story_index(self) -> None:
        def reset() -> None:
            self.meta.delete_one({"_id": _STORY_INDEX_FORMAT})
            # Dropped, not emptied: an index of an older layout goes with them.
            self.bands.drop()
            self.sketches.drop()

        self._call("reset_story_index", reset)

    # -- remembered URLs ------------------------------------------------------------------
    def remember_urls(self, entries: Iterable[RememberedUrl]) -> None:
        latest = {entry.url: entry for entry in entries if entry.url}  # the last word on a URL wins
        if latest:
            now = _now()
            # A duplicate-key failure is another process remembering the same URL at the same
            # moment: either record will do.
            requests = [
                UpdateOne({"_id": url}, {"$set": {"what": e.what, "target": e.target, "remembered_at": now}}, upsert=True)
                for url, e in latest.items()
            ]
            self._bulk(self.seen, requests, ordered=False)

    # -- crawl runs ---------------------------------------------------------------------
    def record_run(self, run: dict[str, Any]) -> None:
        # The record goes through JSON like in the SQLite store, so both return the same dicts.
        record = json.loads(json.dumps(run, ensure_ascii=False, default=isoformat_utc))
        document = {
            "_id": ObjectId(),  # chosen here: a retry after a lost acknowledgement cannot record the run twice
            "spider": run["spider"],
            "started_at": parse_isoformat(run.get("started_at")),
            "record": record,
        }

        def insert() -> None:
            try:
                self.runs.insert_one(document)
            except DuplicateKeyError:
                pass  # an earlier attempt was applied

        self._call("record_run", insert)

    def recent_runs(self, spider: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        query = {"spider": spider} if spider else {}
        sort = [("started_at", DESCENDING), ("_id", DESCENDING)]
        documents = self._call("recent_runs", lambda: list(self.runs.find(query, sort=sort, limit=limit)))
        return [document["record"] for document in documents]

    # -- watchlists and alerts ----------------------------------------------------------
    def add_watchlist(self, watchlist: Watchlist) -> Watchlist:
        saved = dataclasses.replace(watchlist, id=new_watchlist_id(), created_at=_now())
        document = {"_id": saved.id, "name": saved.name, "record": saved.to_record()}

        def insert() -> None:
            try:
                self.watchlists_collection.insert_one(document)
            except DuplicateKeyError:
                if self.watchlists_collection.find_one({"_id": saved.id}) is not None:
                    return  # a retried insert that had gone through
                raise WatchlistExists(f"a watchlist named {watchlist.name!r} exists already") from None

        self._call("add_watchlist", insert)
        return saved

    def watchlists(self) -> list[Watchlist]:
        documents = self._call("watchlists", lambda: list(self.watchlists_collection.find({}, sort=[("name", ASCENDING), ("_id", ASCENDING)])))
        return [Watchlist.from_record(document["record"]) for document in documents]

    def remove_watchlist(self, watchlist_id: str) -> bool:
        def remove() -> bool:
            self.alerts_collection.delete_many({"watchlist_id": watchlist_id})
            return self.watchlists_collection.delete_one({"_id": watchlist_id}).deleted_count > 0

        return self._call("remove_watchlist", remove)

    def record_alert(self, watchlist_id: str, article: Article) -> tuple[str, Alert]:
        story_id, key, outlet, now = alert_story(article), article_key(article), article_outlet(article), _now()
        alert_id = f"{watchlist_id}/{story_id}"
        raise_it = {"_id": alert_id, "watchlist_id": watchlist_id, "story_id": story_id, "raised_at": now,
                    "first": alert_article(article)}  # fmt: skip

        def record() -> tuple[str, dict[str, Any]]:
            # A plain insert raises the alert: of two processes raising one story's alert at once,
            # the second one's insert collides with the first's _id. (An upsert cannot tell: a
            # server may retry a colliding upsert as an update, and both would seem to insert.)
            raised = {**raise_it, "updated_at": now, "article_keys": [key], "outlets": [outlet]}
            try:
                self.alerts_collection.insert_one(raised)
                return ALERT_RAISED, raised
            except DuplicateKeyError:
                pass
            # The alert exists: add the article unless it counts it already (a replayed batch, a revision).
            grown = self.alerts_collection.find_one_and_update(
                {"_id": alert_id, "article_keys": {"$ne": key}},
                {"$set": {"updated_at": now}, "$addToSet": {"article_keys": key, "outlets": outlet}},
                return_document=ReturnDocument.AFTER,
            )
            if grown is not None:
                return ALERT_UPDATED, grown
            return ALERT_UNCHANGED, self.alerts_collection.find_one({"_id": alert_id})

        outcome, document = self._call("record_alert", record)
        return outcome, _alert(document)

    def alerts(self, limit: int = 50, *, watchlist_id: str | None = None, since: datetime | None = None) -> list[Alert]:
        if limit <= 0:
            return []
        query: dict[str, Any] = {}
        if watchlist_id is not None:
            query["watchlist_id"] = watchlist_id
        if since is not None:
            query["raised_at"] = {"$gte": _utc(since)}
        sort = [("raised_at", DESCENDING), ("watchlist_id", ASCENDING), ("story_id", ASCENDING)]
        documents = self._call("alerts", lambda: list(self.alerts_collection.find(query, sort=sort, limit=limit)))
        return [_alert(document) for document in documents]

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


class Unencodable(StoreError):
    """A value of the operation cannot be encoded as BSON; the message names it (or its article)."""


class CircuitBreaker:
    """Closed, open or half open: whether operations may try to reach the server.

    Closed: they may. Tripped by an operation that failed for good, it is open for `seconds`:
    they fail without trying. Then it is half open: they may try again, and the first outcome
    closes it (`reset`) or opens it again (`trip`). `seconds` <= 0: it never opens.
    """

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds = seconds
        self.clock = clock
        self.tripped_at: float | None = None

    @property
    def tripped(self) -> bool:
        """Open or half open: the last operation that reached for the server failed for good."""
        return self.tripped_at is not None

    def wait(self) -> float:
        """Seconds it stays open (0: operations may try)."""
        if self.tripped_at is None:
            return 0.0
        return max(0.0, self.tripped_at + self.seconds - self.clock())

    def trip(self) -> bool:
        """Open it (again); True when it was closed, i.e. an outage starts."""
        if self.seconds <= 0:
            return False
        starts = self.tripped_at is None
        self.tripped_at = self.clock()
        return starts

    def reset(self) -> None:
        self.tripped_at = None


# -- the plan of one batch -------------------------------------------------------------------
@dataclasses.dataclass(eq=False)  # identity semantics: documents are tracked in sets
class _Doc:
    """One article document as the batch leaves it, and what the database held before."""

    key: str
    fields: dict[str, Any]
    stored_key: str | None = None  # _id in the database before the batch (None: a new document)
    stored_hash: str | None = None
    first_seen: datetime | None = None
    changed: bool = False  # fields differ from the stored document
    seen: bool = False  # last_seen moves
    seq: int | None = None  # the change number of an insert or a change (MongoStore._apply)

    @classmethod
    def from_stored(cls, document: dict[str, Any]) -> "_Doc":
        fields = {name: document.get(name) for name in (*ARTICLE_FIELDS, SEARCH_FIELD)}
        return cls(document["_id"], fields, document["_id"], fields["content_hash"], document.get("first_seen"))

    @property
    def content_hash(self) -> str:
        return self.fields["content_hash"]

    @property
    def moved(self) -> bool:
        return self.stored_key is not None and self.stored_key != self.key

    @property
    def inserts(self) -> bool:
        """Whether the write creates the document (a new article, or an adopted URL's new _id)."""
        return self.stored_key is None or self.moved

    def delete_stored(self) -> DeleteOne:
        return DeleteOne({"_id": self.stored_key, "content_hash": self.stored_hash})

    def write(self, now: datetime) -> InsertOne | UpdateOne:
        """The one write that brings the database to this document, conditional on what the
        prefetch saw, so that a document another process wrote meanwhile fails it (E11000).

        A new document is an insert (a third of an upsert's cost on SecantusDB): it fails if
        another process stored the key or the content hash since. A stored one is updated
        filtered on the content hash the prefetch saw: if it changed meanwhile, the filter
        matches nothing, the upsert tries to insert a second document with the same _id and
        the server refuses it.
        """
        if self.inserts:
            return InsertOne({"_id": self.key, **self.fields, "first_seen": self.first_seen or now,
                              "last_seen": now, "seq": self.seq})  # fmt: skip
        changes = {**self.fields, "seq": self.seq} if self.changed else {}
        return UpdateOne(
            {"_id": self.key, "content_hash": self.stored_hash}, {"$set": {**changes, "last_seen": now}}, upsert=True
        )


class _Batch:
    """Classifies a batch exactly like the SQLite store, against the prefetched documents.

    Repeats inside the batch see the state the earlier articles left, and every touched
    document ends up with one write, whatever number of articles touched it.
    """

    def __init__(self, stored: list[dict[str, Any]], now: datetime) -> None:
        self.now = now
        self.by_key: dict[str, _Doc] = {}
        self.by_hash: dict[str, _Doc] = {}
        self.revisions: list[dict[str, Any]] = []
        # The document each article's outcome depends on: it is classified again if that write fails.
        self.owners: dict[int, _Doc] = {}
        for document in stored:
            self._track(_Doc.from_stored(document))

    def _track(self, doc: _Doc) -> None:
        self.by_key[doc.key] = doc
        self.by_hash[doc.content_hash] = doc

    def docs_to_write(self) -> list[_Doc]:
        return [doc for doc in dict.fromkeys([*self.by_key.values(), *self.by_hash.values()]) if doc.seen]

    def classify(self, position: int, article: Article) -> str:
        """The article's outcome; the planned writes change accordingly."""
        outcome, self.owners[position] = self._decide(article)
        return outcome

    def _decide(self, article: Article) -> tuple[str, _Doc]:
        key = article_key(article)
        doc = self.by_key.get(key)
        if doc is not None:
            if doc.content_hash == article.content_hash:
                doc.seen = True
                return UNCHANGED, doc
            if article.content_hash in self.by_hash:
                return DUPLICATE, self.by_hash[article.content_hash]  # the new text is stored under another key
            self._revise(doc, article)
            return REVISED, doc
        doc = self.by_hash.get(article.content_hash)
        if doc is not None:
            if not doc.fields["url"] and article.url:
                self._adopt_url(doc, article.url)
            return DUPLICATE, doc
        doc = _Doc(key, _document(article), seen=True)
        self._track(doc)
        return INSERTED, doc

    def _revise(self, doc: _Doc, article: Article) -> None:
        self.revisions.append(
            {
                # Deterministic, so that applying the batch again adds no copy. (An article edited
                # A -> B, back to A and to B again keeps one record of the A -> B edit.)
                "_id": f"{doc.key}#{doc.content_hash}>{article.content_hash}",
                "key": doc.key,
                "revised_at": self.now,
                "seq": ObjectId(),  # one process's ObjectIds increase: orders edits of the same millisecond
                "article": {name: doc.fields[name] for name in ARTICLE_FIELDS},
            }
        )
        # A revision keeps the story it belongs to: edits do not make a new story.
        article.story_id = doc.fields["story_id"] or article.story_id
        del self.by_hash[doc.content_hash]
        doc.fields = _document(article)
        doc.changed = doc.seen = True
        self.by_hash[doc.content_hash] = doc

    def _adopt_url(self, doc: _Doc, url: str) -> None:
        """A crawled copy of an article first loaded from a file gives the stored one its URL.

        Only URL-less documents adopt, and their key derives from their content, so they never
        have revisions to carry over.
        """
        doc.fields = {**doc.fields, "url": url}
        doc.key = url
        doc.changed = doc.seen = True
        self.by_key[url] = doc


# -- conversions -------------------------------------------------------------------------------
def _connect(uri: str, *, server_selection_timeout_ms: int, socket_timeout_ms: int) -> MongoClient:
    # A short server selection timeout makes an outage show within seconds, not 30 s per call.
    # One set in the URI wins (a keyword argument would override it).
    uri_options = {name.lower() for name in parse_qs(urlsplit(uri).query)}
    options: dict[str, Any] = {"appname": "newsmon"}
    timeouts = {"serverSelectionTimeoutMS": server_selection_timeout_ms, "socketTimeoutMS": socket_timeout_ms}
    options.update((name, value) for name, value in timeouts.items() if name.lower() not in uri_options)
    try:
        return MongoClient(uri, **options)
    except (PyMongoError, ValueError) as exc:
        # `from None`: the original exception may quote the URI, credentials included.
        raise StoreError(f"bad MongoDB URI {redact_uri(uri)}: {_describe(exc)}") from None


def _describe(exc: Exception) -> str:
    message = str(exc)
    if isinstance(exc, OperationFailure) and isinstance(exc.details, dict) and exc.details.get("errmsg"):
        message = exc.details["errmsg"]  # without the whole server reply, which pymongo's str() appends
    # A lone surrogate quoted in the message is escaped: a log handler writing UTF-8 would fail on it.
    return f"{type(exc).__name__}: {redact_uri(message)}".encode("utf-8", "backslashreplace").decode("utf-8")


def _why_unencodable(article: Article) -> str:
    """"" if BSON can encode the article's document, else which field it cannot and why."""
    for name, value in {"_id": article_key(article), **_document(article)}.items():
        try:
            bson.encode({name: value})
        except ENCODING_ERRORS as exc:
            return f"field {name}: {_describe(exc)}"
    return ""


def _now() -> datetime:
    return _bson_time(datetime.now(timezone.utc))


def _bson_time(value: datetime | None) -> datetime | None:
    """UTC at millisecond precision: what a BSON date holds, so every client reads back the same value."""
    if value is None:
        return None
    value = _utc(value)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _document(article: Article) -> dict[str, Any]:
    fields = dataclasses.asdict(article)
    for name in DATETIME_FIELDS:
        fields[name] = _bson_time(fields[name])
    fields[SEARCH_FIELD] = search_tokens(article.title, article.body)
    return fields


def token_filter(query: SearchQuery) -> dict[str, Any]:
    """Articles whose tokens hold every word of `query`, each in one of its forms.

    One condition per word position: a token (equality) or, for a word with ə, either of its
    forms (`$in`). A term's forms differ only in how ə is read, so they have the same words in
    the same places; a phrase's order is for the caller to check. Equalities and `$in` walk the
    multikey index (`$all` and `$or` of `$all` do not, on SecantusDB: measured 15-20x slower).
    """
    conditions: list[dict[str, Any]] = []
    for term in query.terms:
        for position in range(len(term.forms[0])):
            alternatives = list(dict.fromkeys(form[position] for form in term.forms))
            condition = {SEARCH_FIELD: alternatives[0] if len(alternatives) == 1 else {"$in": alternatives}}
            if condition not in conditions:
                conditions.append(condition)
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def _article(document: dict[str, Any]) -> Article:
    return from_record({name: document.get(name) for name in ARTICLE_FIELDS})


def _alert(document: dict[str, Any]) -> Alert:
    return Alert(document["watchlist_id"], document["story_id"], _utc(document["raised_at"]), _utc(document["updated_at"]),
                 document["first"], len(document["article_keys"]), list(document["outlets"]))  # fmt: skip


def _counts_as_known(remembered: dict[str, Any], dropped_since: datetime | None) -> bool:
    """Whether a remembered URL counts as known (Store.known_urls): an alias always, a dropped
    page while its drop is recent enough."""
    if dropped_since is None or remembered.get("what") == ALIAS:
        return True
    return _utc(remembered["remembered_at"]) >= _utc(dropped_since)


# An article's outlet in an aggregation; the site for documents stored before outlets existed.
_OUTLET = {"$cond": [{"$in": ["$outlet", [None, ""]]}, "$site", "$outlet"]}


def _filter(wanted: ArticleFilter) -> dict[str, Any]:
    query: dict[str, Any] = dict(wanted.equal_fields())
    published: dict[str, datetime] = {}
    if wanted.since is not None:
        published["$gte"] = _utc(wanted.since)
    if wanted.until is not None:
        published["$lt"] = _utc(wanted.until)
    if published:
        query["published_at"] = published
    return query
