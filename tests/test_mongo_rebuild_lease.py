"""One process rebuilds the story index on MongoDB: a lease in `meta`, on the real test server."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from pymongo import MongoClient

from newsmon.store.mongo import MongoStore
from store_backends import database_of_its_own


@pytest.fixture
def client(mongo_uri: str) -> Iterator[MongoClient]:
    with database_of_its_own(mongo_uri) as client:
        yield client


def store_on(client: MongoClient) -> MongoStore:
    database = client.get_default_database().name
    address = "%s:%d" % client.address
    return MongoStore(f"mongodb://{address}/{database}", client=client)


def test_a_second_rebuilder_waits_for_the_first_to_release_the_lease(client):
    first, second = store_on(client), store_on(client)
    events: list[str] = []
    holding = threading.Event()

    def rebuild(store: MongoStore, name: str, hold: float) -> None:
        with store.story_index_rebuild():
            events.append(f"{name} in")
            holding.set()
            time.sleep(hold)
            events.append(f"{name} out")

    one = threading.Thread(target=rebuild, args=(first, "first", 1.5))
    one.start()
    assert holding.wait(10)
    two = threading.Thread(target=rebuild, args=(second, "second", 0))
    two.start()
    one.join(30)
    two.join(30)
    assert events == ["first in", "first out", "second in", "second out"]
    assert client.get_default_database()["meta"].find_one({"_id": "story_index_rebuild"}) is None


def test_a_lease_its_holder_let_expire_is_taken_over(client):
    expired = datetime.now(timezone.utc) - timedelta(minutes=1)
    client.get_default_database()["meta"].insert_one({"_id": "story_index_rebuild", "owner": "gone", "expires": expired})
    started = time.monotonic()
    with store_on(client).story_index_rebuild():
        pass
    assert time.monotonic() - started < 5
