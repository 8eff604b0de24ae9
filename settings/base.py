"""Settings shared by every profile. Anything deployment-specific comes from the environment."""
import os

from newsmon.exporters import FEED_EXPORTERS
from newsmon.items import ARTICLE_FIELDS
from newsmon.pipelines import item_pipelines_setting

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
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = os.environ.get("NEWSMON_LOG_LEVEL", "INFO")

# clean -> date -> dedupe -> store, the same chain the offline loader runs.
ITEM_PIPELINES = item_pipelines_setting()

# Feeds (`scrapy crawl apa -O items.jsonl`): the schema's fields, times with their offset.
FEED_EXPORTERS = FEED_EXPORTERS
FEED_EXPORT_FIELDS = list(ARTICLE_FIELDS)
FEED_EXPORT_ENCODING = "utf-8"

# newsmon's own settings.
NEWSMON_STORE = os.environ.get("NEWSMON_STORE", "sqlite:///data/newsmon.db")
NEWSMON_BATCH_SIZE = 500
NEWSMON_FLUSH_SECONDS = 5.0
NEWSMON_DEFAULT_TIMEZONE = "Asia/Baku"
NEWSMON_SITE_TIMEZONES = {}
