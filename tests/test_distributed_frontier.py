"""The shared frontier's Redis side, against a real server: leases, their expiry and hand-over,
the duplicate filter's bypass for reaped requests, the crawl's end, per-host reservations, and
the add-on that switches it all on (newsmon.distributed)."""
from __future__ import annotations

import time

import pytest
import scrapy
from scrapy import Request
from scrapy.settings import Settings
from scrapy_redis.dupefilter import RFPDupeFilter

from newsmon.distributed import DistributedMode, scripts
from newsmon.distributed.frontier import LeasedQueue, SharedScheduler
from newsmon.distributed.keys import CrawlKeys, host_key
from newsmon.distributed.leases import LEASE_META, LeaseBook
from newsmon.distributed.middlewares import SharedHostConcurrencyMiddleware, SharedPolitenessMiddleware


class PlainSpider(scrapy.Spider):
    name = "plain"

    def parse(self, response):  # requests are serialized with their callback's name
        yield from ()


KEYS = CrawlKeys("plain:en")


@pytest.fixture
def redis_client(redis_server):
    client = redis_server.client()
    yield client
    client.close()


def queue_of(client, worker: str, lease_ms: int = 60_000) -> LeasedQueue:
    return LeasedQueue(client, PlainSpider(), KEYS, LeaseBook(worker), lease_ms)


def reap(client) -> int:
    return client.register_script(scripts.REAP)(keys=[KEYS.requests, KEYS.leases, KEYS.leased, KEYS.reaped], args=[100])


def test_a_taken_request_is_leased_to_its_worker_not_deleted(redis_client):
    queue = queue_of(redis_client, "w1")
    queue.push(Request("http://127.0.0.1/a", callback=PlainSpider().parse))
    request = queue.pop()
    assert request.url == "http://127.0.0.1/a"
    assert request.meta[LEASE_META].startswith("w1#")
    assert redis_client.zcard(KEYS.requests) == 0
    assert redis_client.zrange(KEYS.leases, 0, -1) == [request.meta[LEASE_META].encode()]
    assert queue.pop() is None
    assert queue.book.outstanding() == [request.meta[LEASE_META]]


def test_an_expired_lease_goes_back_to_the_queue_with_its_priority_and_another_worker_takes_it(redis_client):
    dead = queue_of(redis_client, "dead", lease_ms=50)
    dead.push(Request("http://127.0.0.1/low", priority=0))
    dead.push(Request("http://127.0.0.1/high", priority=5))
    assert dead.pop().url == "http://127.0.0.1/high"
    assert reap(redis_client) == 0  # not yet expired
    time.sleep(0.1)
    assert reap(redis_client) == 1
    assert int(redis_client.get(KEYS.reaped)) == 1
    alive = queue_of(redis_client, "alive")
    assert alive.pop().url == "http://127.0.0.1/high"  # back at its priority, ahead of /low
    assert redis_client.hlen(KEYS.leased) == 1 and redis_client.hkeys(KEYS.leased)[0].startswith(b"alive#")


def test_a_renewed_lease_does_not_expire(redis_client):
    queue = queue_of(redis_client, "w1", lease_ms=150)
    queue.push(Request("http://127.0.0.1/a"))
    lease = queue.pop().meta[LEASE_META]
    renew = redis_client.register_script(scripts.RENEW)
    for _ in range(4):
        time.sleep(0.075)
        assert renew(keys=[KEYS.leases], args=[150, lease]) == 1
    assert reap(redis_client) == 0


def test_a_retry_or_redirect_takes_over_its_predecessors_lease(redis_client):
    queue = queue_of(redis_client, "w1")
    queue.push(Request("http://127.0.0.1/a"))
    leased = queue.pop()
    redirect = leased.replace(url="http://127.0.0.1/b")  # RedirectMiddleware and retries copy the meta
    queue.push(redirect)
    assert redis_client.zcard(KEYS.leases) == 0 and redis_client.hlen(KEYS.leased) == 0
    assert queue.pop().url == "http://127.0.0.1/b"
    assert queue.book.outstanding() == ["w1#2"]


def test_a_reaped_request_is_not_blocked_by_its_fingerprint(redis_client):
    """The filter saw the URL when it was first queued; the reaped lease goes back past it."""
    dupefilter = RFPDupeFilter(redis_client, KEYS.fingerprints)
    request = Request("http://127.0.0.1/a")
    assert not dupefilter.request_seen(request)
    dead = queue_of(redis_client, "dead", lease_ms=10)
    dead.push(request)
    dead.pop()
    time.sleep(0.05)
    assert reap(redis_client) == 1
    assert dupefilter.request_seen(Request("http://127.0.0.1/a"))  # a new link to it is still filtered
    assert queue_of(redis_client, "alive").pop().url == "http://127.0.0.1/a"  # the work itself is not


def test_the_crawl_is_over_only_when_seeded_with_nothing_queued_or_leased(redis_client):
    finish = redis_client.register_script(scripts.FINISH)
    keys = [KEYS.requests, KEYS.leases, KEYS.seed, KEYS.fingerprints, KEYS.leased, KEYS.reaped]
    queue = queue_of(redis_client, "w1")
    queue.push(Request("http://127.0.0.1/a"))
    redis_client.set(KEYS.seed, "w1")
    assert finish(keys=keys) == 0  # queued
    lease = queue.pop().meta[LEASE_META]
    assert finish(keys=keys) == 0  # leased
    redis_client.zrem(KEYS.leases, lease)
    redis_client.hdel(KEYS.leased, lease)
    redis_client.sadd(KEYS.fingerprints, "f")
    assert finish(keys=keys) == 1
    assert not any(redis_client.exists(key) for key in KEYS.all())
    assert finish(keys=keys) == 2  # what every other worker then hears


def test_only_the_first_worker_to_seed_a_crawl_queues_its_start_requests(redis_client):
    seed = redis_client.register_script(scripts.SEED)
    keys = [KEYS.requests, KEYS.fingerprints, KEYS.seed]
    queue = queue_of(redis_client, "w1")
    start = [Request("http://127.0.0.1/listing"), Request("http://127.0.0.1/rss", priority=1)]
    triples = [part for r in start for part in (r.url, -r.priority, queue.encode(r))]
    assert seed(keys=keys, args=["w1", *triples]) == 1
    assert seed(keys=keys, args=["w2", *triples]) == 0
    assert seed(keys=keys, args=["w3", *triples]) == 0
    assert redis_client.get(KEYS.seed) == b"w1"
    taken = [queue.pop() for _ in range(3)]
    assert [r.url if r else None for r in taken] == ["http://127.0.0.1/rss", "http://127.0.0.1/listing", None]


def test_one_hosts_turns_are_an_interval_apart_over_every_client(redis_server):
    """Three workers' clients asking as fast as they can for one second: the turns they get are
    at least `interval` apart (the server's clock, ms), one other host's turns are its own."""
    clients = [redis_server.client() for _ in range(3)]
    acquire = [client.register_script(scripts.ACQUIRE) for client in clients]
    interval_ms = 50
    turns = []
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        for i in range(3):
            if acquire[i](keys=[host_key("example.org:80")], args=[interval_ms]) == 0:
                seconds, micros = clients[i].time()
                turns.append(seconds * 1000 + micros / 1000)
    gaps = [b - a for a, b in zip(turns, turns[1:])]
    # At most one turn per interval in the second (fewer when this machine is busy). The time of
    # a turn is read by a second command, a round trip after the script granted it: on a busy
    # machine that reading is late by a few ms one time and not the next.
    assert 5 <= len(turns) <= 21 and min(gaps) >= interval_ms - 10, gaps
    assert acquire[0](keys=[host_key("other.org:80")], args=[interval_ms]) == 0
    assert 0 < acquire[1](keys=[host_key("other.org:80")], args=[interval_ms]) <= interval_ms
    for client in clients:
        client.close()


def test_a_hosts_slots_are_limited_over_every_client_and_a_dead_holders_lapse(redis_client):
    hold = redis_client.register_script(scripts.HOLD_SLOT)
    free = redis_client.register_script(scripts.FREE_SLOT)
    key = host_key("example.org:80") + ":slots"
    assert hold(keys=[key], args=["w1#1", 2, 60_000]) == 0
    assert hold(keys=[key], args=["w2#1", 2, 100]) == 0
    assert hold(keys=[key], args=["w3#1", 2, 60_000]) > 0  # two in flight: wait
    assert free(keys=[key], args=["w1#1"]) == 1
    assert hold(keys=[key], args=["w3#1", 2, 60_000]) == 0
    assert hold(keys=[key], args=["w3#2", 2, 60_000]) > 0
    time.sleep(0.15)  # w2 died holding its slot: it lapses
    assert hold(keys=[key], args=["w3#2", 2, 60_000]) == 0


def test_without_a_redis_url_the_add_on_changes_nothing():
    settings = Settings({"NEWSMON_REDIS_URL": "", "DOWNLOADER_MIDDLEWARES": {}, "SPIDER_MIDDLEWARES": {}})
    before = settings.copy_to_dict()
    DistributedMode().update_settings(settings)
    assert settings.copy_to_dict() == before


def test_with_a_redis_url_the_add_on_installs_the_shared_frontier():
    settings = Settings({"NEWSMON_REDIS_URL": "redis://127.0.0.1:1/0", "DOWNLOADER_MIDDLEWARES": {}})
    DistributedMode().update_settings(settings)
    assert settings["SCHEDULER"] is SharedScheduler
    assert {SharedPolitenessMiddleware, SharedHostConcurrencyMiddleware} <= set(settings["DOWNLOADER_MIDDLEWARES"])


def test_a_lease_is_due_only_once_the_batch_its_articles_went_into_is_written():
    taken = [0]
    book = LeaseBook("w", batches_taken=lambda: taken[0])
    first, second = book.new_lease(), book.new_lease()
    book.article_out(first)
    book.read(first)
    book.article_done(first)  # its article is in the buffer: batch 1 will take it
    taken[0] = 1  # the store thread took batch 1 while it is being written ...
    book.read(second)  # ... and the second lease settled: its work is in batch 2
    assert book.take_done(batches_written=0) == []
    assert book.take_done(batches_written=1) == [first]
    assert book.take_done(batches_written=1) == []
    assert book.take_done(batches_written=2) == [second]
