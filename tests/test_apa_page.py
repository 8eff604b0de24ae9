"""newsmon.sites.apa against saved APA pages (tests/fixtures/apa), no crawl."""
from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Response, XmlResponse

from newsmon.replay import build_replay, expected_articles
from newsmon.replay.outlets.apa import public_url
from newsmon.sites.apa import EDITIONS, SITE
from newsmon.sites.base import ListingPage, PageError
from newsmon.sites.feeds import FeedEntry, parse_rss

FIXTURES = Path(__file__).parent / "fixtures" / "apa"


def parse_article(response: Response, *, lang: str, url: str | None = None):
    return SITE.parse_article(response, EDITIONS[lang], url or response.url).article


def parse_listing(response: HtmlResponse) -> ListingPage:
    return SITE.parse_listing(response, SITE.edition_of(response.url))


def is_article_url(url: str, host: str) -> bool:
    edition = next(e for e in SITE.editions if e.host == host)
    return SITE.is_article_url(url, edition)
AZ_URL = "https://apa.az/foreign-policy/ceyhun-bayramov-gurcustan-xin-bascisi-ile-gorusub-foto-954028"


def html_response(name: str, url: str, *, replace: tuple[str, str] | None = None) -> HtmlResponse:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text, f"fixture {name} has no {replace[0]!r}"
        text = text.replace(*replace)
    return HtmlResponse(url=url, body=text.encode("utf-8"), encoding="utf-8")


# --- articles ---------------------------------------------------------------------------------


def test_article_with_ads_related_block_lazy_image_and_signature():
    article = parse_article(html_response("article_az.html", AZ_URL), lang="az")

    assert article.url == AZ_URL  # canonical link, its tracking parameter dropped
    assert article.site == "apa.az"
    assert article.lang == "az"
    assert article.source == "crawl"
    assert article.title == "Ceyhun Bayramov Gürcüstan XİN başçısı ilə görüşüb - FOTO"
    assert article.category == "Xarici siyasət"
    assert article.dateline == "08 aprel 2026 12:04 (UTC +04:00)"
    assert article.published_at is None  # dated by the chain's DateStep
    assert article.body.split("\n\n") == [
        "Azərbaycanın xarici işlər naziri Ceyhun Bayramov Tbilisidə Gürcüstanın xarici işlər naziri"
        " Maka Boçorişvili ilə görüşüb.",
        "Görüşdə strateji tərəfdaşlığın mövcud vəziyyəti,\nnəqliyyat və enerji sahələrində əməkdaşlıq"
        " müzakirə edilib.",
        "Nazirlər Orta Dəhliz çərçivəsində yükdaşımaların artırılmasının vacibliyini vurğulayıblar.",
    ]
    assert article.tags == ["Ceyhun Bayramov", "Gürcüstan"]
    assert article.authors == ["Elvin Quliyev"]  # the signature paragraph, not the "APA" byline
    assert article.image_url == (
        "https://apa.az/storage/news/2026/april/08/big/0f1e2d3c4b5a69788796a5b4c3d2e1f0.jpg"
    )
    assert article.image_caption == "Ceyhun Bayramov, Maka Boçorişvili"


@pytest.mark.parametrize(
    "junk",
    [
        "REKLAM",  # .rek_banner
        "Video reklam",  # .AdviadNativeVideo
        "Digər xəbərlər",  # .links_block
        "növbəti mərhələyə",  # related headline
        "iframe fallback",
        "ins reklam",
        "apaStats",  # script
        "Fotoqalereya",  # tabs_container, outside the text block
        "68 dolları ötüb",  # sidebar
        "İDMAN XƏBƏR",  # footer
        "Elvin Quliyev",  # signature, moved to authors
        "Valyuta",  # navigation
    ],
)
def test_article_body_has_nothing_but_the_text(junk):
    article = parse_article(html_response("article_az.html", AZ_URL), lang="az")
    assert junk not in article.body


def test_old_layout_h1_title_named_byline_and_inline_strong():
    url = "https://en.apa.az/domestic-policy/milli-majlis-approves-amendments-to-law-on-media-371204"
    article = parse_article(html_response("article_en_old_layout.html", url), lang="en")

    assert article.title == "Milli Majlis approves amendments to Law on Media"
    assert article.category == "Domestic policy"  # the breadcrumb h1, not the headline h1
    assert article.dateline == "14 January 2022 10:51 (UTC +04:00)"
    assert article.site == "en.apa.az"
    assert article.authors == ["Nigar Abdullayeva"]
    # A paragraph that merely starts in bold is text, not a signature.
    assert article.body.endswith("The law enters into force after it is signed by the President.")
    assert article.image_url.endswith("/2022/january/14/big/5d41402abc4b2a76b9719d911017c592.jpg")
    assert article.image_caption == ""  # the alt text only repeats the headline


def test_og_title_fallback_no_image_no_canonical():
    url = "https://ru.apa.az/mir/kazahstan-i-azerbaydzhan-650193?utm_source=telegram&fbclid=x1"
    article = parse_article(html_response("article_ru_og_title.html", url), lang="ru")

    assert article.title == "Казахстан и Азербайджан обсудили расширение Среднего коридора"
    assert article.url == "https://ru.apa.az/mir/kazahstan-i-azerbaydzhan-650193"
    assert article.site == "ru.apa.az"
    assert article.dateline == "07 апреля 2026 09:40 (UTC +04:00)"
    assert article.body.count("\n\n") == 1 and "ФОТО" not in article.body
    assert article.image_url == "" and article.image_caption == ""
    assert article.tags == []
    assert article.authors == ["APA"]


def test_garbled_page_is_read_whole():
    """The replay's garbled page: bytes that are not UTF-8, a NUL and control characters after the
    header and between paragraphs (where dropping the ads next to them makes lxml set text), stray
    and unclosed tags. lxml reads through all of it: every field as on a clean page."""
    site = build_replay()
    story = next(story for stories in site.stories.values() for story in stories if "garbled" in story.quirks)
    edition = site.edition(next(scope for scope, stories in site.stories.items() if story in stories))
    page = site.find(edition.host, story.path)
    assert b"\x00" in page.body and b"\x1b" in page.body and b"\xff\xfe" in page.body
    url = public_url(edition, story)
    article = parse_article(
        HtmlResponse(url=url, body=page.body, headers={"Content-Type": page.content_type}), lang=edition.lang
    )
    expected = expected_articles(site)[url]
    read = {name: getattr(article, name) for name in expected if name != "published_at"}  # dated by the chain
    assert read == {name: value for name, value in expected.items() if name != "published_at"}


def test_mirror_crawl_files_the_article_under_its_public_address():
    """Fetched from a replay at 127.0.0.1: URL and image resolve against the public address."""
    public = AZ_URL
    mirrored = html_response(
        "article_az.html",
        "http://127.0.0.1:8000/foreign-policy/ceyhun-bayramov-gurcustan-xin-bascisi-ile-gorusub-foto-954028",
        replace=('<link rel="canonical"', '<link rel="alternate"'),
    )
    article = parse_article(mirrored, lang="az", url=public)
    assert article.url == public
    assert article.image_url.startswith("https://apa.az/storage/")


def test_canonical_on_another_site_is_ignored():
    response = html_response(
        "article_az.html",
        AZ_URL + "?utm_campaign=share",
        replace=("https://apa.az/foreign-policy/ceyhun", "https://report.az/xarici-siyaset/ceyhun"),
    )
    assert parse_article(response, lang="az").url == AZ_URL


def test_image_with_only_a_placeholder_is_no_image():
    response = html_response("article_az.html", AZ_URL, replace=(' data-src="/storage', ' data-lazy="/storage'))
    assert parse_article(response, lang="az").image_url == ""


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("article_no_date.html", "no_date"),
        ("article_no_body.html", "no_body"),
        ("article_truncated.html", "truncated"),
    ],
)
def test_unusable_pages_raise_with_a_reason(fixture, reason):
    with pytest.raises(PageError) as raised:
        parse_article(html_response(fixture, "https://apa.az/x/y-1"), lang="az")
    assert raised.value.reason == reason


def test_no_title_anywhere():
    response = html_response(
        "article_ru_og_title.html",
        "https://ru.apa.az/mir/x-650193",
        replace=('property="og:title"', 'property="og:site_name"'),
    )
    with pytest.raises(PageError) as raised:
        parse_article(response, lang="ru")
    assert raised.value.reason == "no_title"


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (HtmlResponse(url="https://apa.az/x/y-1", body=b"", encoding="utf-8"), "malformed"),
        (HtmlResponse(url="https://apa.az/x/y-1", body=b"  \n", encoding="utf-8"), "malformed"),
        (Response(url="https://apa.az/x/y-1", body=b"\x89PNG\r\n"), "not_html"),
    ],
)
def test_empty_and_binary_responses(response, reason):
    with pytest.raises(PageError) as raised:
        parse_article(response, lang="az")
    assert raised.value.reason == reason


# --- listing and feed ---------------------------------------------------------------------------


def test_listing_links_dates_and_last_page():
    response = html_response("listing_az.html", "https://apa.az/all-news?page=2")
    listing = parse_listing(response)

    assert [(link.url, link.listed) for link in listing.links] == [
        ("https://apa.az/incident/bakida-qeza-954015", "17:44 21 fevral 2026"),
        ("https://apa.az/economy/neftin-qiymeti-954014?utm_source=telegram", "16:02 21 fevral 2026"),
        ("https://apa.az/weather-forecast", ""),  # the spider filters non-articles
    ]
    assert listing.links[0].title == "Bakıda qəza: iki nəfər xəsarət alıb"
    assert listing.next_url == "https://apa.az/all-news?page=3"


def test_the_last_listing_page_has_no_next():
    # The second-to-last pagination item is the last page's number.
    response = html_response("listing_az.html", "https://apa.az/all-news?page=4187")
    assert parse_listing(response).next_url is None


def test_listing_without_pagination():
    response = html_response(
        "listing_az.html", "https://apa.az/all-news", replace=('<ul class="pagination">', '<ul class="pager">')
    )
    assert parse_listing(response).next_url == "https://apa.az/all-news?page=2"  # go on until a page is empty


def test_rss_entries():
    body = (FIXTURES / "rss_en.xml").read_bytes()
    entries = parse_rss(XmlResponse(url="https://en.apa.az/rss", body=body)).entries
    assert entries == [
        FeedEntry(
            url="https://en.apa.az/energy/socar-and-bp-sign-new-agreement-on-shafag-asiman-block-520921",
            title="SOCAR and bp sign new agreement on Shafag-Asiman block",
            published="Wed, 08 Apr 2026 12:40:00 +0400",
            category="Energy",
        ),
        FeedEntry(
            url="https://en.apa.az/foreign-policy/azerbaijani-fm-meets-georgian-counterpart-in-tbilisi-photo-520920",
            title="Azerbaijani FM meets Georgian counterpart in Tbilisi - PHOTO",
            published="Wed, 08 Apr 2026 11:52:00 +0400",
            category="Foreign policy",
        ),
    ]


# --- addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host", "expected"),
    [
        ("https://apa.az/incident/bakida-iki-avtomobil-toqqusub-954031", "apa.az", True),
        ("https://en.apa.az/asia/flydubai-resumes-flights-520902/", "en.apa.az", True),
        ("https://en.apa.az/asia/520902", "en.apa.az", True),  # the slug is optional
        ("https://en.apa.az/asia/flydubai-520902", "apa.az", False),  # another edition
        ("https://report.az/iqtisadiyyat/manat-954000", "apa.az", False),  # off-site
        ("https://apa.az/rates", "apa.az", False),
        ("https://apa.az/weather-forecast", "apa.az", False),
        ("https://apa.az/weather-forecast/sabah-yagis-yagacaq-995700", "apa.az", True),  # as the real feed lists
        ("https://apa.az/currency", "apa.az", False),
        ("https://apa.az/jobs", "apa.az", False),
        ("https://apa.az/jobs/muhasib-vakansiyasi-4410", "apa.az", False),
        ("https://apa.az/tag/cop29-2024", "apa.az", False),  # looks like <slug>-<id>
        ("https://apa.az/idman", "apa.az", False),  # a category page
        ("https://apa.az/all-news?page=2", "apa.az", False),
        ("https://apa.az/incident/bakida-qeza", "apa.az", False),  # no id
        ("javascript:void(0)", "apa.az", False),
        ("mailto:info@apa.az", "apa.az", False),
    ],
)
def test_is_article_url(url, host, expected):
    assert is_article_url(url, host) is expected

