"""Canonical URLs: every spelling of one article maps to one key."""
from __future__ import annotations

import pytest

from newsmon.urls import canonicalize_url, preferred_url, site_family

AZ = "https://apa.az/hadise/bakida-yol-qezasi-954015"
EN = "https://en.apa.az/asia/flydubai-resumes-flights-520902"
RU = "https://ru.apa.az/politika/aliev-provel-vstrechu-650123"

CANONICAL_CASES = [
    # (input, base, expected)
    # already canonical: unchanged
    (AZ, None, AZ),
    (EN, None, EN),
    (RU, None, RU),
    # scheme, host case, www, default port, fragment
    ("http://apa.az/hadise/bakida-yol-qezasi-954015", None, AZ),
    ("HTTPS://APA.AZ/hadise/bakida-yol-qezasi-954015", None, AZ),
    ("https://www.apa.az/hadise/bakida-yol-qezasi-954015", None, AZ),
    ("http://www.apa.az:80/hadise/bakida-yol-qezasi-954015", None, AZ),
    ("https://apa.az:443/hadise/bakida-yol-qezasi-954015", None, AZ),
    ("https://apa.az/hadise/bakida-yol-qezasi-954015#comments", None, AZ),
    ("  https://apa.az/hadise/bakida-yol-qezasi-954015\n", None, AZ),
    ("https://apa.az./hadise/bakida-yol-qezasi-954015", None, AZ),
    # trailing slash on APA paths
    ("https://apa.az/hadise/bakida-yol-qezasi-954015/", None, AZ),
    ("https://en.apa.az/asia/flydubai-resumes-flights-520902//", None, EN),
    ("https://apa.az/all-news/", None, "https://apa.az/all-news"),
    ("https://apa.az", None, "https://apa.az/"),
    # tracking parameters
    ("https://apa.az/hadise/bakida-yol-qezasi-954015?utm_source=facebook&utm_medium=social", None, AZ),
    ("https://apa.az/hadise/bakida-yol-qezasi-954015?UTM_Campaign=x", None, AZ),
    ("https://apa.az/hadise/bakida-yol-qezasi-954015?fbclid=IwAR0abc", None, AZ),
    ("https://apa.az/hadise/bakida-yol-qezasi-954015?gclid=1&yclid=2&dclid=3&msclkid=4", None, AZ),
    ("https://apa.az/hadise/bakida-yol-qezasi-954015?mc_cid=a&mc_eid=b&_ga=2.1&igshid=x", None, AZ),
    ("https://ru.apa.az/politika/aliev-provel-vstrechu-650123?ysclid=lq1x2", None, RU),
    ("https://en.apa.az/asia/flydubai-resumes-flights-520902?ref_src=twsrc%5Etfw", None, EN),
    # content parameters stay, sorted; tracking ones among them go
    ("https://apa.az/all-news?utm_source=rss&page=3", None, "https://apa.az/all-news?page=3"),
    ("https://apa.az/search?q=%C9%99li&page=2&fbclid=x", None, "https://apa.az/search?page=2&q=%C9%99li"),
    ("https://example.com/news?ref=home&id=7", None, "https://example.com/news?id=7&ref=home"),
    # AMP renderings
    ("https://apa.az/amp/hadise/bakida-yol-qezasi-954015", None, AZ),
    ("https://apa.az/hadise/bakida-yol-qezasi-954015/amp", None, AZ),
    ("https://apa.az/hadise/bakida-yol-qezasi-954015/amp/", None, AZ),
    ("https://apa.az/hadise/bakida-yol-qezasi-954015?amp", None, AZ),
    ("https://apa.az/hadise/bakida-yol-qezasi-954015?amp=1", None, AZ),
    ("https://en.apa.az/asia/flydubai-resumes-flights-520902?outputType=amp", None, EN),
    ("https://amp.apa.az/hadise/bakida-yol-qezasi-954015", None, AZ),
    ("https://example.com/a?outputType=print", None, "https://example.com/a?outputType=print"),
    ("https://apa.az/sport/amplua-deyisikliyi-954016", None, "https://apa.az/sport/amplua-deyisikliyi-954016"),
    # old APA edition schemes
    ("https://apa.az/en/asia/flydubai-resumes-flights-520902", None, EN),
    ("http://www.apa.az/en/asia/flydubai-resumes-flights-520902/", None, EN),
    ("https://apa.az/ru/politika/aliev-provel-vstrechu-650123", None, RU),
    ("https://apa.az/az/hadise/bakida-yol-qezasi-954015", None, AZ),
    ("http://az.apa.az/hadise/bakida-yol-qezasi-954015", None, AZ),
    ("https://www.en.apa.az/asia/flydubai-resumes-flights-520902", None, EN),
    ("https://apa.az/en", None, "https://en.apa.az/"),
    ("https://apa.az/amp/en/asia/flydubai-resumes-flights-520902", None, EN),
    # relative links resolved against the page they were found on
    ("/hadise/bakida-yol-qezasi-954015", "https://apa.az/all-news?page=2", AZ),
    ("asia/flydubai-resumes-flights-520902", "https://en.apa.az/", EN),
    ("//apa.az/hadise/bakida-yol-qezasi-954015", "http://apa.az/", AZ),
    ("//apa.az/hadise/bakida-yol-qezasi-954015", None, AZ),
    ("https://en.apa.az/asia/flydubai-resumes-flights-520902", "https://apa.az/", EN),
    # percent-encoding normalized by w3lib (Cyrillic slugs, spaces)
    ("https://ru.apa.az/politika/алиев-650124", None, "https://ru.apa.az/politika/%D0%B0%D0%BB%D0%B8%D0%B5%D0%B2-650124"),
    ("https://ru.apa.az/politika/%d0%b0%d0%bb%d0%b8%d0%b5%d0%b2-650124", None, "https://ru.apa.az/politika/%D0%B0%D0%BB%D0%B8%D0%B5%D0%B2-650124"),
    # neighbours: https and AMP rules, their own paths (trailing slash is theirs to decide)
    # Report serves no trailing slash.
    ("http://report.az/daxili-siyaset/prezident-qebul-etdi/", None, "https://report.az/daxili-siyaset/prezident-qebul-etdi"),
    ("http://az.trend.az/azerbaijan/politics/3912345.html?utm_source=tg", None, "https://az.trend.az/azerbaijan/politics/3912345.html"),
    ("https://amp.report.az/en/energy/oil-price", None, "https://report.az/en/energy/oil-price"),
    # unknown sites keep their scheme, www and slash; only generic rules apply
    ("http://www.Example.com/News/?utm_source=x#top", None, "http://www.example.com/News/"),
    ("http://example.com:8080/a", None, "http://example.com:8080/a"),
    # non-http links are not articles: left alone
    ("javascript:void(0)", None, "javascript:void(0)"),
    ("mailto:info@apa.az", None, "mailto:info@apa.az"),
]


@pytest.mark.parametrize(("url", "base", "expected"), CANONICAL_CASES)
def test_canonicalize_url(url: str, base: str | None, expected: str) -> None:
    assert canonicalize_url(url, base=base) == expected


@pytest.mark.parametrize(("url", "base", "expected"), CANONICAL_CASES)
def test_canonicalize_url_is_idempotent(url: str, base: str | None, expected: str) -> None:
    assert canonicalize_url(expected) == expected


def test_relative_url_without_base_is_an_error() -> None:
    with pytest.raises(ValueError, match="needs a base"):
        canonicalize_url("/hadise/bakida-yol-qezasi-954015")


PREFERRED_CASES = [
    # (page URL, link[rel=canonical], expected)
    # same article, page fetched through a tracking link / AMP / old scheme: canonical wins
    (AZ + "?utm_source=x", AZ, AZ),
    ("https://apa.az/amp/hadise/x-954015", "https://apa.az/hadise/bakida-yol-qezasi-954015", AZ),
    ("https://apa.az/en/asia/x-520902", "https://en.apa.az/asia/flydubai-resumes-flights-520902", EN),
    # a short or old-scheme canonical is canonicalized too
    ("https://apa.az/hadise/x-954015", "/hadise/bakida-yol-qezasi-954015/", AZ),
    ("https://en.apa.az/asia/x-520902", "http://apa.az/en/asia/flydubai-resumes-flights-520902", EN),
    ("https://apa.az/hadise/x-954015", "https://www.apa.az/hadise/bakida-yol-qezasi-954015", AZ),
    # missing or empty canonical: the page URL
    (AZ + "#top", None, AZ),
    (AZ, "", AZ),
    (AZ, "   ", AZ),
    # another site (syndication partner) or another edition: the page URL
    (AZ, "https://report.az/hadise/bakida-yol-qezasi/", AZ),
    (EN, "https://apa.az/asia/flydubai-resumes-flights-520902", EN),
    (RU, "https://en.apa.az/asia/flydubai-resumes-flights-520902", RU),
    # canonical pointing at the home page from an article (template bug): the page URL
    (AZ, "https://apa.az/", AZ),
    # non-http canonical: ignored
    (AZ, "javascript:void(0)", AZ),
    # unknown sites: www. and m. are the same site
    ("https://m.example.com/a?id=1", "https://www.example.com/a?id=1", "https://www.example.com/a?id=1"),
]


@pytest.mark.parametrize(("page_url", "canonical_href", "expected"), PREFERRED_CASES)
def test_preferred_url(page_url: str, canonical_href: str | None, expected: str) -> None:
    assert preferred_url(page_url, canonical_href) == expected


@pytest.mark.parametrize(
    ("url", "family"),
    [
        (AZ, "apa.az"),
        ("http://apa.az/en/asia/x-1", "en.apa.az"),
        ("https://az.apa.az/x-1", "apa.az"),
        ("https://www.example.com/a", "example.com"),
        ("https://m.example.com/a", "example.com"),
    ],
)
def test_site_family(url: str, family: str) -> None:
    assert site_family(url) == family
