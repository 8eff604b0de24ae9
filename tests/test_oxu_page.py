"""newsmon.sites.oxu against hand-made Oxu pages and the replay's pages, no crawl."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from scrapy.http import HtmlResponse
from scrapy.settings import Settings

from newsmon.chain import CounterStats, DateStep
from newsmon.replay import build_replay
from newsmon.replay.outlets.oxu import PAGE_SIZE, load_more_target, public_url, timestamp
from newsmon.sites import site_named, site_of_host
from newsmon.sites.base import PageError
from newsmon.sites.oxu import EDITIONS, SITE, article_id
from newsmon.urls import canonicalize_url

URL = "https://oxu.az/iqtisadiyyat/baliq-bazarinda-canlanma-en-cox-alinan-novler-aciqlandi"
IMAGE = "https://images.oxu.az/2025/11/15/4f1c2e9a:600.jpg"


def page(meta: str = "<span>15 noyabr, 2025 / 19:44</span>", *, head: str = "", body: str = "", title: str = "Balıq bazarında canlanma") -> HtmlResponse:
    body = body or """<div class="post-detail-content"><img src="%s"><div class="post-detail-content-inner resize-area">
      <p>Bakının balıq bazarlarında canlanma var, Oxu.az xəbər verir.</p><ins>ad</ins>
      <p>Reklam</p><p>Xəbərləri Newmedia kanalında izləyin</p>
      <p>Ən çox kütüm alınır.</p><div class="audio-block"><p>Xəbəri dinlə</p></div>
      <div class="tag-area"><a>Balıq</a><a>Bazar</a></div></div></div>""" % IMAGE
    html = f"""<!DOCTYPE html><html><head>{head}</head><body>
    <ol class="breadcrumb"><li class="breadcrumb-item active"><a href="/iqtisadiyyat"><span>İqtisadiyyat</span></a></li></ol>
    <div class="post-detail-title"><span class="post-item-tag">Yenilənib</span><span class="post-item-tag">Video</span><h1>{title}</h1></div>
    <div class="post-detail-meta"><span class="views">1520</span>{meta}
      <button class="short-url-btn" data-short-link="https://oxu.az/11281850">Link</button></div>
    {body}
    <div class="post-item"><span class="post-item-tag">Foto</span><h2 class="post-item-title"><a href="/x/y">Other</a></h2></div>
    </body></html>"""
    return HtmlResponse(url=URL, body=html.encode(), encoding="utf-8")


def parse(response: HtmlResponse, lang: str = "az"):
    return SITE.parse_article(response, EDITIONS[lang], URL)


def test_the_registry_knows_oxu_and_its_editions():
    assert site_named("oxu") is SITE and site_of_host("www.oxu.az") is SITE
    assert [(e.lang, e.prefix) for e in SITE.editions] == [("az", ""), ("ru", "/ru")]


@pytest.mark.parametrize(
    ("url", "lang"),
    [
        ("https://oxu.az/iqtisadiyyat/baliq-bazarinda-canlanma", "az"),
        ("https://oxu.az/siyaset/muharibe-baslayib-11281850", "az"),  # a digit tail is part of the slug
        ("https://oxu.az/ru/politika/nachalas-voyna", "ru"),
    ],
)
def test_article_urls(url, lang):
    assert SITE.is_article_url(canonicalize_url(url + "/"), EDITIONS[lang])
    assert canonicalize_url(url) == url


@pytest.mark.parametrize("url", ["https://oxu.az/ru/politika/x", "https://oxu.az/tr/siyaset/x", "https://oxu.az/page/2", "https://oxu.az/rss"])
def test_not_az_articles(url):
    assert not SITE.is_article_url(url, EDITIONS["az"])


def test_the_visible_markup_gives_every_field_and_the_strip_list_holds():
    parsed = parse(page())
    article = parsed.article
    assert parsed.fallbacks == ("image_body",)  # no og:image or JSON-LD on this page
    assert (article.title, article.dateline, article.category) == ("Balıq bazarında canlanma", "15 noyabr, 2025 / 19:44", "İqtisadiyyat")
    assert article.labels == ["YENİLƏNİB", "VİDEO"]  # Azerbaijani capitals; not the related card's Foto
    assert article.body == "Bakının balıq bazarlarında canlanma var, Oxu.az xəbər verir.\n\nƏn çox kütüm alınır."
    assert article.tags == ["Balıq", "Bazar"] and article.image_url == IMAGE and ":600.jpg" in canonicalize_url(IMAGE)
    assert article.published_at is None  # Oxu prints no offset: the chain reads the dateline in Baku time
    assert article_id(page()) == "11281850"


def test_json_ld_gives_published_at_and_og_the_image():
    head = f"""<meta property="og:image" content="{IMAGE}"><script type="application/ld+json">
    {{"@type": "NewsArticle", "datePublished": "2025-11-15T19:44:00+04:00", "articleSection": "Economy",
      "author": [{{"name": "Oxu.az"}}, {{"name": "Aysel Məmmədova"}}]}}</script>"""
    parsed = parse(page(head=head))
    assert parsed.fallbacks == ()
    assert parsed.article.published_at == datetime(2025, 11, 15, 15, 44, tzinfo=timezone.utc)
    assert parsed.article.authors == ["Aysel Məmmədova"]  # the outlet signing is nobody


def test_fallbacks_are_named():
    head = '<meta property="og:title" content="Balıq bazarı"><meta property="article:published_time" content="2025-11-15T19:44:00+04:00">'
    outer = '<div class="post-detail-content"><p>Birinci.</p><p>İkinci.</p></div>'
    parsed = parse(page("", head=head, body=outer, title=""))
    assert parsed.fallbacks == ("title_og", "published_meta", "date_meta", "body_outer")
    assert (parsed.article.title, parsed.article.body, parsed.article.image_url) == ("Balıq bazarı", "Birinci.\n\nİkinci.", "")
    with pytest.raises(PageError) as raised:
        parse(page(""))
    assert raised.value.reason == "no_date"
    with pytest.raises(PageError) as raised:
        parse(page(body='<div class="post-detail-content-inner"><p>Reklam</p></div>'))
    assert raised.value.reason == "no_body"


@pytest.mark.parametrize(
    ("printed", "fetched", "expected"),
    [
        ("15 noy, 2025 / 19:44", datetime(2026, 4, 8, 9, 0, tzinfo=timezone.utc), datetime(2025, 11, 15, 15, 44, tzinfo=timezone.utc)),
        ("Bu gün / 12:18", datetime(2026, 4, 8, 9, 0, tzinfo=timezone.utc), datetime(2026, 4, 8, 8, 18, tzinfo=timezone.utc)),
        # 20:30 UTC is 00:30 in Baku: "today" is already the 9th there.
        ("Bu gün / 00:10", datetime(2026, 4, 8, 20, 30, tzinfo=timezone.utc), datetime(2026, 4, 8, 20, 10, tzinfo=timezone.utc)),
        ("Dünən / 22:30", datetime(2026, 4, 8, 9, 0, tzinfo=timezone.utc), datetime(2026, 4, 7, 18, 30, tzinfo=timezone.utc)),
    ],
)
def test_relative_and_short_datelines_are_resolved_by_the_chain_against_fetched_at(printed, fetched, expected):
    article = parse(page(f"<span>{printed}</span>")).article
    assert article.dateline == printed and article.published_at is None
    article.fetched_at = fetched
    dated = DateStep(Settings({"NEWSMON_DEFAULT_TIMEZONE": "Asia/Baku"}), None, CounterStats()).process(article)
    assert dated.published_at == expected


def test_the_replay_listings_parse_load_more_on_az_numbered_pages_on_ru():
    site = build_replay(["oxu"])
    for lang in ("az", "ru"):
        edition, stories = EDITIONS[lang], site.stories[f"oxu:{lang}"]
        front = site.find("oxu.az", edition.prefix + "/")
        listing = SITE.parse_listing(HtmlResponse(url=edition.base_url + "/", body=front.body), edition)
        first = stories[:PAGE_SIZE]
        assert [link.url for link in listing.links] == [public_url(edition, s) for s in first]
        assert [link.listed for link in listing.links] == [timestamp(s) for s in first]
        if lang == "az":
            assert listing.next_url == edition.origin + load_more_target(edition, timestamp(first[-1]))
            answer = site.find("oxu.az", load_more_target(edition, timestamp(first[-1])))
            more = SITE.parse_listing(HtmlResponse(url=listing.next_url, body=answer.body), edition)
            assert more.next_url == edition.origin + load_more_target(edition, timestamp(stories[2 * PAGE_SIZE - 1]))
        else:  # no declared "load more" path, cards that are the .post-item block itself
            assert listing.next_url == "https://oxu.az/ru/page/2"
            second = SITE.parse_listing(HtmlResponse(url="https://oxu.az/ru/page/2", body=site.find("oxu.az", "/ru/page/2").body), edition)
            assert second.next_url == "https://oxu.az/ru/page/3"
