"""The store interface every backend implements, and opening a store from a URI.

Keys: an article is identified by its canonical URL, or by `content:<hash>` when it has no URL
(offline documents). Both the key and `content_hash` are unique in every backend, so two
processes can never store one article twice.
"""
from __future__ import annotations

import inspect
import logging
import os
import re
import shlex
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from newsmon.items import Article, isoformat_utc
from newsmon.watch import Watchlist

DEFAULT_STORE_URI = "sqlite:///data/newsmon.db"
STORE_ENV_VAR = "NEWSMON_STORE"

INSERTED = "inserted"
REVISED = "revised"
UNCHANGED = "unchanged"
DUPLICATE = "duplicate"
OUTCOMES = (INSERTED, REVISED, UNCHANGED, DUPLICATE)

# What a remembered URL is when it is not a dropped page (see RememberedUrl).
ALIAS = "alias"


class StoreError(Exception):
    """A store operation failed for a reason other than the store being unreachable."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (network, server down); the caller may retry or spool."""


class OutageLog:
    """Logs a store outage once when it starts and once when it ends, not once per operation.

    For callers that go on without the store (deduplication, story ids, the spider's incremental
    check): they ask the store about every article, and a message each time would flood the log
    for as long as the outage lasts. `consequence` says what the caller does meanwhile.
    """

    def __init__(self, log: logging.Logger | logging.LoggerAdapter, store: "Store", consequence: str) -> None:
        self.log = log
        self.store = store
        self.consequence = consequence
        self.down = False

    def failed(self, error: StoreUnavailable) -> None:
        if not self.down:
            self.down = True
            self.log.warning(
                "store %s unavailable, %s: %s", redact_uri(self.store.uri), self.consequence, redact_text(str(error))
            )

    def answered(self) -> None:
        if self.down:
            self.down = False
            self.log.info("store %s answers again", redact_uri(self.store.uri))


@dataclass
class WriteResult:
    """What one `upsert_many` call did: one outcome per article, in input order."""

    outcomes: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return self.outcomes.count(outcome)

    @property
    def inserted(self) -> int:
        return self.count(INSERTED)

    @property
    def revised(self) -> int:
        return self.count(REVISED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def duplicates(self) -> int:
        return self.count(DUPLICATE)


# What `record_alert` did: raised a new alert, added a copy to the story's alert, or nothing
# (the article was already counted: a revision, a replayed batch).
ALERT_RAISED = "raised"
ALERT_UPDATED = "updated"
ALERT_UNCHANGED = "unchanged"


class WatchlistExists(StoreError):
    """`add_watchlist` with a name another watchlist has."""


@dataclass
class Alert:
    """One story that matched one watchlist: raised by its first matching article, then grown
    by every later copy (other outlets, translations) instead of alerting again.

    `first` describes the article that raised it (`alert_article`); `copies` counts the distinct
    articles of the story that matched, `outlets` who carried them, in order of arrival.
    """

    watchlist_id: str
    story_id: str
    raised_at: datetime
    updated_at: datetime
    first: dict[str, Any]
    copies: int
    outlets: list[str]

    def to_record(self) -> dict[str, Any]:
        """JSON-ready (the webhook's payload, the API)."""
        return {"watchlist_id": self.watchlist_id, "story_id": self.story_id,
                "raised_at": isoformat_utc(self.raised_at), "updated_at": isoformat_utc(self.updated_at),
                "first": self.first, "copies": self.copies, "outlets": self.outlets}  # fmt: skip


def alert_article(article: Article) -> dict[str, Any]:
    """What an alert keeps of the article that raised it."""
    return {"key": article_key(article), "url": article.url, "title": article.title, "outlet": article.outlet,
            "site": article.site, "lang": article.lang, "published_at": isoformat_utc(article.published_at)}  # fmt: skip


def alert_story(article: Article) -> str:
    """The story an article alerts for: its story id, its content when it has none (the story
    step could not assign one)."""
    return article.story_id or article.content_hash


def new_watchlist_id() -> str:
    return uuid.uuid4().hex[:12]


def article_outlet(article: Article) -> str:
    return article.outlet or article.site


class Change(NamedTuple):
    """One article as `Store.changes` gives it: its current version and the number of the change
    (insert, revision, URL adoption) that made it."""

    seq: int
    article: Article


# A story as the story index keeps it: (story id, sketch bytes, LSH keys).
IndexedStory = tuple[str, bytes, Sequence[int]]

# `summary` lists of stories told by several articles: the key, and what ranks them (each list
# holds stories of more than one of it, most first, at most STORIES_LISTED).
STORY_LISTS = {"stories": "articles", "multi_outlet_stories": "outlets", "multi_lang_stories": "langs"}
STORIES_LISTED = 20


class StoryMember(NamedTuple):
    """One article of a story as `summary` describes it."""

    story_id: str
    outlet: str  # the site when the article has no outlet
    site: str
    lang: str
    published_at: datetime
    title: str


def describe_stories(ranked: dict[str, list[str]], members: Iterable[StoryMember]) -> dict[str, list[dict[str, Any]]]:
    """`summary`'s story lists from the ids each lists (STORY_LISTS) and those stories' articles:
    who told each story, in which languages (both in order of publication), and who was first."""
    by_story: dict[str, list[StoryMember]] = {}
    for member in sorted(members, key=lambda m: (m.published_at, m.outlet, m.site)):
        by_story.setdefault(member.story_id, []).append(member)

    def entry(story_id: str) -> dict[str, Any]:
        told = by_story[story_id]
        first = told[0]
        return {
            "story_id": story_id,
            "articles": len(told),
            "outlets": list(dict.fromkeys(m.outlet for m in told)),
            "langs": list(dict.fromkeys(m.lang for m in told)),
            "first": {"outlet": first.outlet, "site": first.site, "lang": first.lang,
                      "published_at": isoformat_utc(first.published_at), "title": first.title},
        }

    return {name: [entry(story_id) for story_id in ids if story_id in by_story] for name, ids in ranked.items()}


@dataclass(frozen=True)
class ArticleFilter:
    """The articles a read asks for: published in [since, until), and the named fields equal to
    the given values (an empty value asks nothing). Each store translates it to its own query."""

    since: datetime | None = None
    until: datetime | None = None
    lang: str | None = None
    site: str | None = None
    outlet: str | None = None
    category: str | None = None

    def equal_fields(self) -> dict[str, str]:
        return {name: value for name in ("outlet", "category", "lang", "site") if (value := getattr(self, name))}


class RememberedUrl(NamedTuple):
    """A fetched URL under which no article is stored, remembered so that crawls skip it.

    `what` is ALIAS for a URL that led to an article stored under another one, `target` (a
    listing's link that redirected, or whose page names another canonical URL), else why its page
    was dropped for good (`http_404`, `no_date`, ...).
    """

    url: str
    what: str
    target: str = ""


def article_key(article: Article) -> str:
    return article.url or f"content:{article.content_hash}"


# Query parameters whose values are credentials: MongoDB's tlsCertificateKeyFilePassword and
# authMechanismProperties (AWS_SESSION_TOKEN:…), and any password, secret, token or key.
_SECRET_NAME = re.compile(r"pass|secret|token|key|credential|authmechanismproperties|webhook", re.IGNORECASE)
_URI_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")
REDACTED = "***"


def redact_uri(uri: str) -> str:
    """The URI with its password and every credential-bearing query parameter replaced, safe
    for logs, stats and error messages."""
    uri = re.sub(r"(//[^/@:]*):[^/@]*@", rf"\1:{REDACTED}@", uri)
    base, question_mark, query = uri.partition("?")
    if not question_mark:
        return uri
    query, hash_mark, fragment = query.partition("#")
    parameters = [_redact_assignment(parameter) for parameter in re.split(r"([&;])", query)]
    return f"{base}?{''.join(parameters)}{hash_mark}{fragment}"


def _redact_assignment(assignment: str) -> str:
    """`name=value` with the value replaced when the name says it is a credential."""
    name, equals, _ = assignment.partition("=")
    return f"{name}={REDACTED}" if equals and _SECRET_NAME.search(name) else assignment


def redact_text(text: str) -> str:
    """Free text (an error message, a command-line argument) with every URI in it redacted."""
    return _URI_IN_TEXT.sub(lambda match: redact_uri(match[0]), text)


def redact_command(command: Sequence[str]) -> str:
    """A command line as a shell would take it, with credentials replaced: URIs anywhere, and
    the whole value of a `NAME=VALUE` argument whose name says it is a secret (`-s
    NEWSMON_MONITOR_WEBHOOK_URL=…`, whose path is the secret)."""
    return shlex.join(_redact_argument(argument) for argument in command)


def _redact_argument(argument: str) -> str:
    name, equals, value = argument.partition("=")
    if equals and "://" not in name and _SECRET_NAME.search(name):
        return f"{name}={REDACTED}"
    return redact_text(argument)


def store_uri_setting(settings: Any) -> str | None:
    """The NEWSMON_STORE setting of Scrapy `settings`, None when unset. A profile that sets
    NEWSMON_STORE_REQUIRED (settings.production) without a store is a StoreError saying how to
    give one, rather than a quiet fallback to the embedded default."""
    uri = settings.get("NEWSMON_STORE") or None
    if uri is None and settings.getbool("NEWSMON_STORE_REQUIRED"):
        raise StoreError(
            "no store given, and these settings have no default: set $NEWSMON_STORE (or -s NEWSMON_STORE=…,"
            " or --store), e.g. mongodb://mongo:27017/newsmon"
        )
    return uri


def resolve_store_uri(uri: str | None = None) -> str:
    """An explicit URI wins, then $NEWSMON_STORE, then the embedded default."""
    return uri or os.environ.get(STORE_ENV_VAR) or DEFAULT_STORE_URI


class Store(ABC):
    """Backend-neutral article store. Implementations must pass tests/test_store_contract.py."""

    uri: str

    @abstractmethod
    def upsert_many(self, articles: Sequence[Article]) -> WriteResult:
        """Insert new articles, revise changed ones (keeping the old version), skip duplicates.

        Same key and same content: unchanged (last_seen updated). Same key, new content: the
        stored version moves to the revisions and the new one replaces it (revised). A new key
        whose content is already stored: duplicate (a stored article without URL adopts the URL).
        """

    @abstractmethod
    def has_url(self, url: str) -> bool: ...

    @abstractmethod
    def known_urls(self, urls: Iterable[str], *, dropped_since: datetime | None = None) -> set[str]:
        """The subset of `urls` stored or remembered (one call for a whole listing page).

        A URL remembered as a dropped page counts only if it was remembered at `dropped_since`
        or later (None: whenever), so that a page whose text came late is fetched again some day.
        Aliases count whenever they were remembered.
        """

    @abstractmethod
    def remember_urls(self, entries: Iterable[RememberedUrl]) -> None:
        """Remember fetched URLs under which no article is stored, now; one write for all.

        Remembering a URL again replaces what was remembered about it (and when).
        """

    def has_content_hash(self, content_hash: str) -> bool:
        return self.url_of_content(content_hash) is not None

    @abstractmethod
    def url_of_content(self, content_hash: str) -> str | None:
        """The URL of the stored article with this content: "" when it has none (a loaded
        file), None when no stored article has this content."""

    @abstractmethod
    def query(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        lang: str | None = None,
        site: str | None = None,
        outlet: str | None = None,
        category: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[Article]:
        """Articles matching the filters, newest `published_at` first, streamed; `offset` of
        them skipped first (the desk's pages)."""

    # Incremental delivery (`newsmon export --after`): every change numbered in one sequence.
    @abstractmethod
    def changes(self, after: int, *, limit: int | None = None) -> Iterator[Change]:
        """Articles inserted or changed since change number `after`, in change order, each in its
        current version, streamed: the next call with the last `seq` seen gives what came after,
        with no gap and no repeat, however many writers are busy meanwhile. An article changed
        twice since `after` comes once, in its latest version (earlier ones are its revisions).
        Changes still being written (on MongoDB, by a writer that reserved lower numbers) are left
        for a later call."""

    @abstractmethod
    def latest_change(self) -> int:
        """The highest change number given out so far (0 for an empty store): no valid cursor is higher."""

    @abstractmethod
    def count(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        lang: str | None = None,
        site: str | None = None,
    ) -> int: ...

    @abstractmethod
    def revisions(self, url_or_key: str) -> list[dict[str, Any]]:
        """Earlier versions of one article, oldest first: {"revised_at": datetime, "article": Article}."""

    @abstractmethod
    def summary(self) -> dict[str, Any]:
        """Counts for `newsmon stats`: total, by_site, by_lang, by_day, revisions, and the lists of
        STORY_LISTS: the stories told by most articles, by most outlets, in most languages
        (`describe_stories`)."""

    # The analyst's desk (newsmon.desk): one article, one story, searches.
    @abstractmethod
    def article(self, key: str) -> Article | None:
        """The stored article with this key (`article_key`), None when there is none."""

    @abstractmethod
    def story(self, story_id: str) -> list[Article]:
        """Every stored article of one story, in order of publication (then by key)."""

    @abstractmethod
    def story_outlets(self, story_ids: Sequence[str]) -> dict[str, int]:
        """How many outlets (the site when an article has no outlet) carry each of `story_ids`
        that has articles."""

    @abstractmethod
    def daily_counts(self, *, since: datetime) -> dict[str, dict[str, int]]:
        """Articles published at `since` or later by site and UTC day: {site: {"2026-11-30": n}}."""

    @abstractmethod
    def search(
        self,
        query: str,
        *,
        outlet: str | None = None,
        lang: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[Article]:
        """Articles holding every word and phrase of `query` (newsmon.search.parse_query) in their
        title or body, newest first, `offset` of them skipped; [] for a query without words."""

    # Story index (see newsmon.stories): LSH keys -> story ids, and one sketch per story to
    # verify candidates against, persisted with articles.
    @abstractmethod
    def story_candidates(self, band_keys: Sequence[int]) -> dict[str, int]:
        """Story ids sharing at least one LSH band with the item, with how many bands each shares."""

    @abstractmethod
    def story_sketches(self, story_ids: Sequence[str]) -> dict[str, bytes]:
        """The stored sketch of each of `story_ids` that has one (opaque bytes, newsmon.stories.Sketch)."""

    @abstractmethod
    def add_stories(self, stories: Iterable[IndexedStory]) -> None:
        """Index (story_id, sketch, band keys) entries. A story that already has a sketch keeps
        it (first writer wins); its band keys are added either way. Band keys are signed 64-bit."""

    @abstractmethod
    def story_index_format(self) -> str:
        """The format recorded by `set_story_index_format`, "" if none."""

    @abstractmethod
    def set_story_index_format(self, index_format: str) -> None: ...

    @abstractmethod
    def reset_story_index(self) -> None:
        """Forget every indexed story and the recorded format (articles keep their story ids)."""

    @contextmanager
    def story_index_rebuild(self) -> Iterator[None]:
        """Held while the story index is reset and rebuilt (newsmon.stories.ensure_index_format),
        so that one process rebuilds while others wait. Backends override it with a lock shared
        by every process using the store; this default locks nothing."""
        yield

    # Listings read only in part (newsmon.spiders.base): where the next run of a scope continues.
    @abstractmethod
    def listing_gaps(self, scope: str) -> list[str]:
        """The listing pages where crawls of `scope` (`apa:en`) stopped before reaching known
        articles or an end, nearest the top first; [] when every listing was read through."""

    @abstractmethod
    def set_listing_gaps(self, scope: str, urls: Sequence[str]) -> None:
        """Record where the listing of `scope` continues; [] forgets it."""

    # Crawl run history (see newsmon.monitoring).
    @abstractmethod
    def record_run(self, run: dict[str, Any]) -> None: ...

    @abstractmethod
    def recent_runs(self, spider: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Newest first."""

    # Watchlists (newsmon.watch) and the alerts they raised (newsmon.alerts).
    @abstractmethod
    def add_watchlist(self, watchlist: Watchlist) -> Watchlist:
        """Save a watchlist; returns it with its new `id` and `created_at`. Names are unique:
        WatchlistExists when another watchlist has this one's."""

    @abstractmethod
    def watchlists(self) -> list[Watchlist]:
        """Every watchlist, by name."""

    @abstractmethod
    def remove_watchlist(self, watchlist_id: str) -> bool:
        """Forget the watchlist and its alerts; False when there is none with this id."""

    @abstractmethod
    def record_alert(self, watchlist_id: str, article: Article) -> tuple[str, Alert]:
        """Record that a stored `article` matched the watchlist: (ALERT_RAISED, the new alert) for
        the first article of its story (`alert_story`), (ALERT_UPDATED, the alert) for another
        copy, (ALERT_UNCHANGED, the alert) for an article it already counts.

        Keyed by (watchlist id, story id) with a unique key, so that of two processes recording
        copies of one story at once exactly one raises the alert.
        """

    @abstractmethod
    def alerts(self, limit: int = 50, *, watchlist_id: str | None = None, since: datetime | None = None) -> list[Alert]:
        """Alerts newest raised first: of one watchlist, raised at `since` or later, at most `limit`."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_store(uri: str | None = None, *, must_exist: bool = False, **options: Any) -> Store:
    """Open the store a URI names (`sqlite:///path`, `mongodb://…`, `mongodb+srv://…`).

    `options` are the backend's keyword arguments (the NEWSMON_STORE_OPTIONS setting). With
    `must_exist` (commands that only read), a SQLite file that is not there is a StoreError
    instead of a new empty store; a MongoDB database cannot be told from an empty one.
    """
    uri = resolve_store_uri(uri)
    scheme = uri.split("://", 1)[0].lower()
    if scheme == "sqlite":
        from newsmon.store.sqlite import SQLiteStore, sqlite_path

        if must_exist and not sqlite_path(uri).is_file():
            raise StoreError(f"no SQLite store at {sqlite_path(uri)} (a load or a crawl creates it; check the path)")
        return _open(SQLiteStore, uri, options)
    if scheme in ("mongodb", "mongodb+srv"):
        from newsmon.store.mongo import MongoStore

        return _open(MongoStore, uri, options)
    raise StoreError(f"unsupported store URI {redact_uri(uri)!r}: use sqlite:///PATH or mongodb://HOST/DB")


def _open(backend: type[Store], uri: str, options: dict[str, Any]) -> Store:
    # Options are one setting for every backend: a MongoDB option left in it while a run uses
    # SQLite gets a message naming the option, not a TypeError from deep inside.
    try:
        inspect.signature(backend).bind(uri, **options)
    except TypeError as exc:
        raise StoreError(f"store options do not fit {backend.__name__} ({redact_uri(uri)}): {exc}") from None
    return backend(uri, **options)
