"""Crawl monitoring: run history, Spidermon monitors, alerts and Prometheus metrics.

How one crawl is watched (all of it happens on `spider_closed`, in this order):

1. While crawling, `recorder.RunRecorder` counts for every article the spider extracted
   which fields it came out of the chain with (`newsmon/coverage/*` stats).
2. Spidermon runs `monitors.SpiderCloseMonitors`: finish reason, error count, item count
   against the spider's run history, field coverage. Its actions log each failure in one
   line, keep the results in the stats (`newsmon/monitors/*`) and POST failures to
   NEWSMON_MONITOR_WEBHOOK_URL.
3. `RunRecorder` builds the run document from the stats, records it in the store and writes
   the Prometheus textfile.
4. `scrapy crawl` (newsmon.scrapy_commands.crawl) exits with EXIT_MONITORS_FAILED when a
   monitor failed, which is what `newsmon schedule`, cron or Kubernetes see.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

# Exit status of `scrapy crawl` when the crawl ran but a monitor failed (1 and 2 are Scrapy's
# own: the crawl could not start, bad usage).
EXIT_MONITORS_FAILED = 3

COVERAGE_PREFIX = "newsmon/coverage/"
# Articles the spider extracted, whatever the chain then did with them (per-field counts
# are COVERAGE_PREFIX + field name).
ARTICLES_EXTRACTED_STAT = COVERAGE_PREFIX + "articles"
MONITORS_FAILED_STAT = "newsmon/monitors/failed"
MONITOR_RESULTS_STAT = "newsmon/monitors/results"

# A spider that turns a page down for lacking one of these fields counts it as
# `newsmon/<spider>/<reason>` (the APA spider does), with the reason names the chain uses.
MISSING_FIELD_REASONS = {"title": "no_title", "body": "no_body", "published_at": "no_date"}

# Monitor statuses in run documents (Spidermon's OK/SKIPPED become PASS/SKIP); ERROR is a
# monitor that could not run to the end and counts as failed.
PASS, SKIP, FAIL, ERROR = "PASS", "SKIP", "FAIL", "ERROR"
FAILED_STATUSES = (FAIL, ERROR)


def run_scope(spider: Any) -> str:
    """What a crawl covered, so that only comparable runs are compared: the spider's
    `run_scope` when it defines one (e.g. `apa:en` for `-a editions=en`), else its name."""
    return getattr(spider, "run_scope", spider.name)


class Coverage(NamedTuple):
    present: int  # article pages having the field
    pages: int  # article pages whose field was looked at

    @property
    def share(self) -> float:
        return self.present / self.pages


def field_coverage(stats: Mapping[str, Any], spider: str) -> dict[str, Coverage]:
    """How many article pages had each counted field, from the crawl stats.

    Article pages are the articles the spider extracted (stored or dropped by the chain) and,
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
        pages = extracted + (stats.get(f"newsmon/{spider}/{reason}", 0) if reason else 0)
        if pages:
            coverage[field] = Coverage(stats[key], pages)
    return coverage
