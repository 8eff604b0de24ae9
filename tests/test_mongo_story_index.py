"""The story index on MongoDB: one document per story, on the real test server."""
from __future__ import annotations

import threading

from newsmon.stories import StoryParams, ensure_index_format
from test_mongo_rebuild_lease import client, store_on  # noqa: F401 (fixture)
from test_store_contract import article


def test_a_story_is_one_document_with_its_sketch_and_bands(client):
    store = store_on(client)
    store.add_stories([("s1", b"one", [1, 2]), ("s1", b"ignored", [3])])
    store.add_stories([("s1", b"later", [2, 4])])
    (document,) = client.get_default_database().story_index.find()
    assert (document["_id"], document["sketch"], sorted(document["bands"])) == ("s1", b"one", [1, 2, 3, 4])


def test_stories_of_the_old_layout_are_rebuilt_and_its_collections_dropped(client):
    database = client.get_default_database()
    params = StoryParams()
    store = store_on(client)
    stored = article(1, story_id="story-1")
    store.upsert_many([stored])
    # What the store before one-document-per-story left: a document per band, the format recorded.
    database.story_bands.insert_one({"band_key": 7, "story_id": "story-1"})
    database.story_sketches.insert_one({"_id": "story-1", "sketch": b"old"})
    database.meta.insert_one({"_id": "story_index_format", "value": params.index_format})

    assert store.story_index_format() == ""  # an index of another layout is no index
    assert ensure_index_format(store, params) == 1
    assert store.story_index_format() == params.index_format
    assert {"story_bands", "story_sketches"}.isdisjoint(database.list_collection_names())
    assert list(store.story_sketches(["story-1"])) == ["story-1"]


def test_a_story_inserted_by_another_process_at_the_same_moment_keeps_both_bands(client, monkeypatch):
    store = store_on(client)
    bulk = store._bulk
    calls: list[int] = []

    def lose_the_first_race(collection, requests, *, ordered):
        calls.append(len(requests))
        if len(calls) == 1:
            # The other process's upsert of the same new story lands first; ours, as MongoDB
            # answers a concurrent upsert, fails on the duplicate _id.
            store_on(client).add_stories([("s1", b"theirs", [1])])
            bulk(collection, requests[1:], ordered=ordered)
            return {0}, set()
        return bulk(collection, requests, ordered=ordered)

    monkeypatch.setattr(store, "_bulk", lose_the_first_race)
    store.add_stories([("s1", b"ours", [2]), ("s2", b"two", [3])])
    assert calls == [2, 1]  # only the one that collided is tried again
    assert store.story_candidates([1, 2, 3]) == {"s1": 2, "s2": 1}
    assert store.story_sketches(["s1"]) == {"s1": b"theirs"}


def test_writers_adding_the_same_stories_together_lose_no_band(client):
    stores = [store_on(client) for _ in range(4)]
    start = threading.Barrier(len(stores))

    def add(n: int) -> None:
        start.wait()
        stores[n].add_stories([(f"s{i}", b"sketch", [1000 * n + i]) for i in range(30)])

    threads = [threading.Thread(target=add, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every_band = [1000 * n + i for n in range(len(stores)) for i in range(30)]
    assert stores[0].story_candidates(every_band) == {f"s{i}": len(stores) for i in range(30)}
