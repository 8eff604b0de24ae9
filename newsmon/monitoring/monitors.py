"""The Spidermon monitors run when a spider closes, and the actions that report on them.

Enable with SPIDERMON_SPIDER_CLOSE_MONITORS = ["newsmon.monitoring.monitors.SpiderCloseMonitors"].
Thresholds are settings: SPIDERMON_EXPECTED_FINISH_REASONS, SPIDERMON_MAX_ERRORS (Spidermon's
own monitors) and NEWSMON_MONITOR_* (ours).
"""
from __future__ import annotations

import logging
import statistics
from typing import Any

from spidermon import Action, MonitorSuite, SkipAction, monitors
from spidermon import settings as spidermon_settings
from spidermon.contrib.scrapy.monitors import ErrorCountMonitor, FinishReasonMonitor
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor
from spidermon.results.items import MonitorResult

from newsmon.items import isoformat_utc
from newsmon.monitoring import (
    ERROR,
    FAIL,
    FAILED_STATUSES,
    MONITOR_RESULTS_STAT,
    DISTRIBUTED_RUN_STAT,
    MONITORS_FAILED_STAT,
    PASS,
    SCOPE_WINDOW,
    SKIP,
    articles_seen,
    field_coverage,
    recorded_scope,
    run_scope,
    stop_was_requested,
)
from newsmon.monitoring.webhook import post_json_in_background
from newsmon.pipelines import crawler_store

logger = logging.getLogger(__name__)

_STATUS = spidermon_settings.MONITOR.STATUS
RUN_STATUSES = {_STATUS.SUCCESS: PASS, _STATUS.SKIPPED: SKIP, _STATUS.FAILURE: FAIL, _STATUS.ERROR: ERROR}


@monitors.name("Finish Reason Monitor")  # the name run documents and alerts have always used
class ExpectedFinishReasonMonitor(FinishReasonMonitor):
    """SPIDERMON_EXPECTED_FINISH_REASONS, and `shutdown` when the scheduler stopped the crawl
    (a deploy, `newsmon schedule` stopping): only a shutdown nobody asked for is an alert."""

    def test_should_finish_with_expected_reason(self) -> None:
        if not stop_was_requested(self.stats.get("finish_reason")):
            super().test_should_finish_with_expected_reason()


@monitors.name("Item Count History Monitor")
class ItemCountHistoryMonitor(BaseScrapyMonitor):
    """The articles seen are not far below the median of the earlier runs of the same scope.

    The figure is `articles_seen` (run documents: `items.seen`): the article links the spider
    found on its listing pages and feeds, new, known or too old. Crawls are incremental, so the
    items scraped follow the news flow (none at all on a quiet night) and say nothing about the
    source; the links seen drop only when the site stops offering them or the spider stops
    finding them. Spiders that do not count their links are judged by item_scraped_count.

    The baseline is the median over the last NEWSMON_MONITOR_HISTORY_RUNS recorded runs that
    finished normally, crawled the same scope (see `run_scope`) and have the figure; the monitor
    fails below NEWSMON_MONITOR_MIN_ITEMS_RATIO times it, and is skipped until
    NEWSMON_MONITOR_MIN_HISTORY_RUNS such runs exist.
    """

    def test_item_count_against_history(self) -> None:
        settings = self.crawler.settings
        wanted = settings.getint("NEWSMON_MONITOR_HISTORY_RUNS")
        scope = run_scope(self.spider)
        recent = crawler_store(self.crawler).recent_runs(self.spider.name, limit=wanted * SCOPE_WINDOW)
        # Runs of other scopes (e.g. another subset of editions) are not comparable, nor are runs
        # recorded before `items.seen` existed (they have only the items scraped).
        history = [
            run["items"]["seen"]
            for run in recent
            if run.get("finish_reason") == "finished"
            and recorded_scope(run) == scope
            and "seen" in run.get("items", {})
            and "distributed" not in run  # a worker's share, not the crawl's
        ][:wanted]
        if stop_was_requested(self.stats.get("finish_reason")):
            self.skipTest("stopped by the scheduler before the end")
        if self.stats.get(DISTRIBUTED_RUN_STAT):
            # A worker sees its share of the links only; `newsmon runs` shows the crawl's sum.
            self.skipTest("one worker of a distributed crawl: its share of the links is no measure")
        needed = settings.getint("NEWSMON_MONITOR_MIN_HISTORY_RUNS")
        if len(history) < needed:
            self.skipTest(f"{len(history)} earlier finished run(s), {needed} needed")
        median = statistics.median(history)
        ratio = settings.getfloat("NEWSMON_MONITOR_MIN_ITEMS_RATIO")
        seen = articles_seen(self.stats, self.spider.name)
        if seen < ratio * median:
            self.fail(
                f"{seen} articles seen, below {ratio:.0%} of the median {median:g}"
                f" of the last {len(history)} finished runs"
            )


@monitors.name("Field Coverage Monitor")
class FieldCoverageMonitor(BaseScrapyMonitor):
    """Each field of NEWSMON_MONITOR_FIELD_COVERAGE reaches its minimum share of article pages.

    Pages turned down or articles dropped for lack of a date count against `published_at`
    (see newsmon.monitoring.field_coverage), so a broken selector fails this monitor.
    """

    def test_field_coverage(self) -> None:
        coverage = field_coverage(self.stats, self.spider.name)
        if not coverage:
            self.skipTest("no article pages")
        shortfalls = [
            f"{field} on {c.present} of {c.pages} article pages ({c.share:.1%}, minimum {minimum:.1%})"
            for field, minimum in self.crawler.settings.getdict("NEWSMON_MONITOR_FIELD_COVERAGE").items()
            if (c := coverage.get(field)) is not None and c.share < minimum
        ]
        if shortfalls:
            self.fail("; ".join(shortfalls))


@monitors.name("Blocked Site Monitor")
class BlockedSiteMonitor(BaseScrapyMonitor):
    """No host refused the crawler (403, 429, a challenge page: newsmon.middlewares.BlockedSiteMiddleware).

    A block is not worked around; it is for a person to look at (the site's terms, our rate).
    """

    def test_no_site_blocked_us(self) -> None:
        blocked = int(self.stats.get(f"newsmon/{self.spider.name}/blocked", 0))
        if blocked:
            why = sorted(key.rsplit("/", 1)[1] for key in self.stats if key.startswith("newsmon/blocked/"))
            self.fail(f"the site blocked the crawler ({', '.join(why)}): {blocked} request(s) not served, backed off")


def monitor_outcome(result: MonitorResult) -> dict[str, str]:
    """One monitor's result as recorded in the run document."""
    message = result.reason or ""
    if not message and result.error:
        message = result.error.strip().splitlines()[-1]  # an ERROR: the exception line
    return {
        "name": result.monitor.monitor_name,
        "status": RUN_STATUSES.get(result.status, result.status),
        "message": str(message),
    }


class RecordMonitorResults(Action):
    """Log each failed monitor in one ERROR line and keep all results in the crawl stats.

    The stats carry them to the RunRecorder (run document) and to `scrapy crawl`'s exit status.
    """

    def run_action(self) -> None:
        outcomes = [monitor_outcome(result) for result in self.result.monitor_results]
        failed = [outcome for outcome in outcomes if outcome["status"] in FAILED_STATUSES]
        for outcome in failed:
            logger.error("monitor failed: %s: %s", outcome["name"], outcome["message"])
        stats = self.data.crawler.stats
        stats.set_value(MONITOR_RESULTS_STAT, stats.get_value(MONITOR_RESULTS_STAT, []) + outcomes)
        stats.inc_value(MONITORS_FAILED_STAT, len(failed))


class NotifyWebhook(Action):
    """POST a JSON summary of the failed monitors to NEWSMON_MONITOR_WEBHOOK_URL, when set.

    The payload has a `text` line, so Slack- and Mattermost-style incoming webhooks show it
    as is, and the details as fields.
    """

    def __init__(self, url: str = "") -> None:
        super().__init__()
        self.url = url

    @classmethod
    def from_crawler_kwargs(cls, crawler: Any) -> dict[str, Any]:
        return {"url": crawler.settings.get("NEWSMON_MONITOR_WEBHOOK_URL", "")}

    def run_action(self) -> None:
        if not self.url:
            raise SkipAction("NEWSMON_MONITOR_WEBHOOK_URL is not set")
        post_json_in_background(self.url, self.payload())

    def payload(self) -> dict[str, Any]:
        spider = self.data.spider.name
        scope = run_scope(self.data.spider)
        stats = self.data.stats
        failed = [monitor_outcome(result) for result in self.result.monitors_failed_results]
        return {
            "text": f"newsmon: {len(failed)} monitor(s) failed for {scope}: "
            + "; ".join(f"{m['name']}: {m['message']}" for m in failed),
            "spider": spider,
            "scope": scope,
            "started_at": isoformat_utc(stats.get("start_time")),
            "finish_reason": stats.get("finish_reason"),
            "articles_seen": articles_seen(stats, spider),
            "items_scraped": stats.get("item_scraped_count", 0),
            "failed_monitors": failed,
        }


class SpiderCloseMonitors(MonitorSuite):
    monitors = [
        ExpectedFinishReasonMonitor, ErrorCountMonitor, ItemCountHistoryMonitor, FieldCoverageMonitor, BlockedSiteMonitor,
    ]  # fmt: skip
    monitors_finished_actions = [RecordMonitorResults]
    monitors_failed_actions = [NotifyWebhook]
