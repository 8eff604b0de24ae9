"""Distributed mode end to end: real `scrapy crawl` workers (subprocesses) on one real Redis
(Valkey), over the replays of several outlets on 127.0.0.1, into one store.

- Three workers per outlet, one of them killed with SIGKILL while it holds leases: every
  article is stored exactly once, none is lost, no page is fetched more often than the leases
  that expired allow, the crawl ends for all, and `newsmon runs` shows one row per crawl.
- One, two, three workers: each replay host sees at most the shared per-host rate; three
  workers against a slow host: at most the shared number of requests in flight.
- Redis lost under a working crawl: one error line, a counted stat, a stop, not a hang; a Redis
  that does not answer at start is one line and exit status 2, not a traceback.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from crawl_helpers import article_hits, crawl_environment, store_uri, stored_records
from newsmon.cli import main as newsmon_main
from newsmon.distributed.keys import CrawlKeys
from newsmon.replay import ReplayServer, expected_articles, synthetic_replay
from newsmon.replay.crawl import PROJECT_ROOT, BackgroundCrawl, start_crawl
from newsmon.replay.server import Hit

OUTLETS = ("apa", "report")  # a listing-and-feed outlet and another markup
ARTICLES = 60  # per outlet
LEASE_SECONDS = 3.0
CRAWL_TIMEOUT = 240  # seconds, per worker
# settings.bench lifts Scrapy's per-process politeness for loopback, so the shared limit is the one that binds.
SETTINGS_MODULE = "settings.bench"


@pytest.fixture
def workers():
    """Every worker a test starts; teardown kills what is left, process group and all."""
    started: list[BackgroundCrawl] = []
    yield started
    for worker in started:
        worker.kill()
        worker.process.wait(30)


def worker_environment(tmp_path: Path, redis_url: str) -> dict[str, str]:
    return {**crawl_environment(tmp_path), "NEWSMON_REDIS_URL": redis_url}


def leases_of(client, crawl: str, pid: int) -> int:
    prefix = f"{socket.gethostname()}:{pid}:".encode()
    return sum(lease.startswith(prefix) for lease in client.zrange(CrawlKeys(crawl).leases, 0, -1))


def kill_one_holding_leases(client, crews: dict[str, list[BackgroundCrawl]], timeout: float = 120) -> dict[str, BackgroundCrawl]:
    """SIGKILL, in each crew, the first worker seen holding leases (work taken, not finished)."""
    victims: dict[str, BackgroundCrawl] = {}
    deadline = time.monotonic() + timeout
    while len(victims) < len(crews):
        for scope, crew in crews.items():
            holder = next((w for w in crew if scope not in victims and leases_of(client, scope, w.pid)), None)
            if holder is not None:
                holder.kill()
                victims[scope] = holder
        assert time.monotonic() < deadline, f"no worker of {set(crews) - set(victims)} held a lease within {timeout}s"
        time.sleep(0.01)
    return victims


@pytest.mark.timeout(600)
def test_three_workers_per_outlet_one_killed_store_every_article_exactly_once(tmp_path, redis_server, workers, capsys):
    sites = {outlet: synthetic_replay(ARTICLES, outlet=outlet, seed=i) for i, outlet in enumerate(OUTLETS)}
    store = store_uri(tmp_path / "newsmon.db")
    settings = {"NEWSMON_LEASE_SECONDS": LEASE_SECONDS, "NEWSMON_HOST_INTERVAL_SECONDS": 0.05}
    client = redis_server.client()
    with ExitStack() as stack:
        servers = {outlet: stack.enter_context(ReplayServer(site)) for outlet, site in sites.items()}
        crews = {}
        for outlet, server in servers.items():
            (scope,) = server.site.editions
            crews[scope] = [
                BackgroundCrawl(scope, start_crawl(server, scope, store=store, settings_module=SETTINGS_MODULE, settings=settings,
                                          environment=worker_environment(tmp_path, redis_server.url), own_session=True))
                for _ in range(3)
            ]  # fmt: skip
            workers.extend(crews[scope])
        victims = kill_one_holding_leases(client, crews)
        runs = {(scope, w.pid): w.finish(CRAWL_TIMEOUT) for scope, crew in crews.items() for w in crew if w is not victims[scope]}
    for worker in (w for crew in crews.values() for w in crew):  # for a failure's post-mortem
        (tmp_path / f"worker-{worker.scope.replace(':', '-')}-{worker.pid}.log").write_text(worker.finish(CRAWL_TIMEOUT).log)
    for (scope, pid), run in runs.items():
        assert run.ran, f"{scope} worker {pid} exited {run.returncode}:\n{run.log[-4000:]}"
    for victim in victims.values():
        assert victim.finish(CRAWL_TIMEOUT).returncode == -signal.SIGKILL

    stored = stored_records(store)
    for outlet, server in servers.items():
        (scope,) = server.site.editions
        expected = set(expected_articles(server.site))
        mine = {url for url, record in stored.items() if record["outlet"] == outlet}
        assert mine == expected, f"{scope} (logs in {tmp_path}): missing {sorted(expected - mine)[:5]}, unexpected {sorted(mine - expected)[:5]}"
        reaped = sum(run.stat("newsmon/distributed/reaped") for (s, _), run in runs.items() if s == scope)
        assert reaped >= 1, f"{scope}: the killed worker's leases never came back"
        fetches = article_hits(server, server.hits)
        assert set(fetches) == {(h, p) for h in server.site.hosts for p in server.site.article_paths(h)}
        # A page is fetched again only when its lease expired: at most once more, and no more
        # pages twice than leases came back.
        assert max(fetches.values()) <= 2, fetches.most_common(3)
        assert sum(n - 1 for n in fetches.values()) <= reaped
        # The crawl is over for everyone: its shared state is gone.
        assert not [key for key in CrawlKeys(scope).all() if client.exists(key)], client.keys("*")
    assert len(stored) == sum(len(expected_articles(server.site)) for server in servers.values())
    assert len({record["content_hash"] for record in stored.values()}) == len(stored)

    client.close()

    # One row per crawl in `newsmon runs`: its two surviving workers added up (the killed one
    # recorded nothing), their stored articles and the crawl's own figures together.
    capsys.readouterr()
    assert newsmon_main(["runs", "--store", store, "--json"]) == 0
    crawls = json.loads(capsys.readouterr().out)
    assert sorted(crawl["scope"] for crawl in crawls) == sorted(crews)
    for crawl in crawls:
        survivors = [run for (scope, _), run in runs.items() if scope == crawl["scope"]]
        assert len(crawl["distributed"]["workers"]) == 2
        assert crawl["requests"] == sum(run.stat("downloader/request_count") for run in survivors)
        assert crawl["items"]["inserted"] == sum(run.stat("newsmon/store/inserted") for run in survivors)
        assert crawl["finish_reason"] == "finished"


@pytest.mark.timeout(600)
def test_each_host_sees_at_most_the_shared_rate_with_one_two_and_three_workers(tmp_path, redis_server, workers, capsys):
    interval = 0.1  # 10 requests/s per host, over all workers
    site = synthetic_replay(ARTICLES, outlet="apa", seed=7)
    (scope,) = site.editions
    rates = {}
    for n in (1, 2, 3):
        with ReplayServer(site) as server:
            crew = [
                BackgroundCrawl(scope, start_crawl(server, scope, store=store_uri(tmp_path / f"newsmon-{n}.db"),
                                          settings_module=SETTINGS_MODULE, settings={"NEWSMON_HOST_INTERVAL_SECONDS": interval},
                                          environment=worker_environment(tmp_path, redis_server.url), own_session=True))
                for _ in range(n)
            ]  # fmt: skip
            workers.extend(crew)
            for worker in crew:
                run = worker.finish(CRAWL_TIMEOUT)
                assert run.ran, run.log[-4000:]
            hits = list(server.hits)
        assert len(article_hits(server, hits)) == ARTICLES
        rates[n] = host_rate(hits)
        # Any one second holds at most one request per interval, plus one for timer jitter at its edges.
        assert busiest_second(hits) <= 1 / interval + 1, (n, busiest_second(hits))
        assert rates[n] <= 1.05 / interval, (n, rates[n])
    with capsys.disabled():
        print("\nper-host requests/s (limit %g): %s" % (1 / interval, ", ".join(f"{n} worker(s) {r:.2f}" for n, r in rates.items())))


@pytest.mark.timeout(600)
def test_each_host_has_at_most_the_shared_number_of_requests_in_flight_over_three_workers(tmp_path, redis_server, workers):
    """Answers take 50 ms, so that requests overlap: three workers, eight requests in flight each
    by Scrapy's own settings (settings.bench), at most two at a time at the host."""
    site = synthetic_replay(ARTICLES, outlet="apa", seed=11)
    (scope,) = site.editions
    settings = {"NEWSMON_HOST_CONCURRENCY": 2, "NEWSMON_HOST_INTERVAL_SECONDS": 0}
    with ReplayServer(site, answer_delay=0.05) as server:
        crew = [
            BackgroundCrawl(scope, start_crawl(server, scope, store=store_uri(tmp_path / "newsmon.db"),
                                               settings_module=SETTINGS_MODULE, settings=settings,
                                               environment=worker_environment(tmp_path, redis_server.url), own_session=True))
            for _ in range(3)
        ]  # fmt: skip
        workers.extend(crew)
        runs = [worker.finish(CRAWL_TIMEOUT) for worker in crew]
    assert all(run.ran for run in runs), [run.log[-3000:] for run in runs if not run.ran]
    assert len(article_hits(server, server.hits)) == ARTICLES
    (host,) = server.site.hosts
    assert server.max_in_flight[host] == 2
    assert sum(run.stat("newsmon/distributed/host_slot_wait") for run in runs) > 0


def host_rate(hits: list[Hit]) -> float:
    times = sorted(hit.at for hit in hits)
    return (len(times) - 1) / (times[-1] - times[0])


def busiest_second(hits: list[Hit]) -> int:
    times = sorted(hit.at for hit in hits)
    return max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))


@pytest.mark.timeout(300)
def test_redis_lost_mid_crawl_is_one_error_line_a_counted_stat_and_a_stop_not_a_hang(tmp_path, redis_server, workers):
    site = synthetic_replay(ARTICLES, outlet="apa", seed=3)
    (scope,) = site.editions
    client = redis_server.client()
    settings = {"NEWSMON_HOST_INTERVAL_SECONDS": 0.2, "NEWSMON_LEASE_SECONDS": 3, "NEWSMON_REDIS_OUTAGE_SECONDS": 4}
    with ReplayServer(site) as server:
        worker = BackgroundCrawl(scope, start_crawl(
            server, scope, store=store_uri(tmp_path / "newsmon.db"), settings_module=SETTINGS_MODULE, settings=settings,
            environment=worker_environment(tmp_path, redis_server.url), own_session=True,
        ))  # fmt: skip
        workers.append(worker)
        deadline = time.monotonic() + 120
        while not leases_of(client, scope, worker.pid):
            assert time.monotonic() < deadline and worker.process.poll() is None, "the worker never took work"
            time.sleep(0.02)
        client.close()
        redis_server.kill()
        started = time.monotonic()
        run = worker.finish(120)
    assert time.monotonic() - started < 60  # the outage limit (4 s) and the close, not a hang
    assert run.ran, run.log[-4000:]
    assert "'finish_reason': 'redis_unavailable'" in run.log
    assert run.stat("newsmon/distributed/redis_unavailable") >= 1
    outage_lines = [line for line in run.log.splitlines() if "ERROR" in line and "unavailable (" in line]
    assert len(outage_lines) == 1, outage_lines
    assert any("unavailable for over 4s: this worker stops" in line for line in run.log.splitlines())


def test_an_unreachable_redis_is_one_line_and_exit_status_2(tmp_path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "NEWSMON_REDIS_URL": f"redis://:secret@127.0.0.1:{port}/0", "NEWSMON_STORE": store_uri(tmp_path / "s.db"),
           "PYTHONPATH": str(PROJECT_ROOT)}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "apa"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if "Redis" in line]
    assert len(lines) == 1 and "unreachable" in lines[0] and "secret" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
