"""A site with a profile only (Azernews: a feed and an article URL pattern) is crawled with generic
extraction: the real `scrapy crawl azernews` over real HTTP against its replay on 127.0.0.1."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from newsmon.items import to_record
from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops
from newsmon.replay.crawl import crawl_replay
from newsmon.sites import REGISTRY
from newsmon.store import open_store


def test_a_profile_only_site_is_crawled_with_generic_extraction_incrementally(tmp_path: Path):
    assert not REGISTRY["azernews"].has_page_parser
    site = build_replay(["azernews"])
    scopes = site.scopes_of("azernews")
    uri = f"sqlite:///{tmp_path / 'store.db'}"
    environment = {"NEWSMON_PROMETHEUS_FILE": str(tmp_path / "newsmon-{scope}.prom")}
    with ReplayServer(site) as server:
        (first,) = crawl_replay(server, scopes, store=uri, environment=environment).values()
        first_hits = len(server.hits)
        (second,) = crawl_replay(server, scopes, store=uri, environment=environment).values()
        rerun = Counter(hit.target for hit in server.hits[first_hits:])

    assert first.ran and second.ran, first.log[-3000:] + second.log[-3000:]
    expected = expected_articles(site)
    with open_store(uri) as store:
        stored = {article.url: to_record(article) for article in store.query()}
    assert sorted(stored) == sorted(expected)
    for url, want in expected.items():
        assert {name: stored[url][name] for name in want} == want, url
    # Every article came out of generic extraction, and the crawl says so.
    assert first.stat("newsmon/azernews/fallback/generic") == first.stat("newsmon/azernews/articles") == len(expected)
    for reason, count in expected_drops(site).items():
        assert first.stat(f"newsmon/azernews/{reason}") == count, reason
    # The rerun reads the feed and fetches no article again.
    assert rerun == Counter({"/robots.txt": 1, "/feed.php": 1})
    assert second.stat("newsmon/store/inserted") == 0


def test_generic_extraction_can_stand_in_for_a_sites_parser(tmp_path: Path):
    """-s NEWSMON_GENERIC_EXTRACTION=apa: APA's pages read without APA's parser, as while a
    redesign breaks it. Where the article is, its title and its date still come through."""
    site = build_replay(["apa"])
    uri = f"sqlite:///{tmp_path / 'store.db'}"
    environment = {"NEWSMON_PROMETHEUS_FILE": str(tmp_path / "newsmon-{scope}.prom")}
    with ReplayServer(site) as server:
        run = crawl_replay(
            server, ["apa:en"], store=uri, environment=environment, settings={"NEWSMON_GENERIC_EXTRACTION": "apa"}
        )["apa:en"]
    assert run.ran, run.log[-3000:]
    assert run.stat("newsmon/apa/fallback/generic") == run.stat("newsmon/apa/articles") > 0
    expected = {url: record for url, record in expected_articles(site).items() if record["site"] == "en.apa.az"}
    with open_store(uri) as store:
        stored = {article.url: to_record(article) for article in store.query()}
    assert set(stored) <= set(expected) and len(stored) >= len(expected) - 2
    for url, record in stored.items():
        assert (record["title"], record["published_at"]) == (expected[url]["title"], expected[url]["published_at"]), url
