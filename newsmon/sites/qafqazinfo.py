"""Qafqazinfo (qafqazinfo.az), Azerbaijani only. Every Qafqazinfo selector, in one place.

What the site reference (news-sites.md, "Qafqazinfo (qafqazinfo.az)") says, and what this
module does where a fact rests on one source or none, so that the same code works on the live site:

- Articles `https://www.qafqazinfo.az/news/detail/<slug>-<id>` [feed 2026-09]; the id is the
  LAST digit run (`…/18-milyonluq-2-tablonu-…-521378` is 521378, not 18): `article_id`.
  Links print `www.`; the feed, the listing and the images are on the bare `qafqazinfo.az`
  [feed 2026-09, confirmed]: one site under two names. The edition is filed under the bare
  host, where its feed and listing are, and `www.` is an alias of it, so an article has one
  key whichever name a link uses.
- Discovery: RSS `/rss` [feed 2026-09], all on one line, with **the same `<guid>` for every
  item** (keyed on `<link>`: the spider counts `feed/same_guid`), a `<link>` inside each
  item's `<image>` (the item's link is `link/text()`), a description that is escaped CDATA cut
  mid-word (`feed/escaped_description`), `lastBuildDate` ending `+04` (newsmon.dates reads it as
  +04:00), items dated after it, ids out of order, and a title that is only the headline's
  first part: the page's headline is the title. Listing `/news/category/iqtisadiyyat-4?page=N`
  [confirmed; other categories unknown], card markup [unknown]: every link on the page to an
  article path is taken (the spider skips other links), the next page asked while a page has any.
- Article [one source, copied by a second scraper]: headline `div.panel.news h1` -> og:title
  (`title_og`) -> JSON-LD headline (`title_jsonld`); dateline `time[datetime]` as printed
  (`09.11.2025 | 10:59`) -> its `datetime` value (`date_attr`, its form [unknown]) ->
  `article:published_time` (`date_meta`) -> JSON-LD datePublished (`date_jsonld`); an
  explicit-offset value becomes `published_at`, else the chain reads the dateline in Asia/Baku;
  body `div.news_text p` minus `.rek_banner` (and script, style, iframe, ins) -> JSON-LD
  articleBody (`body_jsonld`); image og:image [unknown] -> the first image of the text
  (`image_body`); a root-relative address is on the bare host, where the images are. The lead's credit (`“Qafqazinfo” xəbər verir ki, …` [feed 2026-09]) is part
  of the sentence and stays. Category, tags, authors: no markup known (`article:section`,
  `article:tag`, JSON-LD authors when present).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

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
PANEL = "div.panel.news"
HEADLINE = f"{PANEL} h1"
TIME = f"{PANEL} time"
TIME_VALUE = "datetime"
BODY = "div.news_text"
NOT_BODY = "script, style, iframe, ins, .rek_banner"
BODY_IMAGE = "img"
PUBLISHED_META = "article:published_time"

# --- listing and feed -------------------------------------------------------------------------
LISTING_PATH = "/news/category/iqtisadiyyat-4"  # then ?page=2, ...
PAGE_PARAM = "page"
RSS_PATH = "/rss"
ARTICLE_LINKS = 'a[href*="/news/detail/"]'
CARD_TIME = "time"  # a card's time, should a card carry one (the markup is unknown)
CARD = "ancestor::*[self::li or self::article or self::div][1]"


class Qafqazinfo(Site):
    name = "qafqazinfo"
    title = "Qafqazinfo"
    editions = (Edition("az", "qafqazinfo.az"),)
    discovery = Discovery(feeds=(RSS_PATH,), listing=LISTING_PATH)
    samples = Samples(
        articles={"az": "/news/detail/18-milyonluq-2-tablonu-ogurlayan-sexs-saxlanilib-521378"},
        listing_requests=2,  # an article and the next page
    )
    domains = ("qafqazinfo.az",)
    host_aliases = {"www.qafqazinfo.az": "qafqazinfo.az"}
    # The id is the last digit run: the slug is greedy, and may itself start with or hold numbers.
    article_path = re.compile(r"^/news/detail/(?P<slug>[\w%-]+)-(?P<id>\d+)/?$")
    agency_names = ("Qafqazinfo", "“Qafqazinfo”", "qafqazinfo.az")
    has_page_parser = True

    def parse_listing(self, response: TextResponse, edition: Edition) -> ListingPage:
        """Every article link of one category page (in page order, each once), and the next page
        while this one has any."""
        links: dict[str, ListingLink] = {}
        for anchor in response.css(ARTICLE_LINKS):
            url = response.urljoin((anchor.attrib.get("href") or "").strip())
            if url not in links:
                card = anchor.xpath(CARD)
                links[url] = ListingLink(url, text_of(card.css(CARD_TIME)) if card else "", text_of(anchor))
        return ListingPage(list(links.values()), next_numbered_page(response.url, PAGE_PARAM, edition.origin) if links else None)

    def parse_article(self, response: Response, edition: Edition, url: str) -> Parsed:
        """The article on a Qafqazinfo page, with raw fields for the chain to clean and date."""
        page = article_selector(response)
        ld = json_ld_article(page)
        fallbacks: list[str] = []

        title = headline(fallbacks, page, ld, ("", text_of(page.css(HEADLINE))))
        if not title:
            raise PageError("no_title", "no div.panel.news h1, og:title or JSON-LD headline")

        times = page.css(TIME)
        stamp = (times.attrib.get(TIME_VALUE) or "").strip() if times else ""
        published_meta = meta_content(page, PUBLISHED_META)
        published_ld = json_ld_text(ld.get("datePublished"))
        dateline = first_found(
            fallbacks,
            ("", text_of(times)),
            ("date_attr", stamp),
            ("date_meta", published_meta),
            ("date_jsonld", published_ld),
        )
        if not dateline:
            raise PageError("no_date", "no time in div.panel.news, article:published_time or JSON-LD datePublished")
        published_at = time_with_offset(stamp) or time_with_offset(published_meta) or time_with_offset(published_ld)

        blocks = page.css(BODY)
        body = first_found(
            fallbacks,
            ("", "\n\n".join(paragraph_texts(block_copy(blocks[0], NOT_BODY))) if blocks else ""),
            ("body_jsonld", "\n\n".join(json_ld_paragraphs(ld.get("articleBody")))),
        )
        if not body:
            raise PageError("no_body", "no text paragraphs in div.news_text or JSON-LD articleBody")

        # Images are on the bare host whichever name the page was fetched under.
        image_url = first_found(
            fallbacks,
            ("", og_image_url(page, edition.origin + "/")),
            ("image_body", image_address(blocks[0].css(BODY_IMAGE), edition.origin + "/") if blocks else ""),
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



SITE = Qafqazinfo()
EDITION = SITE.editions[0]


def article_id(url: str) -> str:
    """Qafqazinfo's id of an article URL, on either host: the last digit run ("" for other URLs)."""
    parts = urlsplit(url)
    host, path = SITE.canonical_location((parts.hostname or "").lower(), parts.path)
    match = SITE.article_match(f"https://{host}{path}", EDITION)
    return match["id"] if match else ""

