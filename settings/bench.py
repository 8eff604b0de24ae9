"""Benchmark profile: politeness lifted for the loopback replay only, AutoThrottle off.

Remote hosts keep base's delay and per-domain concurrency; only 127.0.0.1 (a replay or mirror
we run ourselves) is crawled flat out. Everything else, pipelines and store included, is base.
"""
from settings.base import *  # noqa: F403

AUTOTHROTTLE_ENABLED = False
# Scrapy's stock concurrency (16 in all, 8 per site), which is what `scrapy bench` runs with:
# the benchmark compares like with like.
CONCURRENT_REQUESTS = 16
LOOPBACK_SLOT = {"concurrency": 8, "delay": 0}
DOWNLOAD_SLOTS = {"127.0.0.1": LOOPBACK_SLOT, "localhost": LOOPBACK_SLOT}
# Per-second "Crawled N pages (at X pages/min)" lines, as `scrapy bench` prints them.
LOGSTATS_INTERVAL = 1.0
