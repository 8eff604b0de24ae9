"""The story index on MongoDB: a document per band key and one sketch per story, on the real
test server."""
from __future__ import annotations

import threading

from pymongo import ASCENDING

from newsmon.stories import StoryParams, ensure_index_format
from test_mongo_rebuild_lease import client, store_on  # noqa: F401 (fixture)
from test_store_contract import article


def test_a_band_key_is_one_document_listing_its_stories(client):
    store = store_on(client)
    store.add_stories([("s1", b"one", [1, 2]), ("s1", b"ignored", [3])])
    store.add_stories([("s1", b"later", [2, 4]), ("s2", b"two", [2])])  # key 2 is shared: s2 joins it
    database = client.get_default_database()
    assert {d["_id"]: sorted(d["stories"]) for d in database.story_bands.find()} == {
        1: ["s1"], 2: ["s1", "s2"], 3: ["s1"], 4: ["s1"],
    }  # fmt: skip
    assert {d["_id"]: d["sketch"] for d in database.story_sketches.find()} == {"s1": b"one", "s2": b"two"}
    assert store.story_candidates([2, 4, 9]) == {"s1": 2, "s2": 1}


def test_an_index_of_the_pair_layout_is_rebuilt_and_its_unique_index_dropped(client):
    database = client.get_default_database()
    params = StoryParams()
    store = store_on(client)
    store.upsert_many([article(1, story_id="story-1"), article(2, story_id="story-2")])
    # What the store wrote before a document per band key: one per (band, story) pair, unique on
    # the pair, and the format recorded without a layout.
    database.story_bands.create_index([("band_key", ASCENDING), ("story_id", ASCENDING)], unique=True, name="band_story")
    database.story_bands.insert_one({"band_key": 7, "story_id": "story-1"})
    database.meta.insert_one({"_id": "story_index_format", "value": params.index_format})

    assert store.story_index_format() == ""  # an index of another layout is no index
    assert ensure_index_format(store, params) == 2  # would fail on the old unique index of (null, null)
    assert store.story_index_format() == params.index_format
    assert "band_story" not in database.story_bands.index_information()
    assert set(store.story_sketches(["story-1", "story-2"])) == {"story-1", "story-2"}


def test_a_key_taken_by_another_process_at_the_same_moment_keeps_both_stories(client, monkeypatch):
    store = store_on(client)
    bulk = store._bulk
    calls: list[tuple[str, int]] = []

    def lose_the_first_race(collection, requests, *, ordered):
        calls.append((collection.name, len(requests)))
        if collection.name == "story_bands" and len(calls) == 2:
            # The other process inserts the same new key first; ours fails on the duplicate _id.
            store_on(client).add_stories([("theirs", b"theirs", [1])])
            return bulk(collection, requests, ordered=ordered) | {0}
        return bulk(collection, requests, ordered=ordered)

    monkeypatch.setattr(store, "_bulk", lose_the_first_race)
    store.add_stories([("ours", b"ours", [1, 2])])
    assert calls == [("story_sketches", 1), ("story_bands", 2), ("story_bands", 1)]  # only the collision again
    assert store.story_candidates([1, 2]) == {"ours": 2, "theirs": 1}


def test_writers_adding_the_same_stories_together_lose_no_band(client):
    stores = [store_on(client) for _ in range(4)]
    start = threading.Barrier(len(stores))

    def add(n: int) -> None:
        start.wait()
        stores[n].add_stories([(f"s{i}", f"sketch {n}".encode(), [1000 * n + i, i]) for i in range(30)])

    threads = [threading.Thread(target=add, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every_band = [1000 * n + i for n in range(len(stores)) for i in range(30)]
    assert stores[0].story_candidates(every_band) == {f"s{i}": len(stores) for i in range(30)}
    assert stores[0].story_candidates(list(range(30))) == {f"s{i}": 1 for i in range(30)}  # shared pairs once
    sketches = stores[0].story_sketches([f"s{i}" for i in range(30)])
    assert len(sketches) == 30 and set(sketches.values()) <= {f"sketch {n}".encode() for n in range(len(stores))}
