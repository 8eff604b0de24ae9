"""Alert delivery to a webhook: JSON POSTs from a background thread, never holding up the crawl.

`AlertWebhook.send` only puts the alert in a bounded queue; one thread posts them in order,
retrying a failed POST with exponential backoff. A full queue (the receiver has been down
for a long time) drops the alert rather than block, counted. `close` gives the thread
`close_timeout` seconds to deliver what is queued, then abandons the rest, counted: a crawl
or load with a receiver that is down still ends within that time. The alerts are in the store
whatever happens to their delivery (newsmon.chain.WatchStep records them first).

Stats: `newsmon/watch/webhook_sent`, `webhook_retried` (attempts that failed and were tried
again), `webhook_failed` (alerts given up after every attempt), `webhook_dropped` (the queue
was full), `webhook_unsent` (still queued when `close` gave up).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from newsmon.monitoring.webhook import post_json
from newsmon.store.base import redact_uri

logger = logging.getLogger(__name__)

STATS_PREFIX = "newsmon/watch"
_STOP = object()


def webhook_for_logs(url: str) -> str:
    """The webhook URL as logs show it: credentials redacted (redact_uri), and the path too,
    since webhook services put their secret token there (`/hooks/T0/B0/XXXX`)."""
    parts = urlsplit(url)
    shown = f"{parts.scheme}://{parts.netloc}{'/***' if parts.path.strip('/') else ''}"
    return redact_uri(shown + (f"?{parts.query}" if parts.query else ""))


class AlertWebhook:
    def __init__(
        self,
        url: str,
        stats: Any,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        timeout: float = 5.0,
        queue_size: int = 1000,
        close_timeout: float = 10.0,
    ) -> None:
        """`attempts` POSTs per alert, `backoff` seconds before the second, doubled after each;
        `timeout` per POST; `close_timeout`: how long `close` waits for the queue to empty."""
        self.url = url
        self.shown_url = webhook_for_logs(url)
        self.stats = stats
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
        self.close_timeout = close_timeout
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=queue_size)
        self.abandon = threading.Event()  # set by close() when its time is up
        self.stats_lock = threading.Lock()  # Scrapy's stats collector is a plain dict
        self.thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], stats: Any) -> "AlertWebhook | None":
        """From NEWSMON_WATCH_WEBHOOK (None when unset) and NEWSMON_WATCH_WEBHOOK_{ATTEMPTS,BACKOFF,TIMEOUT,QUEUE,CLOSE_TIMEOUT}
        (defaults: those of `__init__`)."""
        settings = settings if isinstance(settings, BaseSettings) else BaseSettings(settings)
        url = settings.get("NEWSMON_WATCH_WEBHOOK") or ""
        if not url:
            return None
        return cls(
            url,
            stats,
            attempts=settings.getint("NEWSMON_WATCH_WEBHOOK_ATTEMPTS", 4),
            backoff=settings.getfloat("NEWSMON_WATCH_WEBHOOK_BACKOFF", 0.5),
            timeout=settings.getfloat("NEWSMON_WATCH_WEBHOOK_TIMEOUT", 5.0),
            queue_size=settings.getint("NEWSMON_WATCH_WEBHOOK_QUEUE", 1000),
            close_timeout=settings.getfloat("NEWSMON_WATCH_WEBHOOK_CLOSE_TIMEOUT", 10.0),
        )

    def count(self, what: str, n: int = 1) -> None:
        with self.stats_lock:
            self.stats.inc_value(f"{STATS_PREFIX}/{what}", n)

    def send(self, payload: dict[str, Any]) -> None:
        """Queue one alert for delivery; returns at once."""
        if self.thread is None:
            self.thread = threading.Thread(target=self._deliver_all, name="newsmon-alert-webhook", daemon=True)
            self.thread.start()
        try:
            self.queue.put_nowait(payload)
        except queue.Full:
            self.count("webhook_dropped")
            logger.error("alert webhook %s: %d alerts waiting, alert for story %s not sent",
                         self.shown_url, self.queue.maxsize, payload.get("story_id"))  # fmt: skip

    def close(self) -> None:
        """Deliver what is queued within `close_timeout` seconds; count and log what is left."""
        if self.thread is None:
            return
        deadline = time.monotonic() + self.close_timeout
        while True:  # the stop mark must get in even when the queue is full
            try:
                self.queue.put(_STOP, timeout=max(0.0, deadline - time.monotonic()))
                break
            except queue.Full:
                if time.monotonic() >= deadline:
                    break
        self.thread.join(max(0.0, deadline - time.monotonic()))
        if self.thread.is_alive():
            self.abandon.set()  # the thread stops retrying and leaves the rest of the queue
            self.thread.join(self.timeout + 1)
        unsent = sum(1 for payload in self._drain() if payload is not _STOP)
        if unsent:
            self.count("webhook_unsent", unsent)
            logger.error("alert webhook %s: %d alerts not sent within %gs at close (they are in the store)",
                         self.shown_url, unsent, self.close_timeout)  # fmt: skip

    def _drain(self) -> list[Any]:
        left = []
        while True:
            try:
                left.append(self.queue.get_nowait())
            except queue.Empty:
                return left

    def _deliver_all(self) -> None:
        while not self.abandon.is_set():
            payload = self.queue.get()
            if payload is _STOP:
                return
            self._deliver(payload)

    def _deliver(self, payload: dict[str, Any]) -> None:
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                post_json(self.url, payload, self.timeout, "newsmon-watch")
                self.count("webhook_sent")
                return
            except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts; ValueError: bad URL
                error = exc
            if attempt == self.attempts or self.abandon.wait(delay):
                break
            self.count("webhook_retried")
            delay *= 2
        self.count("webhook_failed")
        logger.error("alert webhook %s failed for story %s after %d attempts: %s",
                     self.shown_url, payload.get("story_id"), attempt, error)  # fmt: skip
