"""Benchmark profile: politeness lifted for the loopback replay only, AutoThrottle off.

Remote hosts keep base's delay and per-domain concurrency; only 127.0.0.1 (a replay or mirror
we run ourselves) is crawled flat out. Everything else, pipelines and store included, is base.
"""
from settings.base import *  # noqa: F403

AUTOTHROTTLE_ENABLED = False
CONCURRENT_REQUESTS = 32
LOOPBACK_SLOT = {"concurrency": 32, "delay": 0}
DOWNLOAD_SLOTS = {"127.0.0.1": LOOPBACK_SLOT, "localhost": LOOPBACK_SLOT}
# Per-second "Crawled N pages (at X pages/min)" lines, as `scrapy bench` prints them.
LOGSTATS_INTERVAL = 1.0
