"""A Scrapy extension for tests: which thread made each store call of a crawl.

Enabled with EXTENSIONS; writes `[method, thread name]` pairs as JSON to the file named by
$NEWSMON_STORE_THREAD_PROBE when the engine stops.
"""
from __future__ import annotations

import functools
import json
import os
import threading
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newsmon.store.base import Store
from newsmon.store.sqlite import SQLiteStore

# Every method of the Store interface (its public API).
STORE_METHODS = sorted(name for name, value in vars(Store).items() if callable(value) and not name.startswith("_"))


class StoreThreadProbe:
    def __init__(self, path: str) -> None:
        self.path = path
        self.calls: list[tuple[str, str]] = []
        for name in STORE_METHODS:
            setattr(SQLiteStore, name, self._recording(name, getattr(SQLiteStore, name)))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StoreThreadProbe":
        probe = cls(os.environ["NEWSMON_STORE_THREAD_PROBE"])
        crawler.signals.connect(probe.write, signal=signals.engine_stopped)
        return probe

    def _recording(self, name: str, method: Any) -> Any:
        @functools.wraps(method)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, threading.current_thread().name))
            return method(*args, **kwargs)

        return recorded

    def write(self) -> None:
        with open(self.path, "w", encoding="utf-8") as file:
            json.dump(self.calls, file)
