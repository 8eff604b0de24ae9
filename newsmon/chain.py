"""The processing chain every article goes through: clean -> date -> dedupe -> story -> store.

Written once and used twice: Scrapy runs each step as an item pipeline (newsmon.pipelines),
and the offline loader runs the same steps in the same order (`Chain`). Each step delegates
to a pure module (text, dates, fingerprint, stories) and counts what it did in a stats
collector with Scrapy's `inc_value` interface.

While the store is unreachable no article is lost: dedupe and story go on without it (counting
`newsmon/<step>/store_unavailable`) and the store step spools every batch the store did not take,
whatever the reason (newsmon.store.spool); a batch the spool cannot take either is logged as
lost, article by article.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from functools import cached_property
from typing import Any, NamedTuple, Protocol, TypeVar

from scrapy.settings import BaseSettings

from newsmon.alerts import AlertWebhook
from newsmon.config import ConfigError
from newsmon.dates import DEFAULT_TZ, is_time_zone, parse_dateline
from newsmon.fingerprint import content_hash
from newsmon.items import ARTICLE_FIELDS, Article
from newsmon.lang import detect_language
from newsmon.store import OutageLog, Store, StoreError, StoreUnavailable, WriteResult
from newsmon.store.base import (
    ALERT_RAISED,
    ALERT_UPDATED,
    INSERTED,
    OUTCOMES,
    REVISED,
    IndexedStory,
    article_key,
    redact_text,
)
from newsmon.store.spool import Spool, resolve_spool_dir
from newsmon.stories import MATCH_KINDS, Sketch, StoryIndex, StoryParams, ensure_index_format
from newsmon.sites import outlet_of_host
from newsmon.text import clean_body, clean_line, clean_title, split_title_labels
from newsmon.urls import is_web_url
from newsmon.watch import ArticleText, Matcher, Watchlist

logger = logging.getLogger(__name__)

STATS_PREFIX = "newsmon"

T = TypeVar("T")


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

    def __reduce__(self) -> tuple[type["Rejected"], tuple[str, str]]:
        # Picklable, so parallel loader workers can hand rejections back.
        return Rejected, (self.reason, str(self))


class Step:
    """One link of the chain. `settings` is any mapping of NEWSMON_* settings."""

    name = "step"
    # Steps that need no store are pure per-article work, which the loader may run in worker
    # processes; they come first in CHAIN_STEPS.
    needs_store = True
    # Article fields this step settles: an article dropped before it never had them looked at.
    decides: tuple[str, ...] = ()

    def __init__(self, settings: Mapping[str, Any], store: Store | None, stats: Stats) -> None:
        # Read one way whoever calls: a crawl's Settings (where `-s NAME={...}` is a string) or
        # the loader's plain dict both answer getdict/getint/getfloat.
        self.settings = settings if isinstance(settings, BaseSettings) else BaseSettings(settings)
        self.store = store
        self.stats = stats

    def count(self, what: str, n: int = 1) -> None:
        self.stats.inc_value(f"{STATS_PREFIX}/{self.name}/{what}", n)

    def prepare(self, article: Article) -> Any:
        """Store-free work `process` needs, which the loader may do in a worker process.

        Its result comes back as `process`'s `prepared` argument; most steps need none.
        """
        return None

    def process(self, article: Article, prepared: Any = None) -> Article:
        raise NotImplementedError

    def close(self) -> None:
        """Finish pending work (flush buffers). Called once, in chain order."""


class CleanStep(Step):
    """Text clean-up, required fields, language and the content fingerprint."""

    name = "clean"
    needs_store = False
    decides = ("title", "body", "image_caption", "category", "tags", "authors", "lang", "content_hash", "fetched_at")

    def process(self, article: Article, prepared: Any = None) -> Article:
        self.check_unicode(article)
        self.check_urls(article)
        article.title, labels = split_title_labels(clean_title(article.title))
        article.labels = list(dict.fromkeys([*(clean_line(label).upper() for label in article.labels), *labels]))
        article.body = clean_body(article.body)
        article.image_caption = clean_line(article.image_caption)
        article.category = clean_line(article.category)
        article.tags = [t for t in (clean_line(t) for t in article.tags) if t]
        article.authors = [a for a in (clean_line(a) for a in article.authors) if a]
        if not article.title:
            raise Rejected("no_title", "no title")
        if not article.body:
            raise Rejected("no_body", "no article text")
        if not article.outlet and article.site:
            article.outlet = outlet_of_host(article.site)
        if not article.lang:
            article.lang = detect_language(f"{article.title}\n{article.body}")
            self.count("lang_detected")
        article.content_hash = content_hash(article.title, article.body)
        if article.fetched_at is None:
            article.fetched_at = datetime.now(timezone.utc)
        self.count("cleaned")
        return article

    def check_urls(self, article: Article) -> None:
        """Only http(s) URLs are kept (newsmon.urls.is_web_url): an article whose link is anything
        else is rejected, a bad image URL is dropped from an article that is otherwise fine."""
        if article.url and not is_web_url(article.url):
            self.count("bad_url")
            raise Rejected("bad_url", f"url is not an http(s) URL: {article.url[:80]!r}")
        if article.image_url and not is_web_url(article.image_url):
            self.count("bad_image_url")
            where = article.url or article.source_path or repr(article.title[:60])
            logger.warning("%s: image_url dropped, not an http(s) URL: %r", where, article.image_url[:80])
            article.image_url = ""

    def check_unicode(self, article: Article) -> None:
        """Reject text no store can encode: a lone surrogate (`"\\ud800"` is valid JSON) would fail
        the whole batch's write."""
        for name in ARTICLE_FIELDS:
            value = getattr(article, name)
            for text in value if isinstance(value, list) else (value,):
                if isinstance(text, str) and not text.isascii():
                    try:
                        text.encode("utf-8")
                    except UnicodeEncodeError as exc:
                        self.count("bad_text")
                        raise Rejected("bad_text", f"{name} is not valid Unicode ({exc.reason} at character {exc.start})") from None


class DateStep(Step):
    """Normalize the printed dateline to UTC in the site's time zone."""

    name = "date"
    needs_store = False
    decides = ("published_at",)

    def __init__(self, settings: Mapping[str, Any], store: Store | None, stats: Stats) -> None:
        super().__init__(settings, store, stats)
        self.default_tz = self.settings.get("NEWSMON_DEFAULT_TIMEZONE") or DEFAULT_TZ
        self.site_tz: dict[str, str] = self.settings.getdict("NEWSMON_SITE_TIMEZONES")
        for site, zone in {"NEWSMON_DEFAULT_TIMEZONE": self.default_tz, **self.site_tz}.items():
            if not is_time_zone(zone):  # else every article would fail, one traceback each
                raise ConfigError(f"unknown time zone {zone!r} for {site} (NEWSMON_SITE_TIMEZONES, e.g. \"Asia/Baku\")")

    def process(self, article: Article, prepared: Any = None) -> Article:
        if article.published_at is None:
            tz = self.site_tz.get(article.site, self.default_tz)
            # "2 saat əvvəl" means two hours before the page was fetched, not before this runs
            # (a replayed spool, a dump processed days later).
            article.published_at = parse_dateline(article.dateline, tz=tz, now=article.fetched_at)
            if article.published_at is None:
                reason = f"unparsable dateline {article.dateline!r}" if article.dateline.strip() else "no dateline"
                raise Rejected("no_date", reason)
            self.count("parsed")
        else:
            self.count("given")
        return article


class DedupeStep(Step):
    """Drop exact duplicates (already stored, or already seen in the unflushed batch).

    Articles at a known URL with new content pass on: the store keeps them as revisions. So
    does a crawled copy of an article that was loaded from a file without a URL: the store
    gives the stored article that URL (and counts the copy as a duplicate).
    While the store is unreachable, articles count as not stored (`store_unavailable`): the
    store turns duplicates away by content hash anyway when the spooled batch is replayed.
    """

    name = "dedupe"

    def __init__(self, settings: Mapping[str, Any], store: Store, stats: Stats) -> None:
        super().__init__(settings, store, stats)
        # Content hash -> URL of this run's articles not yet flushed to the store; cleared on
        # every flush so that memory stays flat however long the run.
        self.pending: dict[str, str] = {}
        self.outage = OutageLog(
            logger, store, "duplicates are only looked for in the current batch (the store turns away the others)"
        )

    def process(self, article: Article, prepared: Any = None) -> Article:
        digest = article.content_hash
        known_url = self.pending[digest] if digest in self.pending else self.stored_url(digest)
        if known_url is not None:
            if known_url or not article.url:
                self.count("duplicate")
                raise Rejected("duplicate", f"duplicate of a stored article (content {digest})")
            self.count("gives_url")
        else:
            self.count("unique")
        self.pending[digest] = article.url
        return article

    def stored_url(self, digest: str) -> str | None:
        try:
            url = self.store.url_of_content(digest)
        except StoreUnavailable as error:
            self.count("store_unavailable")
            self.outage.failed(error)
            return None
        self.outage.answered()
        return url

    def batch_flushed(self, batch: Sequence[Article], result: WriteResult) -> None:
        self.pending.clear()


class StoryStep(Step):
    """Give each article a story id: that of a stored copy, rewrite or translation of the same
    event, or a new story (newsmon.stories).

    The index learns a story only once the store has inserted its article (`batch_written`),
    so an article the store turns away as a duplicate never becomes a story. Counts are of
    inserted articles: `new` founded a story, `joined` went to an existing one, as a `copy`,
    a `rewrite` or a `translation`.
    While the store is unreachable, stored stories cannot be looked up (`store_unavailable`):
    an article founds a provisional story under its content hash, or joins one of its batch.
    A stored index of another format (older sketches, other LSH settings) is rebuilt from the
    stored articles when the step starts (`reindexed`).
    """

    name = "story"
    decides = ("story_id", "story_match", "story_evidence")

    def __init__(self, settings: Mapping[str, Any], store: Store, stats: Stats) -> None:
        super().__init__(settings, store, stats)
        outage = OutageLog(logger, store, "articles found provisional stories of their own (ids = content hashes)")
        self.lookups = StoryLookups(store, outage)
        self.index = StoryIndex(self.lookups, StoryParams.from_settings(settings))
        if store is not None:  # a preparing-only chain has no index to check
            self.check_index_format(outage)

    def check_index_format(self, outage: OutageLog) -> None:
        try:
            if reindexed := ensure_index_format(self.store, self.index.params):
                self.count("reindexed", reindexed)
        except StoreUnavailable as error:
            # Checked again by the next run; until then lookups in an old-format index find nothing.
            outage.failed(error)

    def prepare(self, article: Article) -> Sketch:
        return self.index.sketch(article)

    def process(self, article: Article, prepared: Sketch | None = None) -> Article:
        self.lookups.missed = False
        self.index.assign(article, prepared)
        if self.lookups.missed:
            self.count("store_unavailable")
        return article

    def look_again(self, batch: Sequence[Article]) -> None:
        """Assign stories anew to articles spooled during an outage (before they are written).

        An article that founded a story of its own then (its story id is its content hash) may
        be a copy of a stored story; one that joined another article of its batch keeps it.
        """
        for article in batch:
            if article.story_id == article.content_hash:
                article.story_id = ""
            self.process(article)

    def batch_written(self, batch: Sequence[Article], result: WriteResult) -> None:
        try:
            counts = self.index.commit(batch, result.outcomes)
        except StoreError as exc:
            # The articles are stored; only their stories cannot be found by later copies.
            self.count("unindexed", result.inserted)
            logger.error("story index not updated for %d articles: %s", result.inserted, exc)
            return
        for what in ("new", "joined", *MATCH_KINDS):
            if counts[what]:
                self.count(what, counts[what])


class StoryLookups:
    """The store as the story index sees it: a lookup the store cannot answer finds no story.

    The index then founds a new story, as for an article unlike any stored one, and writes it
    to the store with the article (the StoryStep handles a failure of those writes). `missed`
    tells whether a lookup failed since it was last cleared.
    """

    def __init__(self, store: Store, outage: OutageLog) -> None:
        self.store = store
        self.outage = outage
        self.missed = False

    def story_candidates(self, band_keys: Sequence[int]) -> dict[str, int]:
        return self._lookup(self.store.story_candidates, band_keys)

    def story_sketches(self, story_ids: Sequence[str]) -> dict[str, bytes]:
        return self._lookup(self.store.story_sketches, story_ids)

    def add_stories(self, stories: Iterable[IndexedStory]) -> None:
        self.store.add_stories(stories)

    def _lookup(self, lookup: Callable[[Sequence[str]], dict[str, T]], keys: Sequence[str]) -> dict[str, T]:
        try:
            found = lookup(keys)
        except StoreUnavailable as error:
            self.missed = True
            self.outage.failed(error)
            return {}
        self.outage.answered()
        return found


class StoreStep(Step):
    """Buffer articles and write them in batches: by count, by age and when the chain closes."""

    name = "store"

    def __init__(self, settings: Mapping[str, Any], store: Store, stats: Stats) -> None:
        super().__init__(settings, store, stats)
        self.batch_size = self.settings.getint("NEWSMON_BATCH_SIZE", 500)
        self.flush_seconds = self.settings.getfloat("NEWSMON_FLUSH_SECONDS", 5.0)
        self.buffer: list[Article] = []
        self.oldest = 0.0
        # Batches taken from the buffer, and written (or spooled, or reported lost) of them: read
        # from other threads (newsmon.distributed.leases), so only ever counted up.
        self.batches_taken = 0
        self.batches_written = 0
        # Called after every flush with the batch and what the store did with each article.
        self.on_flush: list[Callable[[Sequence[Article], WriteResult], None]] = []
        # Called once the last batch is flushed, for what finishes after it (alert delivery).
        self.on_close: list[Callable[[], None]] = []
        self.spool_root = resolve_spool_dir(self.settings.get("NEWSMON_SPOOL_DIR"))

    @cached_property
    def spool(self) -> Spool:
        """The store's own spool; made on first use, as a preparing-only chain has no store."""
        return Spool(self.spool_root, self.store.uri)

    def process(self, article: Article, prepared: Any = None) -> Article:
        if not self.buffer:
            self.oldest = time.monotonic()
        self.buffer.append(article)
        if len(self.buffer) >= self.batch_size or self.is_stale():
            self.flush()
        return article

    def is_stale(self) -> bool:
        return bool(self.buffer) and time.monotonic() - self.oldest >= self.flush_seconds

    def flush(self) -> WriteResult:
        """Write the buffer. Never raises for a failed write: the batch is spooled, or when even
        that fails reported as lost article by article; either way the other steps hear of the
        flush (dedupe forgets the batch, so later copies of it are not taken for duplicates)."""
        batch, self.buffer = self.buffer, []
        self.batches_taken += 1
        taken = self.batches_taken
        result = WriteResult()
        if batch:
            try:
                result = self.store.upsert_many(batch)
            except Exception as exc:  # whatever failed, the batch must not vanish with the exception
                self.spool_batch(batch, exc)
            for outcome in OUTCOMES:
                if n := result.count(outcome):
                    self.count(outcome, n)
        self.flushed(batch, result)
        self.batches_written = taken
        return result

    def spool_batch(self, batch: Sequence[Article], error: Exception) -> None:
        """Keep a batch the store did not take in the spool, for the next start or `newsmon replay`."""
        failure = "store unavailable" if isinstance(error, StoreUnavailable) else "store write failed"
        # A failure that is not the store's (a bug) gets its traceback.
        traceback = not isinstance(error, StoreError)
        try:
            path = self.spool.append(batch)
        except (OSError, ValueError) as spool_error:
            self.count("lost", len(batch))
            logger.error(
                "%s (%s) and the spool failed too (%s): %d articles lost: %s",
                failure, redact_text(str(error)), spool_error, len(batch), " ".join(article_key(a) for a in batch),
                exc_info=traceback,
            )  # fmt: skip
            return
        self.count("spooled", len(batch))
        logger.error(
            "%s, %d articles spooled to %s: %s", failure, len(batch), path, redact_text(str(error)), exc_info=traceback
        )

    def replay_spool(self, story: "StoryStep") -> int:
        """Write the batches spooled while the store was unreachable, oldest first; returns how
        many articles were replayed.

        Their story lookups failed when they were spooled: `story` looks again before each batch
        is written, and indexes the stories its articles found once it is, as after any flush.
        """
        replayed, _ = self.spool.replay(
            self.store, prepare=story.look_again, written=self.flushed, quarantined=lambda path: self.count("quarantined")
        )
        if replayed:
            self.count("replayed", replayed)
        return replayed

    def flushed(self, batch: Sequence[Article], result: WriteResult) -> None:
        for callback in self.on_flush:
            callback(batch, result)

    def close(self) -> None:
        self.flush()
        for callback in self.on_close:
            callback()


class WatchStep(Step):
    """Match every article the store has just written (inserted or revised) against the
    watchlists, and record what matched as alerts: one per story (Store.record_alert), the
    first matching copy raising it, the others growing it. New alerts also go to the webhook
    (NEWSMON_WATCH_WEBHOOK, newsmon.alerts) when one is set.

    Not a step articles pass through: it hears of every flush (`batch_written`) after the
    store's write, crawl, load and spool replay alike, so an article that was not stored (a
    spooled batch, a duplicate) never alerts. Watchlists are read again every
    NEWSMON_WATCH_REFRESH_SECONDS, so that a long crawl sees the ones added meanwhile.
    Counts: `matched` (article x watchlist), `alerts` (raised), `story_updates` (a copy added
    to its story's alert), `repeats` (an article the alert counted already), `alert_failed`,
    `watchlists_unread` (the store did not answer), and the webhook's (newsmon.alerts).
    """

    name = "watch"

    def __init__(self, settings: Mapping[str, Any], store: Store, stats: Stats) -> None:
        super().__init__(settings, store, stats)
        self.refresh_seconds = self.settings.getfloat("NEWSMON_WATCH_REFRESH_SECONDS", 60.0)
        self.webhook = AlertWebhook.from_settings(self.settings, stats)
        self.outage = OutageLog(logger, store, "new articles are not matched against the watchlists")
        self.matcher = Matcher()
        self.loaded_at: float | None = None

    def current_matcher(self) -> Matcher:
        if self.loaded_at is None or time.monotonic() - self.loaded_at >= self.refresh_seconds:
            try:
                self.matcher = Matcher.of(self.store.watchlists())
            except StoreError as error:
                # The watchlists read last, if any, go on matching; they are asked for again next batch.
                self.count("watchlists_unread")
                if isinstance(error, StoreUnavailable):
                    self.outage.failed(error)
                else:
                    logger.error("watchlists not read, the last ones read go on matching: %s", error)
                return self.matcher
            self.outage.answered()
            self.loaded_at = time.monotonic()
        return self.matcher

    def batch_written(self, batch: Sequence[Article], result: WriteResult) -> None:
        written = [a for a, outcome in zip(batch, result.outcomes) if outcome in (INSERTED, REVISED)]
        if not written:
            return
        matcher = self.current_matcher()
        if not matcher.size:
            return
        for article in written:
            text = ArticleText.of(title=article.title, body=article.body, outlet=article.outlet or article.site,
                                  lang=article.lang, category=article.category)  # fmt: skip
            for watchlist in matcher.match(text):
                self.count("matched")
                self.alert(watchlist, article)

    def alert(self, watchlist: Watchlist, article: Article) -> None:
        try:
            outcome, alert = self.store.record_alert(watchlist.id, article)
        except StoreError as exc:
            # The article is stored; the next copy of its story raises the alert instead.
            self.count("alert_failed")
            logger.error("alert of watchlist %s for %s not recorded: %s", watchlist.name, article_key(article), exc)
            return
        if outcome == ALERT_RAISED:
            self.count("alerts")
            if self.webhook is not None:
                self.webhook.send({"event": "alert", "watchlist": watchlist.to_record(), **alert.to_record()})
        elif outcome == ALERT_UPDATED:
            self.count("story_updates")
        else:
            self.count("repeats")

    def close(self) -> None:
        if self.webhook is not None:
            self.webhook.close()


CHAIN_STEPS: tuple[type[Step], ...] = (CleanStep, DateStep, DedupeStep, StoryStep, StoreStep)
PREPARE_STEPS: tuple[type[Step], ...] = tuple(s for s in CHAIN_STEPS if not s.needs_store)
assert CHAIN_STEPS[: len(PREPARE_STEPS)] == PREPARE_STEPS, "store-free steps must come first"


def fields_undecided_after(step_name: str) -> set[str]:
    """The fields no step had settled yet when the step named `step_name` dropped an article."""
    names = [step.name for step in CHAIN_STEPS]
    return {field for step in CHAIN_STEPS[names.index(step_name) + 1 :] for field in step.decides}


class Prepared(NamedTuple):
    """An article after the store-free steps, with what the other steps prepared for it."""

    article: Article
    values: tuple[Any, ...]


class Chain:
    """All steps in order, for callers outside Scrapy (the offline loader, benchmarks).

    `process` = `commit(prepare(article))`. `prepare` needs no store: with `store=None` a chain
    can only prepare, which is what loader worker processes do.
    """

    def __init__(self, settings: Mapping[str, Any], store: Store | None, stats: Stats | None = None) -> None:
        self.stats = stats if stats is not None else CounterStats()
        self.steps = [step_class(settings, store, self.stats) for step_class in CHAIN_STEPS]
        self.head = self.steps[: len(PREPARE_STEPS)]
        self.tail = self.steps[len(PREPARE_STEPS) :]
        if store is not None:
            link_steps(self.steps, WatchStep(settings, store, self.stats))
            self.replay_spool()

    def process(self, article: Article) -> Article:
        """Run every step; raises Rejected with the reason when the article is dropped."""
        return self.commit(self.prepare(article))

    def prepare(self, article: Article) -> Prepared:
        for step in self.head:
            article = step.process(article)
        return Prepared(article, tuple(step.prepare(article) for step in self.tail))

    def commit(self, prepared: Prepared) -> Article:
        article = prepared.article
        for step, value in zip(self.tail, prepared.values):
            article = step.process(article, value)
        return article

    def replay_spool(self) -> int:
        """Write what was spooled while the store was unreachable (done when the chain starts).

        A failure leaves the batches in the spool for the next start or `newsmon replay`; the
        chain starts anyway, so that a crawl is never held up by what an earlier one spooled.
        """
        story = next(s for s in self.steps if isinstance(s, StoryStep))
        store = next(s for s in self.steps if isinstance(s, StoreStep))
        try:
            return store.replay_spool(story)
        except StoreError as exc:
            store.count("replay_failed")
            logger.error("spooled batches not replayed, they stay in %s: %s", store.spool.directory, redact_text(str(exc)))
            return 0

    def close(self) -> None:
        for step in self.steps:
            step.close()


def link_steps(steps: list[Step], watch: WatchStep) -> None:
    """Tell the dedupe and story steps about every flush (they forget or index their pending
    batch), then the watch step (it matches what was written); close the watch step after
    the store step's last flush."""
    dedupe = next(s for s in steps if isinstance(s, DedupeStep))
    story = next(s for s in steps if isinstance(s, StoryStep))
    store = next(s for s in steps if isinstance(s, StoreStep))
    store.on_flush.extend((dedupe.batch_flushed, story.batch_written, watch.batch_written))
    store.on_close.append(watch.close)


__all__ = [
    "CHAIN_STEPS",
    "PREPARE_STEPS",
    "Chain",
    "CleanStep",
    "CounterStats",
    "DateStep",
    "DedupeStep",
    "Rejected",
    "Step",
    "StoreStep",
    "StoryStep",
    "WatchStep",
    "fields_undecided_after",
]
