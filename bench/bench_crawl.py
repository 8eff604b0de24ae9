"""Our full crawl against `scrapy bench`, in pages per minute, on the same machine in one run.

Ours: `scrapy crawl <outlet>` of every replayed outlet (APA, AZERTAC, Azernews, Oxu,
Qafqazinfo, Report, Trend), one after the other, each over a generated replay of 450 articles
(3,150 in all) in its own markup on 127.0.0.1, with every pipeline and one embedded SQLite
store on (settings.bench: politeness lifted for loopback only).
Theirs: `scrapy bench`, run outside the project so it gets Scrapy's stock settings (inside,
the project's politeness settings would slow it down).

Both rates come from Scrapy's per-second log lines `Crawled N pages (at X pages/min)`: the
steady-state rate is the median of those lines without the first (start-up) and the last
(partial interval) of each crawl. The average over the whole runs (pages / elapsed time) is
shown as well.
"""
from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from newsmon.replay import ReplayServer, synthetic_replay
from newsmon.replay.crawl import crawl_replay, parse_stats
from newsmon.replay.outlets import TEMPLATES

OUTLETS = tuple(TEMPLATES)  # every replayed outlet
ARTICLES = 450  # per outlet: 3,150 in all with seven outlets
QUICK_ARTICLES = 60
BENCH_SECONDS = 15  # scrapy bench runs this long (its own default is 10)
QUICK_BENCH_SECONDS = 5
TARGET_RATIO = 0.9
_RATE_LINE = re.compile(r"Crawled \d+ pages \(at (?P<rate>\d+) pages/min\)")


def interval_rates(log: str) -> list[int]:
    """Pages/min of a crawl's LogStats lines, start-up and final partial interval left out
    (all of them for a crawl too short to have any other: a --quick run)."""
    rates = [int(m["rate"]) for m in _RATE_LINE.finditer(log)]
    return rates[1:-1] or rates


def steady_rate(logs: list[str]) -> float:
    rates = [rate for log in logs for rate in interval_rates(log)]
    return statistics.median(rates) if rates else 0.0


def average_rate(logs: list[str]) -> float:
    stats = [parse_stats(log) for log in logs]
    elapsed = sum(s.get("elapsed_time_seconds", 0.0) for s in stats)
    return 60 * sum(s.get("response_received_count", 0) for s in stats) / elapsed if elapsed else 0.0


def crawl_log(outlet: str, articles: int, workdir: Path) -> tuple[str, int]:
    """Log of our crawl of `articles` generated articles of `outlet`, and how many it stored."""
    # Texts of its own (a seed per outlet): the same texts would be stored once, as duplicates.
    site = synthetic_replay(articles, outlet=outlet, seed=OUTLETS.index(outlet))
    (scope,) = site.editions
    with ReplayServer(site) as server:
        run = crawl_replay(
            server,
            [scope],
            store=f"sqlite:///{workdir / 'bench.db'}",
            settings_module="settings.bench",
            spider_args=[f"max_pages={articles}"],
            environment={"NEWSMON_PROMETHEUS_FILE": str(workdir / "newsmon-{spider}.prom")},
        )[scope]
    if not run.ran:
        raise RuntimeError(f"benchmark crawl of {scope} failed (exit {run.returncode}):\n{run.log[-3000:]}")
    return run.log, run.stat("newsmon/store/inserted")


def scrapy_bench_log(seconds: int, workdir: Path) -> str:
    env = {key: value for key, value in os.environ.items() if key != "SCRAPY_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
        cwd=workdir,  # no scrapy.cfg here: stock settings
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"scrapy bench failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return result.stderr


def run(quick: bool = False) -> list[str]:
    articles = QUICK_ARTICLES if quick else ARTICLES
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        workdir = Path(tmp)
        crawls = {outlet: crawl_log(outlet, articles, workdir) for outlet in OUTLETS}
        theirs_log = scrapy_bench_log(QUICK_BENCH_SECONDS if quick else BENCH_SECONDS, workdir)
    ours_logs = [log for log, _ in crawls.values()]
    stored = sum(count for _, count in crawls.values())
    ours, theirs = steady_rate(ours_logs), steady_rate([theirs_log])
    ours_average, theirs_average = average_rate(ours_logs), average_rate([theirs_log])
    ratio = ours / theirs if theirs else 0.0
    average_ratio = ours_average / theirs_average if theirs_average else 0.0
    # Both figures must reach the target: the steady state, and the whole run start to end.
    verdict = "ok" if min(ratio, average_ratio) >= TARGET_RATIO else "MISSED"
    per_outlet = ", ".join(f"{outlet} {steady_rate([log]):.0f}/min {count} stored" for outlet, (log, count) in crawls.items())
    return [
        f"crawl: full crawl {ours:.0f} pages/min (average {ours_average:.0f}) over {len(OUTLETS)} outlets x"
        f" {articles} articles, {stored} stored ({per_outlet}); scrapy bench {theirs:.0f} pages/min"
        f" (average {theirs_average:.0f}); same concurrency",
        f"crawl: ratio {ratio:.2f}x of scrapy bench (steady-state medians), {average_ratio:.2f}x (averages);"
        f" target ≥{TARGET_RATIO}x: {verdict}",
    ]


if __name__ == "__main__":
    print("\n".join(run(quick="--quick" in sys.argv[1:])))
