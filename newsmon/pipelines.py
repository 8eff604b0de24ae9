"""Scrapy item pipelines: thin adapters, one per step of `newsmon.chain`.

All pipelines of one crawler share one `Chain`, built when the spider opens. The steps that use
the store (dedupe, story, store: `StorePipeline`) run on one thread of their own, the crawler's
store thread, so that no store round trip, retry wait, flush, spool replay or index rebuild holds
up the Twisted reactor: pages are fetched and parsed while the store works. One thread, so the
steps see the articles one at a time in the order they came, as before, and the chain's store (a
SQLite connection is bound to one thread) is only ever used from it. The spider's per-listing-page
lookups and the run records use the crawler's other store (`crawler_store`).
Rejected articles become `Dropped` (a DropItem) with the reason, counted as `newsmon/dropped/<reason>`.
"""
from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task, threads
from twisted.internet.defer import Deferred, DeferredLock
from twisted.python.threadpool import ThreadPool

from newsmon.chain import PREPARE_STEPS, Chain, CleanStep, DateStep, Rejected, Step, StoreStep
from newsmon.items import Article
from newsmon.store import Store, open_store, store_uri_setting

logger = logging.getLogger(__name__)
T = TypeVar("T")

_stores: "weakref.WeakKeyDictionary[Crawler, Store]" = weakref.WeakKeyDictionary()
_chains: "weakref.WeakKeyDictionary[Crawler, CrawlerChain]" = weakref.WeakKeyDictionary()


class Dropped(DropItem):
    """An article the chain rejected; `reason` is the Rejected reason (`no_date`, `duplicate`, ...),
    `step` the name of the step that rejected it, for `item_dropped` handlers such as the APA
    spider's and the run recorder's."""

    def __init__(self, message: str, reason: str, step: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.step = step


def open_crawler_store(crawler: Crawler) -> Store:
    """A store as the crawler's settings say (NEWSMON_STORE, NEWSMON_STORE_OPTIONS)."""
    return open_store(store_uri_setting(crawler.settings), **crawler.settings.getdict("NEWSMON_STORE_OPTIONS"))


def crawler_store(crawler: Crawler) -> Store:
    """The store of this crawler's reactor thread (the spider, the run recorder, the monitors),
    opened once, closed when the engine stops."""
    store = _stores.get(crawler)
    if store is None:
        store = _stores[crawler] = open_crawler_store(crawler)

        def close_store() -> None:
            _stores.pop(crawler, None)
            store.close()

        # engine_stopped comes after every pipeline's close_spider (the last flush is done) and
        # after every spider_closed handler (the run recorder and monitors still use the store).
        crawler.signals.connect(close_store, signal=signals.engine_stopped, weak=False)
    return store


class CrawlerChain:
    """The chain of one crawler and the thread its store steps run on."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.chain: Chain | None = None
        self.store: Store | None = None
        self._opening = DeferredLock()
        self._thread = ThreadPool(minthreads=1, maxthreads=1, name="newsmon-store")
        self._stopped = False
        self._flush_listeners: list[Callable[[], None]] = []
        crawler.signals.connect(self.stop, signal=signals.engine_stopped, weak=False)

    def call(self, function: Callable[..., T], *args: Any) -> "Deferred[T]":
        """`function(*args)` on the store thread, after everything sent there before."""
        from twisted.internet import reactor

        if not self._thread.started:
            self._thread.start()
            # Also when the engine never stopped (a crawl that failed to start): the thread is
            # not a daemon, and would keep the process alive.
            reactor.addSystemEventTrigger("during", "shutdown", self.stop)
        return threads.deferToThreadPool(reactor, self._thread, function, *args)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        return await maybe_deferred_to_future(self.call(function, *args))

    async def ready(self) -> Chain:
        """The chain, opened on the store thread on first use (its spool replay and any index
        rebuild run there too); the other pipelines opening at the same time wait for it."""
        await maybe_deferred_to_future(self._opening.acquire())
        try:
            if self.chain is None:
                self.chain = await self.run(self._open)
        finally:
            self._opening.release()
        return self.chain

    def _open(self) -> Chain:
        from twisted.internet import reactor

        self.store = open_crawler_store(self.crawler)
        chain = Chain(self.crawler.settings, self.store, self.crawler.stats)
        store_step = next(s for s in chain.steps if isinstance(s, StoreStep))
        store_step.on_flush.append(lambda batch, result: reactor.callFromThread(self._flushed))
        return chain

    @property
    def store_step(self) -> StoreStep | None:
        """The store step, once the chain is open (read its counters and buffer, never call it:
        that is for the store thread, through `call`)."""
        return None if self.chain is None else next(s for s in self.chain.steps if isinstance(s, StoreStep))

    def on_flushed(self, listener: Callable[[], None]) -> None:
        """Have `listener()` called on the reactor after every flush of the store step."""
        self._flush_listeners.append(listener)

    def _flushed(self) -> None:
        for listener in self._flush_listeners:
            listener()

    def stop(self) -> None:
        """After the last flush (every close_spider is done): close the store where it was used."""
        if self._stopped:
            return
        self._stopped = True
        _chains.pop(self.crawler, None)
        if not self._thread.started:
            return
        if self.store is not None:
            self._thread.callInThread(self.store.close)
        self._thread.stop()  # runs what was sent before, then joins the thread


def crawler_chain(crawler: Crawler) -> CrawlerChain:
    chain = _chains.get(crawler)
    if chain is None:
        chain = _chains[crawler] = CrawlerChain(crawler)
    return chain


class StepPipeline:
    """A store-free step (clean, date): CPU only, run on the reactor."""

    step_class: type[Step]
    step: Step

    def __init__(self, chain: CrawlerChain) -> None:
        self.chain = chain
        self.crawler = chain.crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StepPipeline":
        return cls(crawler_chain(crawler))

    async def open_spider(self) -> None:
        chain = await self.chain.ready()
        self.step = next(s for s in chain.steps if type(s) is self.step_class)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        try:
            return self.step.process(item)
        except Rejected as rejected:
            raise self.dropped(item, rejected, self.step) from None

    def dropped(self, item: Article, rejected: Rejected, step: Step) -> Dropped:
        self.crawler.stats.inc_value(f"newsmon/dropped/{rejected.reason}")
        return Dropped(f"{rejected} ({item.url or item.source_path})", rejected.reason, step.name)

    async def close_spider(self) -> None:
        await self.chain.run(self.step.close)


class StorePipeline(StepPipeline):
    """The steps that use the store (dedupe, story, store), one article at a time on the store
    thread: one hop there per article, which takes the article's whole way to the store's
    buffer, so a flush asked for later (the close's, the timer's) always comes after it.
    Also flushes a batch that has waited NEWSMON_FLUSH_SECONDS while no item came."""

    step_class = StoreStep
    step: StoreStep

    async def open_spider(self) -> None:
        chain = await self.chain.ready()
        self.steps = [s for s in chain.steps if s.needs_store]
        self.step = next(s for s in self.steps if isinstance(s, StoreStep))
        self._flushing = False
        self._timer = task.LoopingCall(self._flush_if_stale)
        self._timer.start(max(self.step.flush_seconds / 2, 0.5), now=False)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        article, rejection = await self.chain.run(self._commit, item)
        if rejection is not None:
            raise self.dropped(item, *rejection) from None
        return article

    def _commit(self, article: Article) -> tuple[Article, tuple[Rejected, Step] | None]:
        """On the store thread: (the article, None) or (it, why and where it was rejected)."""
        for step in self.steps:
            try:
                article = step.process(article)
            except Rejected as rejected:
                return article, (rejected, step)
        return article, None

    def _flush_if_stale(self) -> None:
        # A flush still waiting for the store thread is not asked for again. The timer itself
        # never sees the flush's exception, which would stop it for the rest of the crawl.
        if self._flushing or not self.step.is_stale():
            return
        self._flushing = True
        flushed = self.chain.call(self._flush_stale)
        flushed.addErrback(lambda failure: logger.error(
            "timed flush failed; the next one is due in %gs", self._timer.interval, exc_info=failure.value
        ))  # fmt: skip
        flushed.addBoth(self._flush_done)

    def _flush_stale(self) -> None:
        if self.step.is_stale():  # a batch may have filled and been written since it was asked for
            self.step.flush()

    def _flush_done(self, _: Any) -> None:
        self._flushing = False

    async def close_spider(self) -> None:
        if self._timer.running:
            self._timer.stop()
        for step in self.steps:
            await self.chain.run(step.close)


class CleanPipeline(StepPipeline):
    step_class = CleanStep


class DatePipeline(StepPipeline):
    step_class = DateStep


# The order Scrapy must run them in; settings/base.py builds ITEM_PIPELINES from it.
CHAIN_PIPELINES = (CleanPipeline, DatePipeline, StorePipeline)
assert PREPARE_STEPS == (CleanStep, DateStep), "the store-free steps each have a pipeline, the others share StorePipeline"


def item_pipelines_setting(start: int = 100, step: int = 100) -> dict[str, int]:
    return {f"{p.__module__}.{p.__name__}": start + i * step for i, p in enumerate(CHAIN_PIPELINES)}
