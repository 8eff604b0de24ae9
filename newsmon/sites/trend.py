"""Trend (trend.az): az.trend.az, en.trend.az, ru.trend.az. Every Trend selector, in one place.

What is known (docs/news-sites.md, "Trend (trend.az)"), and what the parser does about the
facts that rest on one source or none:

- Articles are `/<section>[/<sub>]/<id>.html` on every edition [confirmed]; the id is the key.
- English is served on both en.trend.az and www.trend.az, and the en feed links to www
  [confirmed]. Both hosts serve the same articles, so an English article is filed once, under
  en.trend.az, the host named like its siblings (az., ru.): `www.trend.az` is an alias of it.
  The bare `trend.az` also answers (`trend.az/rss/` [one source]); like www it is the
  English site under another name *[inferred]*, so it is an alias of en.trend.az too.
- Discovery: `/feeds/index.rss` per edition [confirmed], and `/latest/` whose "load more"
  answers come from `/latest/?ajax=1&date=<int>`, the int printed in the page's script as
  `currentNewsList.date = <int>` [one source; its meaning unknown]. The answer is read as an
  HTML fragment of further cards carrying the next `currentNewsList.date` (the reference does
  not say): no cards or no next value end the cursor, and so does a value that does not move.
- Listing cards `ul.news-list li a` [confirmed]; the headline in `h4` [one source], else the
  link's own text. The printed time is `15 Noyabr 10:31 (UTC+04)`, a date without a year, or
  `15:49 (UTC+04)` for today: the spider reads it with the fetch time (newsmon.dates).
- Article: headline `h1` (the first one that is not the outlet's name: no container around
  it is evidenced, so a logo in an h1 is told apart by its text), else og:title (`title_og`),
  else the JSON-LD headline (`title_json_ld`). Body `div.article-content p` [confirmed], minus
  share and subscribe lines (the phrases are [one source]); the agency's lead prefix
  (`Bakı. Trend:`, `Baku, Azerbaijan, Dec. 6. Trend:`, `БАКУ /Trend/ -`) is cut off the first
  paragraph, and what follows it kept. Visible dateline `span.date-time`
  (`6 Dekabr 2025 15:49 (UTC +04:00)`, [one source]) outside the listing cards that sidebars
  carry; without one, `article:published_time` [confirmed] (`date_meta`), then
  `meta[itemprop=datePublished]` [one source] (`date_itemprop`), then JSON-LD (`date_json_ld`):
  an explicit-offset value becomes `published_at`, and the dateline is what was printed there.
- Category and authors: no markup is known; `article:section` / JSON-LD when present.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
    json_ld_article,
    json_ld_strings,
    json_ld_text,
    meta_content,
    metadata_category,
    metadata_tags,
    named_people,
    og_image_url,
    paragraph_texts,
    text_of,
    time_with_offset,
)

# --- article page -----------------------------------------------------------------------------
HEADLINE = "h1"
DATELINE = "span.date-time"  # also on the listing cards of sidebars, which sit in `li`s
LISTING_CARD_ANCESTOR = "ancestor::li"
BODY = "div.article-content"
NOT_BODY = "script, style, iframe, ins"
BODY_IMAGE = "img"
PUBLISHED_META = "article:published_time"
PUBLISHED_ITEMPROP = "datePublished"
# Share buttons and "follow us" lines inside the text block.
JUNK_PHRASES = ("Telegram", "Facebook", "Twitter", "Whatsapp", "Google News", "Trend-i buradan", "@trend", "trend.az")
# The agency's lead: a place (with country, date or "By <name> -" in English), then `Trend:`
# or, in Russian, `/Trend/ -`. Only the opening of the first paragraph is looked at.
LEAD_PREFIX = re.compile(
    r"^[^\W\d_][^:/\n]{0,100}?"  # Bakı | Baku, Azerbaijan, Dec. 6 | ..., July 26By Name
    r"(?:(?:\.|\s[-–—]|(?<=\d))\s*Trend\s*:"  # ". Trend:", " - Trend:", "19Trend:" (old en pages)
    r"|\s*/\s*Trend\s*/\s*[-–—]?)\s*"  # "БАКУ /Trend/ -"
)

# --- listing ----------------------------------------------------------------------------------
FEED_PATH = "/feeds/index.rss"
LISTING_PATH = "/latest/"
LOAD_MORE = LISTING_PATH + "?ajax=1&date={cursor}"
LISTING_CARDS = "ul.news-list li"
FRAGMENT_CARDS = "body > li"  # a "load more" answer: the cards alone, with no list around them
LISTING_LINK = "a[href]"
LISTING_TITLE = "h4"
LISTING_DATE = "span.date-time"
CURSOR = re.compile(r"currentNewsList\.date\s*=\s*(\d+)")
CURSOR_PARAM = "date"


class Trend(Site):
    name = "trend"
    title = "Trend"
    editions = (Edition("az", "az.trend.az"), Edition("en", "en.trend.az"), Edition("ru", "ru.trend.az"))
    discovery = Discovery(feeds=(FEED_PATH,), listing=LISTING_PATH)
    samples = Samples(
        articles={
            "az": "/azerbaijan/politics/4126680.html",  # the reference's examples
            "en": "/world/usa/3019220.html",  # printed on www.trend.az, which serves the same paths
            "ru": "/azerbaijan/politics/4129748.html",  # a public copy of the page, December 2025
        },
        listing_requests=2,
    )
    domains = ("trend.az",)
    # English is one site under three names; see the module's docstring.
    host_aliases = {"www.trend.az": "en.trend.az", "trend.az": "en.trend.az"}
    article_path = re.compile(r"^/(?P<section>[a-z0-9-]+(?:/[a-z0-9-]+)*)/(?P<id>\d+)\.html$")
    # Listings, feeds and index pages, should one of them end in `/<number>.html` (a page, a person).
    not_article_sections = frozenset({"latest", "feeds", "rss", "search", "tags", "tag", "author"})
    agency_names = ("Trend", "Trend.az")
    has_page_parser = True

    def parse_listing(self, response: TextResponse, edition: Edition) -> ListingPage:
        """Cards of `/latest/` or of a "load more" answer, and the next "load more" URL."""
        links = []
        for card in response.css(LISTING_CARDS) or response.css(FRAGMENT_CARDS):
            anchors = card.css(LISTING_LINK)
            href = (anchors.attrib.get("href") or "").strip()
            if not href or href.lower().startswith("javascript:"):
                continue
            title = text_of(card.css(LISTING_TITLE)) or text_of(block_copy(anchors[0], LISTING_DATE))
            links.append(ListingLink(response.urljoin(href), text_of(card.css(LISTING_DATE)), title))
        return ListingPage(links, _load_more_url(response, edition) if links else None)

    def parse_article(self, response: Response, edition: Edition, url: str) -> Parsed:
        """The article on a Trend page, with raw fields for the chain to clean and date.

        `url` is the page's public address; `link[rel=canonical]` wins when it names the same
        edition (a www.trend.az canonical is en.trend.az's: newsmon.urls.preferred_url).
        """
        page = article_selector(response)
        ld = json_ld_article(page)
        fallbacks = []
        title = self._headline(page)
        if not title:
            title = meta_content(page, "og:title")
            fallbacks.append("title_og")
        if not title:
            title = json_ld_text(ld.get("headline"))
            fallbacks.append("title_json_ld")
        if not title:
            raise PageError("no_title", "no h1 headline, og:title or JSON-LD headline")
        dateline, published_at, date_source = _dateline(page, ld)
        if date_source:
            fallbacks.append(date_source)
        paragraphs = _body_paragraphs(page)
        if not paragraphs:
            raise PageError("no_body", f"no text paragraphs in {BODY}")
        article = crawled_article(
            self, edition, url, page,
            title=title,
            body="\n\n".join(paragraphs),
            published_at=published_at,
            dateline=dateline,
            category=metadata_category(page, ld),
            tags=metadata_tags(page),
            authors=self._authors(page, ld),
            image_url=_main_image(page, url),
        )
        return Parsed(article, tuple(fallbacks))

    def _headline(self, page: Selector) -> str:
        """The first `h1` that says more than the outlet's name (a logo may sit in an h1)."""
        logos = {name.casefold() for name in self.agency_names}
        return next((text for text in map(text_of, page.css(HEADLINE)) if text and text.casefold() not in logos), "")

    def _authors(self, page: Selector, ld: dict[str, Any]) -> list[str]:
        """Named people from JSON-LD or `meta[name=author]`; the agency signing is nobody."""
        names = json_ld_strings(ld.get("author")) or json_ld_strings(meta_content(page, "author"))
        return named_people(names, self.agency_names)


SITE = Trend()


def _load_more_url(response: TextResponse, edition: Edition) -> str | None:
    """The next "load more" answer's URL, from the last `currentNewsList.date = N` the page's
    scripts set; None when there is none or it repeats the cursor this answer was asked for."""
    cursors = CURSOR.findall(response.text)
    if not cursors:
        return None
    asked = parse_qs(urlsplit(response.url).query).get(CURSOR_PARAM, [])
    if cursors[-1] in asked:
        return None
    return edition.base_url + LOAD_MORE.format(cursor=cursors[-1])


def _dateline(page: Selector, ld: dict[str, Any]) -> tuple[str, datetime | None, str]:
    """The printed dateline, the explicit-offset time read from metadata (None when the chain is
    to parse the dateline) and the fallback used ("" for the visible dateline)."""
    for span in page.css(DATELINE):
        if not span.xpath(LISTING_CARD_ANCESTOR):
            visible = text_of(span)
            if visible:
                return visible, None, ""
    printed_in_metadata = (
        ("date_meta", meta_content(page, PUBLISHED_META)),
        ("date_itemprop", meta_content(page, PUBLISHED_ITEMPROP)),
        ("date_json_ld", json_ld_text(ld.get("datePublished"))),
    )
    for source, printed in printed_in_metadata:
        if printed:
            return printed, time_with_offset(printed), source
    raise PageError("no_date", f"no {DATELINE} outside listing cards, {PUBLISHED_META} or datePublished")


def _body_paragraphs(page: Selector) -> list[str]:
    """The text paragraphs without share lines, the first one without the agency's lead prefix."""
    blocks = page.css(BODY)
    if not blocks:
        return []
    paragraphs = paragraph_texts(block_copy(blocks[0], NOT_BODY), JUNK_PHRASES)
    if paragraphs:
        lead = LEAD_PREFIX.sub("", paragraphs[0], count=1).strip()
        paragraphs = [lead, *paragraphs[1:]] if lead else paragraphs[1:]
    return paragraphs


def _main_image(page: Selector, url: str) -> str:
    blocks = page.css(BODY)
    return og_image_url(page, url) or (image_address(blocks[0].css(BODY_IMAGE), url) if blocks else "")
