"""Every APA selector, in one place: one response in, one result out.

Page objects only read a page; where to go next is the spider's business
(newsmon/spiders/apa.py). Selectors follow docs/news-sites.md, so a layout
change on the site is a fix in this file alone. Nothing here parses dates: the raw dateline
goes into the Article and the chain's DateStep turns it into UTC.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from parsel import Selector, SelectorList
from scrapy.http import Response, TextResponse

from newsmon.items import Article
from newsmon.urls import preferred_url


@dataclass(frozen=True)
class Edition:
    lang: str
    host: str

    @property
    def base_url(self) -> str:
        return f"https://{self.host}"


EDITIONS: dict[str, Edition] = {
    edition.lang: edition
    for edition in (Edition("az", "apa.az"), Edition("en", "en.apa.az"), Edition("ru", "ru.apa.az"))
}

LISTING_PATH = "/all-news"
RSS_PATH = "/rss"

# `/<category>/<slug>-<id>`; ids are per-edition counters.
ARTICLE_PATH = re.compile(r"^/(?P<category>[^/?#]+)/(?:(?P<slug>[^/?#]+)-)?(?P<id>\d+)/?$")
# First path segments that are never articles even when the rest looks like `<slug>-<id>`
# (`/tag/cop29-2024` would otherwise match ARTICLE_PATH).
NOT_ARTICLE_SECTIONS = frozenset(
    {"rates", "weather-forecast", "currency", "jobs", "tag", "tags", "search", "all-news", "rss", "author"}
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
CANONICAL = 'link[rel="canonical"]::attr(href)'
AGENCY_BYLINE = "APA"  # what the byline says when no person is named

# A last paragraph that is only `<strong>Name Surname</strong>` is the author's signature:
# two to four words of letters.
SIGNATURE = re.compile(r"^[^\W\d_][^\W\d_.'’-]*(?:[ '’-][^\W\d_][^\W\d_.'’-]*){1,3}$")
MAX_SIGNATURE_CHARS = 40

# --- listing and feed -------------------------------------------------------------------------
LISTING_ITEMS = "div.four_columns_block a.item"  # news items and paid placements
LISTING_TITLE = "h2.title"
LISTING_DATE = "div.date span::text"  # "17:44", "21 fevral 2026"
PAGINATION_ITEMS = "ul.pagination li"

# Characters XML forbids. A broken include or proxy leaves them in pages; lxml parses them, but
# refuses any text containing one that it is asked to set, as dropping an ad from the text does.
NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Why a page is not a usable article; the spider counts each as `newsmon/apa/<reason>`.
PAGE_ERROR_REASONS = ("not_html", "malformed", "truncated", "no_title", "no_date", "no_body")


class PageError(Exception):
    """The page is not a usable article. `reason` is a short stat name such as `no_date`."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ListingLink:
    url: str  # absolute, as printed on the page (not canonicalized)
    news_id: str  # `data-news-id`, "" for items without one
    title: str
    listed: str  # the printed time and date ("17:44 21 fevral 2026"), "" when absent


@dataclass(frozen=True)
class ListingPage:
    links: list[ListingLink]
    last_page: int | None  # from the pagination, None when the page has none


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    published: str  # RFC-822 pubDate as printed
    category: str


def is_article_url(url: str, host: str) -> bool:
    """True for an article address on `host` (pass canonical URLs: old hosts are mapped there)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "") != host:
        return False
    match = ARTICLE_PATH.match(parts.path)
    return match is not None and match["category"] not in NOT_ARTICLE_SECTIONS


def parse_listing(response: TextResponse) -> ListingPage:
    """Links of `/all-news?page=N` (paid placements left out) and the last page number."""
    links = []
    for item in response.css(LISTING_ITEMS):
        href = (item.attrib.get("href") or "").strip()
        if not href or href.lower().startswith("javascript:"):
            continue  # paid placement
        links.append(
            ListingLink(
                url=response.urljoin(href),
                news_id=item.attrib.get("data-news-id", ""),
                title=_text(item.css(LISTING_TITLE)),
                listed=" ".join(t.strip() for t in item.css(LISTING_DATE).getall() if t.strip()),
            )
        )
    return ListingPage(links=links, last_page=_last_page(response))


def _last_page(response: TextResponse) -> int | None:
    # The last item is "next"; the one before it is the number of the last page.
    items = response.css(PAGINATION_ITEMS)
    if len(items) < 2:
        return None
    number = _text(items[-2])
    return int(number) if number.isdigit() else None


def parse_rss(response: TextResponse) -> list[FeedEntry]:
    """Items of the edition's RSS 2.0 feed."""
    entries = []
    for item in response.xpath("//channel/item"):
        link = (item.xpath("link/text()").get() or "").strip()
        if link:
            entries.append(
                FeedEntry(
                    url=response.urljoin(link),
                    title=(item.xpath("title/text()").get() or "").strip(),
                    published=(item.xpath("pubDate/text()").get() or "").strip(),
                    category=(item.xpath("category/text()").get() or "").strip(),
                )
            )
    return entries


def parse_article(response: Response, *, lang: str, url: str | None = None) -> Article:
    """The article on an APA page, with raw fields for the chain to clean and date.

    `lang` names the edition. `url` is the page's public address when it differs from
    `response.url` (a crawl of a mirror passes the edition's address): relative links resolve
    against it, and it is the article's URL unless `link[rel=canonical]` names another address
    on the same site and edition (newsmon.urls.preferred_url). Raises PageError when the page
    is not a usable article, so that no half item is ever produced.
    """
    edition = EDITIONS[lang]
    page = _article_selector(response)
    public_url = url or response.url
    title = _text(page.css(TITLE)) or (page.css(OG_TITLE).get() or "").strip()
    if not title:
        raise PageError("no_title", "no h2/h1.title_news and no og:title")
    dateline = _text(page.css(DATELINE))
    if not dateline:
        raise PageError("no_date", "no dateline (div.date_news span.date)")
    paragraphs, signature = _body_paragraphs(page)
    if not paragraphs:
        raise PageError("no_body", "no text paragraphs in div.news_content div.texts")
    return Article(
        url=preferred_url(public_url, page.css(CANONICAL).get()),
        site=edition.host,
        lang=lang,
        title=title,
        body="\n\n".join(paragraphs),
        dateline=dateline,
        category=_text(page.css(CATEGORY)),
        tags=[tag for tag in (_text(a) for a in page.css(TAGS)) if tag],
        authors=_authors(_text(page.css(BYLINE)), signature),
        image_url=_main_image(page, public_url),
        image_caption=_image_caption(page, title),
        source="crawl",
    )


def _article_selector(response: Response) -> Selector:
    if not isinstance(response, TextResponse):
        raise PageError("not_html", f"not a text response ({response.headers.get('Content-Type')!r})")
    if not response.body.strip() or not response.css("body"):
        raise PageError("malformed", "empty document")
    # A complete page ends with </html>; one cut off in transit would yield half an article.
    tail = response.body[-4096:].lower()
    if b"</html" not in tail:
        raise PageError("truncated", "the page ends before </html>")
    if NOT_XML_CHARS.search(response.text):
        return Selector(text=NOT_XML_CHARS.sub("", response.text))
    return response.selector


def _text(selection: Selector | SelectorList[Selector]) -> str:
    """Whitespace-normalized text of the first selected element, "" when none."""
    first = selection if isinstance(selection, Selector) else (selection[0] if selection else None)
    if first is None:
        return ""
    return " ".join(" ".join(first.xpath(".//text()").getall()).split())


def _body_paragraphs(page: Selector) -> tuple[list[str], str]:
    """The text paragraphs, and the author signature taken off their end ("" when none)."""
    blocks = page.css(BODY)
    if not blocks:
        return [], ""
    # Work on a copy: dropping ads must not change the response's cached tree.
    texts = Selector(root=copy.deepcopy(blocks[0].root))
    texts.css(NOT_BODY).drop()
    for line_break in texts.root.iter("br"):
        line_break.tail = "\n" + (line_break.tail or "")
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


def _main_image(page: Selector, public_url: str) -> str:
    image = page.css(MAIN_IMAGE)
    if not image:
        return ""
    # Lazy images carry a `data:` placeholder in src and the real address in data-src.
    for address in (image[0].attrib.get("data-src"), image[0].attrib.get("src")):
        address = (address or "").strip()
        if address and not address.lower().startswith("data:"):
            return urljoin(public_url, address)
    return ""


def _image_caption(page: Selector, title: str) -> str:
    alt = " ".join((page.css(MAIN_IMAGE + "::attr(alt)").get() or "").split())
    return "" if alt == " ".join(title.split()) else alt
