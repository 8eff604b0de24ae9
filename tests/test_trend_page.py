"""newsmon.sites.trend against page-like Trend fixtures (tests/fixtures/trend), no crawl."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, XmlResponse

from newsmon.dates import parse_dateline
from newsmon.sites import site_named
from newsmon.sites.base import PageError
from newsmon.sites.feeds import FeedEntry, parse_rss
from newsmon.sites.trend import SITE
from newsmon.urls import canonicalize_url

FIXTURES = Path(__file__).parent / "fixtures" / "trend"
AZ, EN, RU = (SITE.edition(lang) for lang in ("az", "en", "ru"))
AZ_URL = "https://az.trend.az/azerbaijan/politics/4126680.html"
EN_URL = "https://en.trend.az/business/energy/4126701.html"
RU_URL = "https://ru.trend.az/azerbaijan/society/4129750.html"
NO_DATE_URL = "https://az.trend.az/azerbaijan/society/4126690.html"
LATEST_URL = "https://az.trend.az/latest/"
BAKU = timezone(timedelta(hours=4))


def html_response(name: str, url: str, *, replace: tuple[str, str] | None = None) -> HtmlResponse:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text, f"fixture {name} has no {replace[0]!r}"
        text = text.replace(*replace)
    return HtmlResponse(url=url, body=text.encode("utf-8"), encoding="utf-8")


def parse(name: str, url: str, edition=AZ, **kwargs):
    return SITE.parse_article(html_response(name, url, **kwargs), edition, url)


# --- profile ------------------------------------------------------------------------------------


def test_the_registry_finds_the_module():
    assert site_named("trend") is SITE
    assert (SITE.title, SITE.langs) == ("Trend", ("az", "en", "ru"))
    assert [e.host for e in SITE.editions] == ["az.trend.az", "en.trend.az", "ru.trend.az"]
    assert SITE.discovery.feeds == ("/feeds/index.rss",) and SITE.discovery.listing == "/latest/"
    assert set(SITE.samples.articles) == set(SITE.langs)
    assert all(SITE.article_path.match(path) for path in SITE.samples.articles.values())


# --- articles -----------------------------------------------------------------------------------

AZ_ARTICLE = {
    "url": AZ_URL,
    "site": "az.trend.az",
    "outlet": "trend",
    "lang": "az",
    "source": "crawl",
    "title": "Prezident İlham Əliyev Gürcüstanın Baş nazirini qəbul edib",  # not the logo's h1
    "dateline": "6 Dekabr 2025 15:49 (UTC +04:00)",  # not the sidebar card's "15:40 (UTC+04)"
    "published_at": None,  # the chain parses the dateline's explicit offset
    "category": "Siyasət",
    "tags": [],
    "authors": [],
    "image_url": "https://static.trend.az/media/images/2025/12/06/4126680.jpg",
}


@pytest.mark.parametrize(("field", "expected"), AZ_ARTICLE.items())
def test_az_article_fields(field, expected):
    assert getattr(parse("article_az.html", AZ_URL).article, field) == expected


def test_az_article_needs_no_fallback():
    assert parse("article_az.html", AZ_URL).fallbacks == ()


def test_az_body_lead_prefix_stripped_and_share_lines_dropped():
    assert parse("article_az.html", AZ_URL).article.body.split("\n\n") == [
        "Azərbaycan Respublikasının Prezidenti İlham Əliyev dekabrın 6-da Gürcüstanın Baş nazirini qəbul edib.",
        "Görüşdə iki ölkə arasında nəqliyyat\nvə enerji sahələrində əməkdaşlıq müzakirə olunub.",
        "Tərəflər Orta Dəhliz üzrə yükdaşımaların artırılmasının vacibliyini vurğulayıblar.",
    ]


@pytest.mark.parametrize(
    "junk",
    [
        "Trend-i buradan", "Telegram", "Facebook", "Google News", "Whatsapp",  # share and follow lines
        "trendPlayer",  # script
        "trend.az",  # footer
        "Neftin qiyməti",  # sidebar card
    ],
)
def test_az_body_has_nothing_but_the_text(junk):
    assert junk not in parse("article_az.html", AZ_URL).article.body


EN_LEAD = "Azerbaijan exported 11.9 billion cubic meters of gas to Europe in January through November."
EN_ARTICLE = {
    "url": EN_URL,  # the www.trend.az canonical, filed under en.trend.az
    "site": "en.trend.az",
    "lang": "en",
    "title": "Azerbaijan's gas exports to Europe grow by 4 percent",  # not the "Trend" site-name h1
    "dateline": "6 December 2025 17:05 (UTC +04:00)",
    "body": EN_LEAD + "\n\nThe figure is 4 percent higher than in the same period of last year.",
    "category": "Oil & Gas",  # JSON-LD articleSection
    "authors": ["Elena Kosolapova"],  # the agency's own signing left out
    "image_url": "https://en.trend.az/media/images/2025/12/06/4126701.jpg",  # no og:image: the lazy body image
}


@pytest.mark.parametrize(("field", "expected"), EN_ARTICLE.items())
def test_en_article_fields(field, expected):
    assert getattr(parse("article_en.html", EN_URL, EN).article, field) == expected


def test_en_article_fetched_from_www_is_filed_under_en():
    www_url = "https://www.trend.az/business/energy/4126701.html"
    article = SITE.parse_article(html_response("article_en.html", www_url), EN, www_url).article
    assert (article.url, article.site) == (EN_URL, "en.trend.az")


RU_ARTICLE = {
    "url": RU_URL,
    "site": "ru.trend.az",
    "lang": "ru",
    "title": "В Баку прошла встреча министров транспорта",
    "dateline": "13 декабря 2025 21:31 (UTC +04:00)",
    "body": "В Баку прошла встреча министров транспорта стран Организации тюркских государств."
    "\n\nСтороны обсудили развитие Среднего коридора.",
    "image_url": "https://ru.trend.az/media/images/2025/12/13/4129750.jpg",  # relative og:image resolved
    "category": "",
    "authors": [],
}


@pytest.mark.parametrize(("field", "expected"), RU_ARTICLE.items())
def test_ru_article_fields(field, expected):
    assert getattr(parse("article_ru.html", RU_URL, RU).article, field) == expected


@pytest.mark.parametrize(
    ("lead", "kept"),
    [
        ("Baku, Azerbaijan, December 6. Trend: The figure", "The figure"),
        ("Baku, Azerbaijan, Dec. 6. Trend: The figure", "The figure"),
        ("Astana, Kazakhstan, Dec. 6. Trend: The figure", "The figure"),
        ("Baku, Azerbaijan, July 26By Elena Kosolapova - Trend:The figure", "The figure"),  # old pages
        ("Baku, Azerbaijan, Dec. 19Trend:The figure", "The figure"),  # old pages
        ("Баку. Trend: Цифра", "Цифра"),
        ("БАКУ /Trend/ - Цифра", "Цифра"),
        ("БАКУ/ Trend/ - Цифра", "Цифра"),
        # No lead: nothing is cut.
        ("The Trend index rose. Analysts expect the trend: more",) * 2,
        ("Analysts quoted by the Trend: agency",) * 2,
    ],
)
def test_lead_prefix_is_cut_and_the_rest_kept(lead, kept):
    response = html_response("article_en.html", EN_URL, replace=(f"Baku, Azerbaijan, December 6. Trend: {EN_LEAD}", lead))
    assert SITE.parse_article(response, EN, EN_URL).article.body.split("\n\n")[0] == kept


def test_a_lead_that_is_only_the_prefix_is_dropped():
    lead_alone = ("Bakı. Trend:</strong> Azərbaycan", "Bakı. Trend:</strong></p><p>Azərbaycan")
    assert parse("article_az.html", AZ_URL, replace=lead_alone).article.body.startswith("Azərbaycan Respublikasının Prezidenti")


def test_the_lead_prefix_is_only_looked_for_in_the_first_paragraph():
    article = parse("article_az.html", AZ_URL, replace=("<p>Tərəflər", "<p>Gəncə. Trend: Tərəflər")).article
    assert "Gəncə. Trend: Tərəflər" in article.body


@pytest.mark.parametrize(
    ("replace", "fallback", "dateline", "published_at"),
    [
        (None, "date_meta", "2025-12-06T16:10:00+04:00", datetime(2025, 12, 6, 12, 10, tzinfo=timezone.utc)),
        (
            ('property="article:published_time"', 'property="article:modified_time"'),
            "date_itemprop",
            "2025-12-06T16:12:00+04:00",
            datetime(2025, 12, 6, 12, 12, tzinfo=timezone.utc),
        ),
        (
            ('<meta property="article:published_time" content="2025-12-06T16:10:00+04:00">\n'
             '<meta itemprop="datePublished" content="2025-12-06T16:12:00+04:00">', ""),
            "date_json_ld",
            "2025-12-06T16:15:00+04:00",
            datetime(2025, 12, 6, 12, 15, tzinfo=timezone.utc),
        ),
        (
            ('content="2025-12-06T16:10:00+04:00"', 'content="2025-12-06T16:10:00"'),
            "date_meta",
            "2025-12-06T16:10:00",
            None,  # no offset: the chain reads it in the site's zone
        ),
    ],
)
def test_without_a_visible_dateline_the_metadata_dates_the_article(replace, fallback, dateline, published_at):
    parsed = parse("article_no_visible_date.html", NO_DATE_URL, replace=replace)
    assert parsed.fallbacks == (fallback,)
    assert parsed.article.dateline == dateline  # the sidebar card's "16:05 (UTC+04)" is not it
    assert parsed.article.published_at == published_at


def test_title_falls_back_to_og_then_json_ld():
    no_h1 = ("<h1>Azerbaijan's gas exports to Europe grow by 4 percent</h1>", "")
    parsed = parse("article_en.html", EN_URL, EN, replace=no_h1)
    assert parsed.article.title == EN_ARTICLE["title"]
    assert parsed.fallbacks == ("title_og",)

    text = (FIXTURES / "article_en.html").read_text(encoding="utf-8").replace(no_h1[0], "")
    text = text.replace('property="og:title"', 'property="og:description"')
    parsed = SITE.parse_article(HtmlResponse(url=EN_URL, body=text.encode(), encoding="utf-8"), EN, EN_URL)
    assert parsed.article.title == "Azerbaijan's gas exports to Europe grow by 4 percent"
    assert parsed.fallbacks == ("title_og", "title_json_ld")


@pytest.mark.parametrize(
    ("fixture", "replace", "reason"),
    [
        ("article_no_body.html", None, "no_body"),  # the only paragraph is a share line
        ("article_az.html", ('class="article-content article-paddings"', 'class="article-gallery"'), "no_body"),
        ("article_no_body.html", ("</html>", ""), "truncated"),
    ],
)
def test_unusable_pages_raise_with_a_reason(fixture, replace, reason):
    with pytest.raises(PageError) as raised:
        parse(fixture, AZ_URL, replace=replace)
    assert raised.value.reason == reason


def test_no_title_anywhere():
    text = (FIXTURES / "article_ru.html").read_text(encoding="utf-8")
    text = text.replace(f"<h1>{RU_ARTICLE['title']}</h1>", "").replace('property="og:title"', 'property="og:x"')
    with pytest.raises(PageError) as raised:
        SITE.parse_article(HtmlResponse(url=RU_URL, body=text.encode(), encoding="utf-8"), RU, RU_URL)
    assert raised.value.reason == "no_title"


def test_no_date_anywhere():
    text = (FIXTURES / "article_no_visible_date.html").read_text(encoding="utf-8")
    for name in ('property="article:published_time"', 'itemprop="datePublished"', '"datePublished"'):
        text = text.replace(name, '"x"')
    with pytest.raises(PageError) as raised:
        SITE.parse_article(HtmlResponse(url=NO_DATE_URL, body=text.encode(), encoding="utf-8"), AZ, NO_DATE_URL)
    assert raised.value.reason == "no_date"


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        ("6 Dekabr 2025 15:49 (UTC +04:00)", datetime(2025, 12, 6, 11, 49, tzinfo=timezone.utc)),
        ("6 December 2025 17:05 (UTC +04:00)", datetime(2025, 12, 6, 13, 5, tzinfo=timezone.utc)),
        ("13 декабря 2025 21:31 (UTC +04:00)", datetime(2025, 12, 13, 17, 31, tzinfo=timezone.utc)),
    ],
)
def test_article_datelines_parse(dateline, expected):
    assert parse_dateline(dateline) == expected


# --- listing ------------------------------------------------------------------------------------


def test_latest_links_titles_and_listed_times():
    listing = SITE.parse_listing(html_response("listing_latest.html", LATEST_URL), AZ)
    assert [(link.url, link.listed, link.title) for link in listing.links] == [
        ("https://az.trend.az/business/energy/4126701.html", "17:05 (UTC+04)", "Azərbaycanın Avropaya qaz ixracı artıb"),
        (
            "https://az.trend.az/azerbaijan/politics/4126680.html?utm_source=latest",  # canonicalized by the spider
            "15:49 (UTC+04)",
            "Prezident İlham Əliyev Gürcüstanın Baş nazirini qəbul edib",
        ),
        # The paid card (javascript:) is left out; a card without <h4> is titled by its link text.
        ("https://az.trend.az/world/3019255.html", "15 Noyabr 10:31 (UTC+04)", "Türkiyədə yeni körpü istifadəyə verilib"),
        ("https://az.trend.az/azerbaijan/society/4126100.html", "3 İyun 09:05 (UTC+04)", "Bakıda qar yağıb"),
    ]
    assert listing.next_url == "https://az.trend.az/latest/?ajax=1&date=1765018140"


def test_load_more_answer_is_read_like_the_page():
    url = "https://az.trend.az/latest/?ajax=1&date=1765018140"
    listing = SITE.parse_listing(html_response("latest_ajax.html", url), AZ)
    assert [(link.url, link.listed) for link in listing.links] == [
        ("https://az.trend.az/azerbaijan/society/4126050.html", "14 Noyabr 22:40 (UTC+04)"),
        ("https://az.trend.az/business/4126049.html", "14 Noyabr 22:31 (UTC+04)"),
    ]
    assert listing.links[0].title == "Sumqayıtda yeni məktəb açılıb"
    assert listing.next_url == "https://az.trend.az/latest/?ajax=1&date=1763145060"


def test_the_cursor_is_the_edition_s_whatever_host_served_the_page():
    mirrored = html_response("listing_latest.html", "http://127.0.0.1:8000/latest/")
    assert SITE.parse_listing(mirrored, EN).next_url == "https://en.trend.az/latest/?ajax=1&date=1765018140"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ((FIXTURES / "latest_ajax_empty.html").read_text(encoding="utf-8"), "a cursor but no cards"),
        ("", "an empty answer"),
        ("\n", "whitespace"),
        (
            (FIXTURES / "latest_ajax.html").read_text(encoding="utf-8").replace("currentNewsList.date = 1763145060;", ""),
            "cards but no next cursor",
        ),
        (
            (FIXTURES / "latest_ajax.html").read_text(encoding="utf-8").replace("1763145060", "1765018140"),
            "a cursor that does not move",
        ),
    ],
)
def test_the_cursor_ends(body, why):
    url = "https://az.trend.az/latest/?ajax=1&date=1765018140"
    response = HtmlResponse(url=url, body=body.encode("utf-8"), encoding="utf-8")
    assert SITE.parse_listing(response, AZ).next_url is None, why


FETCHED = datetime(2025, 12, 6, 14, 0, tzinfo=timezone.utc)  # 18:00 in Baku
NEW_YEAR_NIGHT = datetime(2026, 1, 1, 0, 30, tzinfo=BAKU)


@pytest.mark.parametrize(
    ("listed", "now", "expected"),
    [
        ("15:49 (UTC+04)", FETCHED, datetime(2025, 12, 6, 11, 49, tzinfo=timezone.utc)),  # today
        ("15 Noyabr 10:31 (UTC+04)", FETCHED, datetime(2025, 11, 15, 6, 31, tzinfo=timezone.utc)),
        ("3 İyun 09:05 (UTC+04)", FETCHED, datetime(2025, 6, 3, 5, 5, tzinfo=timezone.utc)),
        # New Year: a time read just after midnight on 1 January is last year's 31 December.
        ("31 Dekabr 23:50 (UTC+04)", NEW_YEAR_NIGHT, datetime(2025, 12, 31, 19, 50, tzinfo=timezone.utc)),
        ("23:50 (UTC+04)", datetime(2025, 12, 31, 23, 55, tzinfo=BAKU), datetime(2025, 12, 31, 19, 50, tzinfo=timezone.utc)),
        ("00:10 (UTC+04)", NEW_YEAR_NIGHT, datetime(2025, 12, 31, 20, 10, tzinfo=timezone.utc)),
        ("1 Yanvar 00:10 (UTC+04)", NEW_YEAR_NIGHT, datetime(2025, 12, 31, 20, 10, tzinfo=timezone.utc)),
    ],
)
def test_listed_times_parse_against_the_fetch_time(listed, now, expected):
    assert parse_dateline(listed, now=now) == expected


def test_every_listed_time_of_the_fixtures_parses():
    for name, url in (("listing_latest.html", LATEST_URL), ("latest_ajax.html", LATEST_URL + "?ajax=1&date=1")):
        for link in SITE.parse_listing(html_response(name, url), AZ).links:
            assert parse_dateline(link.listed, now=FETCHED) is not None, link.listed


# --- addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "edition", "expected"),
    [
        ("https://az.trend.az/azerbaijan/politics/4126680.html", AZ, True),  # two-level section
        ("https://en.trend.az/business/4126675.html", EN, True),  # one-level section
        ("https://ru.trend.az/casia/kazakhstan/uzbekistan/4129001.html", RU, True),
        ("https://az.trend.az/azerbaijan/politics/4126680.html", EN, False),  # another edition
        ("https://www.trend.az/world/usa/3019220.html", EN, False),  # not canonical yet
        (canonicalize_url("https://www.trend.az/world/usa/3019220.html"), EN, True),
        (canonicalize_url("https://trend.az/world/usa/3019220.html"), EN, True),
        (canonicalize_url("https://az.trend.az/latest/"), AZ, False),
        ("https://az.trend.az/latest/4126680.html", AZ, False),  # the listing's section is none
        ("https://az.trend.az/feeds/index.rss", AZ, False),
        ("https://az.trend.az/azerbaijan/politics", AZ, False),  # a section page
        ("https://az.trend.az/azerbaijan/politics/4126680", AZ, False),  # no .html
        ("https://az.trend.az/4126680.html", AZ, False),  # no section
        ("https://report.az/azerbaijan/politics/4126680.html", AZ, False),
        ("javascript:void(0)", AZ, False),
    ],
)
def test_is_article_url(url, edition, expected):
    assert SITE.is_article_url(url, edition) is expected


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.trend.az/world/usa/3019220.html", "https://en.trend.az/world/usa/3019220.html"),
        ("http://trend.az/world/usa/3019220.html", "https://en.trend.az/world/usa/3019220.html"),
        ("https://en.trend.az/world/usa/3019220.html/", "https://en.trend.az/world/usa/3019220.html"),
        (
            "https://az.trend.az/azerbaijan/politics/4126680.html?utm_source=facebook&utm_medium=social&fbclid=x1",
            "https://az.trend.az/azerbaijan/politics/4126680.html",
        ),
        ("https://RU.Trend.az/azerbaijan/society/4129750.html#comments", RU_URL),
        ("https://az.trend.az/latest/?ajax=1&date=1765018140", "https://az.trend.az/latest?ajax=1&date=1765018140"),
        ("https://az.trend.az/", "https://az.trend.az/"),
    ],
)
def test_canonical_trend_urls(url, canonical):
    assert canonicalize_url(url) == canonical
    assert canonicalize_url(canonical) == canonical  # idempotent


# --- feed ---------------------------------------------------------------------------------------


def test_en_feed_links_to_www_and_lands_on_en():
    body = (FIXTURES / "index.rss").read_bytes()
    feed = parse_rss(XmlResponse(url="https://en.trend.az/feeds/index.rss", body=body))
    assert feed.quirks == []
    assert feed.entries == [
        FeedEntry(
            url="https://www.trend.az/business/energy/4126701.html",
            title="Azerbaijan's gas exports to Europe grow by 4 percent",
            published="Sat, 06 Dec 2025 18:22:00 +0400",
            category="Oil & Gas",
            summary="Azerbaijan exported 11.9 billion cubic meters of gas to Europe.",
        ),
        FeedEntry(
            url="https://www.trend.az/casia/kazakhstan/4126699.html",
            title="Kazakhstan and Azerbaijan discuss Middle Corridor",
            published="Sat, 06 Dec 2025 17:40:00 +0400",
        ),
    ]
    assert all(SITE.is_article_url(canonicalize_url(entry.url), EN) for entry in feed.entries)
    assert parse_dateline(feed.entries[0].published) == datetime(2025, 12, 6, 14, 22, tzinfo=timezone.utc)
