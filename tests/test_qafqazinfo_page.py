"""newsmon.sites.qafqazinfo against saved-page-like Qafqazinfo fixtures (tests/fixtures/qafqazinfo), no crawl."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, XmlResponse

from newsmon.dates import parse_dateline
from newsmon.sites import site_of_host
from newsmon.sites.base import PageError, Parsed
from newsmon.sites.feeds import parse_rss
from newsmon.sites.qafqazinfo import EDITION, SITE, article_id
from newsmon.text import split_title_labels
from newsmon.urls import canonicalize_url

FIXTURES = Path(__file__).parent / "fixtures" / "qafqazinfo"
WWW_URL = "https://www.qafqazinfo.az/news/detail/pilotlarin-is-saati-deyisir-video-521361"
URL = "https://qafqazinfo.az/news/detail/pilotlarin-is-saati-deyisir-video-521361"


def parse(*replace: tuple[str, str], url: str = URL) -> Parsed:
    text = (FIXTURES / "article.html").read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, f"the fixture has no {old!r}"
        text = text.replace(old, new)
    return SITE.parse_article(HtmlResponse(url=url, body=text.encode("utf-8"), encoding="utf-8"), EDITION, url)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("url", URL),  # the www. canonical link, filed under the bare host
        ("site", "qafqazinfo.az"),
        ("outlet", "qafqazinfo"),
        ("lang", "az"),
        ("title", "Pilotların iş saatı dəyişir - VİDEO"),  # raw: the chain takes the mark
        ("dateline", "09.11.2025 | 10:59"),
        ("published_at", None),  # a naive datetime attribute: the chain reads the dateline
        ("image_url", "https://qafqazinfo.az/uploads/1763812666/pilot.jpg"),
        ("category", ""),
        ("authors", []),
        ("source", "crawl"),
    ],
)
def test_article_field(field, expected):
    assert getattr(parse().article, field) == expected


def test_the_body_without_the_ad_banner_and_the_sidebar():
    parsed = parse()
    assert parsed.article.body.split("\n\n") == [
        "Mülki aviasiyada pilotların iş saatları ilə bağlı yeni qaydalar təsdiqlənib.",
        "“Qafqazinfo” xəbər verir ki, qaydalar gələn aydan qüvvəyə minəcək.",  # the credit is in the sentence: kept
        "Yeni qaydalara görə, uçuş vaxtı gündə 9 saatı keçməyəcək.",
    ]
    assert "Reklam" not in parsed.article.body and "Zelenski" not in parsed.article.body
    assert parsed.fallbacks == ()
    assert split_title_labels(parsed.article.title) == ("Pilotların iş saatı dəyişir", ["VİDEO"])


def test_the_dateline_is_read_day_first_in_baku_time():
    assert parse_dateline("09.11.2025 | 10:59", tz=SITE.timezone) == datetime(2025, 11, 9, 6, 59, tzinfo=timezone.utc)


def test_fallbacks_og_title_datetime_attribute_json_ld_body_and_body_image():
    parsed = parse(
        ('<h1 style="font-size: 32px; line-height: 1.2">Pilotların iş saatı dəyişir - VİDEO</h1>', ""),
        ('<time datetime="2025-11-09 10:59:00">09.11.2025 | 10:59</time>', '<time datetime="2025-11-09T10:59:00+04:00"></time>'),
    )  # fmt: skip
    assert parsed.article.title == "Pilotların iş saatı dəyişir - VİDEO"
    assert parsed.article.dateline == "2025-11-09T10:59:00+04:00"
    assert parsed.article.published_at == datetime(2025, 11, 9, 6, 59, tzinfo=timezone.utc)
    assert parsed.fallbacks == ("title_og", "date_attr")
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","articleBody":"Bir.\\nİki."}</script>'
    parsed = parse(
        ('<div class="panel-body news_text">', '<div class="panel-body news_text"><p><img src="/uploads/9/x.jpg"></p></div><div class="x">'),
        ('<meta property="og:image" content="https://qafqazinfo.az/uploads/1763812666/pilot.jpg">', ld),
        url=WWW_URL,
    )  # fmt: skip
    assert parsed.article.body == "Bir.\n\nİki."
    assert parsed.article.image_url == "https://qafqazinfo.az/uploads/9/x.jpg"  # images are on the bare host
    assert parsed.fallbacks == ("body_jsonld", "image_body")


def test_no_date_and_no_title():
    with pytest.raises(PageError) as error:
        parse(('<time datetime="2025-11-09 10:59:00">09.11.2025 | 10:59</time>', ""))
    assert error.value.reason == "no_date"
    with pytest.raises(PageError) as error:
        parse(
            ('<h1 style="font-size: 32px; line-height: 1.2">Pilotların iş saatı dəyişir - VİDEO</h1>', ""),
            ('<meta property="og:title" content="Pilotların iş saatı dəyişir - VİDEO">', ""),
        )
    assert error.value.reason == "no_title"


def test_the_feed_traps():
    body = (FIXTURES / "rss.xml").read_bytes()
    feed = parse_rss(XmlResponse(url="https://qafqazinfo.az/rss", body=body))
    assert sorted(feed.quirks) == ["escaped_description", "same_guid"]
    assert [article_id(e.url) for e in feed.entries] == ["521386", "521378"]  # the item's link, not the image's
    assert feed.entries[0].summary.startswith("Ukrayna Prezidenti") and feed.entries[0].summary.endswith("KİV-")
    assert feed.entries[0].title == "Zelenskidən Rusiyaya"  # only the headline's first part
    built = body.split(b"<lastBuildDate>")[1].split(b"</lastBuildDate>")[0].decode()
    assert parse_dateline(built) == datetime(2026, 9, 13, 21, 40, 14, tzinfo=timezone.utc)  # +04 is four hours
    assert parsedate_to_datetime(built).utcoffset() == timedelta(minutes=4)  # what email.utils makes of it
    # Out of order: the later-dated item has the lower id; both are keyed on their links' ids.
    assert parse_dateline(feed.entries[1].published) > parse_dateline(feed.entries[0].published)


def test_category_listing_links_and_next_page():
    body = (FIXTURES / "listing.html").read_bytes()
    response = HtmlResponse(url="http://127.0.0.1:8000/news/category/iqtisadiyyat-4", body=body, encoding="utf-8")
    listing = SITE.parse_listing(response, EDITION)
    assert [canonicalize_url(link.url) for link in listing.links] == [
        "https://qafqazinfo.az/news/detail/pilotlarin-is-saati-deyisir-video-521361",
        "http://127.0.0.1:8000/news/detail/18-milyonluq-2-tablonu-ogurlayan-sexs-saxlanilib-521378",
    ]  # each once; a relative link is on the page's host (the spider maps a mirror's back)
    assert listing.links[0].listed == "09.11.2025 | 10:59"
    assert listing.next_url == "https://qafqazinfo.az/news/category/iqtisadiyyat-4?page=2"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.qafqazinfo.az/news/detail/18-milyonluq-2-tablonu-ogurlayan-sexs-saxlanilib-521378", "521378"),
        ("https://qafqazinfo.az/news/detail/pilotlarin-is-saati-deyisir-521361/", "521361"),
        ("https://www.qafqazinfo.az/news/detail/", ""),  # the feed's guid and image link
        ("https://qafqazinfo.az/news/category/iqtisadiyyat-4", ""),
    ],
)
def test_the_id_is_the_last_digit_run(url, expected):
    assert article_id(url) == expected


def test_both_host_names_are_the_one_edition():
    assert site_of_host("www.qafqazinfo.az") is SITE and site_of_host("qafqazinfo.az") is SITE
    assert canonicalize_url(WWW_URL) == URL
    assert SITE.is_article_url(canonicalize_url(WWW_URL), EDITION)
    assert SITE.is_article_url(EDITION.base_url + SITE.samples.articles["az"], EDITION)
