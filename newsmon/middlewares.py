"""Downloader middleware for polite, robust crawling, and short names for download failures.

`failure_kind` gives every way a download can fail one stat name (`http_404`, `http_5xx`,
`timeout`, `dns`, ...): the retry middleware counts retries under `newsmon/retry/<kind>` and
spiders count final failures under `newsmon/<spider>/<kind>`.
"""
from __future__ import annotations

import random

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.asyncio import sleep
from twisted.internet.error import ConnectError, ConnectionDone, ConnectionLost

# Checked in order, after HttpError (itself an IgnoreRequest), which failure_kind handles first.
_EXCEPTION_KINDS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, TimeoutError), "timeout"),
    (CannotResolveHostError, "dns"),
    ((DownloadConnectionRefusedError, ConnectError), "connection_refused"),
    ((ResponseDataLossError, DownloadFailedError, ConnectionLost, ConnectionDone), "connection_lost"),
    (DownloadCancelledError, "cancelled"),  # DOWNLOAD_MAXSIZE exceeded, among others
    (IgnoreRequest, "ignored"),  # robots.txt, offsite
)


# Every name failure_kind returns, besides the open-ended `http_<status>`.
FAILURE_KINDS = (*dict.fromkeys(kind for _, kind in _EXCEPTION_KINDS), "http_5xx", "download_error")


def status_kind(status: int) -> str:
    """`http_5xx` for any server error (they all mean "try later"), else `http_<status>`."""
    return "http_5xx" if 500 <= status <= 599 else f"http_{status}"


def failure_kind(error: BaseException) -> str:
    """The stat name for a failed download or a filtered non-2xx response."""
    if isinstance(error, HttpError):
        return status_kind(error.response.status)
    for types, kind in _EXCEPTION_KINDS:
        if isinstance(error, types):
            return kind
    return "download_error"


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, but a retry waits `RETRY_BACKOFF_BASE * 2**(n-1)` seconds
    (jittered, at most `RETRY_BACKOFF_MAX`; a server's `Retry-After` is honoured within that cap).

    Scrapy retries at once, which hits a struggling server again straight away. The wait happens
    here, in the download path of the failed request only: other requests go on meanwhile.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait_before(result, status_kind(response.status), _retry_after(response))
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait_before(result, failure_kind(exception), None)
        return result

    async def _wait_before(self, retry: Request, kind: str, retry_after: float | None) -> None:
        self.crawler.stats.inc_value(f"newsmon/retry/{kind}")
        attempt = retry.meta["retry_times"]
        delay = self.backoff_base * 2 ** (attempt - 1) * random.uniform(0.75, 1.25)
        await sleep(min(max(delay, retry_after or 0.0), self.backoff_max))


def _retry_after(response: Response) -> float | None:
    """Seconds from a `Retry-After: <seconds>` header (the HTTP-date form is ignored)."""
    value = response.headers.get(b"Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None
