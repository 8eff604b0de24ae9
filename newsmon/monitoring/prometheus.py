"""A run document as Prometheus metrics, in a textfile for node-exporter's textfile collector.

Each scope gets its own file (NEWSMON_PROMETHEUS_FILE may contain `{scope}` and `{spider}`), so
crawls of different editions do not overwrite each other's; the file is rewritten atomically
after every run, so its gauges always describe the last run of that scope. Every gauge has
`spider` and `scope` labels.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from newsmon.items import parse_isoformat
from newsmon.monitoring import FAILED_STATUSES, recorded_scope

PREFIX = "newsmon_last_run"
# Scopes such as `apa:az,en` hold characters that are awkward or invalid in file names.
_NOT_FILE_NAME_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def textfile_path(pattern: str, run: Mapping[str, Any]) -> str:
    """NEWSMON_PROMETHEUS_FILE for one run: `{spider}` and `{scope}` filled in, the scope made
    safe for a file name (`apa:az,en` -> `apa-az-en`). Raises what str.format raises on a bad
    pattern (KeyError for an unknown placeholder, ValueError, IndexError)."""
    scope = _NOT_FILE_NAME_SAFE.sub("-", recorded_scope(run)).strip("-")
    return pattern.format(spider=run["spider"], scope=scope)


def write_run_metrics(run: Mapping[str, Any], path: str | Path) -> None:
    registry = CollectorRegistry()
    run_labels = (run["spider"], recorded_scope(run))

    def gauge(name: str, documentation: str, *labels: str) -> Gauge:
        return Gauge(f"{PREFIX}_{name}", documentation, ["spider", "scope", *labels], registry=registry)

    started = parse_isoformat(run.get("started_at"))
    finished = parse_isoformat(run.get("finished_at"))
    if started is not None:
        start = gauge("start_timestamp_seconds", "Start of the last crawl (Unix time)")
        start.labels(*run_labels).set(started.timestamp())
    if finished is not None:
        end = gauge("end_timestamp_seconds", "End of the last crawl (Unix time)")
        end.labels(*run_labels).set(finished.timestamp())
    gauge("duration_seconds", "Duration of the last crawl").labels(*run_labels).set(run["duration_seconds"])
    gauge("success", "1 if the last crawl finished normally and passed every monitor").labels(*run_labels).set(
        int(run["finish_reason"] == "finished" and not run["monitors_failed"])
    )
    gauge("requests", "Requests sent").labels(*run_labels).set(run["requests"])
    gauge("errors", "ERROR log lines").labels(*run_labels).set(run["errors"])

    responses = gauge("responses", "Responses by HTTP status", "status")
    for status, count in run["responses_by_status"].items():
        responses.labels(*run_labels, status).set(count)

    items = run["items"]
    articles = gauge(
        "articles",
        "Articles by outcome: seen on listing pages and feeds, extracted by the spider, scraped, stored,"
        " spooled, duplicates",
        "outcome",
    )
    for outcome in ("seen", "extracted", "scraped", "stored", "spooled", "duplicates"):
        articles.labels(*run_labels, outcome).set(items[outcome])
    dropped = gauge("articles_dropped", "Articles the chain dropped, by reason", "reason")
    for reason, count in items["dropped"].items():
        dropped.labels(*run_labels, reason).set(count)
    rejected = gauge("pages_rejected", "Pages the spider turned down (unusable or not downloaded), by reason", "reason")
    for reason, count in run["pages"]["rejected"].items():
        rejected.labels(*run_labels, reason).set(count)

    coverage = gauge("field_coverage_ratio", "Share of the article pages having the field", "field")
    for field, ratio in run["coverage"].items():
        coverage.labels(*run_labels, field).set(ratio)

    monitor_failed = gauge("monitor_failed", "1 if the monitor failed on the last crawl", "monitor")
    for monitor in run["monitors"]:
        monitor_failed.labels(*run_labels, monitor["name"]).set(int(monitor["status"] in FAILED_STATUSES))

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)
