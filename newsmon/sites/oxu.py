"""Oxu.az: az at the root of oxu.az, ru under /ru. Every Oxu selector, in one place.

What the site reference (news-sites.md, "Oxu.az") says, how sure it is, and what this module
does so that the same code works on the live site:

- Articles `/<category>/<slug>` [confirmed], no id; a digit tail (`…-baslayib-11281850`) is part
  of the slug, **not** an id [confirmed]; slugs stay when titles change [one source], so the slug
  URL is the article's key whatever the headline says. The id is only in the short link
  `.short-url-btn[data-short-link]` [one source]: `article_id` reads it, nothing is keyed on it.
  Old `/criminal/383818` URLs [old] are left as they are.
- Editions: az at the root [confirmed]; `/ru/` and `/tr/` [one source]. Only ru is monitored
  (the project watches az, en and ru); if `/ru/` turns out not to exist, its crawl counts
  `http_404`/`feed/not_a_feed` and the az edition is unaffected. `/tr/...` is never an az article.
- Images `https://images.oxu.az/YYYY/MM/DD/<hash>:600.jpg` [one source]: the `:` stays in the
  path (newsmon.urls keeps it; tests/test_oxu_page.py checks).
- Discovery: the edition's front page (`/`, cards `div.index-post-block[data-timestamp]`
  [confirmed], possibly the `.post-item` itself [one source]) and its "load more" cursor
  `<.loadContainer[data-url]>?date=<last data-timestamp>&oldest=1` as on Report [one source];
  without a declared path the numbered pages `/page/<n>` [one source] are the fallback.
  News sitemap `/news-sitemap.xml` [one source]; RSS `/rss` [unknown]: listed, and an answer that
  is no feed (an HTML page, as 1news.az's `/rss`) is counted `feed/not_a_feed` by the spider.
- Article page, the visible markup first, then the head's metadata, each fallback named in
  `Parsed.fallbacks`:
  title `div.post-detail-title h1` -> `og:title` (`title_og`) -> JSON-LD `headline` (`title_jsonld`);
  labels: the page's own `span.post-item-tag` (Foto, Video, Yenilənib, Anons [one source]; not
  those of related cards), in Azerbaijani capitals (`YENİLƏNİB`, as APA prints it);
  dateline: the `div.post-detail-meta span` whose text has a dateline's shape
  (`15 noyabr, 2025 / 19:44`, `15 noy, 2025 / 19:44`, `Bu gün / 12:18`, `Dünən / 22:30` [one
  source]; relative ones are resolved by the chain against `fetched_at` in Asia/Baku) ->
  `article:published_time` as printed (`date_meta`) -> JSON-LD `datePublished` (`date_jsonld`);
  `published_at` is an explicit-offset JSON-LD `datePublished` [one source], else
  `article:published_time` (`published_meta`), else the chain reads the dateline (Oxu prints no
  offset: Baku time);
  body `.post-detail-content-inner p` [confirmed] -> `.post-detail-content p` (`body_outer`),
  minus the strip list and short `newmedia`/`reklam`/`advertisement` lines [one source] (and
  `реклама` on ru *[inferred]*);
  category `.breadcrumb-item.active a span` [one source] -> JSON-LD `articleSection`
  (`category_jsonld`) -> `article:section` (`category_meta`);
  main image `og:image` -> JSON-LD `image` (`image_jsonld`) -> the text's first image
  (`image_body`); tags `.tag-area a`; authors JSON-LD `author` minus the outlet's own name.
- Anti-bot: **403 even with realistic headers** [confirmed]. The spider does not impersonate a
  browser (no `user_agent` here): newsmon.middlewares.BlockedSiteMiddleware reports `blocked`,
  backs off for the run and the Blocked Site Monitor flags it.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

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
    first_found,
    headline,
    image_address,
    json_ld_article,
    json_ld_strings,
    json_ld_text,
    load_more_url,
    meta_content,
    named_people,
    og_image_url,
    paragraph_texts,
    text_of,
    time_with_offset,
)

# --- article page -----------------------------------------------------------------------------
TITLE = "div.post-detail-title h1"
# The article's own marks: a span.post-item-tag outside the cards (related news) of the page.
LABELS = "//span[contains(concat(' ', normalize-space(@class), ' '), ' post-item-tag ')][not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' post-item ')])]"
META_SPANS = "div.post-detail-meta span"
# `15 noyabr, 2025 / 19:44`, `15 noy, 2025 / 19:44`, `Bu gün / 12:18`, `Dünən / 22:30` (also ru
# `Сегодня / 12:18`, `Вчера / 22:30`, a guess: *[inferred]*), matched whole.
DATELINE_SHAPE = re.compile(
    r"^(?:\d{1,2} [^\W\d_]{3,10}\.?,? \d{4}|bu gün|bugün|dünən|сегодня|вчера) ?/ ?\d{1,2}:\d{2}$", re.IGNORECASE
)
BODY = ".post-detail-content-inner"
BODY_OUTER = ".post-detail-content"
NOT_BODY = (
    "script, style, .audio-block, .player-area, .tag-area, .social-block2, .subscribe-single-block, .tag-post-list, ins"
)
# Matched without case; `реклама` is the ru edition's word for it *[inferred]*.
JUNK_PHRASES = ("newmedia", "reklam", "advertisement", "реклама")
MAX_JUNK_CHARS = 160  # a news paragraph on the advertising market is longer, and is text
BODY_IMAGE = "img"
CATEGORY = ".breadcrumb-item.active a span"
TAGS = ".tag-area a"
PUBLISHED_META = "article:published_time"
SHORT_LINK = ".short-url-btn::attr(data-short-link)"
SHORT_LINK_ID = re.compile(r"/(?P<id>\d{4,})/?$")

# --- listing ----------------------------------------------------------------------------------
LISTING_PATH = "/"
PAGE_PATH = "/page/{n}"
PAGE_NUMBER = re.compile(r"/page/(?P<n>\d+)/?$")
RSS_PATH = "/rss"
NEWS_SITEMAP_PATH = "/news-sitemap.xml"
CARDS = ".post-item"  # inside div.index-post-block[data-timestamp], or the block itself
BLOCKS = "div.index-post-block"
CARD_LINK = "h2.post-item-title a::attr(href)"
ANY_LINK = "a[href]:not(.post-item-category)::attr(href)"
CARD_TITLE = "h2.post-item-title a"
CARD_TIMESTAMP = "ancestor-or-self::*[@data-timestamp][1]/@data-timestamp"  # `2025-11-28 19:36:00`, Baku
CARD_META = ".post-item-meta span"
LOAD_MORE = ".loadContainer::attr(data-url)"
CURSOR_PARAM = "date"

# Azerbaijani capitals: i -> İ (Python's upper() makes it I, which is another letter).
_AZ_UPPER = str.maketrans({"i": "İ"})


class Oxu(Site):
    name = "oxu"
    title = "Oxu.az"
    editions = (Edition("az", "oxu.az"), Edition("ru", "oxu.az", "/ru"))
    discovery = Discovery(feeds=(RSS_PATH,), sitemaps=(NEWS_SITEMAP_PATH,), listing=LISTING_PATH)
    samples = Samples(
        articles={
            "az": "/iqtisadiyyat/baliq-bazarinda-canlanma-en-cox-alinan-novler-aciqlandi",  # the reference's
            "ru": "/ekonomika/na-rybnom-rynke-ozhivlenie",  # *[inferred]*: the az one's shape, under /ru
        },
        listing_requests=2,  # an article and the "load more" cursor (or the next page)
        feed_requests=0,  # `/rss` is [unknown]: it may be no feed at all
    )
    domains = ("oxu.az",)
    host_aliases = {"www.oxu.az": "oxu.az"}
    article_path = re.compile(r"^/(?P<category>[\w-]+)/(?P<slug>[\w%-]+)/?$")
    not_article_sections = frozenset(
        {"ru", "tr", "en", "page", "rss", "feed", "search", "tag", "tags", "author", "infinity", "news-sitemap.xml"}
    )
    agency_names = ("Oxu.az", "Oxu")
    has_page_parser = True

    def parse_listing(self, response: TextResponse, edition: Edition) -> ListingPage:
        """The cards of a front or numbered page, or of a "load more" answer, and the next URL:
        the cursor after the last card's `data-timestamp` where the page declares a
        `.loadContainer[data-url]`, else the next numbered page; None after a page with no card."""
        links = []
        cursor = ""
        for card in response.css(CARDS) or response.css(BLOCKS):
            href = (card.css(CARD_LINK).get() or card.css(ANY_LINK).get() or "").strip()
            if not href or href.lower().startswith("javascript:"):
                continue
            stamp = (card.xpath(CARD_TIMESTAMP).get() or "").strip()
            listed = stamp or text_of(card.css(CARD_META))
            links.append(ListingLink(response.urljoin(href), listed, text_of(card.css(CARD_TITLE))))
            cursor = stamp or cursor
        if not links:
            return ListingPage(links, None)
        # A "load more" answer is a fragment of cards: it goes on at the path it was asked from.
        asked = urlsplit(response.url)
        declared = (response.css(LOAD_MORE).get() or "").strip() or (
            asked.path if CURSOR_PARAM in parse_qs(asked.query) else ""
        )
        if declared and cursor:
            return ListingPage(links, load_more_url(edition, declared, "/" + declared.lstrip("/"), {CURSOR_PARAM: cursor, "oldest": "1"}))
        return ListingPage(links, _next_numbered_page(response, edition))

    def parse_article(self, response: Response, edition: Edition, url: str) -> Parsed:
        """The article on an Oxu page, with raw fields for the chain to clean and date."""
        page = article_selector(response)
        ld = json_ld_article(page)
        fallbacks: list[str] = []

        title = headline(fallbacks, page, ld, ("", text_of(page.css(TITLE))))
        if not title:
            raise PageError("no_title", f"no {TITLE}, og:title or JSON-LD headline")

        published_meta = meta_content(page, PUBLISHED_META)
        published_ld = json_ld_text(ld.get("datePublished"))
        published_at = time_with_offset(published_ld)
        if published_at is None and (published_at := time_with_offset(published_meta)) is not None:
            fallbacks.append("published_meta")
        dateline = first_found(
            fallbacks, ("", _visible_dateline(page)), ("date_meta", published_meta), ("date_jsonld", published_ld)
        )
        if not dateline:
            raise PageError("no_date", f"no dateline in {META_SPANS}, {PUBLISHED_META} or JSON-LD datePublished")

        inner, outer = _paragraphs(page, BODY), _paragraphs(page, BODY_OUTER)
        body = first_found(fallbacks, ("", "\n\n".join(inner)), ("body_outer", "\n\n".join(outer)))
        if not body:
            raise PageError("no_body", f"no text paragraphs in {BODY} or {BODY_OUTER}")

        category = first_found(
            fallbacks,
            ("", text_of(page.css(CATEGORY))),
            ("category_jsonld", json_ld_text(ld.get("articleSection"))),
            ("category_meta", meta_content(page, "article:section")),
        )
        article = crawled_article(
            self, edition, url, page,
            title=title,
            labels=self._labels(page, edition),
            body=body,
            published_at=published_at,
            dateline=dateline,
            category=category,
            tags=[tag for tag in (text_of(a) for a in page.css(TAGS)) if tag],
            authors=named_people(json_ld_strings(ld.get("author")), (*self.agency_names, *self.domains)),
            image_url=_main_image(page, ld, url, fallbacks),
        )
        return Parsed(article, tuple(fallbacks))

    def _labels(self, page: Selector, edition: Edition) -> list[str]:
        """The article's marks (`Foto`, `Yenilənib`) in capitals as agencies print them."""
        labels = [text_of(span) for span in page.xpath(LABELS)]
        if edition.lang == "az":
            labels = [label.translate(_AZ_UPPER) for label in labels]
        return list(dict.fromkeys(label.upper() for label in labels if label))


SITE = Oxu()
EDITIONS: dict[str, Edition] = {edition.lang: edition for edition in SITE.editions}


def article_id(response: TextResponse) -> str:
    """Oxu's numeric id of the article on a page, from its short link; "" when there is none."""
    match = SHORT_LINK_ID.search((response.css(SHORT_LINK).get() or "").strip())
    return match["id"] if match else ""


def _next_numbered_page(response: TextResponse, edition: Edition) -> str:
    """The public `/page/<n+1>` after `/page/<n>` (the front page is page 1), under the page's
    own path: a category's `/<category>/page/<n>` goes on in its category."""
    path = urlsplit(response.url).path  # a mirror serves the public paths: only the origin differs
    match = PAGE_NUMBER.search(path)
    if match:
        return edition.origin + path[: match.start()] + PAGE_PATH.format(n=int(match["n"]) + 1)
    return edition.base_url + PAGE_PATH.format(n=2)


def _visible_dateline(page: Selector) -> str:
    for span in page.css(META_SPANS):
        text = text_of(span)
        if DATELINE_SHAPE.match(text):
            return text
    return ""


def _paragraphs(page: Selector, block: str) -> list[str]:
    blocks = page.css(block)
    if not blocks:
        return []
    return [text for text in paragraph_texts(block_copy(blocks[0], NOT_BODY)) if not _is_junk(text)]


def _is_junk(paragraph: str) -> bool:
    folded = paragraph.casefold()
    return len(paragraph) <= MAX_JUNK_CHARS and any(phrase in folded for phrase in JUNK_PHRASES)


def _main_image(page: Selector, ld: dict[str, Any], url: str, fallbacks: list[str]) -> str:
    ld_image = ld.get("image")
    ld_image = ld_image.get("url") if isinstance(ld_image, dict) else ld_image
    blocks = page.css(BODY_OUTER)
    return first_found(
        fallbacks,
        ("", og_image_url(page, url)),
        ("image_jsonld", urljoin(url, json_ld_text(ld_image)) if json_ld_text(ld_image) else ""),
        ("image_body", image_address(blocks[0].css(BODY_IMAGE), url) if blocks else ""),
    )
