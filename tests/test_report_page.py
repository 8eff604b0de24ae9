"""newsmon.sites.report against saved-page-like Report fixtures (tests/fixtures/report), no crawl."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, XmlResponse

from newsmon.dates import parse_dateline
from newsmon.sites import site_of_host
from newsmon.sites.base import PageError, Parsed
from newsmon.sites.feeds import parse_news_sitemap, parse_rss
from newsmon.sites.report import EDITIONS, SITE, article_id
from newsmon.urls import canonicalize_url

FIXTURES = Path(__file__).parent / "fixtures" / "report"
AZ_URL = "https://report.az/energetika/azerbaycan-neftinin-qiymeti-65-dollari-otub"
EN_URL = "https://report.az/en/energy/azeri-light-price-exceeds-65"
RU_URL = "https://report.az/ru/cop29/unep-izmenenie-klimata-nanosit-znachitelnyj-usherb-shesti-stranam-kavkaza"
SLUG_URL = "https://report.az/hadise/mingecevirde-51-yasli-kisi-aldigi-xesaretden-olub"


def fixture_text(name: str, replace: tuple[tuple[str, str], ...] = ()) -> str:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, f"fixture {name} has no {old!r}"
        text = text.replace(old, new)
    return text


def html_response(name: str, url: str, *replace: tuple[str, str]) -> HtmlResponse:
    return HtmlResponse(url=url, body=fixture_text(name, replace).encode("utf-8"), encoding="utf-8")


def parse(name: str, url: str, lang: str = "az", *replace: tuple[str, str]) -> Parsed:
    return SITE.parse_article(html_response(name, url, *replace), EDITIONS[lang], url)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


# --- articles ---------------------------------------------------------------------------------

ARTICLES = {
    "az": ("article_az.html", AZ_URL + "?utm_source=telegram"),
    "en": ("article_en.html", "https://report.az/en/amp/energy/azeri-light-price-exceeds-65"),
    "ru": ("article_ru.html", RU_URL),
}

EXPECTED_FIELDS = [
    # (edition, field, expected)
    ("az", "url", AZ_URL),  # the canonical link, not the tracking URL the page was fetched from
    ("az", "site", "report.az"),
    ("az", "outlet", "report"),
    ("az", "lang", "az"),
    ("az", "source", "crawl"),
    ("az", "title", "Azərbaycan neftinin qiyməti 65 dolları ötüb"),
    ("az", "dateline", "16 noyabr, 2025 14:00"),
    ("az", "published_at", utc(2025, 11, 16, 10, 0)),  # article:published_time, +04:00
    ("az", "category", "Energetika"),  # the head's, not a related card's "İqtisadiyyat"
    ("az", "tags", ["Neft", "Brent", "Azeri Light"]),
    ("az", "authors", ["İqtisadiyyat şöbəsi"]),  # JSON-LD author.name, a desk
    ("az", "image_url", "https://report.az/photo/neft-qiymeti_850.jpg"),  # data-src, not the placeholder
    ("az", "image_caption", ""),
    ("en", "url", EN_URL),  # fetched through AMP
    ("en", "site", "report.az"),
    ("en", "lang", "en"),
    ("en", "title", "Azeri Light price exceeds $65"),
    ("en", "dateline", "16 November, 2025 14:05"),
    ("en", "published_at", utc(2025, 11, 16, 10, 5)),
    ("en", "category", "Energy"),
    ("en", "tags", []),
    ("en", "authors", ["Economy desk", "Nigar Aliyeva"]),  # a list of authors inside @graph
    ("en", "image_url", "https://static.report.az/photo/azeri-light_850.jpg"),
    ("ru", "url", RU_URL),  # canonical link with a trailing slash
    ("ru", "lang", "ru"),
    ("ru", "title", "UNEP: изменение климата наносит значительный ущерб шести странам Кавказа"),
    ("ru", "dateline", "14 ноября, 2024 17:57"),
    ("ru", "published_at", utc(2024, 11, 14, 13, 57)),  # the meta is naive: JSON-LD's offset
    ("ru", "category", "COP29"),
    ("ru", "tags", ["COP29"]),
    ("ru", "authors", ["Отдел COP29"]),  # a plain string author
    ("ru", "image_url", "https://static.report.az/photo/unep-kavkaz_850.jpg"),
]


@pytest.mark.parametrize(("lang", "field", "expected"), EXPECTED_FIELDS)
def test_article_field(lang, field, expected):
    name, url = ARTICLES[lang]
    assert getattr(parse(name, url, lang).article, field) == expected


@pytest.mark.parametrize(
    ("lang", "paragraphs"),
    [
        (
            "az",
            [
                "“Azeri Light” markalı Azərbaycan neftinin bir barelinin qiyməti 1,2 dollar artaraq 65,4 dollar olub.",
                "“Report”un Qərb bürosunun məlumatına görə, Brent markalı neftin qiyməti isə 63,8 dollara yüksəlib.",
                # long enough to be news although it names Twitter
                "Energetika Nazirliyi bazar göstəricilərini həftəlik hesabatında açıqlayıb, nazir Pərviz Şahbazov"
                " isə Twitter hesabında neft hasilatının ilin sonunadək sabit qalacağını, ixrac həcminin isə"
                " artacağını bildirib.",
            ],
        ),
        (
            "en",
            [
                "The price of Azeri Light crude rose by $1.2 to $65.4 per barrel, Report informs.",
                "Brent crude for January delivery climbed to $63.8 per barrel\non the London ICE exchange.",
            ],
        ),
        (
            "ru",
            [
                "Изменение климата наносит значительный ущерб экономике шести стран Кавказа, говорится в докладе UNEP.",
                "Доклад представлен на полях COP29 в Баку.",
            ],
        ),
    ],
)
def test_article_body_paragraphs(lang, paragraphs):
    name, url = ARTICLES[lang]
    assert parse(name, url, lang).article.body.split("\n\n") == paragraphs


@pytest.mark.parametrize(
    "junk",
    [
        "reportStats",  # script inside a paragraph
        "reportAds",  # a paragraph that is only a script
        "margin",  # style
        "JavaScript aktiv deyil",  # noscript
        "Video pleyer",  # iframe
        "Brent crude rises above",  # blockquote.twitter-tweet
        "Mənbə:",
        "Telegram",
        "Sosial şəbəkələrdə paylaşın",
        "WhatsApp",
        "Linki kopyala",  # head
        "Digər xəbərlər",  # related cards
        "Manatın məzənnəsi",
        "Report İnformasiya Agentliyi",  # footer
        "Son xəbərlər",  # navigation
    ],
)
def test_article_body_has_nothing_but_the_text(junk):
    assert junk not in parse(*ARTICLES["az"]).article.body


@pytest.mark.parametrize(
    ("lang", "junk"), [("en", "Source: Reuters"), ("en", "Telegram channel"), ("ru", "Источник:")]
)
def test_credit_and_subscribe_lines_are_dropped_in_every_edition(lang, junk):
    name, url = ARTICLES[lang]
    assert junk not in parse(name, url, lang).article.body


@pytest.mark.parametrize(("lang", "fallbacks"), [("az", ()), ("en", ()), ("ru", ("published_jsonld",))])
def test_complete_pages_need_no_fallback_but_a_naive_meta_time(lang, fallbacks):
    name, url = ARTICLES[lang]
    assert parse(name, url, lang).fallbacks == fallbacks


@pytest.mark.parametrize(
    "canonical",
    [
        "https://report.az/energetika/azerbaycan-neftinin-qiymeti-65-dollari-otub",  # another edition
        "https://report.az/en",  # the edition's home page (a template bug)
        "https://apa.az/en/energy/azeri-light-price-exceeds-65-520902",  # a syndication partner
    ],
)
def test_canonical_link_elsewhere_is_ignored(canonical):
    name, url = ARTICLES["en"]
    link = '<link rel="canonical" href="{}">'
    parsed = parse(name, url, "en", (link.format(EN_URL), link.format(canonical)))
    assert parsed.article.url == EN_URL  # the page's own address, AMP marker dropped


def test_changed_title_keeps_the_slug_url():
    """The slug says 51, the headline 52 (Report does not rebuild slugs): same URL, new title."""
    parsed = parse("article_title_changed.html", SLUG_URL)
    assert parsed.article.url == SLUG_URL
    assert parsed.article.title == "Mingəçevirdə 52 yaşlı kişi aldığı xəsarətdən ölüb"
    assert parsed.article.dateline == "01 dekabr, 2025 23:43"
    assert parsed.article.authors == []  # no JSON-LD: no author
    assert parsed.fallbacks == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("article_az.html", "1234567"), ("article_en.html", "7654321"), ("article_ru.html", "")],
)
def test_article_id_from_the_short_link(name, expected):
    assert article_id(html_response(name, AZ_URL)) == expected


# --- fallbacks --------------------------------------------------------------------------------

NO_HEADLINE_URL = "https://report.az/hava/bakida-guclu-kulek-esecek"
NO_DATE_URL = "https://report.az/daxili-siyaset/prezident-qanunu-imzalayib"
NO_BODY_URL = "https://report.az/foto/bakida-ilk-qar"
NO_HEADLINE_OG_TITLE = '<meta property="og:title" content="Bakıda güclü külək əsəcək">'
NO_DATE_META = '<meta property="article:published_time" content="2026-02-03T11:30:00+04:00">'


def test_title_from_og_when_the_headline_is_missing():
    parsed = parse("article_no_headline.html", NO_HEADLINE_URL)
    assert parsed.article.title == "Bakıda güclü külək əsəcək"
    assert parsed.article.image_url == "https://report.az/photo/kulek_1200.jpg"  # og:image, made absolute
    assert parsed.fallbacks == ("title_og", "image_og")


def test_title_from_json_ld_when_og_is_missing_too():
    parsed = parse("article_no_headline.html", NO_HEADLINE_URL, "az", (NO_HEADLINE_OG_TITLE, ""))
    assert parsed.article.title == "Bakıda sabah güclü külək əsəcək"
    assert "title_jsonld" in parsed.fallbacks


def test_no_title_at_all():
    with pytest.raises(PageError) as error:
        parse(
            "article_no_headline.html",
            NO_HEADLINE_URL,
            "az",
            (NO_HEADLINE_OG_TITLE, ""),
            ('"headline": "Bakıda sabah güclü külək əsəcək",', ""),
        )
    assert error.value.reason == "no_title"


def test_dateline_from_meta_when_none_is_printed():
    parsed = parse("article_no_visible_date.html", NO_DATE_URL)
    assert parsed.article.dateline == "2026-02-03T11:30:00+04:00"
    assert parsed.article.published_at == utc(2026, 2, 3, 7, 30)
    assert parsed.fallbacks == ("date_meta",)
    assert parse_dateline(parsed.article.dateline) == parsed.article.published_at


def test_dateline_from_json_ld_when_meta_is_missing_too():
    parsed = parse(
        "article_no_visible_date.html",
        NO_DATE_URL,
        "az",
        (NO_DATE_META, ""),
    )
    assert parsed.article.dateline == "2026-02-03T11:30:00+04:00"
    assert parsed.article.published_at == utc(2026, 2, 3, 7, 30)
    assert parsed.fallbacks == ("published_jsonld", "date_jsonld")


def test_no_date_at_all():
    with pytest.raises(PageError) as error:
        parse(
            "article_no_visible_date.html",
            NO_DATE_URL,
            "az",
            (NO_DATE_META, ""),
            ('"datePublished": "2026-02-03T11:30:00+04:00"', '"dateModified": "2026-02-03T12:00:00+04:00"'),
        )
    assert error.value.reason == "no_date"


def test_no_body_when_only_embeds_and_share_lines():
    with pytest.raises(PageError) as error:
        parse("article_no_body.html", NO_BODY_URL)
    assert error.value.reason == "no_body"


def test_body_from_json_ld_when_no_paragraph_is_text():
    article_body = '"articleBody": "Bakıya ilk qar yağıb.\\nŞəhərdə yollar açıqdır.\\nTelegram kanalımıza abunə olun",'
    parsed = parse("article_no_body.html", NO_BODY_URL, "az", ('"headline":', f"{article_body} \"headline\":"))
    assert parsed.article.body == "Bakıya ilk qar yağıb.\n\nŞəhərdə yollar açıqdır."
    assert parsed.fallbacks == ("body_jsonld",)


def test_body_from_json_ld_html():
    article_body = '"articleBody": "<p>Bakıya ilk qar yağıb.</p><p>Mənbə: AZERTAC</p>",'
    parsed = parse("article_no_body.html", NO_BODY_URL, "az", ('"headline":', f"{article_body} \"headline\":"))
    assert parsed.article.body == "Bakıya ilk qar yağıb."


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "malformed"),
        (b"<html><body><h1 class='section-title'>X</h1>", "truncated"),
    ],
)
def test_unusable_pages(body, reason):
    response = HtmlResponse(url=AZ_URL, body=body, encoding="utf-8")
    with pytest.raises(PageError) as error:
        SITE.parse_article(response, EDITIONS["az"], AZ_URL)
    assert error.value.reason == reason


# --- listing ----------------------------------------------------------------------------------


def listing(name: str, url: str, lang: str = "az", *replace: tuple[str, str]):
    return SITE.parse_listing(html_response(name, url, *replace), EDITIONS[lang])


def test_listing_links_titles_and_listed_times():
    page = listing("son-xeberler.html", "https://report.az/son-xeberler")
    assert [(link.url, link.listed, link.title) for link in page.links] == [
        (SLUG_URL, "2026-07-19 12:05:35", "Mingəçevirdə 52 yaşlı kişi aldığı xəsarətdən ölüb"),
        (AZ_URL + "?utm_source=main", "2026-07-19 11:58:10", "Azərbaycan neftinin qiyməti 65 dolları ötüb"),
        # no data-timestamp: the printed date and time
        (NO_DATE_URL, "19 iyul, 2026 11:50", "Prezident qanunu imzalayıb"),
        (NO_HEADLINE_URL, "2026-07-19 11:40:02", "Bakıda güclü külək əsəcək"),
    ]


@pytest.mark.parametrize(
    ("listed", "expected"),
    [("2026-07-19 12:05:35", utc(2026, 7, 19, 8, 5, 35)), ("19 iyul, 2026 11:50", utc(2026, 7, 19, 7, 50))],
)
def test_listed_times_are_baku_local(listed, expected):
    assert parse_dateline(listed) == expected


def test_listing_cursor_is_the_last_cards_timestamp():
    page = listing("son-xeberler.html", "https://report.az/son-xeberler")
    assert page.next_url == "https://report.az/infinity/index?date=2026-07-19+11%3A40%3A02&oldest=1"


@pytest.mark.parametrize(
    ("load_container", "expected_path"),
    [
        ('data-url="/infinity/index"', "/en/infinity/index"),  # the path the page names, under the edition
        ('data-url="/en/infinity/index"', "/en/infinity/index"),  # a path with the edition prefix already
        ('data-url="https://report.az/en/infinity/more"', "/en/infinity/more"),  # an absolute address: its path
        ("", "/en/infinity/index"),  # no .loadContainer[data-url] (one source only): the known path
    ],
)
def test_listing_cursor_on_the_en_edition(load_container, expected_path):
    page = listing(
        "son-xeberler.html", "https://report.az/en/son-xeberler", "en", ('data-url="/infinity/index"', load_container)
    )
    assert page.next_url == f"https://report.az{expected_path}?date=2026-07-19+11%3A40%3A02&oldest=1"


def test_load_more_fragment_is_read_like_the_listing():
    url = "https://report.az/infinity/index?date=2026-07-19+11%3A40%3A02&oldest=1"
    page = listing("infinity_index.html", url)
    assert [(link.url, link.listed) for link in page.links] == [
        ("https://report.az/iqtisadiyyat/manatin-mezennesi-aciqlanib", "2026-07-19 11:31:47"),
        ("https://report.az/idman/qarabag-avrokubok-oyununa-hazirlasir", "2026-07-19 11:20:00"),
    ]
    assert page.links[1].title == "“Qarabağ” avrokubok oyununa hazırlaşır"
    assert page.next_url == "https://report.az/infinity/index?date=2026-07-19+11%3A20%3A00&oldest=1"


@pytest.mark.parametrize("body", [fixture_text("infinity_index_empty.html"), "", "<div class='empty'></div>"])
def test_empty_load_more_answer_ends_the_cursor(body):
    url = "https://report.az/infinity/index?date=2014-01-01+00%3A00%3A00&oldest=1"
    response = HtmlResponse(url=url, body=body.encode(), encoding="utf-8")
    page = SITE.parse_listing(response, EDITIONS["az"])
    assert page.links == []
    assert page.next_url is None


def test_listing_on_a_mirror_offers_public_cursor():
    """A mirror serves the public paths: links resolve against it, the cursor is the public URL."""
    page = listing("son-xeberler.html", "http://127.0.0.1:8000/son-xeberler")
    assert page.links[0].url == "http://127.0.0.1:8000/hadise/mingecevirde-51-yasli-kisi-aldigi-xesaretden-olub"
    assert page.next_url.startswith("https://report.az/infinity/index?")


# --- URLs -------------------------------------------------------------------------------------

ARTICLE_URL_CASES = [
    # (url, edition, is an article)
    (SLUG_URL, "az", True),
    (AZ_URL, "az", True),
    (EN_URL, "en", True),
    (RU_URL, "ru", True),
    (EN_URL, "az", False),  # /en/... belongs to the en edition, not to the az one at the root
    (RU_URL, "az", False),
    (EN_URL, "ru", False),
    (SLUG_URL, "en", False),
    ("https://report.az/infinity/index", "az", False),
    ("https://report.az/en/infinity/index", "en", False),
    ("https://report.az/en/rss", "en", False),
    ("https://report.az/en/rss/", "en", False),
    ("https://report.az/rss", "az", False),
    ("https://report.az/en/energy", "en", False),
    ("https://report.az/en/energy", "az", False),
    ("https://report.az/son-xeberler", "az", False),
    ("https://report.az/archive/2025/01/01", "az", False),
    ("https://report.az/search?query=x", "az", False),
    ("https://report.az/search/x", "az", False),
    ("https://report.az/iqtisadiyyat/page/2", "az", False),
    ("https://report.az/page/2", "az", False),
    ("https://report.az/tag/neft", "az", False),
    ("https://report.az/amp/hadise", "az", False),
    ("https://report.az/en/amp/energy", "en", False),
    ("https://report.az/", "az", False),
    ("https://report.az/en", "en", False),
    ("https://report.az/1588401", "az", False),  # the short link: a redirect, not the key
    ("https://apa.az/hadise/bakida-yol-qezasi-954015", "az", False),
    ("mailto:info@report.az", "az", False),
]


@pytest.mark.parametrize(("url", "lang", "expected"), ARTICLE_URL_CASES)
def test_is_article_url(url, lang, expected):
    assert SITE.is_article_url(canonicalize_url(url), EDITIONS[lang]) is expected


@pytest.mark.parametrize(
    ("url", "lang"),
    [
        ("https://report.az/en/amp/energy/azeri-light-price-exceeds-65", "en"),
        ("http://www.report.az/az/hadise/mingecevirde-51-yasli-kisi-aldigi-xesaretden-olub/", "az"),
    ],
)
def test_old_spellings_are_articles_once_canonical(url, lang):
    assert SITE.is_article_url(canonicalize_url(url), EDITIONS[lang])


CANONICAL_CASES = [
    (SLUG_URL, SLUG_URL),
    (SLUG_URL + "/", SLUG_URL),
    ("http://report.az/hadise/mingecevirde-51-yasli-kisi-aldigi-xesaretden-olub", SLUG_URL),
    ("https://www.report.az/hadise/mingecevirde-51-yasli-kisi-aldigi-xesaretden-olub/", SLUG_URL),
    ("https://report.az/az/hadise/mingecevirde-51-yasli-kisi-aldigi-xesaretden-olub/", SLUG_URL),  # 2020
    ("https://report.az/az/", "https://report.az/"),
    ("https://report.az/amp/hadise/mingecevirde-51-yasli-kisi-aldigi-xesaretden-olub", SLUG_URL),
    ("https://report.az/az/amp/hadise/mingecevirde-51-yasli-kisi-aldigi-xesaretden-olub/", SLUG_URL),
    (SLUG_URL + "?utm_source=telegram&utm_medium=social#comments", SLUG_URL),
    (SLUG_URL + "?fbclid=abc", SLUG_URL),
    ("https://report.az/en/amp/energy/azeri-light-price-exceeds-65", EN_URL),
    ("https://amp.report.az/en/energy/azeri-light-price-exceeds-65", EN_URL),
    ("https://report.az/en/energy/azeri-light-price-exceeds-65/amp", EN_URL),
    ("https://www.report.az/en/energy/azeri-light-price-exceeds-65/?utm_campaign=x", EN_URL),
    (RU_URL.replace("/ru/", "/ru/amp/") + "/", RU_URL),
    ("https://report.az/en/", "https://report.az/en"),
    ("https://report.az/search?query=neft&utm_source=x", "https://report.az/search?query=neft"),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL_CASES)
def test_canonicalize_url(url, expected):
    assert canonicalize_url(url) == expected
    assert canonicalize_url(expected) == expected  # idempotent


@pytest.mark.parametrize("host", ["report.az", "www.report.az", "amp.report.az"])
def test_report_hosts_belong_to_the_profile(host):
    assert site_of_host(host) is SITE


def test_editions_and_discovery():
    assert [(e.lang, e.base_url) for e in SITE.editions] == [
        ("az", "https://report.az"),
        ("en", "https://report.az/en"),
        ("ru", "https://report.az/ru"),
    ]
    assert [e.base_url + path for e in SITE.editions for path in SITE.discovery.feeds] == [
        "https://report.az/rss/",
        "https://report.az/en/rss/",
        "https://report.az/ru/rss/",
    ]
    for lang, path in SITE.samples.articles.items():
        edition = EDITIONS[lang]
        assert SITE.is_article_url(canonicalize_url(edition.base_url + path), edition), lang


# --- feeds ------------------------------------------------------------------------------------


def xml_response(name: str, url: str) -> XmlResponse:
    return XmlResponse(url=url, body=(FIXTURES / name).read_bytes(), encoding="utf-8")


def test_rss_entries_and_their_times():
    feed = parse_rss(xml_response("rss.xml", "https://report.az/rss/"))
    assert feed.quirks == []
    assert [(entry.url, parse_dateline(entry.published)) for entry in feed.entries] == [
        (SLUG_URL, utc(2026, 7, 19, 8, 5, 35)),
        (AZ_URL, utc(2026, 7, 19, 7, 58)),  # "11:58 +0400": no seconds
        ("https://report.az/hava/bakida-guclu-kulek-esecek/", utc(2026, 7, 18, 19, 40, 2)),
    ]
    assert feed.entries[0].title == "Mingəçevirdə 52 yaşlı kişi aldığı xəsarətdən ölüb"
    assert feed.entries[0].category == "Hadisə"
    assert feed.entries[1].published == "Sun, 19 Jul 2026 11:58 +0400"
    assert all(SITE.is_article_url(canonicalize_url(e.url), EDITIONS["az"]) for e in feed.entries)


def test_news_sitemap_entries():
    feed = parse_news_sitemap(xml_response("news-sitemap.xml", "https://report.az/news-sitemap.xml"))
    assert [(e.url, e.title, e.lang, parse_dateline(e.published)) for e in feed.entries] == [
        (SLUG_URL, "Mingəçevirdə 52 yaşlı kişi aldığı xəsarətdən ölüb", "az", utc(2026, 7, 19, 8, 5, 35)),
        (AZ_URL, "Azərbaycan neftinin qiyməti 65 dolları ötüb", "az", utc(2026, 7, 19, 7, 58, 10)),
    ]
