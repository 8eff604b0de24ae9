"""The shared frontier: scrapy-redis's scheduler, priority queue and duplicate filter, with
requests leased instead of popped (at-least-once), seeding once per crawl, and a crawl end
decided for all workers.

    NEWSMON_REDIS_URL=redis://host:6379/0 scrapy crawl apa      # on any number of hosts

Each worker runs a heartbeat (every NEWSMON_LEASE_SECONDS / 3): it renews its own leases,
acknowledges the ones whose work is safe (newsmon.distributed.leases), puts every worker's
expired leases back in the queue (so a killed worker's requests are fetched by another one
after NEWSMON_LEASE_SECONDS) and retries what it could not send during a Redis outage. A reaped
request goes straight back to the queue, past the duplicate filter, so its fingerprint cannot
block it. State persists across the workers' finishes (SCHEDULER_PERSIST semantics, always):
the crawl's keys are deleted only when it is over for everyone (seeded, nothing queued,
nothing leased), in one script.
"""
from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from typing import Any

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from newsmon.distributed import scripts
from newsmon.distributed.keys import CrawlKeys, crawl_id, worker_id
from newsmon.distributed.leases import LEASE_META, LeaseBook
from newsmon.distributed.outage import RedisOutage
from newsmon.distributed.redis_client import redis_client
from newsmon.monitoring import DISTRIBUTED_CRAWL_STAT, DISTRIBUTED_RUN_STAT, DISTRIBUTED_WORKER_STAT
from newsmon.pipelines import crawler_chain
from newsmon.spiders.base import NewsSpider, RequestedUrls

logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 60.0
REAP_BATCH = 500  # leases put back per heartbeat and worker, at most
STAT = "newsmon/distributed/"

_frontiers: "weakref.WeakKeyDictionary[Crawler, SharedScheduler]" = weakref.WeakKeyDictionary()


def crawler_frontier(crawler: Crawler) -> "SharedScheduler | None":
    """The crawler's shared scheduler (None outside distributed mode), for the middlewares."""
    return _frontiers.get(crawler)


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pop leases the request to this worker (one script:
    out of the queue, into the leases) and whose push hands a lease over to its successor."""

    def __init__(self, server: redis.Redis, spider: Spider, keys: CrawlKeys, book: LeaseBook, lease_ms: int) -> None:
        super().__init__(server, spider, keys.requests, serializer=picklecompat)
        self.keys, self.book, self.lease_ms = keys, book, lease_ms
        self._lease = server.register_script(scripts.LEASE)

    def pop(self, timeout: int = 0) -> Request | None:
        lease = self.book.new_lease()
        data = self._lease(keys=[self.keys.requests, self.keys.leases, self.keys.leased], args=[lease, self.lease_ms])
        if data is None:
            self.book.handed_over(lease)  # nothing was leased
            return None
        request = self._decode_request(data)
        request.meta[LEASE_META] = lease
        return request

    def encode(self, request: Request) -> bytes:
        return self._encode_request(request)

    def push(self, request: Request) -> None:
        """A retry or a redirect carries its predecessor's lease: queue it and drop that lease
        in one transaction, so that neither is lost nor both kept."""
        lease = request.meta.get(LEASE_META)
        if not lease:
            return super().push(request)
        with self.server.pipeline(transaction=True) as pipe:
            pipe.execute_command("ZADD", self.key, -request.priority, self._encode_request(request))
            pipe.zrem(self.keys.leases, lease).hdel(self.keys.leased, lease)
            pipe.execute()
        self.book.handed_over(lease)


class SharedRequestedUrls(RequestedUrls):
    """The article URLs every worker of the crawl requested, in one Redis set. Unreachable, it
    answers that all were: the paging goes on (to max_pages at most) rather than stop short."""

    def __init__(self, server: redis.Redis, key: str, outage: RedisOutage) -> None:
        self.server, self.key, self.outage = server, key, outage

    def add(self, urls: Iterable[str]) -> None:
        urls = list(urls)
        if not urls:
            return
        try:
            self.server.sadd(self.key, *urls)
        except redis.RedisError as error:
            self.outage.failed(error)

    def among(self, urls: Iterable[str]) -> set[str]:
        urls = list(urls)
        try:
            members = self.server.smismember(self.key, urls) if urls else []
        except redis.RedisError as error:
            self.outage.failed(error)
            return set(urls)
        return {url for url, member in zip(urls, members) if member}


class SharedScheduler(Scheduler):
    """scrapy-redis's Scheduler on one crawl's keys (newsmon.distributed.keys.CrawlKeys)."""

    def __init__(self, crawler: Crawler, server: redis.Redis) -> None:
        settings = crawler.settings
        super().__init__(server, persist=True, idle_before_close=0)
        self.crawler = crawler
        self.stats = crawler.stats
        self.worker = worker_id()
        self.chain = crawler_chain(crawler)
        self.book = LeaseBook(self.worker, batches_taken=lambda: self._store_counter("batches_taken"))
        self.lease_seconds = settings.getfloat("NEWSMON_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)
        self.outage = RedisOutage(crawler, settings.get("NEWSMON_REDIS_URL"))
        self.unsent: list[Request] = []  # requests made while Redis was unreachable
        self.closing = False  # this worker gave up on Redis and is closing
        self._flush_asked = False  # an idle worker's flush is on its way to the store thread
        self._scripts = {name: server.register_script(getattr(scripts, name)) for name in ("SEED", "RENEW", "REAP", "RELEASE", "FINISH")}
        self._heartbeat = task.LoopingCall(self.heartbeat)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedScheduler":
        scheduler = cls(crawler, redis_client(crawler.settings))
        _frontiers[crawler] = scheduler
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.keys = CrawlKeys(crawl_id(self.crawler.settings, spider))
        self.queue = LeasedQueue(self.server, spider, self.keys, self.book, int(self.lease_seconds * 1000))
        self.df = RFPDupeFilter(self.server, self.keys.fingerprints, debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        if isinstance(spider, NewsSpider):
            spider.requested_urls = SharedRequestedUrls(self.server, self.keys.requested, self.outage)
        self.chain.on_flushed(self.acknowledge)
        self.crawler.signals.connect(self.on_idle, signal=signals.spider_idle)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            self.crawler.signals.connect(self.on_article_done, signal=signal)
        self._heartbeat.start(self.lease_seconds / 3, now=False)
        logger.info("distributed crawl %s, worker %s, leases of %gs", self.keys.crawl, self.worker, self.lease_seconds)

    def _store_counter(self, name: str) -> int:
        """`batches_taken` or `batches_written` of the store step (0 before the chain opens:
        no article has reached it yet)."""
        step = self.chain.store_step
        return 0 if step is None else getattr(step, name)

    # --- requests in and out ------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        if not self.outage.worth_trying():
            self.unsent.append(request)
            return True
        try:
            return self._enqueue(request)
        except redis.RedisError as error:
            self.outage.failed(error)
            self.unsent.append(request)  # sent by the heartbeat once Redis answers
            return True

    def _enqueue(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            lease = request.meta.get(LEASE_META)
            if lease:  # a redirect to a page this crawl already has: its predecessor is done
                self.book.read(lease)
            return False
        self.queue.push(request)
        self.stats.inc_value("scheduler/enqueued/redis")
        self.outage.answered()
        return True

    def next_request(self) -> Request | None:
        if not self.outage.worth_trying():
            return None
        try:
            request = self.queue.pop()
        except redis.RedisError as error:
            self.outage.failed(error)
            return None
        self.outage.answered()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if not self.outage.worth_trying():
            return bool(self.unsent)
        try:
            return len(self) > 0 or bool(self.unsent)
        except redis.RedisError as error:
            self.outage.failed(error)
            return bool(self.unsent)

    # --- seeding ------------------------------------------------------------------------------

    def seed(self, requests: list[Request]) -> bool:
        """Queue the spider's start requests if this worker is the first of the crawl to try:
        the requests and the seed flag go in at once (one script), so a worker killed while
        seeding leaves no half-seeded crawl. Every worker records the seeder's id as the
        crawl's run (DISTRIBUTED_RUN_STAT): the run records of one crawl share it."""
        triples = [
            part
            for request in requests
            for part in (self.df.request_fingerprint(request), -request.priority, self.queue.encode(request))
        ]
        seeded = bool(self._scripts["SEED"](keys=[self.keys.requests, self.keys.fingerprints, self.keys.seed], args=[self.worker, *triples]))
        seeder = self.worker if seeded else (self.server.get(self.keys.seed) or b"").decode()
        self.stats.set_value(DISTRIBUTED_CRAWL_STAT, self.keys.crawl)
        self.stats.set_value(DISTRIBUTED_WORKER_STAT, self.worker)
        self.stats.set_value(DISTRIBUTED_RUN_STAT, seeder or self.worker)
        if seeded:
            self.stats.inc_value("scheduler/enqueued/redis", len(requests))
        return seeded

    # --- leases -------------------------------------------------------------------------------

    def on_article_done(self, item: Any, response: Any = None, **kwargs: Any) -> None:
        lease = getattr(response, "meta", {}).get(LEASE_META) if response is not None else None
        if lease:
            self.book.article_done(lease)

    def acknowledge(self) -> None:
        """Drop the leases whose work is safe (the store step's buffer was just written)."""
        done = self.book.take_done(self._store_counter("batches_written"))
        if not done:
            return
        try:
            with self.server.pipeline(transaction=True) as pipe:
                pipe.zrem(self.keys.leases, *done).hdel(self.keys.leased, *done)
                pipe.execute()
        except redis.RedisError as error:
            self.outage.failed(error)
            self.book.not_acknowledged(done)  # the next heartbeat tries again
            return
        self.stats.inc_value(STAT + "acknowledged", len(done))

    def heartbeat(self) -> None:
        """Renew, acknowledge, reap, resend; never raises (it would stop the LoopingCall)."""
        try:
            self.acknowledge()
            leases = self.book.outstanding()
            if leases:
                renewed = self._scripts["RENEW"](keys=[self.keys.leases], args=[int(self.lease_seconds * 1000), *leases])
                if renewed < len(leases):  # expired and reaped: this worker stalled past its lease
                    self.stats.inc_value(STAT + "leases_lost", len(leases) - renewed)
            keys = [self.keys.requests, self.keys.leases, self.keys.leased, self.keys.reaped]
            reaped = self._scripts["REAP"](keys=keys, args=[REAP_BATCH])
            if reaped:
                self.stats.inc_value(STAT + "reaped", reaped)
                logger.info("%d expired lease(s) back in the queue (a worker stopped answering)", reaped)
            while self.unsent:
                self._enqueue(self.unsent[0])
                self.unsent.pop(0)
        except redis.RedisError as error:
            self.outage.failed(error)
        else:
            self.outage.answered()
            if self.crawler.engine and len(self) and self.crawler.engine._slot:  # noqa: SLF001
                # Another worker queued work: ask the engine for it now rather than at its
                # next 5-second heartbeat (Scrapy has no public call for this one).
                self.crawler.engine._slot.nextcall.schedule()  # noqa: SLF001
        if self.outage.too_long() and not self.closing:
            self.closing = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis_unavailable"))

    # --- the end ------------------------------------------------------------------------------

    def _idle_flush_done(self, _: Any) -> None:
        self._flush_asked = False

    def on_idle(self) -> None:
        """This worker has nothing to do. The crawl is over when it is seeded, nothing is queued
        and nothing leased, by any worker; until then the worker waits for work (others may
        still queue some, or their expired leases come back)."""
        step = self.chain.store_step
        if step is not None and not self._flush_asked:
            # Even with an empty buffer: a lease settled since the last flush is due only once a
            # later batch is written (leases.py), and an idle worker writes no other. The flush
            # listener acknowledges when it is done.
            self._flush_asked = True
            flushed = self.chain.call(step.flush)
            flushed.addErrback(lambda failure: logger.error("flush for the idle worker failed", exc_info=failure.value))
            flushed.addBoth(self._idle_flush_done)
        self.acknowledge()
        if self.outage.too_long():
            return  # the heartbeat closes the spider
        keys = [self.keys.requests, self.keys.leases, self.keys.seed, *self.keys.all()]
        try:
            over = self._scripts["FINISH"](keys=keys)
        except redis.RedisError as error:
            self.outage.failed(error)
            raise DontCloseSpider from None
        if over == 1:
            logger.info("distributed crawl %s is over: its shared state is cleared", self.keys.crawl)
            self.stats.set_value(STAT + "finished_crawl", 1)
        elif over == 2:
            logger.info("distributed crawl %s was finished by another worker", self.keys.crawl)
        else:
            raise DontCloseSpider

    def close(self, reason: str) -> None:
        if self._heartbeat.running:
            self._heartbeat.stop()
        self.acknowledge()
        leases = self.book.outstanding()
        if not leases:
            return
        try:
            released = self._scripts["RELEASE"](keys=[self.keys.requests, self.keys.leases, self.keys.leased], args=leases)
        except redis.RedisError as error:
            logger.error("%d leased request(s) not given back (%s): other workers take them after %gs", len(leases), error, self.lease_seconds)
            return
        self.stats.inc_value(STAT + "released", released)
        logger.info("%d unfinished request(s) given back to the shared queue", released)
