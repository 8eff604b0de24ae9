"""The real Trend spider with the real settings, over real HTTP, against the replay on 127.0.0.1.

The end-to-end test runs `scrapy crawl trend` (one subprocess per edition) twice into one
store and checks every stored article field by field, the drop counters, that the "load more"
cursor ends, that the English feed's www.trend.az links are filed under en.trend.az, and that
the second run fetches nothing but each edition's robots.txt, first listing page and feed.
Lighter tests of the replay's Trend markup follow (year-less listing dates across New Year,
Trend's copies of the corpus).
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from newsmon.dates import parse_dateline
from newsmon.fingerprint import content_hash
from newsmon.replay import ReplayServer, build_replay, expected_articles, expected_drops
from newsmon.replay.corpus import Story
from newsmon.replay.crawl import PROJECT_ROOT, crawl_replay
from newsmon.replay.outlets import trend as template
from newsmon.replay.outlets.apa import TEMPLATE as APA
from newsmon.replay.site import CORPUS, ReplaySite, add_edition, plain_text, utc_time
from newsmon.sites.trend import FEED_PATH, LISTING_PATH, SITE
from newsmon.spiders import base as spider_base
from newsmon.spiders.base import LISTED_URL
from newsmon.spiders.outlets import TrendSpider
from newsmon.stories import StoryParams, make_sketch, same_story
from crawl_helpers import article_hits, assert_stored_as_expected, crawl_environment, store_uri, stored_records

LANGS = SITE.langs
SCOPES = tuple(f"trend:{lang}" for lang in LANGS)
RERUN_TARGETS = ("/robots.txt", LISTING_PATH, FEED_PATH)
BAKU = timezone(timedelta(hours=4))










def test_crawl_trend_replay_end_to_end(tmp_path):
    site = build_replay(["trend"])
    uri = store_uri(tmp_path / "store.db")
    environment = crawl_environment(tmp_path)
    with ReplayServer(site) as server:
        started = datetime.now(timezone.utc)
        first = crawl_replay(server, site.scopes_of("trend"), store=uri, environment=environment)
        ended = datetime.now(timezone.utc)
        first_hits = list(server.hits)
        stored_after_first = stored_records(uri)
        second = crawl_replay(server, site.scopes_of("trend"), store=uri, environment=environment)
        second_hits = server.hits[len(first_hits) :]

    for run in (*first.values(), *second.values()):
        assert run.ran, f"{run.scope}: exit {run.returncode}\n{run.log[-3000:]}"
        assert not [key for key in run.stats if key.startswith("spider_exceptions/")], run.scope

    # Every field of every stored article.
    expected = expected_articles(site)
    assert_stored_as_expected(stored_after_first, expected)
    assert len(expected) >= 25
    for url, got in stored_after_first.items():
        # No other outlet in this store: an article founds its story, or translates another edition's.
        assert got["story_id"] == got["content_hash"] or got["story_match"] == "translation", url
        fetched_at = datetime.fromisoformat(got["fetched_at"])
        assert started <= fetched_at <= ended, url

    # Broken pages, each counted under its own stat.
    counted = Counter()
    for run in first.values():
        for reason in expected_drops(site):
            counted[reason] += run.stat(f"newsmon/trend/{reason}")
    assert counted == expected_drops(site) == Counter(
        {"http_404": 1, "truncated": 1, "no_date": 1, "no_body": 1, "malformed": 1, "http_5xx": 1}
    )
    az, ru = first["trend:az"], first["trend:ru"]
    assert az.stat("newsmon/retry/http_5xx") == 1  # the flaky page, stored after one retry
    assert ru.stat("newsmon/retry/http_5xx") == 3  # the broken page, given up after RETRY_TIMES
    for scope, run in first.items():
        # The section page and the sister edition's card are not articles (the ad's
        # javascript: card is no link at all); the "load more" cursor runs to its answer
        # without cards, and no further.
        assert run.stat("newsmon/trend/not_article_skipped") == 2, scope
        assert run.stat("newsmon/trend/stop/empty_page") == 1, scope
        assert not [k for k in run.stats if k.startswith("newsmon/trend/fallback/")], scope
    check_listing_requests(server, first_hits)
    served = article_hits(server, [h for h in first_hits if h.status == 200])
    assert {page: n for page, n in served.items() if n != 1} == {}

    # The English feed links to www.trend.az (see test_the_english_feed_links_to_www_...).
    feed = site.pages["en.trend.az"][FEED_PATH].body.decode()
    assert feed.count("<link>https://www.trend.az/") == 1 + template.FEED_SIZE and "en.trend.az" not in feed
    assert not [url for url in stored_after_first if "www." in url]

    # Second run over the unchanged site: nothing new, and only robots, /latest/ and the feed.
    assert stored_records(uri) == stored_after_first
    requested = Counter((hit.host, hit.target) for hit in second_hits)
    assert requested == Counter((host, target) for host in site.hosts for target in RERUN_TARGETS)
    for scope, run in second.items():
        assert run.stat("newsmon/store/inserted") == 0, scope
        assert run.stat("newsmon/trend/stop/all_known") == 1, scope
        assert run.stat("newsmon/trend/known_skipped") > 0, scope
        assert run.stat("newsmon/trend/remembered") == 0, scope


def check_listing_requests(server: ReplayServer, hits) -> None:
    """Each edition's /latest/, then every "load more" answer once, the last one without cards."""
    site = server.site
    for scope in SCOPES:
        host = site.edition(scope).host
        listing = sorted(h.target for h in hits if h.host == host and h.path == LISTING_PATH)
        assert listing == sorted(t for t in site.pages[host] if t.startswith(LISTING_PATH)), scope
        assert all(h.status == 200 for h in hits if h.host == host and h.path == LISTING_PATH)


def test_since_stops_at_older_articles_on_the_year_less_listing(tmp_path):
    # The listing prints no year: "7 Aprel" is read as the one nearest the fetch time. `since`
    # is the newest corpus day in that year, so the check holds whenever the test runs.
    site = build_replay(["trend"])
    newest = site.stories["trend:en"][0].local_time
    day = parse_dateline(f"{newest.day} April 12:00 (UTC+04)", now=datetime.now(timezone.utc)).date()
    uri = store_uri(tmp_path / "store.db")
    with ReplayServer(site) as server:
        run = crawl_replay(
            server, ["trend:en"], store=uri, spider_args=[f"since={day}"], environment=crawl_environment(tmp_path)
        )["trend:en"]
    assert run.ran, run.log[-3000:]
    assert run.stat("newsmon/trend/stop/older_than_since") == 1
    assert run.stat("newsmon/trend/older_skipped") > 0
    on_newest_day = [s for s in site.stories["trend:en"] if s.local_time.date() == newest.date()]
    stored = stored_records(uri)
    assert sorted(stored) == sorted(template.public_url(SITE.edition("en"), s) for s in on_newest_day)


@pytest.mark.parametrize("lang", LANGS)
def test_scrapy_check_passes_offline_for_each_edition(tmp_path, lang):
    env = {**os.environ, "NEWSMON_STORE": store_uri(tmp_path / "store.db"), **crawl_environment(tmp_path)}
    host = SITE.edition(lang).host
    with ReplayServer(build_replay(["trend"])) as server:
        command = [sys.executable, "-m", "scrapy", "check", "trend", "-v", "-a", f"editions={lang}"]
        command += ["-a", f"base_url={server.base_url(host)}"]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "contracts" in output and output.rstrip().endswith("OK"), output
    served = {hit.path for hit in server.hits if hit.status == 200}
    assert {LISTING_PATH, FEED_PATH, SITE.samples.articles[lang]} <= served, served
    assert SITE.samples.articles[lang] in server.site.article_paths(host)


# --- the replay's Trend markup ------------------------------------------------------------------


def new_year_stories() -> list[Story]:
    times = ["2027-01-01 00:20", "2026-12-31 23:50", "2026-12-31 18:05", "2026-12-30 22:10", "2026-12-30 09:00"]
    return [
        Story(id=990000 - n, category="incident", slug=f"x-{n}", title=f"Xəbər {n}", published=published,
              paragraphs=(f"Birinci cümlə {n}.", "İkinci cümlə."))
        for n, published in enumerate(times)
    ]  # fmt: skip


def test_year_less_listing_dates_survive_new_year(tmp_path, monkeypatch):
    """Read on 1 January, `31 Dekabr 23:50` is last year's, `00:20` today's; `since` stops at 30 December."""
    edition = SITE.edition("az")
    stories = new_year_stories()
    site = ReplaySite()
    add_edition(site, template.TEMPLATE, edition, stories)
    page = site.pages[edition.host][LISTING_PATH].body
    assert b">00:20 (UTC+04)<" in page and b">31 Dekabr 23:50 (UTC+04)<" in page
    response = HtmlResponse(url=edition.base_url + LISTING_PATH, body=page, encoding="utf-8")
    listing = SITE.parse_listing(response, edition)
    fetched = datetime(2027, 1, 1, 0, 40, tzinfo=BAKU)
    links = [link for link in listing.links if SITE.is_article_url(link.url, edition)]
    read = [parse_dateline(link.listed, now=fetched) for link in links]
    assert read == [utc_time(story) for story in stories[: len(links)]]

    # The spider on that page, its clock at 1 January: since=2026-12-31 keeps the three newest.
    class FixedClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return fetched.astimezone(tz)

    monkeypatch.setattr(spider_base, "datetime", FixedClock)
    crawler = get_crawler(TrendSpider, {"NEWSMON_STORE": store_uri(tmp_path / "store.db")})
    spider = TrendSpider.from_crawler(crawler, editions="az", since="2026-12-31")
    selection = spider.select_new("az", [(link.url, link.listed) for link in links])
    assert selection.new == [template.public_url(edition, s) for s in stories[:3]]
    assert selection.older == 2


def test_the_load_more_cursor_ends_with_an_answer_without_cards():
    site = build_replay(["trend"])
    for scope in SCOPES:
        edition, stories = site.edition(scope), site.stories[scope]
        url = edition.base_url + LISTING_PATH
        seen = []
        while url:
            target = url.removeprefix(edition.base_url)
            body = site.find(edition.host, target).body
            request = Request(url)
            listing = SITE.parse_listing(HtmlResponse(url=url, body=body, encoding="utf-8", request=request), edition)
            seen += [link.url for link in listing.links if SITE.is_article_url(link.url, edition)]
            url = listing.next_url
            assert len(seen) <= len(stories)
        assert seen == [template.public_url(edition, s) for s in stories], scope
        assert site.find(edition.host, LISTING_PATH + "?ajax=1&date=1").status == 404  # an unknown cursor


def test_the_english_feed_links_to_www_and_the_spider_fetches_them_from_the_en_mirror(tmp_path):
    site = build_replay(["trend"])
    edition = SITE.edition("en")
    mirror = "http://127.0.0.1:8123"
    crawler = get_crawler(TrendSpider, {"NEWSMON_STORE": store_uri(tmp_path / "store.db")})
    spider = TrendSpider.from_crawler(crawler, editions="en", base_url=mirror)
    body = site.pages[edition.host][FEED_PATH].body
    response = TextResponse(url=mirror + FEED_PATH, body=body, encoding="utf-8", headers={"Content-Type": "application/rss+xml"})
    requests = list(spider.parse_feed(response, "en"))
    in_feed = [s for s in site.stories["trend:en"][: template.FEED_SIZE] if "gone" not in s.quirks]
    assert [r.meta[LISTED_URL] for r in requests] == [template.public_url(edition, s) for s in in_feed]
    assert [r.url for r in requests] == [mirror + template.story_path(edition, s) for s in in_feed]
    assert all(url.startswith("https://www.trend.az/") for url in (template.linked_url(edition, s) for s in in_feed))


def test_share_lines_and_the_sidebar_stay_out_of_the_article():
    site = build_replay(["trend"])
    edition = SITE.edition("az")
    story = next(s for s in site.stories["trend:az"] if not s.quirks)
    path = template.story_path(edition, story)
    body = site.pages[edition.host][path].body
    assert b"Trend-i buradan izl" in body and b"Telegram" in body and b'<li><a href="' in body
    response = HtmlResponse(url=edition.base_url + path, body=body, encoding="utf-8")
    article = SITE.parse_article(response, edition, edition.base_url + path).article
    assert article.body == "\n\n".join(plain_text(p) for p in story.paragraphs)
    assert "Telegram" not in article.body and not article.body.startswith("Bakı")
    assert article.dateline == template.dateline("az", story.local_time)  # not a sidebar card's time


def test_trend_runs_near_copies_of_apa_stories():
    """Each Trend copy hashes apart from APA's, and the story step groups the two."""
    params = StoryParams()
    for lang in LANGS:
        apa = {s.id: s for s in CORPUS[lang]}
        for story in template.trend_stories(lang):
            if story.dropped_as:  # never stored: nothing to group
                continue
            original = apa[story.id]
            trend_body = "\n\n".join(plain_text(p) for p in story.paragraphs)
            apa_body = "\n\n".join(plain_text(p) for p in original.paragraphs)
            assert content_hash(story.title, trend_body) != content_hash(original.title, apa_body), (lang, story.id)
            assert "APA" not in trend_body, (lang, story.id)
            assert same_story(make_sketch(trend_body, params), make_sketch(apa_body, params), params), (lang, story.id)
        assert {s.id for s in template.trend_stories(lang)} <= set(apa)
    assert APA.outlet == "apa"
