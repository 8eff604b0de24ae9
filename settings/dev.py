"""Development: the embedded SQLite store; NEWSMON_HTTPCACHE=1 turns on Scrapy's HTTP cache."""
from settings.base import *  # noqa: F403

HTTPCACHE_ENABLED = os.environ.get("NEWSMON_HTTPCACHE", "0") == "1"  # noqa: F405
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 3600
HTTPCACHE_IGNORE_HTTP_CODES = [500, 502, 503, 504, 408, 429]
