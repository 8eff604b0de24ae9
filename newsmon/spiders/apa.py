"""The APA spider: where to go. Reading pages is newsmon/sites/apa.py's job.

    scrapy crawl apa [-a editions=en,az] [-a max_pages=N] [-a since=YYYY-MM-DD]
    scrapy crawl apa -a editions=en -a base_url=http://127.0.0.1:8000   # a mirror or replay

Discovery is the `/all-news?page=N` listing plus the edition's RSS feed. Crawls are
incremental: before requesting the articles of a listing page (or of the feed) the spider asks
the store, in one query, which of their canonical URLs it already holds, and skips those; it
stops paging at the first page with nothing new, or nothing newer than `since` (a UTC date).
State lives in the store, so every process sharing the store shares it. Pages that were not
stored (no date, 404, ...) are not remembered: they are tried again when their listing page is
visited again, which lets an article whose text came late still be stored. While the store is
unreachable every link counts as new: the crawl goes on (up to `max_pages`) and its articles are
spooled (newsmon.store.spool); the store turns away those it already holds when it gets them.

A mirror crawl (`base_url`) fetches from the mirror but files every article under its public
address on the edition's host (`site` and `url` exactly as a crawl of the live site gives
them), so mirror and live crawls deduplicate against each other.

Counters: `newsmon/apa/<what>`: `articles`, `known_skipped`, `older_skipped`,
`not_article_skipped`, `redirected`, `stop/<why>`, `store_unavailable` (listing pages or feeds
checked without the store), a PageError reason (`no_date`, ...) or a download failure
(`http_404`, `http_5xx`, `timeout`, ...; see newsmon.middlewares).
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request
from scrapy.contracts import Contract
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newsmon.dates import DEFAULT_TZ, parse_dateline
from newsmon.items import Article
from newsmon.middlewares import failure_kind
from newsmon.pipelines import crawler_store
from newsmon.sites import apa
from newsmon.store import OutageLog, Store, StoreUnavailable
from newsmon.urls import canonicalize_url

# Listing pages per edition and run; an incremental run stops far earlier, at known articles.
DEFAULT_MAX_PAGES = 30


@dataclass
class Selection:
    """What one listing page or feed offered: article links seen, too old, and new ones."""

    articles: int = 0
    older: int = 0
    new: list[str] = field(default_factory=list)  # canonical public URLs, to request


class ApaSpider(scrapy.Spider):
    name = "apa"

    def __init__(
        self,
        editions: str = ",".join(apa.EDITIONS),
        base_url: str = "",
        max_pages: str | int = DEFAULT_MAX_PAGES,
        since: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.editions = _parse_editions(editions)
        self.mirror = base_url.rstrip("/")
        if self.mirror and len(self.editions) != 1:
            raise ValueError("base_url mirrors one edition: add -a editions=<az|en|ru>")
        self.max_pages = int(max_pages)
        if self.max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, not {max_pages!r}")
        self.since = _parse_since(since)
        self.allowed_domains = [urlsplit(self.mirror).hostname] if self.mirror else [e.host for e in self.editions]

    @property
    def run_scope(self) -> str:
        """Runs over the same editions are comparable (the run history's key); a mirror's
        address changes from run to run, so it is not part of it."""
        return f"{self.name}:{','.join(sorted(e.lang for e in self.editions))}"

    # --- addresses ----------------------------------------------------------------------------

    def fetch_url(self, public_url: str) -> str:
        """Where to request a public edition address: itself, or its copy on the mirror."""
        if not self.mirror:
            return public_url
        parts = urlsplit(public_url)
        if parts.hostname != self.editions[0].host:
            raise ValueError(f"{public_url} is not on the mirrored edition ({self.editions[0].host})")
        return self.mirror + parts.path + (f"?{parts.query}" if parts.query else "")

    def public_url(self, fetched_url: str) -> str:
        """The edition address of a fetched page (inverse of fetch_url)."""
        if not self.mirror or not fetched_url.startswith(self.mirror):
            return fetched_url
        return self.editions[0].base_url + fetched_url[len(self.mirror) :]

    # --- requests -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        for edition in self.editions:
            yield self.listing_request(edition.lang, 1)
            yield self.request(edition.base_url + apa.RSS_PATH, self.parse_rss, edition=edition.lang)

    def request(self, public_url: str, callback: Any, **cb_kwargs: Any) -> Request:
        return Request(self.fetch_url(public_url), callback=callback, errback=self.on_error, cb_kwargs=cb_kwargs)

    def listing_request(self, edition: str, page: int) -> Request:
        query = f"?page={page}" if page > 1 else ""
        url = apa.EDITIONS[edition].base_url + apa.LISTING_PATH + query
        return self.request(url, self.parse_listing, edition=edition, page=page)

    # --- callbacks ----------------------------------------------------------------------------

    def parse_listing(self, response: TextResponse, edition: str, page: int) -> Iterator[Request]:
        """Requests for the new articles of one `/all-news` page, then for the next page.

        @public_url https://en.apa.az/all-news
        @cb_kwargs {"edition": "en", "page": 1}
        @returns requests 2
        """
        listing = apa.parse_listing(response)
        links = [(link.url, self.local_time(link.listed, edition)) for link in listing.links]
        selection = self.select_new(edition, links)
        yield from self.article_requests(selection.new, edition)
        stop = self.stop_reason(selection, page, listing.last_page)
        if stop:
            self.count(f"stop/{stop}")
            self.logger.info("%s edition: listing stops at page %d (%s)", edition, page, stop)
        else:
            yield self.listing_request(edition, page + 1)

    def parse_rss(self, response: TextResponse, edition: str) -> Iterator[Request]:
        """Requests for the new articles of the edition's RSS feed.

        @public_url https://en.apa.az/rss
        @cb_kwargs {"edition": "en"}
        @returns requests 1
        """
        entries = [(entry.url, self.local_time(entry.published, edition)) for entry in apa.parse_rss(response)]
        yield from self.article_requests(self.select_new(edition, entries).new, edition)

    def parse_article(self, response: Response, edition: str) -> Iterator[Article]:
        """The article on one page; a page that is not a usable article is counted and skipped.

        @public_url https://en.apa.az/asia/flydubai-resumes-flights-from-baku-to-dubai-520902
        @cb_kwargs {"edition": "en"}
        @returns items 1 1
        @scrapes url site lang title body dateline category tags authors image_url
        """
        if response.meta.get("redirect_urls"):
            self.count("redirected")
        try:
            article = apa.parse_article(response, lang=edition, url=self.public_url(response.url))
        except apa.PageError as error:
            self.count(error.reason)
            self.logger.warning("not an article (%s): %s: %s", error.reason, response.url, error)
            return
        self.count("articles")
        yield article

    def on_error(self, failure: Failure) -> None:
        """A request failed for good (after any retries): count it under its own name, go on."""
        kind = failure_kind(failure.value)
        self.count(kind)
        self.logger.warning("%s: %s", kind, failure.request.url)  # type: ignore[attr-defined]

    # --- decisions ----------------------------------------------------------------------------

    def select_new(self, edition: str, links: Iterable[tuple[str, datetime | None]]) -> Selection:
        """The article links worth requesting: on the edition, not older than `since`, not stored."""
        host = apa.EDITIONS[edition].host
        selection = Selection()
        candidates: dict[str, None] = {}  # canonical URLs in page order, each once
        for url, listed_at in links:
            canonical = canonicalize_url(self.public_url(url))
            if not apa.is_article_url(canonical, host):
                self.count("not_article_skipped")
                continue
            selection.articles += 1
            if self.since and listed_at and listed_at < self.since:
                selection.older += 1
                self.count("older_skipped")
                continue
            candidates[canonical] = None
        known = self.known_urls(candidates)
        if known:
            self.count("known_skipped", len(known))
        selection.new = [url for url in candidates if url not in known]
        return selection

    def known_urls(self, urls: dict[str, None]) -> set[str]:
        """The URLs already stored, in one store query.

        `scrapy check` (which sets SCRAPY_CHECK) tests the parsing of sample pages, so it asks
        no store: contracts pass whatever the store holds.
        """
        if not urls or os.environ.get("SCRAPY_CHECK"):
            return set()
        try:
            known = self.store.known_urls(urls)
        except StoreUnavailable as error:
            self.count("store_unavailable")
            self.store_outage.failed(error)
            return set()
        self.store_outage.answered()
        return known

    @property
    def store(self) -> Store:
        return crawler_store(self.crawler)

    @cached_property
    def store_outage(self) -> OutageLog:
        return OutageLog(
            self.logger, self.store, "every link counts as new (already stored articles are fetched again)"
        )

    def stop_reason(self, selection: Selection, page: int, last_page: int | None) -> str:
        """Why paging stops after this page, or "" to go on."""
        if not selection.articles:
            return "empty_page"
        if selection.older == selection.articles:
            return "older_than_since"
        if not selection.new:
            return "all_known"
        if page >= self.max_pages:
            return "max_pages"
        if last_page is not None and page >= last_page:
            return "last_page"
        return ""

    def article_requests(self, urls: Iterable[str], edition: str) -> Iterator[Request]:
        for url in urls:
            yield self.request(url, self.parse_article, edition=edition)

    def local_time(self, printed: str, edition: str) -> datetime | None:
        """A listing's or feed's printed time in UTC (edition time zone unless it says otherwise)."""
        return parse_dateline(printed, tz=self.time_zones[edition]) if printed else None

    @cached_property
    def time_zones(self) -> dict[str, str]:
        settings = self.crawler.settings
        default = settings.get("NEWSMON_DEFAULT_TIMEZONE", DEFAULT_TZ)
        by_site = settings.getdict("NEWSMON_SITE_TIMEZONES")
        return {edition.lang: by_site.get(edition.host, default) for edition in self.editions}

    def count(self, what: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"newsmon/{self.name}/{what}", n)


class PublicUrlContract(Contract):
    """`@public_url URL`: like `@url`, but fetched from the spider's mirror when it has one.

    `scrapy check apa` checks the live site; `scrapy check apa -a editions=en
    -a base_url=http://127.0.0.1:PORT` checks a replay or mirror of the English edition offline.
    """

    name = "public_url"

    def __init__(self, method: Any, *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = method.__self__

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        args["url"] = self.spider.fetch_url(self.args[0])
        return args


def _parse_editions(text: str) -> list[apa.Edition]:
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in apa.EDITIONS]
    if unknown or not names:
        raise ValueError(f"unknown edition(s) {', '.join(unknown) or text!r}: choose from {', '.join(apa.EDITIONS)}")
    return [apa.EDITIONS[name] for name in dict.fromkeys(names)]


def _parse_since(text: str) -> datetime | None:
    """`since=YYYY-MM-DD` (or a full ISO time) as an aware UTC datetime; naive means UTC."""
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
