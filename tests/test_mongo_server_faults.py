"""Faults injected into a real MongoDB wire-protocol server process (SecantusDB, tests/mongo_server.py):
killed mid-crawl and started again on its data, frozen until timeouts and the breaker trip, its
port refusing connections when the crawl starts, authentication with a wrong and a right password.

Crawls are the real `scrapy crawl apa` (and `newsmon demo`, `newsmon replay`) over HTTP against
the replay of APA on 127.0.0.1. Each test starts servers of its own: the faults are theirs alone.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pymongo import MongoClient

from mongo_server import SecantusServer
from newsmon.chain import Chain
from newsmon.replay import ReplayServer, build_replay, expected_articles
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.replay.site import synthetic_replay
from newsmon.store import StoreError, StoreUnavailable, open_store
from newsmon.store.spool import Spool
from test_demo import SAMPLE_DOCUMENTS, run_demo
from test_mongo_failures import crawl, crawled, settings

# Short timeouts so that each fault shows within a second; the breaker waits one second.
FAST_FAILING = {
    "retry_attempts": 2, "retry_backoff": 0.05, "server_selection_timeout_ms": 300, "socket_timeout_ms": 1000,
    "breaker_seconds": 1,
}  # fmt: skip
USER, SECRET = "crawler", "s3cret-pw"


def stored_urls(uri: str) -> list[str]:
    """Every stored article's URL, repeats included (a repeat would be an article stored twice)."""
    with MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        return [document["_id"] for document in client.get_default_database().articles.find({}, {"_id": 1})]


def newsmon_replay(uri: str) -> subprocess.CompletedProcess:
    """`newsmon replay`: the spool under $NEWSMON_SPOOL_DIR (the test's) into `uri`."""
    return subprocess.run([sys.executable, "-m", "newsmon.cli", "replay", "--store", uri], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_killed_mid_crawl_and_restarted_on_its_data_loses_nothing_and_stores_nothing_twice(tmp_path, spool_root):
    site = synthetic_replay(120, page_size=20)
    expected = sorted(expected_articles(site))
    # Every commit synced, as mongod's journal (written at commit) survives a killed process.
    server = SecantusServer(tmp_path / "mongo", sync_on_commit=True).start()
    uri = server.uri()
    before_kill: list[str] = []

    def wait_for_hits(count: int) -> None:
        while len(replay.hits) < count and not crawl_done.is_set():
            time.sleep(0.01)

    def kill_and_restart_mid_crawl() -> None:
        wait_for_hits(40)
        before_kill.extend(stored_urls(uri))
        server.kill()
        wait_for_hits(80)  # down while the crawl fetches some 40 pages
        server.start()

    crawl_done = threading.Event()
    with ReplayServer(site) as replay:
        killer = threading.Thread(target=kill_and_restart_mid_crawl)
        killer.start()
        # Small batches and a download delay: the crawl writes all along and outlasts the restart.
        run = crawl_replay(replay, ["apa:en"], store=uri, settings={
            "NEWSMON_STORE_OPTIONS": FAST_FAILING, "NEWSMON_BATCH_SIZE": 5, "DOWNLOAD_DELAY": 0.05,
        })["apa:en"]  # fmt: skip
        crawl_done.set()
        killer.join()
    try:
        assert run.ran, run.log[-3000:]
        # The kill came in the middle: some batches were written before it, some spooled, some after.
        assert before_kill and run.stat("newsmon/store/spooled") > 0
        assert run.stat("newsmon/store/inserted") > len(before_kill)
        after_restart = stored_urls(uri)
        assert set(before_kill) <= set(after_restart)  # written before the kill: still there
        assert Spool(spool_root, uri).pending() == run.stat("newsmon/store/spooled")
        replayed = newsmon_replay(uri)
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        assert Spool(spool_root, uri).pending() == 0
        assert sorted(stored_urls(uri)) == expected  # every article, each once
    finally:
        server.stop()


def test_frozen_server_times_out_trips_the_breaker_and_recovers_when_thawed(caplog, tmp_path):
    with SecantusServer(tmp_path / "mongo") as server, open_store(server.uri(), **FAST_FAILING) as store:
        crawl(Chain(settings(tmp_path), store), [crawled(n) for n in range(5)])
        server.freeze()
        try:
            started = time.monotonic()
            with caplog.at_level(logging.INFO):
                during = Chain(settings(tmp_path), store)  # the story step's index check times out
                crawl(during, [crawled(n) for n in range(5, 12)])
                spent = time.monotonic() - started
                with pytest.raises(StoreUnavailable, match="not tried, failing fast"):
                    store.count()
        finally:
            server.thaw()
        assert during.stats.get_value("newsmon/store/spooled") == 7
        assert spent < 15, f"a frozen server held the chain {spent:.1f} s"  # timeouts, not a hang
        assert "NetworkTimeout" in caplog.text or "timed out" in caplog.text
        time.sleep(FAST_FAILING["breaker_seconds"])
        with caplog.at_level(logging.INFO):
            after = Chain(settings(tmp_path), store)
        assert after.stats.get_value("newsmon/store/replayed") == 7
        assert "answers again" in caplog.text
        assert sorted(a.url for a in store.query()) == sorted(crawled(n).url for n in range(12))


def test_a_port_refusing_connections_at_start_spools_the_crawl_which_the_started_server_gets(tmp_path, spool_root):
    server = SecantusServer(tmp_path / "mongo")  # its port chosen, nothing listening on it yet
    uri = server.uri()
    with ReplayServer(synthetic_replay(10)) as replay:
        run = crawl_replay(replay, ["apa:en"], store=uri, settings={"NEWSMON_STORE_OPTIONS": FAST_FAILING})["apa:en"]
        expected = sorted(expected_articles(replay.site))
    assert run.ran, run.log[-3000:]
    assert run.stat("newsmon/store/spooled") == len(expected) and "Connection refused" in run.log
    with server:
        replayed = newsmon_replay(uri)
        assert replayed.returncode == 0 and f"replayed {len(expected)} articles" in replayed.stdout, replayed.stdout
        assert sorted(stored_urls(uri)) == expected
        assert Spool(spool_root, uri).pending() == 0


@pytest.fixture
def server_with_auth(tmp_path: Path):
    """A server requiring SCRAM-SHA-256, with one user: provisioned on it without auth, then restarted."""
    server = SecantusServer(tmp_path / "mongo")
    with server, MongoClient(server.uri(), serverSelectionTimeoutMS=5000) as client:
        client.admin.command("createUser", USER, pwd=SECRET, roles=[{"role": "readWrite", "db": "newsmon_test"}],
                             mechanisms=["SCRAM-SHA-256"])  # fmt: skip
    server.auth = True
    with server:
        yield server


def test_authentication_a_wrong_password_stops_the_crawl_at_start_and_never_shows(caplog, tmp_path, server_with_auth):
    wrong = server_with_auth.uri(credentials=f"{USER}:{SECRET}-wrong")
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreError) as raised:
        Chain(settings(tmp_path), open_store(wrong, **FAST_FAILING))
    message = str(raised.value)
    assert not isinstance(raised.value, StoreUnavailable)  # not an outage: nothing is spooled
    assert "OperationFailure: authentication failed" in message and f"{USER}:***@127.0.0.1" in message
    assert "full error" not in message  # the server's reason, not its whole reply
    with ReplayServer(synthetic_replay(5)) as replay:
        run = crawl_replay(replay, ["apa:en"], store=wrong)["apa:en"]
    assert not run.ran and "authentication failed" in run.log and run.stat("item_scraped_count") == 0
    assert f"{SECRET}-wrong" not in message + caplog.text + run.log


def test_authentication_the_right_password_runs_newsmon_demo_end_to_end(tmp_path, server_with_auth):
    """`newsmon demo --store mongodb://…` (a `scrapy crawl` per outlet and edition, and the loader) on a server with auth."""
    right = server_with_auth.uri(credentials=f"{USER}:{SECRET}")
    output = run_demo(right, tmp_path / "newsmon-{scope}.prom")
    total = len(expected_articles()) + SAMPLE_DOCUMENTS
    assert f"Stored {total} new articles; {total} in the store." in output
    assert SECRET not in output and f"{USER}:***@127.0.0.1" in output
    with open_store(right) as store:
        assert store.count() == total
        runs = store.recent_runs()
    assert sorted(run["scope"] for run in runs) == sorted(build_replay().editions)
    assert SECRET not in json.dumps(runs)
    for path in Path(os.environ["NEWSMON_SPOOL_DIR"]).rglob("*"):
        assert SECRET not in str(path)
