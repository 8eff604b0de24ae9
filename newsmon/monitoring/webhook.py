"""Alert webhooks: a JSON POST that can never hold up or crash the crawl."""
from __future__ import annotations

import json
import logging
import threading
import urllib.request
from typing import Any
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0


def post_json_in_background(url: str, payload: dict[str, Any], timeout: float = TIMEOUT_SECONDS) -> threading.Thread:
    """POST `payload` as JSON from a new thread; failures are logged, never raised.

    The thread is not a daemon: the crawl goes on closing meanwhile, and the process still
    waits for the (time-limited) request before it exits, so the alert is not lost.
    """
    thread = threading.Thread(target=_post, args=(url, payload, timeout), name="newsmon-webhook")
    thread.start()
    return thread


def post_json(url: str, payload: dict[str, Any], timeout: float, user_agent: str) -> int:
    """POST `payload` as JSON; the HTTP status. Raises OSError (URLError, HTTPError for a status
    of 400 or more, timeouts) or ValueError (a bad URL)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": user_agent},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


def _post(url: str, payload: dict[str, Any], timeout: float) -> None:
    # Webhook URLs often carry a secret token in the path: only the host is logged.
    host = urlsplit(url).netloc or "(no host)"
    try:
        status = post_json(url, payload, timeout, "newsmon-monitor")
        logger.info("monitor webhook %s answered HTTP %s", host, status)
    except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts; ValueError: bad URL
        logger.error("monitor webhook %s failed: %s", host, exc)
