"""Distributed mode: any number of `scrapy crawl <site>` workers, on any hosts, share one
frontier and one duplicate filter in Redis (scrapy-redis), one store, and each site's politeness.

Switched on by NEWSMON_REDIS_URL (environment or `-s`); without it nothing changes. The add-on
`DistributedMode` (ADDONS in settings/base.py) then installs:
- `frontier.SharedScheduler`: scrapy-redis's scheduler with leased requests (at-least-once), one
  seeding per crawl and a crawl end decided for all workers;
- `middlewares.LeaseSpiderMiddleware`, `middlewares.LeaseDownloaderMiddleware`: when a leased
  request's work is done (`leases.LeaseBook`);
- `middlewares.SharedHostConcurrencyMiddleware`, `middlewares.SharedPolitenessMiddleware`: per
  host, the requests in flight and a minimum interval, over all workers, in Redis.
See docs/distributed.md.
"""
from __future__ import annotations

from scrapy.settings import BaseSettings

# Orders: the lease middlewares outermost, so that they see what every other one let through;
# politeness innermost, after HTTP cache (900: a cached page costs the site nothing) and
# after anything that may refuse the request (robots.txt, a blocked site).
LEASE_SPIDER_MIDDLEWARE_ORDER = 10
LEASE_DOWNLOADER_MIDDLEWARE_ORDER = 10
HOST_CONCURRENCY_MIDDLEWARE_ORDER = 940  # a slot first, then the host's turn
POLITENESS_MIDDLEWARE_ORDER = 950


class DistributedMode:
    """The add-on: with NEWSMON_REDIS_URL set, the shared frontier and its middlewares."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("NEWSMON_REDIS_URL"):
            return
        from newsmon.distributed.frontier import SharedScheduler
        from newsmon.distributed.middlewares import (
            LeaseDownloaderMiddleware,
            LeaseSpiderMiddleware,
            SharedHostConcurrencyMiddleware,
            SharedPolitenessMiddleware,
        )

        settings.set("SCHEDULER", SharedScheduler, "addon")
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", LeaseSpiderMiddleware, LEASE_SPIDER_MIDDLEWARE_ORDER)
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", LeaseDownloaderMiddleware, LEASE_DOWNLOADER_MIDDLEWARE_ORDER
        )
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", SharedHostConcurrencyMiddleware, HOST_CONCURRENCY_MIDDLEWARE_ORDER
        )
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", SharedPolitenessMiddleware, POLITENESS_MIDDLEWARE_ORDER
        )
