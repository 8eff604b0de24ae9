"""`scrapy crawl`, exiting with EXIT_MONITORS_FAILED when a spider-close monitor failed.

Scrapy's own command exits 0 whatever the monitors found; schedulers (newsmon schedule, cron,
Kubernetes, systemd) only see the exit status.
"""
from __future__ import annotations

import argparse

from scrapy import Spider
from scrapy.commands import crawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from newsmon.distributed.redis_client import RedisUnavailable, redis_client
from newsmon.monitoring import EXIT_MONITORS_FAILED, MONITORS_FAILED_STAT
from newsmon.spiders.base import NewsSpider, SpiderArgumentError
from newsmon.store import StoreError, store_uri_setting


class Command(crawl.Command):
    crawler: Crawler | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        # Keep the crawler: the process forgets it once the crawl is over.
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            store_uri_setting(self.settings)  # a missing store is a usage error, not a traceback mid-start
        except StoreError as exc:
            raise UsageError(str(exc), print_help=False) from None
        if self.settings.get("NEWSMON_REDIS_URL"):
            try:  # distributed mode: an unreachable Redis is one line, not a traceback mid-start
                redis_client(self.settings).close()
            except RedisUnavailable as exc:
                raise UsageError(str(exc), print_help=False) from None
        if args:
            self._check_spider_arguments(args[0], opts.spargs)
        super().run(args, opts)
        if self.exitcode == 0 and self.crawler is not None and self.crawler.stats.get_value(MONITORS_FAILED_STAT):
            self.exitcode = EXIT_MONITORS_FAILED

    def _check_spider_arguments(self, name: str, arguments: dict[str, str]) -> None:
        """`-a editions=de` and the like: one line saying what would work, not a traceback
        from inside the crawl (the spider is only made here to check them)."""
        try:
            spidercls = self.crawler_process.spider_loader.load(name)
        except KeyError:
            return  # Scrapy's own message names the spiders there are
        if issubclass(spidercls, NewsSpider):
            try:
                spidercls(**arguments)
            except SpiderArgumentError as exc:
                raise UsageError(str(exc), print_help=False) from None
