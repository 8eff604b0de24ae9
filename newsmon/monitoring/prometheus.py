"""A run document as Prometheus metrics, in a textfile for node-exporter's textfile collector.

Each spider gets its own file (NEWSMON_PROMETHEUS_FILE may contain `{spider}`), rewritten
atomically after every run, so the gauges always describe the spider's last run.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from newsmon.items import parse_isoformat
from newsmon.monitoring import FAILED_STATUSES

PREFIX = "newsmon_last_run"


def write_run_metrics(run: Mapping[str, Any], path: str | Path) -> None:
    registry = CollectorRegistry()
    spider = run["spider"]

    def gauge(name: str, documentation: str, *labels: str) -> Gauge:
        return Gauge(f"{PREFIX}_{name}", documentation, ["spider", *labels], registry=registry)

    started = parse_isoformat(run.get("started_at"))
    finished = parse_isoformat(run.get("finished_at"))
    if started is not None:
        gauge("start_timestamp_seconds", "Start of the last crawl (Unix time)").labels(spider).set(started.timestamp())
    if finished is not None:
        gauge("end_timestamp_seconds", "End of the last crawl (Unix time)").labels(spider).set(finished.timestamp())
    gauge("duration_seconds", "Duration of the last crawl").labels(spider).set(run["duration_seconds"])
    gauge("success", "1 if the last crawl finished normally and passed every monitor").labels(spider).set(
        int(run["finish_reason"] == "finished" and not run["monitors_failed"])
    )
    gauge("requests", "Requests sent").labels(spider).set(run["requests"])
    gauge("errors", "ERROR log lines").labels(spider).set(run["errors"])

    responses = gauge("responses", "Responses by HTTP status", "status")
    for status, count in run["responses_by_status"].items():
        responses.labels(spider, status).set(count)

    items = run["items"]
    articles = gauge(
        "articles", "Articles by outcome: extracted by the spider, scraped, stored, spooled, duplicates", "outcome"
    )
    for outcome in ("extracted", "scraped", "stored", "spooled", "duplicates"):
        articles.labels(spider, outcome).set(items[outcome])
    dropped = gauge("articles_dropped", "Articles the chain dropped, by reason", "reason")
    for reason, count in items["dropped"].items():
        dropped.labels(spider, reason).set(count)

    coverage = gauge("field_coverage_ratio", "Share of the article pages having the field", "field")
    for field, ratio in run["coverage"].items():
        coverage.labels(spider, field).set(ratio)

    monitor_failed = gauge("monitor_failed", "1 if the monitor failed on the last crawl", "monitor")
    for monitor in run["monitors"]:
        monitor_failed.labels(spider, monitor["name"]).set(int(monitor["status"] in FAILED_STATUSES))

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)
