"""Test doubles and helpers for the store backends, shared by the store tests and bench/bench_store.py.

mongomock 4.3.0 (the latest release) predates pymongo 4.10, whose `UpdateOne` passes a `sort`
argument to the bulk builder that mongomock's `add_update` does not accept
(mongomock/mongomock#912). `mongomock_client()` teaches it that argument: an update without a
sort behaves as before, one with a sort raises NotImplementedError like any unsupported feature.
The patch sits here, on the test side: the store itself has no code for mongomock.
"""
from __future__ import annotations

import functools
import inspect
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import mongomock
from mongomock.collection import BulkOperationBuilder
from pymongo import MongoClient

TEST_MONGO_URI_ENV = "NEWSMON_TEST_MONGO_URI"
MOCK_URI = "mongodb://localhost:27017/newsmon_test"
COLLECTION_OPTIONS = (
    "articles_collection", "revisions_collection", "bands_collection", "sketches_collection", "runs_collection",
    "seen_collection", "meta_collection", "watchlists_collection", "alerts_collection",
)
# The MongoStore attributes holding its collections.
COLLECTION_ATTRIBUTES = (
    "articles", "revisions_collection", "bands", "sketches", "runs", "seen", "meta", "watchlists_collection", "alerts_collection",
)


def _accept_sort(add_update: Any) -> Any:
    @functools.wraps(add_update)
    def add_update_with_sort(self: Any, *args: Any, sort: Any = None, **kwargs: Any) -> Any:
        if sort is not None:
            raise NotImplementedError("mongomock: bulk updates with a sort are not supported")
        return add_update(self, *args, **kwargs)

    return add_update_with_sort


def _patch_mongomock() -> None:
    if "sort" not in inspect.signature(BulkOperationBuilder.add_update, follow_wrapped=False).parameters:
        BulkOperationBuilder.add_update = _accept_sort(BulkOperationBuilder.add_update)


def mongomock_client(uri: str = MOCK_URI) -> mongomock.MongoClient:
    """An in-process fake MongoDB client whose default database is the one `uri` names."""
    _patch_mongomock()
    return mongomock.MongoClient(uri)


def real_mongo_uri() -> str | None:
    return os.environ.get(TEST_MONGO_URI_ENV) or None


def with_database(uri: str, name: str) -> str:
    """`uri` naming database `name` instead of its own (options kept)."""
    return urlunsplit(urlsplit(uri)._replace(path=f"/{name}"))


@contextmanager
def uri_of_its_own(uri: str) -> Iterator[str]:
    """`uri` naming a new database of the same server, dropped at the end."""
    own = with_database(uri, f"t{uuid.uuid4().hex[:12]}")
    try:
        yield own
    finally:
        with MongoClient(own, serverSelectionTimeoutMS=3000) as client:
            client.drop_database(client.get_default_database().name)


@contextmanager
def database_of_its_own(uri: str) -> Iterator[MongoClient]:
    """A client of the server `uri` names whose default database is a new one, dropped at the end."""
    with uri_of_its_own(uri) as own, MongoClient(own, serverSelectionTimeoutMS=3000) as client:
        yield client


def drop_collections(store: Any) -> None:
    for name in COLLECTION_ATTRIBUTES:
        getattr(store, name).drop()


def unique_collections() -> dict[str, str]:
    """Collection names of their own, so that tests sharing a real database do not meet."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    return {option: f"{prefix}_{option.split('_')[0]}" for option in COLLECTION_OPTIONS}
