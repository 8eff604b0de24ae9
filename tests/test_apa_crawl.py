"""The real spider with the real settings, over real HTTP, against the replay on 127.0.0.1.

The end-to-end test runs `scrapy crawl apa` (one subprocess per edition) twice into one store
and checks every stored article field by field, the drop counters, the feed export, and that
the second run fetches no article page. Light tests of the spider's pieces follow.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError

from newsmon.chain import Chain
from newsmon.fingerprint import content_hash
from newsmon.items import ARTICLE_FIELDS, to_record
from newsmon.middlewares import failure_kind
from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.replay.site import moved_from_path, public_url
from newsmon.sites.apa import EDITIONS
from newsmon.spiders.apa import ApaSpider, PublicUrlContract
from newsmon.store import open_store
from newsmon.store.mongo import MongoStore
from newsmon.store.spool import Spool
from store_backends import mongomock_client

EDITION_LANGS = tuple(EDITIONS)
NON_ARTICLE_PATHS = ("/rates", "/weather-forecast", "/currency", "/jobs", "/tag/")
# Chain-filled fields checked separately (content_hash) or not at all (story_id, fetched_at).
CHAIN_FIELDS = ("content_hash", "story_id", "fetched_at")


def store_uri(path: Path) -> str:
    return f"sqlite:///{path}"  # path is absolute: sqlite:////tmp/...


def crawl_environment(tmp_path: Path) -> dict[str, str]:
    """Run metrics into the test's directory, not the checkout's data/."""
    return {"NEWSMON_PROMETHEUS_FILE": str(tmp_path / "newsmon-{spider}.prom")}


def stored_records(uri: str) -> dict[str, dict]:
    with open_store(uri) as store:
        return {article.url: to_record(article) for article in store.query()}


def article_hits(server: ReplayServer, hits) -> Counter[tuple[str, str]]:
    """(host, path) of article requests among `hits`, counted."""
    articles = {(host, path) for host in server.site.hosts for path in server.site.article_paths(host)}
    return Counter((h.host, h.path) for h in hits if (h.host, h.path) in articles)


def test_crawl_replay_end_to_end(tmp_path):
    site = build_replay()
    uri = store_uri(tmp_path / "store.db")
    with ReplayServer(site) as server:
        environment = crawl_environment(tmp_path)
        first = crawl_replay(server, EDITION_LANGS, store=uri, feed_dir=tmp_path, environment=environment)
        first_hits = list(server.hits)
        stored_after_first = stored_records(uri)
        second = crawl_replay(server, EDITION_LANGS, store=uri, environment=environment)
        second_hits = server.hits[len(first_hits) :]

    for run in (*first.values(), *second.values()):
        assert run.ran, f"{run.edition}: exit {run.returncode}\n{run.log[-3000:]}"

    check_stored_articles(stored_after_first)
    check_drops_and_failures(first)
    check_each_article_fetched_once(server, first_hits)
    check_feed_export(tmp_path, stored_after_first)

    # Second run over the unchanged site: nothing new stored, no article page requested.
    assert stored_records(uri) == stored_after_first
    assert not article_hits(server, second_hits)
    for lang, run in second.items():
        assert run.stat("newsmon/store/inserted") == 0, lang
        assert run.stat("newsmon/apa/stop/all_known") == 1, lang
        assert run.stat("newsmon/apa/known_skipped") > 0, lang


def check_stored_articles(stored: dict[str, dict]) -> None:
    expected = expected_articles()
    assert sorted(stored) == sorted(expected)
    assert len(stored) >= 40
    for url, want in expected.items():
        got = stored[url]
        for name, value in want.items():
            assert got[name] == value, f"{url}: {name}: {got[name]!r} != {value!r}"
        assert got["content_hash"] == content_hash(want["title"], want["body"]), url
        assert got["fetched_at"], url


def check_drops_and_failures(runs) -> None:
    counted = Counter()
    for run in runs.values():
        for reason in expected_drops():
            counted[reason] += run.stat(f"newsmon/apa/{reason}")
    assert counted == expected_drops()  # no_date, no_body, truncated, malformed, http_404, http_5xx
    az, en, ru = runs["az"], runs["en"], runs["ru"]
    assert az.stat("newsmon/retry/http_5xx") == 1  # the flaky page, stored after one retry
    assert ru.stat("newsmon/retry/http_5xx") == 3  # the broken page, given up after RETRY_TIMES
    assert en.stat("newsmon/apa/redirected") == 1
    assert all(run.stat("newsmon/apa/not_article_skipped") > 0 for run in runs.values())
    assert all(run.stat("newsmon/apa/stop/last_page") == 1 for run in runs.values())


def check_each_article_fetched_once(server: ReplayServer, hits) -> None:
    served = article_hits(server, [h for h in hits if h.status == 200])
    assert {page: n for page, n in served.items() if n != 1} == {}
    assert not [h for h in hits if "utm_" in h.target], "tracking variants must not be requested"
    assert not [h for h in hits if h.path.startswith(NON_ARTICLE_PATHS)]
    en = server.site.stories["en"]
    moved = next(s for s in en if "moved" in s.quirks)
    assert [h.status for h in hits if h.path == moved_from_path(moved)] == [301]
    twice = next(s for s in en if "tracking_link" in s.quirks)
    assert served[("en.apa.az", twice.path)] == 1, public_url(EDITIONS["en"], twice)


def check_feed_export(feed_dir: Path, stored: dict[str, dict]) -> None:
    exported = []
    for lang in EDITION_LANGS:
        lines = (feed_dir / f"items-{lang}.jsonl").read_text(encoding="utf-8").splitlines()
        exported += [json.loads(line) for line in lines]
    assert sorted(record["url"] for record in exported) == sorted(stored)
    for record in exported:
        assert list(record) == list(ARTICLE_FIELDS)
        assert record["published_at"].endswith("+00:00") and record["fetched_at"].endswith("+00:00")
        assert record["published_at"] == stored[record["url"]]["published_at"]


def test_since_stops_at_older_articles(tmp_path):
    uri = store_uri(tmp_path / "store.db")
    with ReplayServer(build_replay()) as server:
        run = crawl_replay(
            server, ["en"], store=uri, spider_args=["since=2026-04-08"], environment=crawl_environment(tmp_path)
        )["en"]
    assert run.ran, run.log[-3000:]
    assert run.stat("newsmon/apa/stop/older_than_since") == 1
    assert run.stat("newsmon/apa/older_skipped") > 0
    published = sorted(record["published_at"] for record in stored_records(uri).values())
    assert len(published) == 5 and published[0] >= "2026-04-08T00:00:00+00:00"


def test_a_crawl_while_mongodb_is_down_spools_every_article_and_the_next_open_stores_each_once(tmp_path, spool_root):
    # Nothing listens on the port: every store operation fails, from the first one on.
    secret = "s3cret-pw"
    uri = f"mongodb://crawler:{secret}@127.0.0.1:{closed_port()}/newsmon_test?serverSelectionTimeoutMS=100"
    options = {"retry_attempts": 2, "retry_backoff": 0.01}
    with ReplayServer(build_replay()) as server:
        run = crawl_replay(
            server, ["en"], store=uri, settings={"NEWSMON_STORE_OPTIONS": options},
            environment=crawl_environment(tmp_path),
        )["en"]  # fmt: skip
    assert run.ran, run.log[-3000:]
    expected = {url: record for url, record in expected_articles().items() if record["site"] == EDITIONS["en"].host}
    for counter in ("item_scraped_count", "newsmon/store/spooled", "newsmon/dedupe/store_unavailable",
                    "newsmon/story/store_unavailable"):  # fmt: skip
        assert run.stat(counter) == len(expected), counter
    # Every listing page and the feed were checked without the store, and the crawl went on.
    assert run.stat("newsmon/apa/store_unavailable") >= 2 and run.stat("newsmon/apa/stop/last_page") == 1
    assert "Error processing" not in run.log
    # The store's options reached it (two tries: one retry); then the breaker kept it off the network.
    assert run.log.count("retry 1/1 in 0.01 s") == 1
    for outage_message in ("every link counts as new", "duplicates are only looked for", "provisional stories"):
        assert run.log.count(outage_message) == 1, outage_message
    assert f"not recorded in the store (0 items stored, {len(expected)} spooled)" in run.log
    assert prometheus_sample(tmp_path / "newsmon-apa.prom", "newsmon_last_run_articles", outcome="spooled") == len(
        expected
    )
    assert secret not in run.log

    # MongoDB is back (an in-process fake answers for it): opening a chain on it replays the spool,
    # which the chain finds under $NEWSMON_SPOOL_DIR (the test's) as the crawl did.
    assert Spool(spool_root, uri).pending() == len(expected)
    store = MongoStore(uri, client=mongomock_client())
    assert Chain({}, store).stats.get_value("newsmon/store/replayed") == len(expected)
    assert Spool(spool_root, uri).pending() == 0
    stored = {article.url: to_record(article) for article in store.query()}
    assert sorted(stored) == sorted(expected)
    for url, want in expected.items():
        assert {name: stored[url][name] for name in want} == want, url
    assert Chain({}, store).stats.get_value("newsmon/store/replayed") == 0 and store.count() == len(expected)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prometheus_sample(path: Path, name: str, **labels: str) -> float:
    (value,) = [
        sample.value
        for family in text_string_to_metric_families(path.read_text())
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    ]
    return value


def test_scrapy_check_passes_offline(tmp_path):
    env = {**os.environ, "NEWSMON_STORE": store_uri(tmp_path / "store.db"), **crawl_environment(tmp_path)}
    with ReplayServer(build_replay()) as server:
        command = [sys.executable, "-m", "scrapy", "check", "apa", "-v", "-a", "editions=en"]
        command += ["-a", f"base_url={server.base_url('en.apa.az')}"]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Ran 4 contracts" in output and output.rstrip().endswith("OK")


# --- the spider's pieces ------------------------------------------------------------------------


def test_mirror_address_mapping():
    spider = ApaSpider(editions="ru", base_url="http://127.0.0.1:8123/")
    public = "https://ru.apa.az/mir/x-650193?page=2"
    assert spider.fetch_url(public) == "http://127.0.0.1:8123/mir/x-650193?page=2"
    assert spider.public_url(spider.fetch_url(public)) == public
    assert spider.allowed_domains == ["127.0.0.1"]
    with pytest.raises(ValueError, match="not on the mirrored edition"):
        spider.fetch_url("https://en.apa.az/all-news")


def test_live_addresses_are_left_alone():
    spider = ApaSpider(editions="en,az")
    assert spider.fetch_url("https://en.apa.az/rss") == "https://en.apa.az/rss"
    assert spider.allowed_domains == ["en.apa.az", "apa.az"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"editions": "en,de"}, "unknown edition"),
        ({"editions": "en,az", "base_url": "http://127.0.0.1:1"}, "mirrors one edition"),
        ({"max_pages": "0"}, "max_pages"),
    ],
)
def test_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        ApaSpider(**arguments)


def test_failure_kinds():
    response = HtmlResponse(url="https://apa.az/x", status=404, body=b"")
    assert failure_kind(HttpError(HtmlResponse(url="https://apa.az/x", status=503, body=b""))) == "http_5xx"
    assert failure_kind(HttpError(response)) == "http_404"
    assert failure_kind(DownloadTimeoutError()) == "timeout"
    assert failure_kind(CannotResolveHostError()) == "dns"
    assert failure_kind(IgnoreRequest()) == "ignored"
    assert failure_kind(ValueError()) == "download_error"


def test_contract_request_follows_the_mirror():
    spider = ApaSpider(editions="en", base_url="http://127.0.0.1:8123")
    contract = PublicUrlContract(spider.parse_rss, "https://en.apa.az/rss")
    request = Request(**contract.adjust_request_args({"url": None}))
    assert request.url == "http://127.0.0.1:8123/rss"
