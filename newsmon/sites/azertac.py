"""AZERTAC (azertag.az), the state news agency: az at the root, en under /en, ru under /ru.
Every AZERTAC selector, in one place.

What the site reference (news-sites.md, "AZERTAC (azertag.az)") says, and what this module does
where a fact rests on one source or none, so that the same code works on the live site:

- Articles are `[/<lang>]/xeber/<slug>-<id>` [confirmed]; the id is the last digit run (slugs
  hold digits and `_`). An updated copy (`– YENİLƏNİB`) that gets a new slug and id is a new
  URL [feed 2026-09]; the story step groups it with the original. A copy that keeps its URL
  is a revision of the stored article (the store keeps the old version).
- Discovery: RSS `/rss` [feed 2026-09] with **no `<guid>`** (the feed parser keys on `<link>`;
  the spider counts `feed/no_guid`), no description, category or image, seconds always `:00`.
  `/en/rss`, `/ru/rss` are [unknown] (the English `/en/rss-all` too): a missing feed is counted
  by the spider (`http_404`, `feed/not_a_feed`), not fatal. Listing `/xeber?page=N` [confirmed],
  its cards [unknown]: the special.azertag.az card markup (`div.news-item`, `div.news-title a`,
  `div.news-date`) is the best guess; without such cards every link on the page to an article
  path is taken (the spider skips the others). Pages are numbered; the next is asked while a
  page holds article links (the spider stops at the first page with nothing new anyway).
- User-Agent: the site answers **400 to a request without a browser User-Agent** [one source].
  `user_agent` is therefore a browser-compatible token that still names newsmon and its
  address (the `Mozilla/5.0 (compatible; <bot>; +<url>)` form crawlers such as Googlebot use):
  it passes a check for `Mozilla/`, and it hides nothing — the site can see who asks and block
  us, which the crawl then reports (`blocked`, `http_400`). Only this site gets it; the
  project's default stays the plain `newsmon/...` token.
- Article page [one source, alternatives as listed, nesting unknown], each fallback named in
  `Parsed.fallbacks`:
  an error page (`<title>` with `Xəta` or `Not Found`, or `.site-error h1`) -> PageError
  `error_page`; title `h1.entry-title`/`h2.entry-title` -> the special site's
  `div.news-view-title p` (`title_special`) -> og:title (`title_og`) -> JSON-LD headline
  (`title_jsonld`); dateline `21.02.2026 [19:22]` [confirmed] as printed in `div.entry-meta` or
  `div.news-date` (outside listing cards) -> `div.news-view-date` (`date_special`) ->
  `article:published_time` (`date_meta`) -> JSON-LD datePublished (`date_jsonld`); an
  explicit-offset meta time becomes `published_at`, else the chain reads the dateline in
  Asia/Baku (no offset is printed); body `div.news-body p` or `div.news-text p` ->
  `div.news-view-body p` (`body_special`) -> JSON-LD articleBody (`body_jsonld`), minus
  script, style, noscript, iframe (the strip list is [unknown]); image og:image [one source]
  -> the first image of the text block (`image_body`). Category, tags and authors have no
  known markup: `article:section`, `article:tag` and JSON-LD authors when present.
- Title marks (`– YENİLƏNİB 2`, ` VİDEO`, `– FAKTİKİ HAVA`, `  FOTOREPORTAJ` [feed 2026-09])
  stay in the raw title; the chain moves them to `labels`, as for every outlet.
"""
from __future__ import annotations

import re

from parsel import Selector
from scrapy.http import Response, TextResponse

from newsmon.sites.base import (
    BROWSER_COMPATIBLE_USER_AGENT,
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
    first_text,
    headline,
    image_address,
    json_ld_article,
    json_ld_paragraphs,
    json_ld_strings,
    json_ld_text,
    meta_content,
    metadata_category,
    metadata_tags,
    named_people,
    next_numbered_page,
    og_image_url,
    paragraph_texts,
    text_of,
    time_with_offset,
)

# --- article page -----------------------------------------------------------------------------
TITLES = ("h1.entry-title", "h2.entry-title")
SPECIAL_TITLE = "div.news-view-title p"
DATE_BLOCKS = ("div.entry-meta", "div.news-date")
SPECIAL_DATE = "div.news-view-date"
LISTING_CARD_ANCESTOR = "ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' news-item ')]"
# `21.02.2026 [19:22]`, the whole dateline within a block that may say more (views, a category).
DATELINE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}\s*\[\s*\d{1,2}:\d{2}\s*\]")
BODIES = ("div.news-body", "div.news-text")
SPECIAL_BODY = "div.news-view-body"
NOT_BODY = "script, style, noscript, iframe"
BODY_IMAGE = "img"
PUBLISHED_META = "article:published_time"
ERROR_TITLE_MARKS = ("Xəta", "Not Found")
ERROR_HEADING = ".site-error h1"

# --- listing ----------------------------------------------------------------------------------
LISTING_PATH = "/xeber"  # then /xeber?page=2, ...
PAGE_PARAM = "page"
RSS_PATH = "/rss"
CARDS = "div.news-item"
CARD_LINK = "div.news-title a::attr(href)"
CARD_TITLE = "div.news-title"
CARD_DATE = "div.news-date"
ANY_LINK = "a[href]"  # when the page has no such cards


class Azertac(Site):
    name = "azertac"
    title = "AZERTAC"
    editions = (Edition("az", "azertag.az"), Edition("en", "azertag.az", "/en"), Edition("ru", "azertag.az", "/ru"))
    discovery = Discovery(feeds=(RSS_PATH,), listing=LISTING_PATH)
    samples = Samples(
        articles={
            "az": "/xeber/naxchivan_seherinde_avtomobil_piyadani_vurub-4411239",  # the reference's example
            "en": "/xeber/azerbaijan_and_georgia_discuss_middle_corridor_cargo_growth-3978500",
            "ru": "/xeber/v_baku_proshla_konferenciya_po_zelenoi_energetike-4108500",
        },
        listing_requests=2,  # an article and the next page
    )
    domains = ("azertag.az",)
    host_aliases = {"www.azertag.az": "azertag.az"}
    # After the edition prefix; `%`: a non-ASCII slug, percent-encoded in a canonical URL.
    article_path = re.compile(r"^/xeber/(?P<slug>[\w%.-]+)-(?P<id>\d+)/?$")
    agency_names = ("AZERTAC", "AZƏRTAC", "АЗЕРТАДЖ", "Azertag", "azertag.az")
    user_agent = BROWSER_COMPATIBLE_USER_AGENT
    has_page_parser = True

    def parse_listing(self, response: TextResponse, edition: Edition) -> ListingPage:
        """The article links of one `/xeber?page=N` page, and the next page while this one has any."""
        links = []
        for card in response.css(CARDS):
            href = (card.css(CARD_LINK).get() or "").strip()
            if href and not href.lower().startswith("javascript:"):
                links.append(ListingLink(response.urljoin(href), _printed_dateline(text_of(card.css(CARD_DATE))), text_of(card.css(CARD_TITLE))))
        if not links:  # the card markup is a guess: any link to an article page will do
            for anchor in response.css(ANY_LINK):
                href = (anchor.attrib.get("href") or "").strip()
                if "/xeber/" in href:
                    links.append(ListingLink(response.urljoin(href), "", text_of(anchor)))
        return ListingPage(links, next_numbered_page(response.url, PAGE_PARAM, edition.origin) if links else None)

    def parse_article(self, response: Response, edition: Edition, url: str) -> Parsed:
        """The article on an AZERTAC page, with raw fields for the chain to clean and date."""
        page = article_selector(response)
        if _is_error_page(page):
            raise PageError("error_page", "the site's error page (Xəta / Not Found)")
        ld = json_ld_article(page)
        fallbacks: list[str] = []

        title = headline(
            fallbacks, page, ld, ("", first_text(page, *TITLES)), ("title_special", text_of(page.css(SPECIAL_TITLE)))
        )
        if not title:
            raise PageError("no_title", "no h1/h2.entry-title, news-view-title, og:title or JSON-LD headline")

        published_meta = meta_content(page, PUBLISHED_META)
        published_ld = json_ld_text(ld.get("datePublished"))
        dateline = first_found(
            fallbacks,
            ("", _visible_dateline(page)),
            ("date_special", _printed_dateline(text_of(page.css(SPECIAL_DATE)))),
            ("date_meta", published_meta),
            ("date_jsonld", published_ld),
        )
        if not dateline:
            raise PageError("no_date", "no dateline in div.entry-meta, div.news-date, article:published_time or JSON-LD")
        published_at = time_with_offset(published_meta) or time_with_offset(published_ld)

        body = first_found(
            fallbacks,
            ("", "\n\n".join(_paragraphs(page, BODIES))),
            ("body_special", "\n\n".join(_paragraphs(page, (SPECIAL_BODY,)))),
            ("body_jsonld", "\n\n".join(json_ld_paragraphs(ld.get("articleBody")))),
        )
        if not body:
            raise PageError("no_body", "no text paragraphs in div.news-body, div.news-text, news-view-body or JSON-LD")

        image_url = first_found(
            fallbacks,
            ("", og_image_url(page, url)),
            ("image_body", _body_image(page, url)),
        )
        article = crawled_article(
            self, edition, url, page,
            title=title,
            body=body,
            published_at=published_at,
            dateline=dateline,
            category=metadata_category(page, ld),
            tags=metadata_tags(page),
            authors=named_people(json_ld_strings(ld.get("author")), self.agency_names),
            image_url=image_url,
        )
        return Parsed(article, tuple(fallbacks))



SITE = Azertac()
EDITIONS: dict[str, Edition] = {edition.lang: edition for edition in SITE.editions}


def article_id(url: str) -> str:
    """AZERTAC's id of an article URL (the last digit run), "" for any other URL."""
    edition = SITE.edition_of(url)
    match = SITE.article_match(url, edition) if edition else None
    return match["id"] if match else ""


def _is_error_page(page: Selector) -> bool:
    title = text_of(page.css("title"))
    return any(mark in title for mark in ERROR_TITLE_MARKS) or bool(page.css(ERROR_HEADING))


def _printed_dateline(text: str) -> str:
    match = DATELINE.search(text)
    return " ".join(match[0].split()) if match else ""


def _visible_dateline(page: Selector) -> str:
    """The first `21.02.2026 [19:22]` in the article's date blocks (not in a listing card)."""
    for query in DATE_BLOCKS:
        for block in page.css(query):
            if not block.xpath(LISTING_CARD_ANCESTOR) and (printed := _printed_dateline(text_of(block))):
                return printed
    return ""


def _paragraphs(page: Selector, queries: tuple[str, ...]) -> list[str]:
    for query in queries:
        blocks = page.css(query)
        if blocks and (texts := paragraph_texts(block_copy(blocks[0], NOT_BODY))):
            return texts
    return []


def _body_image(page: Selector, url: str) -> str:
    for query in (*BODIES, SPECIAL_BODY, "div.preview-news-view"):
        blocks = page.css(query)
        if blocks and (address := image_address(blocks[0].css(BODY_IMAGE), url)):
            return address
    return ""
