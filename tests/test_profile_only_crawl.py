"""A site with a profile only (Armenpress: feeds, an article URL pattern, a User-Agent) is crawled
with generic extraction: the real `scrapy crawl armenpress` over real HTTP against its replay."""
from __future__ import annotations

import http.client
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from crawl_helpers import crawl_environment, store_uri, stored_records
from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.sites import REGISTRY
from newsmon.sites.armenpress import FEED_PATH, SITE
from newsmon.sites.base import BROWSER_COMPATIBLE_USER_AGENT
from newsmon.spiders.base import PERMANENT_DROPS

HOST = "armenpress.am"


def test_a_profile_only_site_is_crawled_with_generic_extraction_incrementally(tmp_path: Path):
    assert not REGISTRY["armenpress"].has_page_parser
    site = build_replay(["armenpress"])
    scopes = site.scopes_of("armenpress")
    uri = store_uri(tmp_path / "store.db")
    with ReplayServer(site) as server:
        first = crawl_replay(server, scopes, store=uri, environment=crawl_environment(tmp_path))
        first_hits = len(server.hits)
        second = crawl_replay(server, scopes, store=uri, environment=crawl_environment(tmp_path))
        rerun = Counter(hit.target for hit in server.hits[first_hits:])

    for run in (*first.values(), *second.values()):
        assert run.ran, run.log[-3000:]
    expected = expected_articles(site)
    stored = stored_records(uri)
    assert sorted(stored) == sorted(expected) and len(stored) >= 20
    for url, want in expected.items():
        assert {name: stored[url][name] for name in want} == want, url
    for scope, run in first.items():
        # Every article came out of generic extraction, and the crawl says so.
        assert run.stat("newsmon/armenpress/fallback/generic") == run.stat("newsmon/armenpress/articles") > 0, scope
        for reason, count in expected_drops(site, scope).items():
            assert run.stat(f"newsmon/armenpress/{reason}") == count, (scope, reason)
    # The reruns read the feeds and fetch no article again (robots.txt once per crawl of the host),
    # but those whose failure may pass: a 5xx page is asked again (with its retries).
    prefixes = [site.edition(scope).prefix for scope in scopes]
    may_pass = {
        template.story_path(edition, story)
        for scope, (template, edition) in site.editions.items()
        for story in site.stories[scope]
        if story.dropped_as and story.dropped_as not in PERMANENT_DROPS
    }
    feeds = Counter({"/robots.txt": len(scopes), **{prefix + FEED_PATH: 1 for prefix in prefixes}})
    assert +Counter({target: n for target, n in rerun.items() if target not in may_pass}) == feeds
    assert set(rerun) - set(feeds) == may_pass
    assert all(run.stat("newsmon/store/inserted") == 0 for run in second.values())


def test_the_site_turns_away_clients_that_are_not_browsers_and_the_profile_says_how_to_ask():
    assert SITE.user_agent == BROWSER_COMPATIBLE_USER_AGENT and "newsmon" in SITE.user_agent
    with ReplayServer(build_replay(["armenpress"])) as server:
        address = urlsplit(server.base_url(HOST))

        def status(user_agent: str) -> int:
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
            connection.request("GET", "/en" + FEED_PATH, headers={"User-Agent": user_agent})
            answer = connection.getresponse().status
            connection.close()
            return answer

        assert status("newsmon/0.1 (+https://github.com/newsmon/newsmon)") == 403
        assert status(SITE.user_agent) == 200


def test_scrapy_check_passes_offline_for_each_edition(tmp_path: Path):
    env = {**os.environ, "NEWSMON_STORE": store_uri(tmp_path / "store.db"), **crawl_environment(tmp_path)}
    with ReplayServer(build_replay(["armenpress"])) as server:
        for lang in ("en", "ru"):
            command = [sys.executable, "-m", "scrapy", "check", "armenpress", "-a", f"editions={lang}"]
            command += ["-a", f"base_url={server.base_url(HOST)}"]
            result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, result.stdout + result.stderr
