"""A crawl cut short leaves no permanent gap: the next run reads what the cut run did not reach.

Real `scrapy crawl apa` over real HTTP against the replay: a first run reads the English edition;
ten new articles appear; a run capped at one listing page (as after an outage, or a SIGTERM)
reads only the newest; the next, uncapped run finds the top known, continues where the capped
run stopped, and stores the rest.
"""
from __future__ import annotations

from pathlib import Path

from newsmon.replay import ReplayServer, ReplaySite, build_replay
from newsmon.replay.crawl import crawl_replay
from newsmon.replay.outlets import TEMPLATES
from newsmon.replay.site import add_edition, synthetic_stories
from newsmon.store import open_store

NEW_ARTICLES = 10


def with_new_articles(site: ReplaySite) -> ReplaySite:
    grown = ReplaySite()
    for scope, (template, edition) in site.editions.items():
        stories = site.stories[scope]
        if scope == "apa:en":
            stories = synthetic_stories(NEW_ARTICLES, lang="en", seed=7) + stories
        add_edition(grown, template, edition, stories)
    return grown


def test_a_run_cut_short_is_continued_by_the_next_one(tmp_path: Path):
    assert TEMPLATES["apa"]
    before = build_replay(["apa"])
    after = with_new_articles(before)
    uri = f"sqlite:///{tmp_path / 'store.db'}"
    environment = {"NEWSMON_PROMETHEUS_FILE": str(tmp_path / "newsmon-{scope}.prom")}

    def crawl(server: ReplayServer, *arguments: str):
        run = crawl_replay(server, ["apa:en"], store=uri, environment=environment, spider_args=arguments)["apa:en"]
        assert run.ran, run.log[-3000:]
        return run

    def stored_count() -> int:
        with open_store(uri) as store:
            return store.count(site="en.apa.az")

    def gaps() -> list[str]:
        with open_store(uri) as store:
            return store.listing_gaps("apa:en")

    with ReplayServer(before) as server:
        crawl(server)
        first = stored_count()
        assert gaps() == []
        server.site = after
        capped = crawl(server, "max_pages=1")
        assert capped.stat("newsmon/apa/stop/max_pages") == 1 and capped.stat("newsmon/apa/listing/incomplete") == 1
        assert gaps() == ["https://en.apa.az/all-news?page=2"]
        assert stored_count() < first + NEW_ARTICLES  # the feed and page 1 hold only the newest
        hits_before_last = len(server.hits)
        last = crawl(server)
        last_targets = [hit.target for hit in server.hits[hits_before_last:]]

    assert stored_count() == first + NEW_ARTICLES
    assert last.stat("newsmon/apa/listing/resumed") == 1 and last.stat("newsmon/apa/stop/all_known") == 1
    assert gaps() == [] and last.stat("newsmon/apa/listing/incomplete") == 0
    # It read the known top page, then the gap's page and one past it, no deeper.
    assert [t for t in last_targets if t.startswith("/all-news")] == ["/all-news", "/all-news?page=2", "/all-news?page=3"]


def test_a_first_run_owes_nothing_past_its_last_page(tmp_path: Path):
    uri = f"sqlite:///{tmp_path / 'store.db'}"
    environment = {"NEWSMON_PROMETHEUS_FILE": str(tmp_path / "newsmon-{scope}.prom")}
    with ReplayServer(build_replay(["apa"])) as server:
        run = crawl_replay(server, ["apa:en"], store=uri, environment=environment, spider_args=["max_pages=1"])["apa:en"]
    assert run.ran and run.stat("newsmon/apa/stop/max_pages") == 1, run.log[-3000:]
    with open_store(uri) as store:
        assert store.listing_gaps("apa:en") == []  # the archive was never read: no gap to close
