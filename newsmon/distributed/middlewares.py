"""The distributed mode's Scrapy middlewares: seeding once per crawl, telling the lease book
when a response's work is done, and politeness shared by every worker (newsmon.distributed)."""
from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Iterable, Iterator
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


class SharedPolitenessMiddleware:
    """At most one request per NEWSMON_HOST_INTERVAL_SECONDS (default: DOWNLOAD_DELAY) to each
    host (host:port), counted over every worker of every crawl: a request takes the host's turn
    in Redis (one script) or waits with a reactor timer until the turn is free and tries again,
    never blocking the event loop. Scrapy's own per-process delay and concurrency apply as well.

    Redis unreachable: the request goes with the per-process politeness only, counted as
    `newsmon/distributed/redis_unavailable`, logged once per outage."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval_ms = int(interval * 1000)

    @cached_property
    def frontier(self) -> SharedScheduler:
        # The scheduler is made after the downloader's middlewares: looked up on first use. Its
        # client and outage are shared, so an outage is one error line for the whole worker.
        return _frontier(self.crawler)

    @cached_property
    def _acquire(self) -> Any:
        return self.frontier.server.register_script(scripts.ACQUIRE)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedPolitenessMiddleware":
        settings = crawler.settings
        interval = settings.getfloat("NEWSMON_HOST_INTERVAL_SECONDS", settings.getfloat("DOWNLOAD_DELAY"))
        if interval <= 0:
            raise NotConfigured("NEWSMON_HOST_INTERVAL_SECONDS is 0: no shared politeness")
        return cls(crawler, interval)

    async def process_request(self, request: Request) -> None:
        key = host_key(urlsplit(request.url).netloc)
        waited = False
        outage = self.frontier.outage
        while True:
            if not outage.worth_trying():
                return  # Redis down: the per-process politeness only
            try:
                wait_ms = self._acquire(keys=[key], args=[self.interval_ms])
            except redis.RedisError as error:
                outage.failed(error)
                return
            outage.answered()
            if not wait_ms:
                return
            if not waited:
                self.stats.inc_value("newsmon/distributed/politeness_wait")
                waited = True
            # A little jitter, so that the requests waiting for one host do not all ask at once.
            await maybe_deferred_to_future(task.deferLater(reactor, wait_ms / 1000 * (1 + random.random() / 10)))
