"""The store does not stall the crawl: every store call of the chain runs on the crawler's store
thread, never on the reactor (a real crawl over HTTP, its calls recorded by store_thread_probe)."""
from __future__ import annotations

import json
from pathlib import Path

from crawl_helpers import crawl_environment, store_uri
from newsmon.replay import ReplayServer, synthetic_replay
from newsmon.replay.crawl import crawl_replay

# Per-article and per-batch calls: dedupe, story lookups and indexing, the writes.
CHAIN_CALLS = {"upsert_many", "story_candidates", "story_sketches", "add_stories", "url_of_content"}
# What the reactor may still ask, once per listing page or per run: the spider's known-URL check
# and the URLs it remembers, where listings continue, the run record and monitors.
REACTOR_CALLS = {"known_urls", "remember_urls", "listing_gaps", "set_listing_gaps", "count", "record_run", "recent_runs"}


def test_the_chain_talks_to_the_store_on_its_own_thread_never_on_the_reactor(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))  # the probe's module, in the crawl process
    probe = tmp_path / "store-calls.json"
    site = synthetic_replay(60, outlet="apa")
    (scope,) = site.editions
    with ReplayServer(site) as server:
        run = crawl_replay(
            server, [scope], store=store_uri(tmp_path / "store.db"),
            settings={"EXTENSIONS": {"store_thread_probe.StoreThreadProbe": 0}, "NEWSMON_BATCH_SIZE": 20},
            environment={**crawl_environment(tmp_path), "NEWSMON_STORE_THREAD_PROBE": str(probe)},
        )[scope]  # fmt: skip
    assert run.ran and run.stat("newsmon/store/inserted") == 60, run.log[-3000:]
    calls = json.loads(probe.read_text())
    on_store_thread = {method for method, thread in calls if "newsmon-store" in thread}
    on_reactor = {method for method, thread in calls if thread == "MainThread"}
    assert CHAIN_CALLS <= on_store_thread
    assert on_reactor <= REACTOR_CALLS, on_reactor - REACTOR_CALLS
    assert {thread for _, thread in calls} <= {"MainThread"} | {t for _, t in calls if "newsmon-store" in t}
