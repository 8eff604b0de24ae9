"""The distributed mode's Scrapy middlewares: seeding once per crawl, telling the lease book
when a response's work is done, and politeness shared by every worker (newsmon.distributed)."""
from __future__ import annotations

import itertools
import logging
import random
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task

from newsmon.distributed import scripts
from newsmon.distributed.frontier import SharedScheduler, crawler_frontier
from newsmon.distributed.keys import host_key
from newsmon.distributed.leases import LEASE_META

logger = logging.getLogger(__name__)

# Request meta: the host slot a request holds (SharedHostConcurrencyMiddleware).
HOST_SLOT_META = "newsmon_host_slot"


def _frontier(crawler: Crawler) -> SharedScheduler:
    frontier = crawler_frontier(crawler)
    if frontier is None:
        raise NotConfigured("the distributed middlewares need SCHEDULER = newsmon.distributed.frontier.SharedScheduler")
    return frontier


class LeaseSpiderMiddleware:
    """Seeds the shared frontier with the spider's start requests once per crawl (the first
    worker to try; the others take their work from the frontier), and marks a response's
    lease read once the callback's output is exhausted: every request it made is queued and
    every article it gave has entered the item pipelines."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "LeaseSpiderMiddleware":
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        requests = []
        async for request_or_item in start:
            if isinstance(request_or_item, Request):
                requests.append(request_or_item)
            else:
                yield request_or_item
        frontier = _frontier(self.crawler)
        if frontier.seed(requests):
            logger.info("crawl %s seeded with %d start request(s)", frontier.keys.crawl, len(requests))
        else:
            logger.info("crawl %s was seeded by another worker: this one takes its work from the shared queue", frontier.keys.crawl)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        lease = response.meta.get(LEASE_META)
        try:
            for output in result:
                self._count(lease, output)
                yield output
        finally:  # a callback that raised has still had its say
            self._read(lease)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        lease = response.meta.get(LEASE_META)
        try:
            async for output in result:
                self._count(lease, output)
                yield output
        finally:
            self._read(lease)

    def _count(self, lease: str | None, output: Any) -> None:
        if lease and not isinstance(output, Request):
            _frontier(self.crawler).book.article_out(lease)

    def _read(self, lease: str | None) -> None:
        if lease:
            _frontier(self.crawler).book.read(lease)


class LeaseDownloaderMiddleware:
    """A download that failed for good (after retries; a robots.txt or blocked-site refusal) has
    no response to process: its lease is read. Outermost (lowest order), so it sees only the
    failures no inner middleware turned into a retry or a redirect (those carry the lease on)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "LeaseDownloaderMiddleware":
        return cls(crawler)

    def process_exception(self, request: Request, exception: BaseException) -> None:
        lease = request.meta.get(LEASE_META)
        if lease:
            _frontier(self.crawler).book.read(lease)


async def wait_for_redis(frontier: SharedScheduler, attempt: Callable[[], int], on_wait: Callable[[], None]) -> None:
    """Call `attempt` (a script answering 0: go, or the ms to wait before asking again) until it
    answers 0, waiting with reactor timers, never blocking the event loop; with a little jitter,
    so that the requests waiting for one host do not all ask at once. Redis unreachable: go
    (the per-process politeness still applies), counted and logged by the frontier's outage."""
    waited = False
    while True:
        if not frontier.outage.worth_trying():
            return
        try:
            wait_ms = attempt()
        except redis.RedisError as error:
            frontier.outage.failed(error)
            return
        frontier.outage.answered()
        if not wait_ms:
            return
        if not waited:
            on_wait()
            waited = True
        await maybe_deferred_to_future(task.deferLater(reactor, wait_ms / 1000 * (1 + random.random() / 10)))


class _SharedHostLimit:
    """What both shared per-host limits need: the crawler's frontier (made after the downloader
    middlewares, so looked up on first use; its Redis client and outage are shared, so an outage
    is one error line for the whole worker) and the request's host (host:port)."""

    key_suffix = ""  # each limit keeps its own key per host

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @cached_property
    def frontier(self) -> SharedScheduler:
        return _frontier(self.crawler)

    def host(self, request: Request) -> str:
        return host_key(urlsplit(request.url).netloc) + self.key_suffix


class SharedHostConcurrencyMiddleware(_SharedHostLimit):
    """At most NEWSMON_HOST_CONCURRENCY (default: CONCURRENT_REQUESTS_PER_DOMAIN) requests in
    flight to each host over every worker: a request holds one of the host's slots in Redis from
    here until its response or failure comes back (or DOWNLOAD_TIMEOUT + 10 s, should its worker
    die), waiting for a free one otherwise."""

    key_suffix = ":slots"

    def __init__(self, crawler: Crawler, limit: int) -> None:
        super().__init__(crawler)
        self.limit = limit
        self.hold_ms = int((crawler.settings.getfloat("DOWNLOAD_TIMEOUT") + 10) * 1000)
        self._numbers = itertools.count(1)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedHostConcurrencyMiddleware":
        settings = crawler.settings
        limit = settings.getint("NEWSMON_HOST_CONCURRENCY", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        if limit <= 0:
            raise NotConfigured("NEWSMON_HOST_CONCURRENCY is 0: no shared per-host concurrency")
        return cls(crawler, limit)

    @cached_property
    def _scripts(self) -> tuple[Any, Any]:
        server = self.frontier.server
        return server.register_script(scripts.HOLD_SLOT), server.register_script(scripts.FREE_SLOT)

    async def process_request(self, request: Request) -> None:
        token = f"{self.frontier.worker}#{next(self._numbers)}"
        hold, _ = self._scripts
        key = self.host(request)
        await wait_for_redis(
            self.frontier,
            lambda: hold(keys=[key], args=[token, self.limit, self.hold_ms]),
            lambda: self.stats.inc_value("newsmon/distributed/host_slot_wait"),
        )
        request.meta[HOST_SLOT_META] = token

    def process_response(self, request: Request, response: Response) -> Response:
        self._free(request)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self._free(request)

    def _free(self, request: Request) -> None:
        # A retry or redirect copies the meta: the token goes with the first answer, once.
        token = request.meta.pop(HOST_SLOT_META, None)
        if token is None:
            return
        _, free = self._scripts
        try:
            free(keys=[self.host(request)], args=[token])
        except redis.RedisError as error:  # the slot lapses after its hold time
            self.frontier.outage.failed(error)


class SharedPolitenessMiddleware(_SharedHostLimit):
    """At most one request per NEWSMON_HOST_INTERVAL_SECONDS (default: DOWNLOAD_DELAY) to each
    host, counted over every worker of every crawl: a request takes the host's turn in Redis as
    it leaves, or waits until the turn is free and asks again. Scrapy's own per-process delay and
    concurrency apply as well."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        super().__init__(crawler)
        self.interval_ms = int(interval * 1000)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedPolitenessMiddleware":
        settings = crawler.settings
        interval = settings.getfloat("NEWSMON_HOST_INTERVAL_SECONDS", settings.getfloat("DOWNLOAD_DELAY"))
        if interval <= 0:
            raise NotConfigured("NEWSMON_HOST_INTERVAL_SECONDS is 0: no shared per-host interval")
        return cls(crawler, interval)

    @cached_property
    def _acquire(self) -> Any:
        return self.frontier.server.register_script(scripts.ACQUIRE)

    async def process_request(self, request: Request) -> None:
        key = self.host(request)
        await wait_for_redis(
            self.frontier,
            lambda: self._acquire(keys=[key], args=[self.interval_ms]),
            lambda: self.stats.inc_value("newsmon/distributed/politeness_wait"),
        )
