"""Scrapy item pipelines: thin adapters, one per step of `newsmon.chain`.

All pipelines of one crawler share one `Chain` (and so one store), built on first use.
Rejected articles become `Dropped` (a DropItem) with the reason, counted as `newsmon/dropped/<reason>`.
"""
from __future__ import annotations

import logging
import weakref
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.internet import task

from newsmon.chain import CHAIN_STEPS, Chain, CleanStep, DateStep, DedupeStep, Rejected, Step, StoreStep, StoryStep
from newsmon.items import Article
from newsmon.store import Store, open_store, store_uri_setting

logger = logging.getLogger(__name__)

_chains: "weakref.WeakKeyDictionary[Crawler, Chain]" = weakref.WeakKeyDictionary()
_stores: "weakref.WeakKeyDictionary[Crawler, Store]" = weakref.WeakKeyDictionary()


class Dropped(DropItem):
    """An article the chain rejected; `reason` is the Rejected reason (`no_date`, `duplicate`, ...),
    `step` the name of the step that rejected it, for `item_dropped` handlers such as the APA
    spider's and the run recorder's."""

    def __init__(self, message: str, reason: str, step: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.step = step


def crawler_store(crawler: Crawler) -> Store:
    """The store of this crawler (NEWSMON_STORE, NEWSMON_STORE_OPTIONS), opened once, closed when the engine stops."""
    store = _stores.get(crawler)
    if store is None:
        options = crawler.settings.getdict("NEWSMON_STORE_OPTIONS")
        store = open_store(store_uri_setting(crawler.settings), **options)
        _stores[crawler] = store

        def close_store() -> None:
            _stores.pop(crawler, None)
            store.close()

        # engine_stopped comes after every pipeline's close_spider (the last flush is done) and
        # after every spider_closed handler (the run recorder and monitors still use the store).
        crawler.signals.connect(close_store, signal=signals.engine_stopped, weak=False)
    return store


def crawler_chain(crawler: Crawler) -> Chain:
    chain = _chains.get(crawler)
    if chain is None:
        chain = Chain(crawler.settings, crawler_store(crawler), crawler.stats)
        _chains[crawler] = chain
    return chain


class StepPipeline:
    step_class: type[Step]

    def __init__(self, step: Step, crawler: Crawler) -> None:
        self.step = step
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StepPipeline":
        chain = crawler_chain(crawler)
        step = next(s for s in chain.steps if type(s) is cls.step_class)
        return cls(step, crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        try:
            return self.step.process(item)
        except Rejected as rejected:
            self.crawler.stats.inc_value(f"newsmon/dropped/{rejected.reason}")
            raise Dropped(f"{rejected} ({item.url or item.source_path})", rejected.reason, self.step.name) from None

    def close_spider(self) -> None:
        self.step.close()


class StorePipeline(StepPipeline):
    """Writes batches; also flushes a batch that has waited NEWSMON_FLUSH_SECONDS while no item came."""

    step_class = StoreStep
    step: StoreStep

    def open_spider(self) -> None:
        self._timer = task.LoopingCall(self._flush_if_stale)
        self._timer.start(max(self.step.flush_seconds / 2, 0.5), now=False)

    def _flush_if_stale(self) -> None:
        # An exception would stop the LoopingCall for the rest of the crawl.
        try:
            if self.step.is_stale():
                self.step.flush()
        except Exception:
            logger.exception("timed flush failed; the next one is due in %gs", self._timer.interval)

    def close_spider(self) -> None:
        if self._timer.running:
            self._timer.stop()
        super().close_spider()


class CleanPipeline(StepPipeline):
    step_class = CleanStep


class DatePipeline(StepPipeline):
    step_class = DateStep


class DedupePipeline(StepPipeline):
    step_class = DedupeStep


class StoryPipeline(StepPipeline):
    step_class = StoryStep


# The order Scrapy must run them in; settings/base.py builds ITEM_PIPELINES from it.
CHAIN_PIPELINES = (CleanPipeline, DatePipeline, DedupePipeline, StoryPipeline, StorePipeline)
assert tuple(p.step_class for p in CHAIN_PIPELINES) == CHAIN_STEPS, "pipelines must follow newsmon.chain.CHAIN_STEPS"


def item_pipelines_setting(start: int = 100, step: int = 100) -> dict[str, int]:
    return {f"{p.__module__}.{p.__name__}": start + i * step for i, p in enumerate(CHAIN_PIPELINES)}
