"""Crawl monitoring: run history, Spidermon monitors, alerts and Prometheus metrics.

How one crawl is watched (all of it happens on `spider_closed`, in this order):

1. While crawling, `recorder.RunRecorder` counts for every article the spider extracted
   which fields it came out of the chain with (`newsmon/coverage/*` stats).
2. Spidermon runs `monitors.SpiderCloseMonitors`: finish reason, error count, articles seen
   against the run history of the same scope, field coverage. Its actions log each failure in
   one line, keep the results in the stats (`newsmon/monitors/*`) and POST failures to
   NEWSMON_MONITOR_WEBHOOK_URL.
3. `RunRecorder` builds the run document from the stats, records it in the store and writes
   the Prometheus textfile.
4. `scrapy crawl` (newsmon.scrapy_commands.crawl) exits with EXIT_MONITORS_FAILED when a
   monitor failed, which is what `newsmon schedule`, cron or Kubernetes see.
"""
from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from newsmon.items import parse_isoformat
from newsmon.middlewares import FAILURE_KINDS
from newsmon.sites.base import PAGE_ERROR_REASONS

# Exit status of `scrapy crawl` when the crawl ran but a monitor failed (1 and 2 are Scrapy's
# own: the crawl could not start, bad usage).
EXIT_MONITORS_FAILED = 3

COVERAGE_PREFIX = "newsmon/coverage/"
# Articles the spider extracted, whatever the chain then did with them (per-field counts
# are COVERAGE_PREFIX + field name).
ARTICLES_EXTRACTED_STAT = COVERAGE_PREFIX + "articles"
# Per field: extracted articles the chain dropped before the step that settles the field (a page
# whose body cleaned to nothing never had its date read): not counted for or against it.
UNDECIDED_PREFIX = "newsmon/coverage_undecided/"
MONITORS_FAILED_STAT = "newsmon/monitors/failed"
MONITOR_RESULTS_STAT = "newsmon/monitors/results"
# A distributed worker's part in its crawl (newsmon.distributed): the crawl id, the crawl's run
# (the seeding worker's id, the same in every worker of one crawl) and the worker's own id. Each
# worker records a run document of its own; `newsmon runs` adds up those of one crawl run.
DISTRIBUTED_CRAWL_STAT = "newsmon/distributed/crawl"
DISTRIBUTED_RUN_STAT = "newsmon/distributed/run"
DISTRIBUTED_WORKER_STAT = "newsmon/distributed/worker"

# What a spider reports about the links and pages it handled, as `newsmon/<spider>/<name>`
# counters: the vocabulary of newsmon.spiders.base, and the contract for any spider of the project.
# Every article link found on a listing page or feed ends in one of these counters:
SKIPPED_LINKS = ("known_skipped", "older_skipped")  # not requested: stored already, older than `since`
EXTRACTED_PAGES = "articles"  # requested, and the page gave an article
# ... or requested and turned down, counted under the reason (see is_page_rejection): a reason
# below, or a download failure (newsmon.middlewares.failure_kind: `http_404`, `timeout`, ...).
# A page lacking one of these fields is turned down under the chain's name for the reason.
MISSING_FIELD_REASONS = {"title": "no_title", "body": "no_body", "published_at": "no_date"}

# Monitor statuses in run documents (Spidermon's OK/SKIPPED become PASS/SKIP); ERROR is a
# monitor that could not run to the end and counts as failed.
PASS, SKIP, FAIL, ERROR = "PASS", "SKIP", "FAIL", "ERROR"
FAILED_STATUSES = (FAIL, ERROR)


# A file the scheduler creates before it sends a crawl SIGTERM (newsmon.scheduler): a crawl
# whose $NEWSMON_STOP_MARKER file exists was stopped on purpose, and its `shutdown` is no alert.
STOP_MARKER_ENV_VAR = "NEWSMON_STOP_MARKER"
SHUTDOWN = "shutdown"


def stop_was_requested(finish_reason: str) -> bool:
    """Whether a crawl that ended with `finish_reason` was shut down by whoever started it."""
    marker = os.environ.get(STOP_MARKER_ENV_VAR)
    return finish_reason == SHUTDOWN and bool(marker) and os.path.exists(marker)


# The store picks runs by spider only: runs of one scope are looked for among this many times
# as many of the spider's latest runs, enough unless other scopes run far more often.
SCOPE_WINDOW = 10


def run_scope(spider: Any) -> str:
    """What a crawl covered, so that only comparable runs are compared: the spider's
    `run_scope` when it defines one (e.g. `apa:en` for `-a editions=en`), else its name."""
    return getattr(spider, "run_scope", spider.name)


def recorded_scope(run: Mapping[str, Any]) -> str:
    """The scope of a run document (documents older than scopes have their spider's name)."""
    return run.get("scope") or run["spider"]


def is_page_rejection(name: str) -> bool:
    """Whether a spider counter `newsmon/<spider>/<name>` counts pages turned down."""
    return name in PAGE_ERROR_REASONS or name in FAILURE_KINDS or name.startswith("http_")


def page_rejections(stats: Mapping[str, Any], spider: str) -> dict[str, int]:
    """Pages the spider turned down, by reason (sorted), from the crawl stats.

    Download failures count every request that failed for good, so a listing page or feed
    that could not be fetched is among them too.
    """
    prefix = f"newsmon/{spider}/"
    return {
        key[len(prefix):]: int(value)
        for key, value in sorted(stats.items())
        if key.startswith(prefix) and is_page_rejection(key[len(prefix):])
    }


def articles_seen(stats: Mapping[str, Any], spider: str) -> int:
    """Article links the crawl found on the site's listing pages and feeds, from the crawl stats.

    Whether the source still works shows here, however little of it was new: an incremental
    crawl of a quiet site requests nothing but still sees the known articles, while a listing
    whose markup changed shows none. It is the sum of the counters every link ends in
    (SKIPPED_LINKS, EXTRACTED_PAGES, page_rejections); a link requested from both the listing
    and the feed counts once when new (Scrapy fetches it once) but twice when known.

    A spider that counts none of these is judged by Scrapy's item_scraped_count instead.
    """
    counters = [*SKIPPED_LINKS, EXTRACTED_PAGES]
    seen = sum(int(stats.get(f"newsmon/{spider}/{name}", 0)) for name in counters)
    seen += sum(page_rejections(stats, spider).values())
    return seen or int(stats.get("item_scraped_count", 0))


class Coverage(NamedTuple):
    present: int  # article pages having the field
    pages: int  # article pages whose field was looked at

    @property
    def share(self) -> float:
        return self.present / self.pages


def field_coverage(stats: Mapping[str, Any], spider: str) -> dict[str, Coverage]:
    """How many article pages had each counted field, from the crawl stats.

    Article pages are the articles the spider extracted (stored or dropped by the chain, except
    those dropped before the field was settled: UNDECIDED_PREFIX) and,
    for a field of MISSING_FIELD_REASONS, the pages the spider turned down for lacking it.
    Either way a broken date selector shows as missing `published_at`: counting only stored
    articles would hide it, as undated pages never get stored. Fields no page was looked at
    for are left out.
    """
    extracted = stats.get(ARTICLES_EXTRACTED_STAT, 0)
    coverage = {}
    for key in sorted(stats):
        if not key.startswith(COVERAGE_PREFIX) or key == ARTICLES_EXTRACTED_STAT:
            continue
        field = key[len(COVERAGE_PREFIX):]
        reason = MISSING_FIELD_REASONS.get(field)
        pages = extracted - stats.get(UNDECIDED_PREFIX + field, 0)
        pages += stats.get(f"newsmon/{spider}/{reason}", 0) if reason else 0
        if pages:
            coverage[field] = Coverage(stats[key], pages)
    return coverage


# Figures of a run document that add up over the workers of one distributed crawl.
_SUMMED_FIGURES = ("requests", "errors", "monitors_failed", "items", "pages", "responses_by_status", "spider_stats")


def combine_worker_runs(runs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The run documents with each distributed crawl's worker documents (same spider, crawl and
    run: newsmon.distributed) added up into one, in the place of its newest; others as they are.

    Counts are summed; the crawl runs from its first worker's start to its last one's finish;
    field coverage is weighted by each worker's extracted articles; monitor results are kept
    per worker (`distributed.workers` lists them); the finish reason is the workers' reasons."""
    combined: list[dict[str, Any]] = []
    crawls: dict[tuple[Any, ...], dict[str, Any]] = {}
    for run in runs:
        part = run.get("distributed")
        if not part:
            combined.append(dict(run))
            continue
        key = (run.get("spider"), part.get("crawl"), part.get("run"))
        if key in crawls:
            _add_worker_run(crawls[key], run)
        else:
            crawls[key] = copy.deepcopy(dict(run))
            crawls[key]["distributed"]["workers"] = [part.get("worker")]
            combined.append(crawls[key])
    return combined


def _add_worker_run(crawl: dict[str, Any], run: Mapping[str, Any]) -> None:
    extracted = crawl.get("items", {}).get("extracted", 0), run.get("items", {}).get("extracted", 0)
    coverage = crawl.get("coverage", {})
    for name in set(coverage) | set(run.get("coverage", {})):
        shares = coverage.get(name, 0.0), run.get("coverage", {}).get(name, 0.0)
        coverage[name] = (shares[0] * extracted[0] + shares[1] * extracted[1]) / (sum(extracted) or 1)
    crawl["coverage"] = coverage
    for figure in _SUMMED_FIGURES:
        if figure in run:
            crawl[figure] = _summed(crawl.get(figure), run[figure])
    starts = [t for t in (parse_isoformat(crawl.get("started_at")), parse_isoformat(run.get("started_at"))) if t]
    ends = [t for t in (parse_isoformat(crawl.get("finished_at")), parse_isoformat(run.get("finished_at"))) if t]
    if starts:
        crawl["started_at"] = min(starts)
    if ends:
        crawl["finished_at"] = max(ends)
    if starts and ends:
        crawl["duration_seconds"] = round((max(ends) - min(starts)).total_seconds(), 3)
    reasons = {*str(crawl.get("finish_reason", "")).split(","), str(run.get("finish_reason", ""))} - {""}
    crawl["finish_reason"] = ",".join(sorted(reasons))
    crawl["monitors"] = [*crawl.get("monitors", []), *run.get("monitors", [])]
    crawl["distributed"]["workers"].append(run["distributed"].get("worker"))


def _summed(a: Any, b: Any) -> Any:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return {key: _summed(a.get(key), b.get(key)) for key in {*a, *b}}
    if a is None or b is None:
        return b if a is None else a
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a + b
    return a
