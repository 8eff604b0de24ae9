"""The crawl logic, written once for every site: where to go, what is new, what to remember.

    scrapy crawl <site> [-a editions=en,az] [-a max_pages=N] [-a since=YYYY-MM-DD]
    scrapy crawl <site> -a editions=en -a base_url=http://127.0.0.1:8000   # a mirror or replay

A `NewsSpider` is given a site profile (newsmon/sites/). Discovery is whatever the profile
lists for each edition: RSS feeds, Google News sitemaps, and a listing whose pages (numbered,
or "load more" cursors) the site's parse_listing chains. Crawls are incremental: before
requesting the articles of a listing page, feed or sitemap the spider asks the store, in one
query, which of their canonical URLs it already holds, and skips those; it stops paging at the
first page with nothing new, or nothing newer than `since` (a UTC date). State lives in the
store, so every process sharing the store shares it.

An article is stored under the URL it ended at (after redirects, or its page's canonical link),
so the spider also has the store remember every fetched URL under which nothing is stored
(Store.remember_urls): a link that led to an article stored under another URL (an alias), and a
page dropped for a reason it will give again (PERMANENT_DROPS: 404/410, no date, no text, not an
article, a duplicate, ...). Both count as known, so a second run over an unchanged site fetches
no article page again. A dropped page is tried again once NEWSMON_RECHECK_DROPPED_AFTER seconds
(default 7 days; None: never) have passed since it was dropped. Failures that may pass (5xx,
429, timeouts, a page cut off in transit) are not remembered: the next run tries again.

While the store is unreachable every link counts as new: the crawl goes on (up to `max_pages`)
and its articles are spooled (newsmon.store.spool). URLs to remember wait for the store.

A mirror crawl (`base_url`) fetches from the mirror, which serves the edition's public paths
and query strings unchanged (Report's English pages at `<base_url>/en/...`), but files every
article under its public address, so mirror and live crawls deduplicate against each other.

A site that blocks us (403, 429, a challenge page; newsmon.middlewares.BlockedSiteMiddleware)
is counted as `blocked`, not asked again in this run, and flagged by a monitor.

Counters: `newsmon/<site>/<what>`: `articles`, `known_skipped`, `older_skipped`,
`not_article_skipped`, `redirected`, `remembered`, `stop/<why>`, `store_unavailable`,
`fallback/<what>` (a page parser or generic extraction fell back), `feed/<quirk>` (a feed's
oddities, and `feed/not_a_feed`), a PageError reason (`no_date`, ...) or a download failure
(`http_404`, `http_5xx`, `timeout`, `blocked`, ...; see newsmon.middlewares).
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.contracts import Contract
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newsmon.dates import parse_dateline
from newsmon.items import Article, parse_isoformat
from newsmon.middlewares import failure_kind
from newsmon.pipelines import crawler_store
from newsmon.sites import feeds
from newsmon.sites.base import PAGE_ERROR_REASONS, Edition, PageError, Parsed, Site
from newsmon.store import ALIAS, OutageLog, RememberedUrl, Store, StoreError, StoreUnavailable
from newsmon.urls import canonicalize_url

# Listing pages per edition and run; an incremental run stops far earlier, at known articles.
DEFAULT_MAX_PAGES = 30
# NEWSMON_RECHECK_DROPPED_AFTER's default: a dropped page is tried again after a week.
DEFAULT_RECHECK_DROPPED_AFTER = 7 * 24 * 3600
# Why an article page is remembered as dropped: reasons the same page gives again on the next
# run (HTTP 404/410, PageErrors but `truncated`, the chain's rejections). The others may pass.
PERMANENT_DROPS = frozenset({"http_404", "http_410", *PAGE_ERROR_REASONS, "duplicate"} - {"truncated"})
# Request meta: the canonical public URL a listing or feed offered (article requests only).
LISTED_URL = "newsmon_listed_url"


class SpiderArgumentError(ValueError):
    """A `-a name=value` the spider cannot use; the message says what would work."""


@dataclass
class ListingProgress:
    """How far one edition's listing got, so that a run cut short (`max_pages`, a shutdown, a
    crash, a listing page that failed) leaves no permanent gap below the articles it read.

    The store keeps the edition's gaps (Store.listing_gaps): the listing pages where runs
    stopped before reaching known articles or an end, nearest the top first. They are written
    after every listing page, so a crash leaves them too. A run reads the new articles at the
    top; at the first page with nothing new it continues at the first gap, reads on until a
    page with nothing new after new ones (that gap is closed) or an end, then the next gap.
    """

    gaps: list[str]  # this edition's open gaps, nearest the top first
    next_url: str = ""  # the page this run reads next ("" between reading passes)
    resuming: bool = False  # reading on from a gap
    resumed_new: bool = False  # the gap's pages had new articles: the next all-known page closes it
    owes: bool = True  # the store held the edition's articles when the run began (a first run owes nothing)

    def open_gaps(self) -> list[str]:
        """What is left to read: where this run's pass stops (if it stops early), then the rest."""
        here = [self.next_url] if self.next_url and (self.owes or self.resuming) else []
        return list(dict.fromkeys(here + self.gaps))


@dataclass
class Selection:
    """What one listing page or feed offered: article links seen, too old, and new ones."""

    articles: int = 0
    older: int = 0
    new: list[str] = field(default_factory=list)  # canonical public URLs, to request
    # Known to the store only because this crawl fetched them (from a feed, or before a page
    # was read again): no sign that the listing reached what earlier runs read.
    known_from_this_crawl: int = 0


class RequestedUrls:
    """The article URLs this crawl has requested, so that a listing page whose articles the
    store knows only because this crawl stored them does not stop the paging (say, a listing
    page read after the feed's articles were stored). In this process by default; a distributed
    crawl's scheduler gives every worker one shared set instead
    (newsmon.distributed.frontier.SharedRequestedUrls)."""

    def __init__(self) -> None:
        self._urls: set[str] = set()

    def add(self, urls: Iterable[str]) -> None:
        self._urls.update(urls)

    def among(self, urls: Iterable[str]) -> set[str]:
        return self._urls.intersection(urls)


class NewsSpider(scrapy.Spider):
    """The crawl of one site's editions; `newsmon.spiders` makes one subclass per site profile."""

    site: ClassVar[Site]

    def __init__(
        self,
        editions: str = "",
        base_url: str = "",
        max_pages: str | int = DEFAULT_MAX_PAGES,
        since: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.editions = parse_editions(self.site, editions)
        self.mirror = base_url.rstrip("/")
        if self.mirror and len(self.editions) != 1:
            raise SpiderArgumentError(f"base_url mirrors one edition: add -a editions=<{'|'.join(self.site.langs)}>")
        try:
            self.max_pages = int(max_pages)
        except ValueError:
            raise SpiderArgumentError(f"max_pages must be a whole number, not {max_pages!r}") from None
        if self.max_pages < 1:
            raise SpiderArgumentError(f"max_pages must be at least 1, not {max_pages!r}")
        try:
            self.since = parse_isoformat(since)  # YYYY-MM-DD or a full ISO time; naive means UTC
        except ValueError:
            raise SpiderArgumentError(f"since must be a date (YYYY-MM-DD) or an ISO 8601 time, not {since!r}") from None
        self.allowed_domains = [urlsplit(self.mirror).hostname] if self.mirror else sorted(self._hosts())
        self.to_remember: dict[str, RememberedUrl] = {}  # by URL, until written to the store
        self.listings: dict[str, ListingProgress] = {}  # by edition lang, from its first listing page
        self.requested_urls = RequestedUrls()

    def _hosts(self) -> set[str]:
        editions = {e.host for e in self.editions}
        return editions | {alias for alias, host in self.site.host_aliases.items() if host in editions}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "NewsSpider":
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
        if parts.hostname not in self._hosts():
            raise ValueError(f"{public_url} is not on the mirrored edition ({self.editions[0].host})")
        return self.mirror + parts.path + (f"?{parts.query}" if parts.query else "")

    def public_url(self, fetched_url: str) -> str:
        """The edition address of a fetched page (inverse of fetch_url)."""
        if not self.mirror or not fetched_url.startswith(self.mirror):
            return fetched_url
        return self.editions[0].origin + fetched_url[len(self.mirror) :]

    # --- requests -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        discovery = self.site.discovery
        for edition in self.editions:
            if discovery.listing:
                yield self.listing_request(edition, edition.base_url + discovery.listing, 1)
            for path in discovery.feeds:
                yield self.request(edition.base_url + path, self.parse_feed, edition=edition.lang)
            for path in discovery.sitemaps:
                yield self.request(edition.base_url + path, self.parse_sitemap, edition=edition.lang)

    def request(self, public_url: str, callback: Callable[..., Any], **cb_kwargs: Any) -> Request:
        return Request(self.fetch_url(public_url), callback=callback, errback=self.on_error, cb_kwargs=cb_kwargs)

    def listing_request(self, edition: Edition, public_url: str, page: int) -> Request:
        return self.request(public_url, self.parse_listing, edition=edition.lang, page=page)

    # --- callbacks ----------------------------------------------------------------------------

    def parse_listing(self, response: TextResponse, edition: str, page: int) -> Iterator[Request]:
        """Requests for the new articles of one listing page, then for the next page.

        Paging stops at the first page with nothing new, unless an earlier run left a gap
        further down: then it goes on there (see ListingProgress). Articles this crawl stored
        itself count as new here (see RequestedUrls).
        """
        progress = self.listing_progress(edition)
        listing = self.site.parse_listing(response, self.site.edition(edition))
        links = [(link.url, link.listed) for link in listing.links]
        selection = self.select_new(edition, links)
        yield from self.article_requests(selection.new, edition)
        progress.resumed_new = progress.resumed_new or (progress.resuming and bool(selection.new))
        stop = self.stop_reason(selection, page, listing.next_url)
        if stop == "all_known" and progress.resuming and not progress.resumed_new:
            stop = ""  # pages shifted since the earlier run: what it did not read is further down
        if stop in ("", "max_pages"):
            progress.next_url = listing.next_url or ""
        else:  # this pass is over: the listing's end, known articles, `since`
            progress.next_url, progress.resuming, progress.resumed_new = "", False, False
        if stop and stop != "max_pages" and progress.gaps:
            gap = progress.gaps.pop(0)
            progress.next_url, progress.resuming = gap, True
            self.count("listing/resumed")
            self.logger.info("%s edition: %s at page %d; continuing at %s, where an earlier run stopped", edition, stop, page, gap)
            stop = ""
        self.save_listing_gaps(edition)
        if stop:
            self.count(f"stop/{stop}")
            self.logger.info("%s edition: listing stops at page %d (%s)", edition, page, stop)
        else:
            yield self.listing_request(self.site.edition(edition), progress.next_url, page + 1)

    def listing_progress(self, edition: str) -> ListingProgress:
        progress = self.listings.get(edition)
        if progress is None:
            progress = self.listings[edition] = self._load_listing_progress(edition)
        return progress

    def _load_listing_progress(self, edition: str) -> ListingProgress:
        """The edition's gaps, and whether the store already held its articles (a first run has
        no gap to close: what lies past its last page was never read). Unknown counts as yes."""
        if os.environ.get("SCRAPY_CHECK"):  # sample pages only: no store
            return ListingProgress(gaps=[], owes=False)
        try:
            gaps = self.store.listing_gaps(self.scope_of(edition))
            owes = bool(gaps) or self.store.count(site=self.site.edition(edition).host) > 0
        except (StoreUnavailable, StoreError):  # no gaps known: this run reads from the top as ever
            return ListingProgress(gaps=[])
        return ListingProgress(gaps=gaps, owes=owes)

    def save_listing_gaps(self, edition: str) -> None:
        """Write the edition's open gaps (after every listing page: a crash leaves them too)."""
        if os.environ.get("SCRAPY_CHECK"):
            return
        progress = self.listings[edition]
        try:
            self.store.set_listing_gaps(self.scope_of(edition), progress.open_gaps())
        except StoreUnavailable as error:
            self.store_outage.failed(error)
        except StoreError as error:
            self.count("store_error")
            self.logger.error("%s edition: where the listing continues was not recorded: %s", edition, error)

    def scope_of(self, edition: str) -> str:
        return f"{self.name}:{edition}"

    def parse_feed(self, response: Response, edition: str) -> Iterator[Request]:
        """Requests for the new articles of an RSS feed."""
        yield from self._feed_requests(response, edition, feeds.parse_rss)

    def parse_sitemap(self, response: Response, edition: str) -> Iterator[Request]:
        """Requests for the new articles of a Google News sitemap."""
        yield from self._feed_requests(response, edition, feeds.parse_news_sitemap)

    def _feed_requests(
        self, response: Response, edition: str, parse: Callable[[Response], feeds.Feed]
    ) -> Iterator[Request]:
        try:
            feed = parse(response)
        except feeds.FeedError as error:
            self.count(f"feed/{error.reason}")
            self.logger.warning("feed/%s: %s: %s", error.reason, response.url, error)
            return
        for quirk in feed.quirks:
            self.count(f"feed/{quirk}")
            self.logger.info("feed/%s: %s", quirk, response.url)
        entries = [(entry.url, entry.published) for entry in feed.entries]
        yield from self.article_requests(self.select_new(edition, entries).new, edition)

    def parse_article(self, response: Response, edition: str) -> Iterator[Article]:
        """The article on one page; a page that is not a usable article is counted and skipped.

        The page's other URLs (the listing's link, the address before a canonical link) are
        remembered as aliases of the article's, or all of them as dropped when the page is not
        a usable article. A contract's sample page, which no listing offered, is not remembered.
        """
        if response.meta.get("redirect_urls"):
            self.count("redirected")
        try:
            parsed = self.read_article(response, self.site.edition(edition), self.public_url(response.url))
        except PageError as error:
            self.count(error.reason)
            self.logger.warning("not an article (%s): %s: %s", error.reason, response.url, error)
            self.remember_drop(response.request, error.reason)
            return
        for fallback in parsed.fallbacks:
            self.count(f"fallback/{fallback}")
        self.count("articles")
        self.remember_aliases(response.request, parsed.article.url)
        parsed.article.fetched_at = datetime.now(timezone.utc)
        yield parsed.article

    def read_article(self, response: Response, edition: Edition, url: str) -> Parsed:
        """The site's page parser, or generic extraction when NEWSMON_GENERIC_EXTRACTION names the
        outlet (say, until a parser broken by a redesign is mended)."""
        if self.name in self.crawler.settings.getlist("NEWSMON_GENERIC_EXTRACTION"):
            from newsmon.sites.generic import extract_article  # trafilatura loads only when needed

            return extract_article(response, site=self.site, edition=edition, url=url)
        return self.site.parse_article(response, edition, url)

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
        """Write what is left to remember; say which listings were read in part."""
        self.flush_remembered()
        for edition, progress in self.listings.items():
            gaps = progress.open_gaps()
            if gaps:
                self.count("listing/incomplete")
                self.logger.info("%s edition: listing read in part; the next run continues at %s", edition, gaps[0])
        if self.to_remember:
            self.logger.warning(
                "%d fetched URLs not remembered (store unavailable): the next run fetches them again",
                len(self.to_remember),
            )

    # --- decisions ----------------------------------------------------------------------------

    def select_new(self, edition: str, links: Iterable[tuple[str, str]]) -> Selection:
        """The article links worth requesting: on the edition, not older than `since`, not stored.

        `links` pairs each URL with the time printed beside it ("" when none).
        """
        on_edition = self.site.edition(edition)
        selection = Selection()
        candidates: dict[str, None] = {}  # canonical URLs in page order, each once
        for url, printed in links:
            canonical = canonicalize_url(self.public_url(url))
            if not self.site.is_article_url(canonical, on_edition):
                self.count("not_article_skipped")
                continue
            selection.articles += 1
            if self.since and printed:
                listed_at = self.listed_time(printed)
                if listed_at and listed_at < self.since:
                    selection.older += 1
                    self.count("older_skipped")
                    continue
            candidates[canonical] = None
        self.flush_remembered()  # so that this check, and other processes', know them too
        known = self.known_urls(candidates)
        if known:
            self.count("known_skipped", len(known))
            selection.known_from_this_crawl = len(self.requested_urls.among(known))
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
        except StoreError as error:  # not an outage, but the same remedy: every link counts as new
            self.count("store_error")
            self.logger.error("the store could not say which links are known (%s): every link counts as new", error)
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

    def stop_reason(self, selection: Selection, page: int, next_url: str | None) -> str:
        """Why paging stops after this page, or "" to go on."""
        if not selection.articles:
            return "empty_page"
        if selection.older == selection.articles:
            return "older_than_since"
        if not selection.new and not selection.known_from_this_crawl:
            return "all_known"
        if page >= self.max_pages:
            return "max_pages"
        if next_url is None:
            return "last_page"
        return ""

    def article_requests(self, urls: list[str], edition: str) -> Iterator[Request]:
        self.requested_urls.add(urls)
        for url in urls:
            request = self.request(url, self.parse_article, edition=edition)
            request.meta[LISTED_URL] = url  # redirects and retries keep it
            yield request

    def listed_time(self, printed: str) -> datetime | None:
        """A listing's or feed's printed time in UTC (the site's zone unless it says otherwise;
        a date without a year is the one nearest now)."""
        return parse_dateline(printed, tz=self.time_zone, now=datetime.now(timezone.utc))

    @cached_property
    def time_zone(self) -> str:
        """The site's zone, unless NEWSMON_SITE_TIMEZONES names one for the edition's host."""
        by_host = self.crawler.settings.getdict("NEWSMON_SITE_TIMEZONES")
        return by_host.get(self.editions[0].host, self.site.timezone)

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
        except StoreError as error:  # would fail again: say so, and the next run fetches them again
            self.count("store_error")
            self.logger.error("%d fetched URLs not remembered: %s", len(self.to_remember), error)
            self.to_remember.clear()
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

    def count(self, what: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"newsmon/{self.name}/{what}", n)


class PublicUrlContract(Contract):
    """`@public_url PATH` or `@public_url <edition>=PATH`: the sample page at PATH under the base
    URL of the edition `scrapy check` checks (the spider's first), fetched from its mirror when
    it has one.

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
        langs = self.spider.site.langs
        # A path starts with "/"; before it, `<edition>=` may name the edition it is for.
        lang, _, self.path = ("", "", args[0]) if args[0].startswith("/") else args[0].partition("=")
        if lang not in ("", *langs) or not self.path.startswith("/"):
            raise ValueError(f"@public_url {args[0]}: expected /PATH or <{'|'.join(langs)}>=/PATH")
        self.langs = [lang] if lang else list(langs)

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        edition = self.spider.editions[0]
        if edition.lang in self.langs:
            args["url"] = self.spider.fetch_url(edition.base_url + self.path)
            args["cb_kwargs"] = {**(args.get("cb_kwargs") or {}), "edition": edition.lang}
        return args


def spider_for(site: Site, module: str) -> type[NewsSpider]:
    """The spider class of a site: its name, its user agent, and callbacks whose docstrings
    carry the site's contracts (`scrapy check <site>`), built from its profile."""
    discovery, samples = site.discovery, site.samples

    def contracted(method: Callable[..., Any], *lines: str) -> Callable[..., Any]:
        def callback(self: NewsSpider, *args: Any, **kwargs: Any) -> Any:
            return method(self, *args, **kwargs)

        callback.__name__ = method.__name__
        callback.__doc__ = (method.__doc__ or "") + "\n\n" + "\n".join(lines) if lines else method.__doc__
        return callback

    namespace: dict[str, Any] = {"name": site.name, "site": site, "__module__": module, "__doc__": site.__doc__}
    if site.user_agent:
        namespace["user_agent"] = site.user_agent  # UserAgentMiddleware reads the spider's
    if discovery.listing:
        namespace["parse_listing"] = contracted(
            NewsSpider.parse_listing,
            '@cb_kwargs {"page": 1}',
            f"@public_url {discovery.listing}",
            f"@returns requests {samples.listing_requests}",
        )
    if discovery.feeds:
        namespace["parse_feed"] = contracted(
            NewsSpider.parse_feed, f"@public_url {discovery.feeds[0]}", f"@returns requests {samples.feed_requests}"
        )
    if discovery.sitemaps:
        namespace["parse_sitemap"] = contracted(
            NewsSpider.parse_sitemap, f"@public_url {discovery.sitemaps[0]}", "@returns requests 1"
        )
    if samples.articles:
        namespace["parse_article"] = contracted(
            NewsSpider.parse_article,
            *(f"@public_url {lang}={path}" for lang, path in samples.articles.items()),
            "@returns items 1 1",
            "@scrapes url site outlet lang title body dateline",
        )
    class_name = "".join(part.capitalize() for part in site.name.split("_")) + "Spider"
    return type(class_name, (NewsSpider,), namespace)


def parse_editions(site: Site, text: str) -> list[Edition]:
    """`-a editions=en,az` (empty: every edition) as the site's editions, in the order given."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()] or list(site.langs)
    unknown = [name for name in names if name not in site.langs]
    if unknown:
        raise SpiderArgumentError(
            f"{site.name} has no edition {', '.join(unknown)}: choose from {', '.join(site.langs)} (-a editions=en,az)"
        )
    return [site.edition(name) for name in dict.fromkeys(names)]


def _parse_recheck_window(value: Any) -> timedelta | None:
    """NEWSMON_RECHECK_DROPPED_AFTER: seconds (a number, or its text with `-s`); None or "never": never."""
    if value is None or str(value).strip().lower() in ("none", "never"):
        return None
    seconds = float(value)
    if seconds < 0:
        raise ValueError(f"NEWSMON_RECHECK_DROPPED_AFTER must be seconds (0 or more) or None, not {value!r}")
    return timedelta(seconds=seconds)
