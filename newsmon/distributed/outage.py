"""A Redis outage as a worker sees it: one error line when it starts, one when it ends, a
counter per failed call, and how long it has lasted (a worker gives up after
NEWSMON_REDIS_OUTAGE_SECONDS: its leases expire and other workers take its requests)."""
from __future__ import annotations

import logging
import time

from scrapy.crawler import Crawler

from newsmon.store.base import redact_text, redact_uri

logger = logging.getLogger(__name__)

DEFAULT_OUTAGE_SECONDS = 120.0
# While Redis is down, the engine's frequent calls (next request, pending?) do not each wait
# for a timeout: one call a second tries it again.
RETRY_SECONDS = 1.0
UNAVAILABLE_STAT = "newsmon/distributed/redis_unavailable"


class RedisOutage:
    def __init__(self, crawler: Crawler, url: str) -> None:
        self.stats = crawler.stats
        self.url = redact_uri(url)
        self.limit = crawler.settings.getfloat("NEWSMON_REDIS_OUTAGE_SECONDS", DEFAULT_OUTAGE_SECONDS)
        self.since: float | None = None
        self.last_failure = 0.0
        self.gave_up = False

    def worth_trying(self) -> bool:
        return self.since is None or time.monotonic() - self.last_failure >= RETRY_SECONDS

    def failed(self, error: Exception) -> None:
        self.stats.inc_value(UNAVAILABLE_STAT)
        self.last_failure = time.monotonic()
        if self.since is None:
            self.since = time.monotonic()
            logger.error("Redis at %s unavailable (%s): the shared frontier waits for it", self.url, redact_text(str(error)))

    def answered(self) -> None:
        if self.since is not None:
            logger.warning("Redis at %s answers again after %.1fs", self.url, time.monotonic() - self.since)
            self.since = None

    def too_long(self) -> bool:
        if self.since is not None and time.monotonic() - self.since > self.limit:
            if not self.gave_up:
                logger.error("Redis at %s unavailable for over %gs: this worker stops", self.url, self.limit)
                self.gave_up = True
            return True
        return False
