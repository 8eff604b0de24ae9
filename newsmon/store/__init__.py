"""Article stores: one interface, an embedded SQLite default and MongoDB for production."""
from newsmon.store.base import (
    DEFAULT_STORE_URI,
    OutageLog,
    Store,
    StoreError,
    StoreUnavailable,
    WriteResult,
    article_key,
    open_store,
    redact_uri,
    resolve_store_uri,
)

__all__ = [
    "DEFAULT_STORE_URI",
    "OutageLog",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "WriteResult",
    "article_key",
    "open_store",
    "redact_uri",
    "resolve_store_uri",
]
