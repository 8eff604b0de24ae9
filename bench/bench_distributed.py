"""Distributed mode: pages/minute with 1, 2 and 3 workers per crawl on one Redis frontier, the
Redis frontier against Scrapy's in-memory scheduler at 1 worker, and Redis memory per 100,000
requests, side by side in one run.

Workload: generated replays of several outlets (each its own markup) on 127.0.0.1, crawled one
outlet after the other by N `scrapy crawl` workers sharing one Redis (Valkey from the test
dependencies, tests/redis_server.py) and one SQLite store, every pipeline on (settings.bench:
Scrapy's politeness lifted for loopback, and no shared per-host interval, so the frontier and
the CPU are what limits). Pages/minute counts the pages the replay served between its first and
its last request of each crawl, so the workers' start-up (a few seconds each) is left out.
CPU: the workers' user+system seconds over the same crawls, as a share of the machine's cores.

Redis memory: `INFO memory` used_memory before and after 100,000 article requests as the
frontier holds them (queue entries: pickled request dicts, as scrapy-redis stores them), their
fingerprints (duplicate filter) and their URLs (the crawl's requested set).
"""
from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

from newsmon.distributed.frontier import LeasedQueue
from newsmon.distributed.keys import CrawlKeys
from newsmon.distributed.leases import LeaseBook
from newsmon.replay import ReplayServer, synthetic_replay
from newsmon.replay.crawl import BackgroundCrawl, start_crawl
from newsmon.spiders.base import LISTED_URL
from newsmon.spiders.outlets import ApaSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from tests.redis_server import RedisServer

OUTLETS = ("apa", "report")
ARTICLES = 200  # per outlet
QUICK_ARTICLES = 40
WORKERS = (1, 2, 3)
MEMORY_REQUESTS = 100_000
QUICK_MEMORY_REQUESTS = 10_000
CRAWL_TIMEOUT = 600
# No shared per-host limits: what is measured is the frontier, against the in-memory scheduler.
SETTINGS = {"NEWSMON_HOST_INTERVAL_SECONDS": 0, "NEWSMON_HOST_CONCURRENCY": 0}


def crawl_outlet(outlet: str, articles: int, workers: int, redis_url: str, workdir: Path) -> tuple[int, float, float, float]:
    """Pages served, seconds from the first to the last request, seconds from the workers' start
    to their end, and the workers' CPU seconds, for one crawl of `outlet` by `workers` workers
    ("" Redis URL: Scrapy's own scheduler)."""
    site = synthetic_replay(articles, outlet=outlet, seed=OUTLETS.index(outlet))
    (scope,) = site.editions
    environment = {"NEWSMON_PROMETHEUS_FILE": str(workdir / "newsmon-{scope}.prom"), "NEWSMON_REDIS_URL": redis_url}
    store = f"sqlite:///{workdir / f'{outlet}-{workers}-{bool(redis_url)}.db'}"
    cpu_before, started = _children_cpu(), time.monotonic()
    with ReplayServer(site) as server:
        crew = [
            BackgroundCrawl(scope, start_crawl(server, scope, store=store, settings_module="settings.bench",
                                               spider_args=[f"max_pages={articles}"], settings=SETTINGS,
                                               environment=environment))
            for _ in range(workers)
        ]  # fmt: skip
        for worker in crew:
            run = worker.finish(CRAWL_TIMEOUT)
            if not run.ran:
                raise RuntimeError(f"benchmark crawl of {scope} failed (exit {run.returncode}):\n{run.log[-3000:]}")
        hits = sorted(hit.at for hit in server.hits)
    return len(hits), hits[-1] - hits[0], time.monotonic() - started, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl_rate(articles: int, workers: int, redis_url: str, workdir: Path) -> tuple[float, float]:
    """Pages/minute over every outlet, and the workers' CPU share of the machine from their
    start to their end (start-up included: a new worker's imports compete with the others)."""
    results = [crawl_outlet(outlet, articles, workers, redis_url, workdir) for outlet in OUTLETS]
    pages, crawling, wall, cpu = (sum(column) for column in zip(*results))
    return 60 * pages / crawling, cpu / (wall * (os.cpu_count() or 1))


def redis_bytes_per_request(redis: RedisServer, requests: int) -> dict[str, float]:
    """used_memory growth per request: queued in the frontier, its fingerprint, its URL."""
    client = redis.client()
    spider = ApaSpider(editions="en")
    keys = CrawlKeys("memory:en")
    queue = LeasedQueue(client, spider, keys, LeaseBook("bench"), 60_000)
    dupefilter = RFPDupeFilter(client, keys.fingerprints)
    urls = [f"https://en.apa.az/economy/azerbaijan-railways-signed-a-memorandum-on-cargo-transit-{n}-{600000 + n}" for n in range(requests)]
    growth = {}
    for part in ("queue", "fingerprints", "requested URLs"):
        before = client.info("memory")["used_memory"]
        with client.pipeline(transaction=False) as pipe:
            for url in urls:
                if part == "queue":
                    request = spider.request(url, spider.parse_article, edition="en")
                    request.meta[LISTED_URL] = url
                    pipe.zadd(keys.requests, {queue.encode(request): 0})
                elif part == "fingerprints":
                    pipe.sadd(keys.fingerprints, dupefilter.request_fingerprint(spider.request(url, spider.parse_article)))
                else:
                    pipe.sadd(keys.requested, url)
            pipe.execute()
        growth[part] = (client.info("memory")["used_memory"] - before) / requests
    client.delete(*keys.all())
    client.close()
    return growth


def run(quick: bool = False) -> list[str]:
    articles = QUICK_ARTICLES if quick else ARTICLES
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp, RedisServer(Path(tmp) / "redis") as redis:
        workdir = Path(tmp)
        memory_rate, memory_cpu = crawl_rate(articles, 1, "", workdir)
        rates = {n: crawl_rate(articles, n, redis.url, workdir) for n in WORKERS}
        per_request = redis_bytes_per_request(redis, QUICK_MEMORY_REQUESTS if quick else MEMORY_REQUESTS)
    one = rates[1][0]
    scaling = ", ".join(f"{n} worker(s) {rate:.0f}/min ({rate / one:.2f}x, CPU {cpu:.0%} of {os.cpu_count()} cores)" for n, (rate, cpu) in rates.items())
    total = sum(per_request.values())
    return [
        f"distributed: {len(OUTLETS)} outlets x {articles} articles, pages/min: {scaling}",
        f"distributed: 1 worker, Redis frontier {one:.0f}/min vs Scrapy's in-memory scheduler {memory_rate:.0f}/min"
        f" (CPU {memory_cpu:.0%}): ratio {one / memory_rate:.2f}x",
        f"distributed: Redis memory per 100,000 requests: {total * 100_000 / 2**20:.1f} MiB ("
        + ", ".join(f"{part} {bytes_:.0f} B" for part, bytes_ in per_request.items())
        + " per request)",
    ]


if __name__ == "__main__":
    import sys

    print("\n".join(run(quick="--quick" in sys.argv[1:])))
