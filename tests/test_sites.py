"""The multi-site design: the registry, shared feed parsing, blocking sites, outlets in records."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from newsmon.documents import parse_document
from newsmon.items import from_record
from newsmon.middlewares import BlockedSiteMiddleware, SiteBlocked, blocked_by, failure_kind
from newsmon.replay.crawl import PROJECT_ROOT
from newsmon.sites import REGISTRY, outlet_of_host, site_of_agency
from newsmon.sites.feeds import FeedError, parse_news_sitemap, parse_rss
from newsmon.spiders.outlets import SPIDERS
from newsmon.text import clean_title


def test_every_site_module_is_an_outlet_with_a_spider_of_its_name():
    assert {"apa", "report", "trend", "azernews"} <= set(REGISTRY)
    assert set(SPIDERS) == set(REGISTRY)
    for name, spider in SPIDERS.items():
        assert spider.name == name and spider.site is REGISTRY[name]


def test_scrapy_list_shows_every_site():
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == sorted(REGISTRY)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-a", "editions=de"], "apa has no edition de: choose from az, en, ru"),
        (["-a", "max_pages=many"], "max_pages must be a whole number"),
        (["-a", "since=yesterday"], "since must be a date"),
    ],
)
def test_a_bad_spider_argument_is_one_line_and_a_usage_exit(tmp_path, arguments, message):
    env = {**os.environ, "NEWSMON_STORE": f"sqlite:///{tmp_path / 'store.db'}"}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "apa", *arguments],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert f"error: {message}" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("host", "outlet"),
    [("apa.az", "apa"), ("en.apa.az", "apa"), ("report.az", "report"), ("www.trend.az", "trend"),
     ("azernews.az", "azernews"), ("example.com", "")],
)  # fmt: skip
def test_outlet_of_host(host, outlet):
    assert outlet_of_host(host) == outlet


def test_records_stored_before_outlets_get_theirs_from_the_host():
    assert from_record({"site": "ru.apa.az", "title": "x"}).outlet == "apa"
    assert from_record({"site": "ru.apa.az", "outlet": "other"}).outlet == "other"
    assert from_record({"site": "ru.apa.az", "outlet": ""}).outlet == ""  # a record of today says what it is


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("New park opens in Baku - PHOTO | APA", "New park opens in Baku - PHOTO"),
        ("Neft bahalaşıb - Report.az", "Neft bahalaşıb"),
        ("Oil prices rise | TREND.AZ", "Oil prices rise"),
        ("Baku hosts forum - AzerNews", "Baku hosts forum"),
        ("A new trend - Trend", "A new trend - Trend"),  # a plain word is no agency suffix
    ],
)
def test_title_suffixes_come_from_the_site_profiles(title, expected):
    assert clean_title(title) == expected


def test_a_credit_line_without_a_caption_credits_the_agency_and_captions_nothing():
    text = "Title of the news\n\n© APA\n\n# 28 April 2024 22:40 (UTC +04:00)\n\nThe text of the article, APA reports.\n"
    article = parse_document(text)
    assert article.image_caption == ""
    assert (article.site, article.outlet, article.authors) == ("en.apa.az", "apa", ["APA"])
    assert site_of_agency("Report.az") is REGISTRY["report"] and site_of_agency("Unknown Agency") is None


# --- feeds as they are in the wild -------------------------------------------------------------


def rss(items: str, *, prefix: bytes = b'<?xml version="1.0" encoding="UTF-8"?>') -> XmlResponse:
    body = prefix + f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>".encode()
    return XmlResponse(url="https://example.az/rss", body=body)


def item(link: str, guid: str | None = None, description: str = "") -> str:
    guid_tag = f"<guid>{guid}</guid>" if guid is not None else ""
    return f"<item><title>t</title><link>{link}</link>{guid_tag}<description>{description}</description></item>"


def test_a_feed_url_that_answers_html_is_no_feed():
    page = HtmlResponse(url="https://apa.az/en/rss", body=b"<!DOCTYPE html><html><body>news</body></html>")
    with pytest.raises(FeedError) as raised:
        parse_rss(page)
    assert raised.value.reason == "not_a_feed"


def test_feed_quirks_are_reported_and_every_link_kept():
    no_guid = parse_rss(rss(item("https://azertag.az/xeber/a-1") + item("https://azertag.az/xeber/b-2")))
    assert no_guid.quirks == ["no_guid"] and len(no_guid.entries) == 2
    same = "https://www.qafqazinfo.az/news/detail/"
    one_guid = parse_rss(rss(item(same + "a-1", same) + item(same + "b-2", same)))
    assert one_guid.quirks == ["same_guid"] and [e.url for e in one_guid.entries] == [same + "a-1", same + "b-2"]
    escaped = parse_rss(rss(item(same + "a-1", same, "&lt;![CDATA[Ukrayna Prezidenti imzalayıb.&#13;\nKİV-]]&gt;")))
    assert "escaped_description" in escaped.quirks and escaped.entries[0].summary == "Ukrayna Prezidenti imzalayıb. KİV-"
    # APA's feed: a newline and spaces before <rss>, and no XML declaration.
    spaced = parse_rss(rss(item("https://apa.az/x/y-1", "https://apa.az/x/y-1"), prefix=b"\n        "))
    assert spaced.quirks == ["leading_whitespace"] and len(spaced.entries) == 1


def test_a_nested_image_link_is_not_the_items_link():
    nested = "<item><title>t</title><link>https://q.az/news/detail/a-1</link><image><link>https://q.az/news/detail/</link></image></item>"
    assert [e.url for e in parse_rss(rss(nested)).entries] == ["https://q.az/news/detail/a-1"]


def test_a_news_sitemap_gives_its_news_fields():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://report.az/hadise/a</loc><news:news><news:publication><news:name>Report</news:name>
<news:language>az</news:language></news:publication><news:publication_date>2026-07-19T12:05:35+04:00</news:publication_date>
<news:title>Headline</news:title></news:news></url></urlset>"""
    (entry,) = parse_news_sitemap(XmlResponse(url="https://report.az/news-sitemap.xml", body=body)).entries
    assert (entry.url, entry.published, entry.lang, entry.title) == (
        "https://report.az/hadise/a", "2026-07-19T12:05:35+04:00", "az", "Headline"
    )
    with pytest.raises(FeedError):
        parse_news_sitemap(HtmlResponse(url="https://report.az/news-sitemap.xml", body=b"<html><body>x</body></html>"))


# --- a site that blocks us ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "body", "why"),
    [
        (403, {}, b"Forbidden", "http_403"),
        (429, {"Retry-After": "3600"}, b"", "http_429"),
        (503, {"cf-mitigated": "challenge"}, b"", "challenge"),
        (200, {}, b"<html><head><title>Just a moment...</title></head></html>", "challenge"),
        (200, {}, b"<html><body>news</body></html>", ""),
        (404, {}, b"", ""),
    ],
)
def test_what_counts_as_blocked(status, headers, body, why):
    assert blocked_by(HtmlResponse(url="https://oxu.az/", status=status, headers=headers, body=body)) == why


def test_a_blocking_host_is_not_asked_again_and_other_hosts_are():
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    middleware = BlockedSiteMiddleware.from_crawler(crawler)
    first = Request("https://oxu.az/siyaset/a")
    with pytest.raises(SiteBlocked) as raised:
        middleware.process_response(first, HtmlResponse(url=first.url, status=403, body=b""))
    assert failure_kind(raised.value) == "blocked"
    with pytest.raises(SiteBlocked, match="not asked again"):
        middleware.process_request(Request("https://oxu.az/siyaset/b"))
    assert middleware.process_request(Request("https://apa.az/x/y-1")) is None
    assert crawler.stats.get_value("newsmon/blocked/http_403") == 1


def test_a_crawl_of_a_site_that_blocks_us_reports_it_backs_off_and_a_monitor_fails(tmp_path):
    from newsmon.replay import ReplayServer, build_replay
    from newsmon.replay.crawl import crawl_replay
    from newsmon.replay.site import Page

    site = build_replay(["apa"])
    host = site.edition("apa:en").host
    challenge = Page(403, b"<html><head><title>Just a moment...</title></head><body>challenge-platform</body></html>")
    for target in list(site.pages[host]):
        if target != "/robots.txt":
            site.add(host, target, challenge)
    uri = f"sqlite:///{tmp_path / 'store.db'}"
    with ReplayServer(site) as server:
        run = crawl_replay(
            server, ["apa:en"], store=uri, environment={"NEWSMON_PROMETHEUS_FILE": str(tmp_path / "m-{scope}.prom")}
        )["apa:en"]
    assert run.returncode == 3, run.log[-3000:]  # a monitor failed
    assert run.stat("newsmon/apa/blocked") == 2  # the listing page and the feed: nothing else was asked
    assert run.stat("newsmon/blocked/challenge") == 1  # logged once
    # Only what was already on its way when the first block came; no article page.
    assert {hit.target for hit in server.hits} == {"/robots.txt", "/all-news", "/rss"}
    assert any("Blocked Site Monitor" in failure for failure in run.monitor_failures)
    assert run.log.count("no more requests to it in this run") == 1
