"""Where one crawl keeps its shared state in Redis, and which crawl a worker belongs to."""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any


def crawl_id(settings: Any, spider: Any) -> str:
    """NEWSMON_CRAWL_ID, else the spider's run scope (`apa:en`): every worker started with the same
    spider and editions joins the same crawl. A scheduler that starts crawls of one scope on
    overlapping schedules gives each its own id."""
    return settings.get("NEWSMON_CRAWL_ID") or spider.run_scope


def worker_id() -> str:
    """Unique among all workers of all hosts: host, process and a random part (a pid is reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class CrawlKeys:
    crawl: str

    def _key(self, what: str) -> str:
        # The {crawl} hash tag keeps a crawl's keys on one Redis Cluster node: its scripts touch several.
        return f"newsmon:{{{self.crawl}}}:{what}"

    @property
    def requests(self) -> str:  # ZSET: scrapy-redis's priority queue
        return self._key("requests")

    @property
    def fingerprints(self) -> str:  # SET: scrapy-redis's duplicate filter
        return self._key("fingerprints")

    @property
    def leases(self) -> str:  # ZSET: lease id -> expiry (ms, server clock)
        return self._key("leases")

    @property
    def leased(self) -> str:  # HASH: lease id -> "<score>\n<request>"
        return self._key("leased")

    @property
    def seed(self) -> str:  # STRING: the id of the worker whose start requests seeded the crawl
        return self._key("seed")

    @property
    def requested(self) -> str:  # SET: article URLs requested (newsmon.spiders.base.RequestedUrls)
        return self._key("requested")

    @property
    def reaped(self) -> str:  # counter: leases that expired and went back to the queue
        return self._key("reaped")

    def all(self) -> list[str]:
        return [self.requests, self.fingerprints, self.leases, self.leased, self.seed, self.requested, self.reaped]


def host_key(netloc: str) -> str:
    """The shared politeness state of one host (all crawls of all outlets share it): its turn
    (a string) and, under `<key>:slots`, its requests in flight."""
    return f"newsmon:host:{netloc}"
