"""newsmon.sites.azertac against saved-page-like AZERTAC fixtures (tests/fixtures/azertac), no crawl."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, XmlResponse

from newsmon.dates import parse_dateline
from newsmon.sites import site_of_host
from newsmon.sites.azertac import EDITIONS, SITE, article_id
from newsmon.sites.base import PageError, Parsed
from newsmon.sites.feeds import parse_rss
from newsmon.text import split_title_labels
from newsmon.urls import canonicalize_url

FIXTURES = Path(__file__).parent / "fixtures" / "azertac"
AZ_URL = "https://azertag.az/xeber/naxchivan_seherinde_avtomobil_piyadani_vurub___yenilenib_2-4411239"
EN_URL = "https://azertag.az/en/xeber/president_ilham_aliyev_receives_delegation_video-3977930"
SPECIAL_URL = "https://azertag.az/xeber/bakida_beynelxalq_sergi_achilib__fotoreportaj-4400001"


def response(name: str, url: str, *replace: tuple[str, str]) -> HtmlResponse:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, f"fixture {name} has no {old!r}"
        text = text.replace(old, new)
    return HtmlResponse(url=url, body=text.encode("utf-8"), encoding="utf-8")


def parse(name: str, url: str, lang: str = "az", *replace: tuple[str, str]) -> Parsed:
    return SITE.parse_article(response(name, url, *replace), EDITIONS[lang], url)


EXPECTED = [
    ("article_az.html", AZ_URL, "az", "url", AZ_URL),
    ("article_az.html", AZ_URL, "az", "site", "azertag.az"),
    ("article_az.html", AZ_URL, "az", "outlet", "azertac"),
    ("article_az.html", AZ_URL, "az", "title", "Naxçıvan şəhərində avtomobil piyadanı vurub – YENİLƏNİB 2"),  # raw: the chain takes the mark
    ("article_az.html", AZ_URL, "az", "dateline", "14.09.2026 [01:35]"),  # out of the meta block's other text
    ("article_az.html", AZ_URL, "az", "published_at", None),  # no offset printed: the chain reads the dateline
    ("article_az.html", AZ_URL, "az", "image_url", "https://azertag.az/store/files/news/2026/09/14/naxcivan.jpg"),
    ("article_az.html", AZ_URL, "az", "authors", []),
    ("article_az.html", AZ_URL, "az", "category", ""),
    ("article_en.html", EN_URL, "en", "url", EN_URL),  # no canonical link
    ("article_en.html", EN_URL, "en", "lang", "en"),
    ("article_en.html", EN_URL, "en", "title", "President Ilham Aliyev receives delegation VIDEO"),  # h2.entry-title
    ("article_en.html", EN_URL, "en", "dateline", "08.07.2026 [10:28]"),  # div.news-date
    ("article_en.html", EN_URL, "en", "image_url", "https://azertag.az/store/files/news/2026/07/08/aliyev.jpg"),
    ("article_en.html", EN_URL, "en", "authors", ["Leyla Mammadova"]),  # the agency signing is nobody
]


@pytest.mark.parametrize(("name", "url", "lang", "field", "expected"), EXPECTED)
def test_article_field(name, url, lang, field, expected):
    assert getattr(parse(name, url, lang).article, field) == expected


def test_body_paragraphs_without_script_and_player():
    parsed = parse("article_az.html", AZ_URL)
    assert parsed.article.body.split("\n\n") == [
        "Naxçıvan, 14 sentyabr, AZƏRTAC. Naxçıvan şəhərində avtomobil piyadanı vurub.",
        "Hadisə gecə saatlarında Heydər Əliyev prospektində baş verib.\nPiyada xəstəxanaya çatdırılıb.",
        "Faktla bağlı araşdırma aparılır.",
    ]
    assert "azertacAds" not in parsed.article.body and "Başqa xəbər" not in parsed.article.body
    assert parsed.fallbacks == ()


def test_the_title_marks_go_to_labels_in_the_chain_step():
    title = parse("article_az.html", AZ_URL).article.title
    assert split_title_labels(title) == ("Naxçıvan şəhərində avtomobil piyadanı vurub", ["YENİLƏNİB 2"])
    assert split_title_labels(parse("article_en.html", EN_URL, "en").article.title)[1] == ["VIDEO"]


@pytest.mark.parametrize(
    ("printed", "expected"),
    [("21.02.2026 [19:22]", datetime(2026, 2, 21, 15, 22, tzinfo=timezone.utc)),
     ("14.09.2026 [01:35]", datetime(2026, 9, 13, 21, 35, tzinfo=timezone.utc)),
     ("Mon, 14 Sep 2026 01:35:00 +0400", datetime(2026, 9, 13, 21, 35, tzinfo=timezone.utc))],
)  # fmt: skip
def test_datelines_are_read_in_baku_time(printed, expected):
    assert parse_dateline(printed, tz=SITE.timezone) == expected


def test_the_special_sites_markup_is_the_fallback():
    parsed = parse("article_special.html", SPECIAL_URL)
    assert parsed.article.title == "Bakıda beynəlxalq sərgi açılıb FOTOREPORTAJ"  # whitespace normalized
    assert parsed.article.dateline == "21.02.2026 [19:22]"
    assert parsed.article.body.split("\n\n") == [  # a p inside a p once; noscript stripped
        "Bakı, 21 fevral, AZƏRTAC. Bakı Ekspo Mərkəzində beynəlxalq sərgi açılıb.",
        "Sərgidə 30 ölkədən şirkət iştirak edir.",
        "Sərgi üç gün davam edəcək.",
    ]
    assert parsed.article.image_url == "https://azertag.az/files/2026/02/21/sergi.jpg"
    assert parsed.fallbacks == ("title_special", "date_special", "body_special", "image_body")


def test_og_meta_and_json_ld_fallbacks():
    head = '<meta property="og:image"'
    parsed = parse(
        "article_az.html", AZ_URL, "az",
        ('<h1 class="entry-title">Naxçıvan şəhərində avtomobil piyadanı vurub – YENİLƏNİB 2</h1>', ""),
        ("<span>14.09.2026 [01:35]</span>", ""),
        (head, '<meta property="article:published_time" content="2026-09-14T01:35:00+04:00">\n' + head),
    )  # fmt: skip
    assert parsed.article.title == "Naxçıvan şəhərində avtomobil piyadanı vurub – YENİLƏNİB 2"
    assert parsed.article.dateline == "2026-09-14T01:35:00+04:00"
    assert parsed.article.published_at == datetime(2026, 9, 13, 21, 35, tzinfo=timezone.utc)
    assert parsed.fallbacks == ("title_og", "date_meta")
    headline = '"headline":"President Ilham Aliyev receives delegation VIDEO",'
    ld = headline + '"articleBody":"<p>Bir.</p><p>İki.</p>","datePublished":"2026-07-08T10:28:00+04:00",'
    parsed = parse(
        "article_en.html", EN_URL, "en",
        ('<div class="news-date">08.07.2026 [10:28]</div>', ""),
        ('<div class="news-text">', '<div class="other">'),
        (headline, ld),
    )  # fmt: skip
    assert parsed.article.body == "Bir.\n\nİki." and parsed.article.dateline == "2026-07-08T10:28:00+04:00"
    assert parsed.fallbacks == ("date_jsonld", "body_jsonld")


def test_a_card_date_in_the_sidebar_is_not_the_articles():
    with pytest.raises(PageError) as error:
        parse("article_az.html", AZ_URL, "az", ("<span>14.09.2026 [01:35]</span>", ""))
    assert error.value.reason == "no_date"  # the sidebar's div.news-date belongs to a card


def test_the_error_page_is_a_page_error():
    with pytest.raises(PageError) as error:
        parse("error.html", AZ_URL)
    assert error.value.reason == "error_page"
    with pytest.raises(PageError) as error:  # the heading alone gives it away
        parse("error.html", AZ_URL, "az", ("<title>Xəta</title>", "<title>AZƏRTAC</title>"))
    assert error.value.reason == "error_page"


def test_a_page_without_text_is_no_body():
    page = (FIXTURES / "article_az.html").read_text(encoding="utf-8")
    start, end = page.index('<div class="news-body">'), page.index("</article>")
    empty = page[:start] + '<div class="news-body"><script>ads()</script></div>\n' + page[end:]
    with pytest.raises(PageError) as error:
        SITE.parse_article(HtmlResponse(url=AZ_URL, body=empty.encode(), encoding="utf-8"), EDITIONS["az"], AZ_URL)
    assert error.value.reason == "no_body"


def test_the_feed_has_no_guid_and_is_keyed_on_links():
    body = (FIXTURES / "rss.xml").read_bytes()
    feed = parse_rss(XmlResponse(url="https://azertag.az/rss", body=body))
    assert feed.quirks == ["no_guid"]
    assert [e.url for e in feed.entries] == [
        "https://azertag.az/xeber/naxchivan_seherinde_avtomobil_piyadani_vurub-4411239",
        "https://azertag.az/xeber/_quotturan_tovuz_quot_xal_itirib-4411134",
    ]
    assert feed.entries[0].summary == "" and feed.entries[0].category == ""


def test_listing_cards_and_the_next_page():
    listing = SITE.parse_listing(response("listing.html", "https://azertag.az/xeber?page=2"), EDITIONS["az"])
    assert [(link.url, link.listed) for link in listing.links] == [
        ("https://azertag.az/xeber/naxchivan_seherinde_avtomobil_piyadani_vurub-4411239", "14.09.2026 [01:35]"),
        ("https://azertag.az/xeber/_quotturan_tovuz_quot_xal_itirib-4411134", "13.09.2026 [21:00]"),
    ]
    assert listing.next_url == "https://azertag.az/xeber?page=3"
    mirrored = SITE.parse_listing(response("listing.html", "http://127.0.0.1:8000/en/xeber"), EDITIONS["en"])
    assert mirrored.next_url == "https://azertag.az/en/xeber?page=2"  # the public address, not the mirror's


def test_a_listing_without_known_cards_falls_back_to_article_links():
    page = response("listing.html", "https://azertag.az/xeber", ('class="news-item', 'class="card'))
    listing = SITE.parse_listing(page, EDITIONS["az"])
    articles = [link.url for link in listing.links if SITE.is_article_url(canonicalize_url(link.url), EDITIONS["az"])]
    assert len(articles) == 2


def test_urls_editions_and_ids():
    assert article_id("https://azertag.az/ru/xeber/ministerstvo_oborony_2_batalona-2380769") == "2380769"
    assert article_id("https://www.azertag.az/xeber") == ""
    assert site_of_host("azertag.az") is SITE
    assert SITE.edition_of("https://azertag.az/en/xeber/x-1") is EDITIONS["en"]
    assert not SITE.is_article_url("https://azertag.az/de/xeber/x-1", EDITIONS["az"])  # an edition we do not crawl
    assert canonicalize_url("https://www.azertag.az/xeber/a_b-12/") == "https://azertag.az/xeber/a_b-12"
    for lang, path in SITE.samples.articles.items():
        assert SITE.is_article_url(EDITIONS[lang].base_url + path, EDITIONS[lang]), path
