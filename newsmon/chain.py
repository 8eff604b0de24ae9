"""The processing chain every article goes through: clean -> date -> dedupe -> store.

Written once and used twice: Scrapy runs each step as an item pipeline (newsmon.pipelines),
and the offline loader runs the same steps in the same order (`Chain`). Each step delegates
to a pure module (text, dates, fingerprint, stories) and counts what it did in a stats
collector with Scrapy's `inc_value` interface.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Protocol

from newsmon.dates import parse_dateline
from newsmon.fingerprint import content_hash
from newsmon.items import Article
from newsmon.lang import detect_language
from newsmon.store import Store, StoreUnavailable, WriteResult, article_key
from newsmon.text import clean_body, clean_line, clean_title

logger = logging.getLogger(__name__)

STATS_PREFIX = "newsmon"


class Stats(Protocol):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


class CounterStats:
    """Scrapy-compatible stats for runs outside a crawler (the loader, benchmarks)."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count

    def get_value(self, key: str, default: int = 0) -> int:
        return self.values.get(key, default)


class Rejected(Exception):
    """An article cannot be stored. `reason` is a short stat name such as `no_date`."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class Step:
    """One link of the chain. `settings` is any mapping of NEWSMON_* settings."""

    name = "step"

    def __init__(self, settings: Mapping[str, Any], store: Store, stats: Stats) -> None:
        self.settings = settings
        self.store = store
        self.stats = stats

    def count(self, what: str, n: int = 1) -> None:
        self.stats.inc_value(f"{STATS_PREFIX}/{self.name}/{what}", n)

    def process(self, article: Article) -> Article:
        raise NotImplementedError

    def close(self) -> None:
        """Finish pending work (flush buffers). Called once, in chain order."""


class CleanStep(Step):
    """Text clean-up, required fields, language and the content fingerprint."""

    name = "clean"

    def process(self, article: Article) -> Article:
        article.title = clean_title(article.title)
        article.body = clean_body(article.body)
        article.image_caption = clean_line(article.image_caption)
        article.category = clean_line(article.category)
        article.tags = [t for t in (clean_line(t) for t in article.tags) if t]
        article.authors = [a for a in (clean_line(a) for a in article.authors) if a]
        if not article.title:
            raise Rejected("no_title", "no title")
        if not article.body:
            raise Rejected("no_body", "no article text")
        if not article.lang:
            article.lang = detect_language(f"{article.title}\n{article.body}")
            self.count("lang_detected")
        article.content_hash = content_hash(article.title, article.body)
        if article.fetched_at is None:
            article.fetched_at = datetime.now(timezone.utc)
        self.count("cleaned")
        return article


class DateStep(Step):
    """Normalize the printed dateline to UTC in the site's time zone."""

    name = "date"

    def __init__(self, settings: Mapping[str, Any], store: Store, stats: Stats) -> None:
        super().__init__(settings, store, stats)
        self.default_tz = settings.get("NEWSMON_DEFAULT_TIMEZONE", "Asia/Baku")
        self.site_tz: Mapping[str, str] = settings.get("NEWSMON_SITE_TIMEZONES") or {}

    def process(self, article: Article) -> Article:
        if article.published_at is None:
            tz = self.site_tz.get(article.site, self.default_tz)
            article.published_at = parse_dateline(article.dateline, tz=tz)
            if article.published_at is None:
                reason = f"unparsable dateline {article.dateline!r}" if article.dateline.strip() else "no dateline"
                raise Rejected("no_date", reason)
            self.count("parsed")
        else:
            self.count("given")
        return article


class DedupeStep(Step):
    """Drop exact duplicates (already stored, or already seen in the unflushed batch).

    Articles at a known URL with new content pass on: the store keeps them as revisions.
    """

    name = "dedupe"

    def __init__(self, settings: Mapping[str, Any], store: Store, stats: Stats) -> None:
        super().__init__(settings, store, stats)
        # Content of this run not yet flushed to the store; cleared on every flush so that
        # memory stays flat however long the run.
        self.pending_hashes: set[str] = set()

    def process(self, article: Article) -> Article:
        digest = article.content_hash
        if digest in self.pending_hashes or self.store.has_content_hash(digest):
            self.count("duplicate")
            raise Rejected("duplicate", f"duplicate of a stored article (content {digest})")
        self.pending_hashes.add(digest)
        self.count("unique")
        return article

    def batch_flushed(self) -> None:
        self.pending_hashes.clear()


class StoreStep(Step):
    """Buffer articles and write them in batches: by count, by age and when the chain closes."""

    name = "store"

    def __init__(self, settings: Mapping[str, Any], store: Store, stats: Stats) -> None:
        super().__init__(settings, store, stats)
        self.batch_size = int(settings.get("NEWSMON_BATCH_SIZE", 500))
        self.flush_seconds = float(settings.get("NEWSMON_FLUSH_SECONDS", 5.0))
        self.buffer: list[Article] = []
        self.oldest = 0.0
        self.on_flush: list[Any] = []

    def process(self, article: Article) -> Article:
        if not self.buffer:
            self.oldest = time.monotonic()
        self.buffer.append(article)
        if len(self.buffer) >= self.batch_size or self.is_stale():
            self.flush()
        return article

    def is_stale(self) -> bool:
        return bool(self.buffer) and time.monotonic() - self.oldest >= self.flush_seconds

    def flush(self) -> WriteResult:
        batch, self.buffer = self.buffer, []
        result = WriteResult()
        if batch:
            try:
                result = self.store.upsert_many(batch)
            except StoreUnavailable as exc:
                self.count("unavailable", len(batch))
                logger.error("store unavailable, %d articles not written: %s", len(batch), exc)
                raise
            for outcome in ("inserted", "revised", "unchanged", "duplicate"):
                if n := result.count(outcome):
                    self.count(outcome, n)
        for callback in self.on_flush:
            callback()
        return result

    def close(self) -> None:
        self.flush()


CHAIN_STEPS: tuple[type[Step], ...] = (CleanStep, DateStep, DedupeStep, StoreStep)


class Chain:
    """All steps in order, for callers outside Scrapy (the offline loader, benchmarks)."""

    def __init__(self, settings: Mapping[str, Any], store: Store, stats: Stats | None = None) -> None:
        self.stats = stats if stats is not None else CounterStats()
        self.steps = [step_class(settings, store, self.stats) for step_class in CHAIN_STEPS]
        link_steps(self.steps)

    def process(self, article: Article) -> Article:
        """Run every step; raises Rejected with the reason when the article is dropped."""
        for step in self.steps:
            article = step.process(article)
        return article

    def close(self) -> None:
        for step in self.steps:
            step.close()


def link_steps(steps: list[Step]) -> None:
    """Let the dedupe step forget its pending set whenever the store step flushes."""
    dedupe = next(s for s in steps if isinstance(s, DedupeStep))
    store = next(s for s in steps if isinstance(s, StoreStep))
    store.on_flush.append(dedupe.batch_flushed)


__all__ = [
    "CHAIN_STEPS",
    "Chain",
    "CleanStep",
    "CounterStats",
    "DateStep",
    "DedupeStep",
    "Rejected",
    "Step",
    "StoreStep",
    "article_key",
]
