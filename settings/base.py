"""Settings shared by every profile. Anything deployment-specific comes from the environment."""
import os

from newsmon.config import env_json_setting
from newsmon.dates import DEFAULT_TZ
from newsmon.exporters import FEED_EXPORTERS
from newsmon.items import ARTICLE_FIELDS
from newsmon.pipelines import item_pipelines_setting
from newsmon.sites import REGISTRY
from newsmon.spiders.base import DEFAULT_RECHECK_DROPPED_AFTER
from newsmon.stories import StoryParams

BOT_NAME = "newsmon"
SPIDER_MODULES = ["newsmon.spiders"]
NEWSPIDER_MODULE = "newsmon.spiders"

# Politeness: an honest user agent, robots.txt, few parallel requests per site, AutoThrottle.
USER_AGENT = "newsmon/0.1 (+https://github.com/newsmon/newsmon; South Caucasus news monitor)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
# Retries wait 1 s, 2 s, 4 s (jittered, at most 60 s) instead of hitting the site again at once.
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsmon.middlewares.BackoffRetryMiddleware": 550,
    # Before retries see the answer: a site that blocks us is not asked again (see the class).
    "newsmon.middlewares.BlockedSiteMiddleware": 560,
}
# `@public_url` lets `scrapy check apa -a editions=en -a base_url=...` check a mirror offline.
SPIDER_CONTRACTS = {"newsmon.spiders.base.PublicUrlContract": 10}
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's RemoteControl runs Python sent to it over HTTP and writes its token under the user's
# home: off like the telnet console; `-s REMOTE_CONTROL_ENABLED=True` turns it on for one run.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = os.environ.get("NEWSMON_LOG_LEVEL", "INFO")

# clean -> date -> dedupe -> story -> store, the same chain the offline loader runs.
ITEM_PIPELINES = item_pipelines_setting()

# Feeds (`scrapy crawl apa -O items.jsonl`): the schema's fields, times with their offset.
FEED_EXPORTERS = FEED_EXPORTERS
FEED_EXPORT_FIELDS = list(ARTICLE_FIELDS)
FEED_EXPORT_ENCODING = "utf-8"

# newsmon's own settings.
NEWSMON_STORE = os.environ.get("NEWSMON_STORE", "sqlite:///data/newsmon.db")
# Keyword options of the store backend (newsmon.store.open_store), e.g. for MongoDB collection
# names or {"retry_attempts": 3, "retry_backoff": 0.5, "breaker_seconds": 30}; see docs/mongodb.md.
NEWSMON_STORE_OPTIONS = env_json_setting("NEWSMON_STORE_OPTIONS", {})
# Batches written while the store is unreachable; each store has a subdirectory of its own.
NEWSMON_SPOOL_DIR = os.environ.get("NEWSMON_SPOOL_DIR", "data/spool")
# Pages dropped for good (404, no date, ...) are not fetched again for this long (seconds; None:
# never again). Aliases (a listing link that led to an article stored under another URL) never expire.
NEWSMON_RECHECK_DROPPED_AFTER = DEFAULT_RECHECK_DROPPED_AFTER
# Outlets whose pages are read by generic extraction (trafilatura + metadata) although they have
# a parser of their own, e.g. `-s NEWSMON_GENERIC_EXTRACTION=apa` while a redesign breaks APA's.
NEWSMON_GENERIC_EXTRACTION: list[str] = []
NEWSMON_BATCH_SIZE = 500
NEWSMON_FLUSH_SECONDS = 5.0
# `newsmon load` writes larger batches: each write rewrites most pages of the story index, so
# fewer writes keep a bulk load fast as the store grows. Much larger ones stall the loader's
# workers while the batch is written (bench: 20,000 documents 2,210/s vs 2,060/s with 500 and
# 1,980/s with 5,000; 100,000 documents 1,850/s vs 1,460/s with 500).
NEWSMON_LOAD_BATCH_SIZE = 2000  # = newsmon.loader.LOAD_BATCH_SIZE, its default outside a project (a test keeps them equal)
NEWSMON_DEFAULT_TIMEZONE = DEFAULT_TZ  # Asia/Baku: page times without an offset are Baku time
NEWSMON_SITE_TIMEZONES = env_json_setting("NEWSMON_SITE_TIMEZONES", {})
# Stories: copies, rewrites and translations of one event (newsmon.stories.sketch.StoryParams
# documents each; tuned on the tuning part of tests/fixtures/stories/events.jsonl and on
# pairs.jsonl). Changing an LSH shape or the window re-indexes the stored stories.
NEWSMON_STORY_COPY_SIMILARITY = StoryParams.copy_similarity
NEWSMON_STORY_WORDING_SIMILARITY = StoryParams.wording_similarity
NEWSMON_STORY_REWRITE_SIMILARITY = StoryParams.rewrite_similarity
NEWSMON_STORY_REWRITE_FIGURES = StoryParams.rewrite_figures
NEWSMON_STORY_FIGURE_OVERLAP = StoryParams.figure_overlap
NEWSMON_STORY_NAME_OVERLAP = StoryParams.name_overlap
NEWSMON_STORY_TRANSLATION_FIGURES = StoryParams.translation_figures
NEWSMON_STORY_TRANSLATION_EVIDENCE = StoryParams.translation_evidence
NEWSMON_STORY_WINDOW_HOURS = StoryParams.window_hours
NEWSMON_STORY_NUM_PERM = StoryParams.num_perm
NEWSMON_STORY_BANDS = StoryParams.bands
NEWSMON_STORY_ANCHOR_PERM = StoryParams.anchor_perm
NEWSMON_STORY_ANCHOR_BANDS = StoryParams.anchor_bands
NEWSMON_STORY_MAX_CANDIDATES = StoryParams.max_candidates

# Crawl monitoring (newsmon.monitoring, docs/scheduling.md). RunRecorder must come after
# Spidermon (extensions run their spider_closed handlers in priority order): it records the
# monitors' results. The crawl command exits with status 3 when a monitor failed.
EXTENSIONS = {
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
    "newsmon.monitoring.recorder.RunRecorder": 510,
}
COMMANDS_MODULE = "newsmon.scrapy_commands"

# Distributed mode (newsmon.distributed, docs/distributed.md): with a Redis URL, every worker
# running `scrapy crawl <site>` shares one frontier, duplicate filter and per-host politeness.
ADDONS = {"newsmon.distributed.DistributedMode": 0}
NEWSMON_REDIS_URL = os.environ.get("NEWSMON_REDIS_URL", "")
# Workers of one crawl share an id: the spider's run scope (apa:en) unless this gives one.
NEWSMON_CRAWL_ID = os.environ.get("NEWSMON_CRAWL_ID", "")
# A request a worker took and did not finish goes to another worker this long after the worker
# stopped renewing it (it renews every third of it while alive).
NEWSMON_LEASE_SECONDS = float(os.environ.get("NEWSMON_LEASE_SECONDS", "60"))
# Requests to one host at least this far apart, over all workers (default: DOWNLOAD_DELAY).
NEWSMON_HOST_INTERVAL_SECONDS = float(os.environ.get("NEWSMON_HOST_INTERVAL_SECONDS", str(DOWNLOAD_DELAY)))
# Requests in flight to one host, over all workers (default: CONCURRENT_REQUESTS_PER_DOMAIN; 0: off).
NEWSMON_HOST_CONCURRENCY = int(os.environ.get("NEWSMON_HOST_CONCURRENCY", str(CONCURRENT_REQUESTS_PER_DOMAIN)))
NEWSMON_REDIS_TIMEOUT = 5.0  # seconds per Redis call
NEWSMON_REDIS_OUTAGE_SECONDS = 120.0  # a worker that cannot reach Redis this long stops
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["newsmon.monitoring.monitors.SpiderCloseMonitors"]
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished"]
SPIDERMON_MAX_ERRORS = 5  # a page given up after retries now and then is normal on a live site
NEWSMON_MONITOR_HISTORY_RUNS = 10
NEWSMON_MONITOR_MIN_HISTORY_RUNS = 3
NEWSMON_MONITOR_MIN_ITEMS_RATIO = 0.5
NEWSMON_MONITOR_FIELD_COVERAGE = env_json_setting(
    "NEWSMON_MONITOR_FIELD_COVERAGE", {"published_at": 1.0, "body": 1.0, "title": 1.0}
)
NEWSMON_MONITOR_WEBHOOK_URL = os.environ.get("NEWSMON_MONITOR_WEBHOOK_URL", "")
# Watchlist alerts (newsmon.alerts): POSTed as JSON to this URL when set.
NEWSMON_WATCH_WEBHOOK = os.environ.get("NEWSMON_WATCH_WEBHOOK", "")
NEWSMON_PROMETHEUS_FILE = os.environ.get("NEWSMON_PROMETHEUS_FILE", "data/metrics/newsmon-{scope}.prom")
# `newsmon schedule`: spider -> seconds between crawls; $NEWSMON_SCHEDULE may give JSON or
# "apa=15m,other=1h".
NEWSMON_SCHEDULE = os.environ.get("NEWSMON_SCHEDULE") or dict.fromkeys(REGISTRY, 15 * 60)
NEWSMON_SCHEDULE_LOCK_DIR = os.environ.get("NEWSMON_SCHEDULE_LOCK_DIR", "data/locks")
