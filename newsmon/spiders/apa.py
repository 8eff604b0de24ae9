"""The APA spider: where to go. Reading pages is newsmon/sites/apa.py's job.

    scrapy crawl apa [-a editions=en,az] [-a max_pages=N] [-a since=YYYY-MM-DD]
    scrapy crawl apa -a editions=en -a base_url=http://127.0.0.1:8000   # a mirror or replay

Discovery is the `/all-news?page=N` listing plus the edition's RSS feed. Crawls are
incremental: before requesting the articles of a listing page (or of the feed) the spider asks
the store, in one query, which of their canonical URLs it already holds, and skips those; it
stops paging at the first page with nothing new, or nothing newer than `since` (a UTC date).
State lives in the store, so every process sharing the store shares it.

An article is stored under the URL it ended at (after redirects, or its page's canonical link),
so the spider also has the store remember every fetched URL under which nothing is stored
(Store.remember_urls): a link that led to an article stored under another URL (an alias), and a
page dropped for a reason it will give again (PERMANENT_DROPS: 404/410, no date, no text, not an
article, a duplicate, ...). Both count as known, so a second run over an unchanged site fetches
no article page again. A dropped page is tried again once NEWSMON_RECHECK_DROPPED_AFTER seconds
(default 7 days; None: never) have passed since it was dropped, so that an article whose text
came late is stored in the end. Failures that may pass (5xx, 429, timeouts, DNS, lost
connections, a page cut off in transit) are not remembered: the next run that meets the link
tries again. URLs to remember are written in batches, before the next listing page or feed is
checked and when the spider closes.

While the store is unreachable every link counts as new: the crawl goes on (up to `max_pages`)
and its articles are spooled (newsmon.store.spool); the store turns away those it already holds
when it gets them. URLs to remember wait for the store to answer again.

A mirror crawl (`base_url`) fetches from the mirror but files every article under its public
address on the edition's host (`site` and `url` exactly as a crawl of the live site gives
them), so mirror and live crawls deduplicate against each other.

Counters: `newsmon/apa/<what>`: `articles`, `known_skipped`, `older_skipped`,
`not_article_skipped`, `redirected` (article links), `remembered` (URLs written to the store),
`stop/<why>`, `store_unavailable` (listing pages or feeds checked without the store), a
PageError reason (`no_date`, ...) or a download failure (`http_404`, `http_5xx`, `timeout`, ...;
see newsmon.middlewares).
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.contracts import Contract
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newsmon.dates import DEFAULT_TZ, parse_dateline
from newsmon.items import Article, parse_isoformat
from newsmon.middlewares import failure_kind
from newsmon.pipelines import crawler_store
from newsmon.sites import apa
from newsmon.store import ALIAS, OutageLog, RememberedUrl, Store, StoreUnavailable
from newsmon.urls import canonicalize_url

# Listing pages per edition and run; an incremental run stops far earlier, at known articles.
DEFAULT_MAX_PAGES = 30
# NEWSMON_RECHECK_DROPPED_AFTER's default: a dropped page is tried again after a week.
DEFAULT_RECHECK_DROPPED_AFTER = 7 * 24 * 3600
# Why an article page is remembered as dropped: reasons the same page gives again on the next
# run (HTTP 404/410, PageErrors but `truncated`, the chain's rejections). The others may pass
# (5xx, 429, timeouts, DNS, a page cut off in transit): the next run that meets the link tries again.
PERMANENT_DROPS = frozenset({"http_404", "http_410", *apa.PAGE_ERROR_REASONS, "duplicate"} - {"truncated"})
# Request meta: the canonical public URL a listing or feed offered (article requests only).
LISTED_URL = "newsmon_listed_url"


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
        self.since = parse_isoformat(since)  # YYYY-MM-DD or a full ISO time; naive means UTC
        self.allowed_domains = [urlsplit(self.mirror).hostname] if self.mirror else [e.host for e in self.editions]
        self.to_remember: dict[str, RememberedUrl] = {}  # by URL, until written to the store

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "ApaSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider.on_request_dropped, signal=signals.request_dropped)
        return spider

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

        @cb_kwargs {"page": 1}
        @public_url /all-news
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

        @public_url /rss
        @returns requests 1
        """
        entries = [(entry.url, self.local_time(entry.published, edition)) for entry in apa.parse_rss(response)]
        yield from self.article_requests(self.select_new(edition, entries).new, edition)

    def parse_article(self, response: Response, edition: str) -> Iterator[Article]:
        """The article on one page; a page that is not a usable article is counted and skipped.

        The page's other URLs (the listing's link, the address before a canonical link) are
        remembered as aliases of the article's, or all of them as dropped when the page is not
        a usable article. A contract's sample page, which no listing offered, is not remembered.

        @public_url az=/xarici-siyaset/ceyhun-bayramov-gurcustan-xin-bascisi-ile-gorusub-foto-954028
        @public_url en=/asia/flydubai-resumes-flights-from-baku-to-dubai-520902
        @public_url ru=/ekonomika/cena-azerbaydzhanskoy-nefti-prevysila-68-dollarov-650213
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
            self.remember_drop(response.request, error.reason)
            return
        self.count("articles")
        self.remember_aliases(response.request, article.url)
        yield article

    def on_error(self, failure: Failure) -> None:
        """A request failed for good (after any retries): count it under its own name, go on."""
        kind = failure_kind(failure.value)
        self.count(kind)
        self.logger.warning("%s: %s", kind, failure.request.url)  # type: ignore[attr-defined]
        self.remember_drop(failure.request, kind)  # type: ignore[attr-defined]

    def on_item_dropped(self, item: Any, response: Response | None, exception: BaseException) -> None:
        """The chain turned an article down (no date, a duplicate, ...): remember its page as dropped."""
        reason = getattr(exception, "reason", "")  # newsmon.pipelines.Dropped has one
        if isinstance(item, Article) and response is not None and response.request is not None:
            self.remember_drop(response.request, reason, item.url)

    def on_request_dropped(self, request: Request) -> None:
        """A redirect to an article page this run already requested is dropped by the duplicate
        filter, so parse_article never sees where the listing's link led: count and remember it here."""
        if request.meta.get("redirect_urls") and request.meta.get(LISTED_URL):
            self.count("redirected")
            self.remember_aliases(request, self.page_url(request))

    def closed(self, reason: str) -> None:
        """Write what is left to remember."""
        self.flush_remembered()
        if self.to_remember:
            self.logger.warning(
                "%d fetched URLs not remembered (store unavailable): the next run fetches them again",
                len(self.to_remember),
            )

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
        self.flush_remembered()  # so that this check, and other processes', know them too
        known = self.known_urls(candidates)
        if known:
            self.count("known_skipped", len(known))
        selection.new = [url for url in candidates if url not in known]
        return selection

    def known_urls(self, urls: dict[str, None]) -> set[str]:
        """The URLs already stored or remembered (and not due for another try), in one store call.

        `scrapy check` (which sets SCRAPY_CHECK) tests the parsing of sample pages, so it asks
        no store: contracts pass whatever the store holds.
        """
        if not urls or os.environ.get("SCRAPY_CHECK"):
            return set()
        try:
            known = self.store.known_urls(urls, dropped_since=self.dropped_since())
        except StoreUnavailable as error:
            self.count("store_unavailable")
            self.store_outage.failed(error)
            return set()
        self.store_outage.answered()
        return known

    def dropped_since(self) -> datetime | None:
        """Pages dropped before this time are due for another try (None: never)."""
        if self.recheck_dropped_after is None:
            return None
        return datetime.now(timezone.utc) - self.recheck_dropped_after

    @cached_property
    def recheck_dropped_after(self) -> timedelta | None:
        setting = self.crawler.settings.get("NEWSMON_RECHECK_DROPPED_AFTER", DEFAULT_RECHECK_DROPPED_AFTER)
        return _parse_recheck_window(setting)

    # --- remembering fetched URLs -------------------------------------------------------------

    def page_url(self, request: Request) -> str:
        """The canonical public URL a request fetched (after any redirects)."""
        return canonicalize_url(self.public_url(request.url))

    def page_urls(self, request: Request) -> set[str]:
        """The URLs later listings may offer for an article request's page: the one this
        listing or feed offered and the one it was fetched from. Empty for other requests
        (listing pages, feeds, a contract's sample page)."""
        listed = request.meta.get(LISTED_URL)
        return {listed, self.page_url(request)} if listed else set()

    def remember_aliases(self, request: Request, article_url: str) -> None:
        for url in self.page_urls(request) - {article_url}:
            self.to_remember[url] = RememberedUrl(url, ALIAS, article_url)

    def remember_drop(self, request: Request, reason: str, *also: str) -> None:
        """Remember the page's URLs (and `also`) as dropped, if `reason` will hold next run."""
        urls = self.page_urls(request)
        if reason in PERMANENT_DROPS and urls:
            for url in urls.union(also):
                self.to_remember[url] = RememberedUrl(url, reason)

    def flush_remembered(self) -> None:
        """Write the URLs to remember in one store call; while the store is down they wait."""
        if not self.to_remember:
            return
        try:
            self.store.remember_urls(self.to_remember.values())
        except StoreUnavailable as error:
            self.store_outage.failed(error)
            return
        self.store_outage.answered()
        self.count("remembered", len(self.to_remember))
        self.to_remember.clear()

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
            request = self.request(url, self.parse_article, edition=edition)
            request.meta[LISTED_URL] = url  # redirects and retries keep it
            yield request

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
    """`@public_url PATH` or `@public_url <edition>=PATH`: the sample page at PATH on the edition
    `scrapy check` checks (the spider's first), fetched from its mirror when it has one.

    Like `@url`, and it also gives the callback that edition as its `edition` argument, added
    to those of an earlier `@cb_kwargs`. A line naming an edition applies to that edition only:
    pages whose address differs by edition (articles) take one line per edition.

    `scrapy check apa` checks the live Azerbaijani edition, `-a editions=ru` the Russian one;
    `scrapy check apa -a editions=ru -a base_url=http://127.0.0.1:PORT` a mirror or replay of it.
    """

    name = "public_url"

    def __init__(self, method: Any, *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = method.__self__
        # A path starts with "/"; before it, `<edition>=` may name the edition it is for.
        lang, _, self.path = ("", "", args[0]) if args[0].startswith("/") else args[0].partition("=")
        if lang not in ("", *apa.EDITIONS) or not self.path.startswith("/"):
            raise ValueError(f"@public_url {args[0]}: expected /PATH or <{'|'.join(apa.EDITIONS)}>=/PATH")
        self.langs = [lang] if lang else list(apa.EDITIONS)

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        edition = self.spider.editions[0]
        if edition.lang in self.langs:
            args["url"] = self.spider.fetch_url(edition.base_url + self.path)
            args["cb_kwargs"] = {**(args.get("cb_kwargs") or {}), "edition": edition.lang}
        return args


def _parse_editions(text: str) -> list[apa.Edition]:
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in apa.EDITIONS]
    if unknown or not names:
        raise ValueError(f"unknown edition(s) {', '.join(unknown) or text!r}: choose from {', '.join(apa.EDITIONS)}")
    return [apa.EDITIONS[name] for name in dict.fromkeys(names)]


def _parse_recheck_window(value: Any) -> timedelta | None:
    """NEWSMON_RECHECK_DROPPED_AFTER: seconds (a number, or its text with `-s`); None or "never": never."""
    if value is None or str(value).strip().lower() in ("none", "never"):
        return None
    seconds = float(value)
    if seconds < 0:
        raise ValueError(f"NEWSMON_RECHECK_DROPPED_AFTER must be seconds (0 or more) or None, not {value!r}")
    return timedelta(seconds=seconds)
