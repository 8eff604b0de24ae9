"""The Redis client of a worker: NEWSMON_REDIS_URL, short timeouts so an outage is an error
within seconds rather than a hang (scrapy-redis's defaults wait 30 s per call)."""
from __future__ import annotations

from typing import Any

import redis

from newsmon.store.base import redact_uri


def redis_client(settings: Any) -> redis.Redis:
    url = settings.get("NEWSMON_REDIS_URL")
    timeout = settings.getfloat("NEWSMON_REDIS_TIMEOUT", 5.0)
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30)
    try:
        client.ping()
    except redis.RedisError as error:
        raise RedisUnavailable(f"Redis at {redact_uri(url)} is unreachable: {error}") from None
    return client


class RedisUnavailable(RuntimeError):
    """The shared frontier's Redis did not answer at start; the message is the one line to log."""
