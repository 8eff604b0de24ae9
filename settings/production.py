"""Production: MongoDB from $NEWSMON_STORE (required), no cache, logs at INFO."""
from settings.base import *  # noqa: F403

NEWSMON_STORE = os.environ.get("NEWSMON_STORE", "")  # noqa: F405
if not NEWSMON_STORE:
    raise RuntimeError(
        "settings.production needs NEWSMON_STORE, e.g. mongodb://mongo:27017/newsmon or mongodb+srv://…"
    )
HTTPCACHE_ENABLED = False
