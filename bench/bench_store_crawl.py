"""The same crawl into MongoDB and into SQLite, side by side in one run (target: the MongoDB
crawl takes at most 1.5x the SQLite one).

Each of a few outlets' generated replays (`synthetic_replay`) is crawled twice, by
`scrapy crawl` with every pipeline on (settings.bench): once into an embedded SQLite store,
once into a MongoDB server over loopback (SecantusDB started here, or $NEWSMON_TEST_MONGO_URI),
the two alternating so that both see the same machine load. The figure is the wall time of
each whole crawl, start-up and the last flush included, and the steady pages/min of Scrapy's
per-second log lines. SecantusDB's Python server is far slower per operation than mongod (2-27x
by its own figures), so the ratio on it is an upper bound for mongod's.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.bench_crawl import steady_rate
from bench.bench_mongo import bench_server, process_cpu_seconds
from newsmon.replay import ReplayServer, synthetic_replay
from newsmon.replay.crawl import crawl_replay

OUTLETS = ("apa", "report", "trend")
ARTICLES = 300
QUICK_ARTICLES = 60
TARGET_RATIO = 1.5


def crawl(outlet: str, articles: int, store: str, workdir: Path) -> tuple[float, str, int]:
    """(seconds, log, articles stored) of one crawl of `outlet`'s replay into `store`."""
    site = synthetic_replay(articles, outlet=outlet, seed=OUTLETS.index(outlet))
    (scope,) = site.editions
    with ReplayServer(site) as server:
        started = time.perf_counter()
        run = crawl_replay(
            server, [scope], store=store, settings_module="settings.bench", spider_args=[f"max_pages={articles}"],
            environment={"NEWSMON_PROMETHEUS_FILE": str(workdir / "newsmon-{spider}.prom")},
        )[scope]  # fmt: skip
        seconds = time.perf_counter() - started
    if not run.ran:
        raise RuntimeError(f"benchmark crawl of {scope} into {store} failed (exit {run.returncode}):\n{run.log[-3000:]}")
    return seconds, run.log, run.stat("newsmon/store/inserted")


def run(quick: bool = False) -> list[str]:
    articles = QUICK_ARTICLES if quick else ARTICLES
    seconds: dict[str, list[float]] = {"sqlite": [], "mongodb": []}
    logs: dict[str, list[str]] = {"sqlite": [], "mongodb": []}
    stored: dict[str, int] = {"sqlite": 0, "mongodb": 0}
    server_cpu = 0.0  # the MongoDB server's CPU seconds during the MongoDB crawls, when it runs here
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp, bench_server() as server:
        workdir = Path(tmp)
        stores = {"sqlite": f"sqlite:///{workdir / 'bench.db'}", "mongodb": server.uri}
        for n, outlet in enumerate(OUTLETS):
            # Alternating which store goes first, so that neither always meets a warmer machine.
            for kind in ("sqlite", "mongodb") if n % 2 == 0 else ("mongodb", "sqlite"):
                counted = kind == "mongodb" and server.pid is not None
                cpu_before = process_cpu_seconds(server.pid) if counted else 0.0
                took, log, count = crawl(outlet, articles, stores[kind], workdir)
                if counted:
                    server_cpu += process_cpu_seconds(server.pid) - cpu_before
                seconds[kind].append(took)
                logs[kind].append(log)
                stored[kind] += count
    total = {kind: sum(values) for kind, values in seconds.items()}
    ratio = total["mongodb"] / total["sqlite"]
    verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
    pages = {kind: steady_rate(logs[kind]) for kind in logs}
    per_outlet = ", ".join(
        f"{outlet} {seconds['mongodb'][i]:.1f} s vs {seconds['sqlite'][i]:.1f} s" for i, outlet in enumerate(OUTLETS)
    )
    lines = [
        f"store crawl: {len(OUTLETS)} outlets x {articles} articles: MongoDB ({server.what}) {total['mongodb']:.1f} s,"
        f" {stored['mongodb']} stored, steady {pages['mongodb']:.0f} pages/min; SQLite {total['sqlite']:.1f} s,"
        f" {stored['sqlite']} stored, steady {pages['sqlite']:.0f} pages/min ({per_outlet})",
        f"store crawl: MongoDB crawl takes {ratio:.2f}x the SQLite one; target ≤{TARGET_RATIO}x: {verdict}",
    ]
    if server.pid:
        # SecantusDB answers each connection on a thread of one Python interpreter, so its work is
        # done one thread at a time: a MongoDB crawl cannot end before the server has done it.
        lines.append(
            f"store crawl: SecantusDB's own CPU during the MongoDB crawls: {server_cpu:.1f} s"
            f" ({server_cpu / total['mongodb']:.0%} of their wall time; the SQLite crawls took {total['sqlite']:.1f} s in all)"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run(quick="--quick" in sys.argv[1:])))
