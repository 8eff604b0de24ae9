"""The real `scrapy crawl report` over real HTTP against the local replay of Report.az.

The end-to-end test crawls each edition (az, en, ru: one host, one port, paths under /en and /ru)
twice into one SQLite store and checks every stored article field by field, the drop counters,
the "load more" cursor that ends, and that the rerun fetches nothing but robots.txt, the first
listing page, the feed and the news sitemap. Then the traps: a headline edited on an unchanged
slug, the feed item without seconds, the search that answers 404.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from datetime import timezone

import pytest
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler

from newsmon.dates import parse_dateline
from newsmon.fingerprint import content_hash
from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.replay.outlets import report as template
from newsmon.replay.outlets.report import TITLE_CHANGES, load_more_target, public_url, published_time, timestamp
from newsmon.replay.site import CORPUS, ReplaySite, retitle
from newsmon.sites import feeds
from newsmon.sites.report import EDITIONS, LISTING_PATH, LOAD_MORE_PATH, NEWS_SITEMAP_PATH, RSS_PATH, SITE
from newsmon.spiders.base import PERMANENT_DROPS
from newsmon.spiders.outlets import ReportSpider
from newsmon.store import open_store
from newsmon.stories import StoryParams, make_sketch, same_story
from crawl_helpers import assert_ran_cleanly, assert_stored_as_expected, crawl_environment, crawl_twice, store_uri, stored_records

HOST = "report.az"
SCOPES = tuple(f"report:{lang}" for lang in EDITIONS)
# What a rerun over an unchanged site requests from every edition, each once (robots.txt is the host's).
RERUN_PATHS = (LISTING_PATH, RSS_PATH, NEWS_SITEMAP_PATH)
CHANGED_SCOPE, (CHANGED_SLUG, CHANGED_TITLE) = "report:az", next((slug, title) for (_, slug), title in TITLE_CHANGES.items())








def edition_targets(scope: str, paths) -> list[str]:
    prefix = EDITIONS[scope.split(":")[1]].prefix
    return [prefix + path for path in paths]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Two crawls of every edition into one store, with the server's hits of each."""
    return crawl_twice(tmp_path_factory.mktemp("report-crawl"), ["report"], SCOPES)


def test_both_crawls_run_to_the_end(crawled):
    assert_ran_cleanly([*crawled["first"].values(), *crawled["second"].values()])


def test_every_stored_article_is_the_expected_one_field_by_field(crawled):
    stored, expected = crawled["stored_after_first"], expected_articles(crawled["site"])
    assert_stored_as_expected(stored, expected)
    assert len(stored) >= 20
    for url, got in stored.items():
        # Report alone: every article its own story, but the translations of one event (the
        # corpus's editions carry some of the same events in az, en and ru).
        assert got["story_id"] == got["content_hash"] or got["story_match"] == "translation", url


def test_drops_are_counted_under_their_stats(crawled):
    site, runs = crawled["site"], crawled["first"]
    for scope, run in runs.items():
        counted = Counter({reason: run.stat(f"newsmon/report/{reason}") for reason in expected_drops(site, scope)})
        assert counted == expected_drops(site, scope), scope
    assert sum(expected_drops(site).values()) == 6  # http_404, truncated, no_date, no_body, malformed, http_5xx
    assert runs["report:az"].stat("newsmon/retry/http_5xx") == 1  # the flaky page, stored after one retry
    assert runs["report:ru"].stat("newsmon/retry/http_5xx") == 3  # the broken page, given up after the retries


def test_junk_paragraphs_tweets_and_tags_are_not_in_the_text(crawled):
    for record in crawled["stored_after_first"].values():
        for junk in ("Telegram", "WhatsApp", "pic.twitter.com", "Copy link", "COP29"):
            assert junk not in record["body"], (record["url"], junk)
        for tag in record["tags"]:
            assert tag not in record["body"].split("\n\n"), record["url"]


def test_the_load_more_cursor_is_followed_to_its_empty_end(crawled):
    site, runs = crawled["site"], crawled["first"]
    for scope, run in runs.items():
        stories = site.stories[scope]
        edition = site.edition(scope)
        cursors = [
            load_more_target(edition, timestamp(stories[min(i, len(stories)) - 1]))
            for i in range(template.PAGE_SIZE, len(stories) + template.PAGE_SIZE, template.PAGE_SIZE)
        ]
        requested = [hit.target for hit in crawled["first_hits"] if hit.path == edition.prefix + LOAD_MORE_PATH]
        assert sorted(requested) == sorted(cursors), scope
        last = site.find(HOST, cursors[-1])
        assert last.status == 200 and last.body == b"", scope  # the answer after the oldest card
        assert run.stat("newsmon/report/stop/empty_page") == 1, scope
        assert run.stat("newsmon/report/not_article_skipped") > 0, scope  # the tag card


def test_the_rerun_fetches_only_the_first_listing_page_the_feed_and_the_sitemap(crawled):
    site = crawled["site"]
    assert stored_records(crawled["uri"]) == crawled["stored_after_first"]
    requested = Counter(hit.target for hit in crawled["second_hits"])
    wanted = Counter(["/robots.txt"] * len(SCOPES))
    for scope in SCOPES:
        wanted.update(edition_targets(scope, RERUN_PATHS))
    assert requested == wanted
    for scope, run in crawled["second"].items():
        assert run.stat("newsmon/store/inserted") == 0, scope
        assert run.stat("newsmon/report/stop/all_known") == 1, scope
        assert run.stat("newsmon/report/known_skipped") > 0, scope
    # What may pass (5xx, a page cut off) is past the first listing page and out of the feeds.
    assert {"truncated", "http_5xx"} <= set(expected_drops(site)) - PERMANENT_DROPS


def test_each_article_page_is_fetched_once(crawled):
    site = crawled["site"]
    articles = site.article_paths(HOST)
    served = Counter(hit.path for hit in crawled["first_hits"] if hit.status == 200 and hit.path in articles)
    assert {path: n for path, n in served.items() if n != 1} == {}
    assert not [hit for hit in crawled["first_hits"] if "/search" in hit.path or "/tag/" in hit.path]


# --- traps ----------------------------------------------------------------------------------------


def changed_story(site: ReplaySite):
    return next(story for story in site.stories[CHANGED_SCOPE] if story.slug == CHANGED_SLUG)


def test_an_edited_headline_is_stored_under_the_unchanged_slug(crawled):
    story = changed_story(crawled["site"])
    url = public_url(EDITIONS["az"], story)
    assert "68" in url and story.title == CHANGED_TITLE and "69" in story.title
    assert crawled["stored_after_first"][url]["title"] == CHANGED_TITLE


def test_a_headline_edited_again_is_a_revision_of_the_same_article_not_a_new_one(tmp_path):
    site = build_replay(["report"])
    uri = store_uri(tmp_path / "store.db")
    environment = crawl_environment(tmp_path)
    story = changed_story(site)
    url = public_url(EDITIONS["az"], story)
    with ReplayServer(site) as server:
        first = crawl_replay(server, [CHANGED_SCOPE], store=uri, environment=environment)[CHANGED_SCOPE]
        assert first.ran, first.log[-3000:]
        count = len(stored_records(uri))
        edited = retitle(site, CHANGED_SCOPE, CHANGED_SLUG, "Azərbaycan neftinin qiyməti 70 dolları ötüb")
        path = template.TEMPLATE.story_path(site.edition(CHANGED_SCOPE), story)
        assert site.find(HOST, path).status == 200
        # The incremental crawl knows the URL: nothing is fetched again, nothing new is stored.
        rerun = crawl_replay(server, [CHANGED_SCOPE], store=uri, environment=environment)[CHANGED_SCOPE]
        assert rerun.ran and rerun.stat("newsmon/store/inserted") == 0, rerun.log[-3000:]
        # Fetching the page again (`scrapy parse --pipelines`, the chain and the store as in a
        # crawl) revises the article under the same URL.
        command = [
            sys.executable, "-m", "scrapy", "parse", "--spider", "report", "--pipelines", "-c", "parse_article",
            "--cbkwargs", json.dumps({"edition": "az"}), "-a", "editions=az", "-a", f"base_url={server.base_url(HOST)}",
            server.base_url(HOST) + path,
        ]  # fmt: skip
        env = {**os.environ, **environment, "NEWSMON_STORE": uri, "SCRAPY_SETTINGS_MODULE": "settings.dev"}
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
    stored = stored_records(uri)
    assert len(stored) == count
    assert stored[url]["title"] == edited.title
    with open_store(uri) as store:
        (revision,) = store.revisions(url)
    assert revision["article"].title == CHANGED_TITLE and revision["article"].url == url


def test_the_feed_item_without_seconds_is_read_and_its_link_crawled(tmp_path):
    site = build_replay(["report"])
    edition = EDITIONS["az"]
    page = site.find(HOST, RSS_PATH)
    body = page.body.decode()
    story = [s for s in site.stories["report:az"] if "gone" not in s.quirks][1]
    when = published_time(story)
    printed = f"{when:%a, %d %b %Y %H:%M} +0400"
    assert f"<pubDate>{printed}</pubDate>" in body
    feed = feeds.parse_rss(XmlResponse(url=edition.base_url + RSS_PATH, body=page.body))
    entry = next(e for e in feed.entries if e.url == public_url(edition, story))
    assert entry.published == printed
    assert parse_dateline(entry.published, tz=SITE.timezone) == when.replace(second=0).astimezone(timezone.utc)
    crawler = get_crawler(ReportSpider, {"NEWSMON_STORE": store_uri(tmp_path / "store.db")})
    spider = ReportSpider.from_crawler(crawler, editions="az")
    requested = [request.url for request in spider.parse_feed(XmlResponse(url=edition.base_url + RSS_PATH, body=page.body), edition="az")]
    assert public_url(edition, story) in requested
    assert spider.listed_time(entry.published) == when.replace(second=0)


def test_search_answers_404_and_an_unknown_cursor_too():
    with ReplayServer(build_replay(["report"])) as server:
        base = server.base_url(HOST)
        for target in ("/search?query=x", "/en/search?query=neft", "/ru/infinity/index?date=2020-01-01+00%3A00%3A00&oldest=1"):
            with pytest.raises(urllib.error.HTTPError) as raised:
                urllib.request.urlopen(base + target, timeout=10)
            assert raised.value.code == 404, target
        listing = urllib.request.urlopen(base + "/en/son-xeberler", timeout=10).read().decode()
        assert 'data-url="/en/infinity/index"' in listing and "index-post-block" in listing


def test_the_replay_pages_parse_with_the_site_module():
    site = build_replay(["report"])
    for scope in SCOPES:
        edition = site.edition(scope)
        listing = site.find(HOST, edition.prefix + LISTING_PATH)
        page = SITE.parse_listing(HtmlResponse(url=edition.base_url + LISTING_PATH, body=listing.body), edition)
        first = site.stories[scope][: template.PAGE_SIZE]
        assert [link.url for link in page.links][: len(first)] == [public_url(edition, s) for s in first]
        assert page.next_url == edition.origin + load_more_target(edition, timestamp(first[-1]))


def test_reports_copies_differ_from_apas_but_tell_the_same_story():
    params = StoryParams()
    for lang in EDITIONS:
        apa = {story.slug: story for story in CORPUS[lang]}
        for story in template.TEMPLATE.stories(EDITIONS[lang]):
            if story.dropped_as:  # never stored (a one-line stub of a deleted page, say)
                continue
            original = apa[story.slug]
            assert "APA" not in " ".join(story.paragraphs) and "Report" in story.paragraphs[0], story.slug
            ours, theirs = ("\n\n".join(s.paragraphs) for s in (story, original))
            assert content_hash(story.title, ours) != content_hash(original.title, theirs), story.slug
            assert same_story(make_sketch(ours, params), make_sketch(theirs, params), params), story.slug


@pytest.mark.parametrize("lang", tuple(EDITIONS))
def test_scrapy_check_passes_offline_for_each_edition(tmp_path, lang):
    env = {**os.environ, "NEWSMON_STORE": store_uri(tmp_path / "store.db"), **crawl_environment(tmp_path)}
    with ReplayServer(build_replay(["report"])) as server:
        command = [sys.executable, "-m", "scrapy", "check", "report", "-v", "-a", f"editions={lang}"]
        command += ["-a", f"base_url={server.base_url(HOST)}"]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.rstrip().endswith("OK"), output
    prefix = EDITIONS[lang].prefix
    served = {hit.path for hit in server.hits if hit.status == 200}
    assert {prefix + LISTING_PATH, prefix + RSS_PATH, prefix + NEWS_SITEMAP_PATH} <= served, served
    assert prefix + SITE.samples.articles[lang] in served, served  # the sample article the template serves
    assert "Ran " in output and " contracts" in output, output
