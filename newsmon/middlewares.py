"""Downloader middleware for polite, robust crawling, and short names for download failures.

`BlockedSiteMiddleware` takes a 403, a 429 or a challenge page as the site refusing us: the
request fails as `blocked`, and no other request goes to that host for the rest of the run.

`failure_kind` gives every way a download can fail one stat name (`http_404`, `http_5xx`,
`timeout`, `dns`, ...): the retry middleware counts retries under `newsmon/retry/<kind>` and
spiders count final failures under `newsmon/<spider>/<kind>`.
"""
from __future__ import annotations

import logging
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
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import ConnectError, ConnectionDone, ConnectionLost

logger = logging.getLogger(__name__)


class SiteBlocked(IgnoreRequest):
    """The site refused us (403, 429, a challenge page); its host is not asked again this run."""


# Checked in order, after HttpError (itself an IgnoreRequest), which failure_kind handles first.
_EXCEPTION_KINDS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (SiteBlocked, "blocked"),
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


# Statuses with which a site says it will not serve this client (rate limit included: we are
# already throttled, so a 429 means the site wants us gone for now, not a faster retry).
BLOCKING_STATUSES = frozenset({403, 429})
# What challenge pages (Cloudflare and the like) carry, in headers or the first bytes of the body.
_CHALLENGE_HEADER = b"cf-mitigated"
_CHALLENGE_MARKERS = (b"challenge-platform", b"cf-chl-", b"<title>just a moment...</title>", b"attention required! | cloudflare")


def blocked_by(response: Response) -> str:
    """Why a response means the site blocks us (`http_403`, `http_429`, `challenge`), "" when it doesn't."""
    head = response.body[:4096].lower()
    if response.headers.get(_CHALLENGE_HEADER) or any(marker in head for marker in _CHALLENGE_MARKERS):
        return "challenge"
    return status_kind(response.status) if response.status in BLOCKING_STATUSES else ""


class BlockedSiteMiddleware:
    """A site that blocks us is reported and left alone, never worked around.

    The first blocking answer from a host is logged once as a warning and counted under
    `newsmon/blocked/<why>`; that request fails with SiteBlocked (the spider counts it as
    `blocked`) and every later request to the host in this run fails the same way before it is
    sent. The next scheduled run tries again, once; there is no retry loop and no disguise.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.blocked: dict[str, str] = {}  # host -> why

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BlockedSiteMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).netloc
        if host in self.blocked:
            raise SiteBlocked(f"{host} blocked this crawler earlier in the run ({self.blocked[host]}): not asked again")

    def process_response(self, request: Request, response: Response) -> Response:
        why = blocked_by(response)
        if not why:
            return response
        host = urlparse_cached(request).netloc
        if host not in self.blocked:
            self.blocked[host] = why
            self.crawler.stats.inc_value(f"newsmon/blocked/{why}")
            logger.warning("blocked (%s) by %s at %s: no more requests to it in this run", why, host, request.url)
        raise SiteBlocked(f"{host} answered {why} at {request.url}")
