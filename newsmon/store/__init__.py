"""Article stores: one interface, an embedded SQLite default and MongoDB for production."""
from newsmon.store.base import (
    ALIAS,
    DEFAULT_STORE_URI,
    OutageLog,
    RememberedUrl,
    Store,
    StoreError,
    StoreUnavailable,
    WriteResult,
    article_key,
    open_store,
    redact_uri,
    resolve_store_uri,
    store_uri_setting,
)

__all__ = [
    "ALIAS",
    "DEFAULT_STORE_URI",
    "OutageLog",
    "RememberedUrl",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "WriteResult",
    "article_key",
    "open_store",
    "redact_uri",
    "resolve_store_uri",
    "store_uri_setting",
]
