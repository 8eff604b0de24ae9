"""Production: MongoDB from $NEWSMON_STORE (required), no cache, logs at INFO."""
from settings.base import *  # noqa: F403

# No embedded default: a store must be given ($NEWSMON_STORE, -s NEWSMON_STORE=…, --store).
# Checked where a store is opened (newsmon.store.store_uri_setting), not here, so that
# `newsmon stats --store …` works without the variable.
NEWSMON_STORE = os.environ.get("NEWSMON_STORE", "")  # noqa: F405
NEWSMON_STORE_REQUIRED = True
HTTPCACHE_ENABLED = False
