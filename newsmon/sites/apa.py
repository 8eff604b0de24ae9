"""APA (Azerbaijan Press Agency): apa.az, en.apa.az, ru.apa.az. Every APA selector, in one place.

Selectors follow docs/news-sites.md, so a layout change on the site is a fix in this file
alone. Discovery: `/all-news?page=N` and `/rss` per edition (`apa.az/en/rss` answers an HTML
page, which the spider reports as `feed/not_a_feed`).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement
from parsel import Selector
from scrapy.http import Response, TextResponse

from newsmon.sites.base import (
    Discovery,
    Edition,
    ListingLink,
    ListingPage,
    PageError,
    Parsed,
    Samples,
    Site,
    article_selector,
    block_copy,
    crawled_article,
    image_address,
    text_of,
)

# --- article page -----------------------------------------------------------------------------
TITLE = "h2.title_news, h1.title_news"  # h1 on 2021-22 pages, h2 since
OG_TITLE = 'meta[property="og:title"]::attr(content)'
CATEGORY = "div.breadcrumb_row h1"  # the page's h1 is the category, not the headline
DATELINE = "div.date_news span.date"
BODY = "div.news_content div.texts"
# Ads, related headlines and embeds that sit inside the text block.
NOT_BODY = "script, style, .rek_banner, .links_block, .AdviadNativeVideo, ins, iframe"
TAGS = "div.tags .links a"
BYLINE = "div.tags.mt-site > span"
MAIN_IMAGE = "div.main_img img"
AGENCY_BYLINE = "APA"  # what the byline says when no person is named

# A last paragraph that is only `<strong>Name Surname</strong>` is the author's signature:
# two to four words of letters.
SIGNATURE = re.compile(r"^[^\W\d_][^\W\d_.'’-]*(?:[ '’-][^\W\d_][^\W\d_.'’-]*){1,3}$")
MAX_SIGNATURE_CHARS = 40

# --- listing ----------------------------------------------------------------------------------
LISTING_PATH = "/all-news"
RSS_PATH = "/rss"
LISTING_ITEMS = "div.four_columns_block a.item"  # news items and paid placements
LISTING_TITLE = "h2.title"
LISTING_DATE = "div.date span::text"  # "17:44", "21 fevral 2026"
PAGINATION_ITEMS = "ul.pagination li"


class Apa(Site):
    name = "apa"
    title = "APA"
    editions = (Edition("az", "apa.az"), Edition("en", "en.apa.az"), Edition("ru", "ru.apa.az"))
    discovery = Discovery(feeds=(RSS_PATH,), listing=LISTING_PATH)
    samples = Samples(
        articles={
            "az": "/foreign-policy/ceyhun-bayramov-gurcustan-xin-bascisi-ile-gorusub-foto-954028",
            "en": "/asia/flydubai-resumes-flights-from-baku-to-dubai-520902",
            "ru": "/ekonomika/cena-azerbaydzhanskoy-nefti-prevysila-68-dollarov-650213",
        },
        listing_requests=2,
    )
    domains = ("apa.az",)
    host_aliases = {"az.apa.az": "apa.az", "www.apa.az": "apa.az"}
    # `/<category>/<slug>-<id>`; ids are per-edition counters (the id is the last digit run).
    article_path = re.compile(r"^/(?P<category>[^/?#]+)/(?:(?P<slug>[^/?#]+)-)?(?P<id>\d+)/?$")
    # `/tag/cop29-2024` would otherwise match; `/weather-forecast` alone is no article, but
    # `/weather-forecast/<slug>-<id>` is one (the real feed lists them).
    not_article_sections = frozenset({"rates", "currency", "jobs", "tag", "tags", "search", "all-news", "rss", "author"})
    agency_names = ("APA",)
    has_page_parser = True

    # APA's old path scheme put the edition first on the main host: apa.az/en/<cat>/<slug>-<id>.
    path_editions = {"az": "apa.az", "en": "en.apa.az", "ru": "ru.apa.az"}

    def canonical_location(self, host: str, path: str) -> tuple[str, str]:
        host, path = super().canonical_location(host, path)
        if host == "apa.az":
            first, _, rest = path[1:].partition("/")
            if first in self.path_editions:
                host, path = self.path_editions[first], "/" + rest
        return host, path

    def parse_listing(self, response: TextResponse, edition: Edition) -> ListingPage:
        """Links of `/all-news?page=N` (paid placements left out) and the next page, if any."""
        links = []
        for item in response.css(LISTING_ITEMS):
            href = (item.attrib.get("href") or "").strip()
            if not href or href.lower().startswith("javascript:"):
                continue  # paid placement
            listed = " ".join(t.strip() for t in item.css(LISTING_DATE).getall() if t.strip())
            links.append(ListingLink(response.urljoin(href), listed, text_of(item.css(LISTING_TITLE))))
        page = _page_number(response.url)
        last = _last_page(response)
        next_url = None if last is not None and page >= last else f"{edition.base_url}{LISTING_PATH}?page={page + 1}"
        return ListingPage(links, next_url)

    def parse_article(self, response: Response, edition: Edition, url: str) -> Parsed:
        """The article on an APA page, with raw fields for the chain to clean and date.

        `url` is the page's public address: relative links resolve against it, and it is the
        article's URL unless `link[rel=canonical]` names another address on the same site and
        edition (newsmon.urls.preferred_url).
        """
        page = article_selector(response)
        fallbacks = []
        title = text_of(page.css(TITLE))
        if not title:
            title = (page.css(OG_TITLE).get() or "").strip()
            fallbacks.append("title_og")
        if not title:
            raise PageError("no_title", "no h2/h1.title_news and no og:title")
        dateline = text_of(page.css(DATELINE))
        if not dateline:
            raise PageError("no_date", "no dateline (div.date_news span.date)")
        paragraphs, signature = _body_paragraphs(page)
        if not paragraphs:
            raise PageError("no_body", "no text paragraphs in div.news_content div.texts")
        article = crawled_article(
            self, edition, url, page,
            title=title,
            body="\n\n".join(paragraphs),
            dateline=dateline,
            category=text_of(page.css(CATEGORY)),
            tags=[tag for tag in (text_of(a) for a in page.css(TAGS)) if tag],
            authors=_authors(text_of(page.css(BYLINE)), signature),
            image_url=image_address(page.css(MAIN_IMAGE), url),
            image_caption=_image_caption(page, title),
        )
        return Parsed(article, tuple(fallbacks))


SITE = Apa()
EDITIONS: dict[str, Edition] = {edition.lang: edition for edition in SITE.editions}


def _page_number(url: str) -> int:
    match = re.search(r"(?:^|&)page=(\d+)", urlsplit(url).query)
    return int(match[1]) if match else 1


def _last_page(response: TextResponse) -> int | None:
    # The last item is "next"; the one before it is the number of the last page.
    items = response.css(PAGINATION_ITEMS)
    if len(items) < 2:
        return None
    number = text_of(items[-2])
    return int(number) if number.isdigit() else None


def _body_paragraphs(page: Selector) -> tuple[list[str], str]:
    """The text paragraphs, and the author signature taken off their end ("" when none)."""
    blocks = page.css(BODY)
    if not blocks:
        return [], ""
    texts = block_copy(blocks[0], NOT_BODY)
    paragraphs = [p for p in texts.root.iter("p") if "".join(p.itertext()).strip()]
    signature = ""
    if paragraphs and _is_signature(paragraphs[-1]):
        signature = " ".join(paragraphs.pop().text_content().split())
    return ["".join(p.itertext()).strip() for p in paragraphs], signature


def _is_signature(paragraph: HtmlElement) -> bool:
    """`<p><strong>Name Surname</strong></p>`: nothing in the paragraph but one bold name."""
    children = list(paragraph)
    if len(children) != 1 or children[0].tag not in ("strong", "b"):
        return False
    if (paragraph.text or "").strip() or (children[0].tail or "").strip():
        return False
    name = " ".join(children[0].text_content().split())
    return len(name) <= MAX_SIGNATURE_CHARS and SIGNATURE.match(name) is not None


def _authors(byline: str, signature: str) -> list[str]:
    """Named people first; the agency byline only when nobody is named."""
    named = [name for name in (signature, byline) if name and name.upper() != AGENCY_BYLINE]
    if named:
        return list(dict.fromkeys(" ".join(name.split()) for name in named))
    return [byline] if byline else []


def _image_caption(page: Selector, title: str) -> str:
    alt = " ".join((page.css(MAIN_IMAGE + "::attr(alt)").get() or "").split())
    return "" if alt == " ".join(title.split()) else alt
