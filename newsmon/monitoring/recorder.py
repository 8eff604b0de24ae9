"""The RunRecorder extension: field coverage while crawling, the run document at the end."""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler

from newsmon.monitoring import (
    ARTICLES_EXTRACTED_STAT,
    COVERAGE_PREFIX,
    DISTRIBUTED_CRAWL_STAT,
    DISTRIBUTED_RUN_STAT,
    DISTRIBUTED_WORKER_STAT,
    MONITOR_RESULTS_STAT,
    MONITORS_FAILED_STAT,
    UNDECIDED_PREFIX,
    articles_seen,
    field_coverage,
    page_rejections,
    run_scope,
)
from newsmon.chain import fields_undecided_after
from newsmon.monitoring.prometheus import textfile_path, write_run_metrics
from newsmon.pipelines import crawler_store
from newsmon.store import StoreError
from newsmon.store.base import redact_text

logger = logging.getLogger(__name__)

# Fields whose coverage every run reports; NEWSMON_MONITOR_FIELD_COVERAGE may add more.
COVERAGE_FIELDS = (
    "title", "body", "published_at", "dateline", "category", "tags", "authors",
    "image_url", "image_caption", "lang",
)  # fmt: skip

# `spooled`: written to the spool when the store did not take the batch, stored when it is
# replayed; `lost`: neither the store nor the spool took it (each is logged by its URL).
STORE_OUTCOMES = ("inserted", "revised", "unchanged", "spooled", "lost")
DROPPED_PREFIX = "newsmon/dropped/"
RESPONSE_STATUS_PREFIX = "downloader/response_status_count/"


class RunRecorder:
    """Records every crawl as a run document in the store (see `build_run`).

    Field coverage is counted on every article the spider extracted, as it left the chain:
    stored, dropped or failed (see newsmon.monitoring.field_coverage). Only counters are
    kept, never the items.

    Must run after Spidermon on spider_closed (a higher EXTENSIONS priority number), so that
    the monitor results are in the stats when the document is built.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        monitored = crawler.settings.getdict("NEWSMON_MONITOR_FIELD_COVERAGE")
        self.fields = tuple(dict.fromkeys([*COVERAGE_FIELDS, *monitored]))
        self.prometheus_file = crawler.settings.get("NEWSMON_PROMETHEUS_FILE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RunRecorder":
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        for item_done in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(recorder.count_fields, signal=item_done)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        # Start every counter at zero, so a field no article had reads 0% rather than missing.
        self.stats.set_value(ARTICLES_EXTRACTED_STAT, 0)
        for field in self.fields:
            self.stats.set_value(COVERAGE_PREFIX + field, 0)

    def count_fields(self, item: Any, exception: BaseException | None = None) -> None:
        adapter = ItemAdapter(item)
        step = getattr(exception, "step", None)  # the chain step that dropped it (newsmon.pipelines.Dropped)
        undecided = fields_undecided_after(step) if step else set()
        self.stats.inc_value(ARTICLES_EXTRACTED_STAT)
        for field in self.fields:
            if adapter.get(field):
                self.stats.inc_value(COVERAGE_PREFIX + field)
            elif field in undecided:
                self.stats.inc_value(UNDECIDED_PREFIX + field)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if os.environ.get("SCRAPY_CHECK"):
            return  # `scrapy check` runs contracts, not a crawl: it has no place in the history
        run = build_run(spider.name, self.stats.get_stats(), reason, scope=run_scope(spider))
        if self.prometheus_file:
            self.write_metrics(run)
        items = run["items"]
        try:
            crawler_store(self.crawler).record_run(run)
        except StoreError as exc:
            logger.error(
                "run of %s not recorded in the store (%d items stored, %d spooled): %s",
                spider.name, items["stored"], items["spooled"], redact_text(str(exc)),
            )  # fmt: skip
            return
        logger.info(
            "run recorded: %s, %s, %d items stored, %d spooled, %d monitor(s) failed",
            spider.name, reason, items["stored"], items["spooled"], run["monitors_failed"],
        )  # fmt: skip

    def write_metrics(self, run: dict[str, Any]) -> None:
        try:
            path = textfile_path(self.prometheus_file, run)
        except (KeyError, IndexError, ValueError) as exc:
            # A typo in the pattern must not cost the run its record in the store.
            logger.error(
                "cannot write Prometheus metrics: bad NEWSMON_PROMETHEUS_FILE %r (%r)", self.prometheus_file, exc
            )
            return
        try:
            write_run_metrics(run, path)
        except OSError as exc:
            logger.error("cannot write Prometheus metrics to %s: %s", path, exc)


def build_run(
    spider: str, stats: Mapping[str, Any], finish_reason: str, *, scope: str | None = None
) -> dict[str, Any]:
    """The run document of one crawl, from its Scrapy stats.

    `items.seen` (article links found on the listing pages and feeds, see `articles_seen`) is
    the figure the item-count monitor compares with earlier runs; `items.scraped` is Scrapy's
    item_scraped_count (articles that passed the whole chain). Articles not stored are in
    `items.dropped` (by the chain) and `pages.rejected` (pages the spider turned down), by reason.
    """

    def count(key: str) -> int:
        return int(stats.get(key, 0))

    def by_suffix(prefix: str) -> dict[str, int]:
        return {
            key[len(prefix):]: int(value)
            for key, value in sorted(stats.items())
            if key.startswith(prefix) and isinstance(value, (int, float))
        }

    stored = {outcome: count(f"newsmon/store/{outcome}") for outcome in STORE_OUTCOMES}
    started: datetime | None = stats.get("start_time")
    finished: datetime | None = stats.get("finish_time")
    distributed = {}
    if stats.get(DISTRIBUTED_RUN_STAT):  # one worker's part of a distributed crawl
        distributed = {"distributed": {
            "crawl": stats.get(DISTRIBUTED_CRAWL_STAT), "run": stats.get(DISTRIBUTED_RUN_STAT),
            "worker": stats.get(DISTRIBUTED_WORKER_STAT),
        }}  # fmt: skip
    return {
        "spider": spider,
        "scope": scope or spider,
        "started_at": started,
        "finished_at": finished,
        "duration_seconds": round(float(stats.get("elapsed_time_seconds", 0.0)), 3),
        "finish_reason": finish_reason,
        "requests": count("downloader/request_count"),
        "responses_by_status": by_suffix(RESPONSE_STATUS_PREFIX),
        # ERROR lines logged while crawling (Scrapy stops counting when the spider closes, so
        # the monitors' own failure reports are not included).
        "errors": count("log_count/ERROR"),
        "items": {
            "seen": articles_seen(stats, spider),
            "extracted": count(ARTICLES_EXTRACTED_STAT),
            "scraped": count("item_scraped_count"),
            "stored": stored["inserted"] + stored["revised"],
            **stored,
            "duplicates": count("newsmon/dedupe/duplicate") + count("newsmon/store/duplicate"),
            "dropped": by_suffix(DROPPED_PREFIX),
        },
        "pages": {"rejected": page_rejections(stats, spider)},
        # All of the spider's own counters: links skipped, why paging stopped, pages turned down, ...
        "spider_stats": by_suffix(f"newsmon/{spider}/"),
        "coverage": {field: c.share for field, c in field_coverage(stats, spider).items()},
        "monitors": list(stats.get(MONITOR_RESULTS_STAT, [])),
        "monitors_failed": count(MONITORS_FAILED_STAT),
        **distributed,
    }
