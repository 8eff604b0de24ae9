"""Report.az: az at the root of report.az, en under /en, ru under /ru. Every Report selector, in one place.

What the site reference (news-sites.md, "Report.az") says, and what this module does
where a fact rests on one source or none, so that the same code works on the live site:

- Articles are `/<category>/<slug>` under the edition prefix, with no id and no trailing slash
  [confirmed]. The slug is not rebuilt when the title changes (`51-yasli` for `52 yaşlı`) [one
  source], so the slug URL stays the article's key whatever the headline says. The numeric id
  exists only in the short link `.copy-url[data-url]` (`report.az/<digits>`) [one source]:
  `article_id` reads it; nothing is keyed on it.
- Older spellings map onto today's: `www.`, the 2020 `report.az/az/<cat>/<slug>/` [old], AMP
  `/en/amp/<cat>/<slug>` [one source] (a leading `/amp` is stripped by newsmon.urls already).
- Discovery: `/son-xeberler` [confirmed] and its "load more" cursor
  `/infinity/index?date=<data-timestamp of the last card>&oldest=1` [confirmed], whose path the
  page names in `.loadContainer[data-url]` [one source], else `/infinity/index`; RSS `/rss/`
  [confirmed for az; `/en/rss/` one source, `/ru/rss/` unknown]; the news sitemap
  `/news-sitemap.xml` [one source, az]. A feed an edition lacks is counted by the spider
  (`feed/not_a_feed`, `http_404`), not fatal.
- Article page: the visible markup first, then the head's metadata, each fallback named in
  `Parsed.fallbacks`:
  title `h1.section-title` -> `og:title` (`title_og`) -> JSON-LD `headline` (`title_jsonld`);
  dateline `div.news-detail__head ul.news__date li` as printed (`16 noyabr, 2025 14:00`,
  [confirmed]) -> `article:published_time` as printed (`date_meta`) -> JSON-LD `datePublished`
  (`date_jsonld`); `published_at` is an explicit-offset time from `article:published_time`
  [confirmed], else from JSON-LD `datePublished` [one source] (`published_jsonld`), else left to
  the chain, which reads the dateline in Asia/Baku (no offset is printed on Report pages);
  body `div.news-detail__desc p` [confirmed] without embeds, tags and share/subscribe lines [one
  source] -> JSON-LD `articleBody` (`body_jsonld`); main image `div.news-detail__main-photo img`
  [one source] -> `og:image` (`image_og`). Authors come only from JSON-LD `author.name` (no visible
  byline is known; it may be a desk such as `İqtisadiyyat şöbəsi`), so that is no fallback.
"""
from __future__ import annotations

import re

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
    json_ld_paragraphs,
    json_ld_strings,
    json_ld_text,
    load_more_url,
    meta_content,
    og_image_url,
    paragraph_texts,
    text_of,
    time_with_offset,
)

# --- article page -----------------------------------------------------------------------------
TITLE = "h1.section-title"
HEAD = "div.news-detail__head"
# Date and time in two items: `<li>16 noyabr, 2025</li><li>14:00</li>`. Only the article's head:
# the related-news cards on the same page carry the same classes.
DATELINE_PARTS = f"{HEAD} ul.news__date li"
CATEGORY = f"{HEAD} .news__category"
BODY = "div.news-detail__desc"
NOT_BODY = "script, style, noscript, iframe, blockquote.twitter-tweet, .tags"
TAGS = f"{BODY} .tags a"
MAIN_IMAGE = "div.news-detail__main-photo img"
PUBLISHED_META = "article:published_time"
SHORT_LINK = ".copy-url::attr(data-url)"
SHORT_LINK_ID = re.compile(r"(?:^|/)(?P<id>\d{4,})/?$")
# Share buttons, "subscribe to our channel" lines and source credits inside the text block.
JUNK_PHRASES = (
    "Telegram", "Facebook", "Twitter", "WhatsApp", "Ən son xəbər", "Mənbə:", "Источник:", "Source:",
    "Sosial şəbəkələrdə paylaşın",
)
# Those lines are short; a news paragraph that names Facebook or Twitter is longer, and is text.
MAX_JUNK_CHARS = 160

# --- listing ----------------------------------------------------------------------------------
LISTING_PATH = "/son-xeberler"
RSS_PATH = "/rss/"
NEWS_SITEMAP_PATH = "/news-sitemap.xml"
CARDS = "div.index-post-block"
CARD_LINK = "a.news__item::attr(href)"
CARD_TITLE = "h2.news__title"
CARD_DATE_PARTS = "ul.news__date li"  # `<li>01 dekabr, 2024</li><li>23:43</li>`
CARD_TIMESTAMP = "data-timestamp"  # `2026-07-19 12:05:35`, Baku local time
LOAD_MORE = ".loadContainer::attr(data-url)"
LOAD_MORE_PATH = "/infinity/index"

# --- URLs -------------------------------------------------------------------------------------
# The 2020 scheme put the az edition under /az.
OLD_AZ_PREFIX = re.compile(r"^/az(?=/|$)")
# AMP pages of an edition: /en/amp/<cat>/<slug> (and /amp/... once /az is gone).
AMP_AFTER_EDITION = re.compile(r"^(?P<edition>/en|/ru)?/amp(?=/|$)")


class Report(Site):
    name = "report"
    title = "Report"
    editions = (Edition("az", "report.az"), Edition("en", "report.az", "/en"), Edition("ru", "report.az", "/ru"))
    discovery = Discovery(feeds=(RSS_PATH,), sitemaps=(NEWS_SITEMAP_PATH,), listing=LISTING_PATH)
    samples = Samples(
        articles={
            "az": "/hadise/mingecevirde-51-yasli-kisi-aldigi-xesaretden-olub",
            "en": "/domestic-politics/azerbaijan-extends-special-quarantine-regime-until-january-2027",
            "ru": "/cop29/unep-izmenenie-klimata-nanosit-znachitelnyj-usherb-shesti-stranam-kavkaza",
        },
        listing_requests=2,  # an article and the "load more" cursor
    )
    domains = ("report.az",)
    host_aliases = {"www.report.az": "report.az"}
    # `/<category>/<slug>` after the edition prefix. `%`: a non-ASCII slug, percent-encoded in a
    # canonical URL (Report's ru slugs are transliterated, but nothing promises it).
    article_path = re.compile(r"^/(?P<category>[\w-]+)/(?P<slug>[\w%-]+)/?$")
    # Two-segment pages that are not articles (`/infinity/index`, `/search/x`); defensive, as
    # the reference's own regex is.
    not_article_sections = frozenset(
        {"en", "ru", "az", "amp", "rss", "infinity", "archive", "search", "page", "tag", "tags", "author"}
    )
    agency_names = ("Report", "Report.az")
    has_page_parser = True

    def canonical_location(self, host: str, path: str) -> tuple[str, str]:
        host, path = super().canonical_location(host, path)
        if host == "report.az":
            path = OLD_AZ_PREFIX.sub("", path) or "/"
            path = AMP_AFTER_EDITION.sub(lambda match: match["edition"] or "", path) or "/"
        return host, path

    def parse_listing(self, response: TextResponse, edition: Edition) -> ListingPage:
        """The cards of `/son-xeberler` or of a "load more" answer (a fragment of the same cards),
        and the cursor for the next answer: None once an answer holds no dated card."""
        links = []
        cursor = ""
        for card in response.css(CARDS):
            href = (card.css(CARD_LINK).get() or "").strip()
            if not href:
                continue
            stamp = (card.attrib.get(CARD_TIMESTAMP) or "").strip()
            listed = stamp or " ".join(part for part in (text_of(li) for li in card.css(CARD_DATE_PARTS)) if part)
            links.append(ListingLink(response.urljoin(href), listed, text_of(card.css(CARD_TITLE))))
            cursor = stamp or cursor
        if not cursor:
            return ListingPage(links, None)
        declared = response.css(LOAD_MORE).get() or ""
        return ListingPage(links, load_more_url(edition, declared, LOAD_MORE_PATH, {"date": cursor, "oldest": "1"}))

    def parse_article(self, response: Response, edition: Edition, url: str) -> Parsed:
        """The article on a Report page, with raw fields for the chain to clean and date.

        `url` is the page's public address; the article's URL is the page's canonical link when
        it names the same edition (newsmon.urls.preferred_url), else `url`.
        """
        page = article_selector(response)
        ld = json_ld_article(page)
        fallbacks: list[str] = []

        title = headline(fallbacks, page, ld, ("", text_of(page.css(TITLE))))
        if not title:
            raise PageError("no_title", "no h1.section-title, og:title or JSON-LD headline")

        published_meta = meta_content(page, PUBLISHED_META)
        published_ld = json_ld_text(ld.get("datePublished"))
        published_at = time_with_offset(published_meta)
        if published_at is None and (published_at := time_with_offset(published_ld)) is not None:
            fallbacks.append("published_jsonld")
        printed = " ".join(part for part in (text_of(li) for li in page.css(DATELINE_PARTS)) if part)
        dateline = first_found(
            fallbacks, ("", printed), ("date_meta", published_meta), ("date_jsonld", published_ld)
        )
        if not dateline:
            raise PageError("no_date", "no dateline in div.news-detail__head, article:published_time or JSON-LD")

        body = first_found(
            fallbacks,
            ("", "\n\n".join(_visible_paragraphs(page))),
            ("body_jsonld", "\n\n".join(t for t in json_ld_paragraphs(ld.get("articleBody")) if not _is_junk(t))),
        )
        if not body:
            raise PageError("no_body", "no text paragraphs in div.news-detail__desc or JSON-LD articleBody")

        image_url = first_found(
            fallbacks,
            ("", image_address(page.css(MAIN_IMAGE), url)),
            ("image_og", og_image_url(page, url)),
        )
        article = crawled_article(
            self, edition, url, page,
            title=title,
            body=body,
            published_at=published_at,
            dateline=dateline,
            category=text_of(page.css(CATEGORY)),
            tags=[tag for tag in (text_of(a) for a in page.css(TAGS)) if tag],
            authors=list(dict.fromkeys(json_ld_strings(ld.get("author")))),
            image_url=image_url,
        )
        return Parsed(article, tuple(fallbacks))


SITE = Report()
EDITIONS: dict[str, Edition] = {edition.lang: edition for edition in SITE.editions}


def article_id(response: TextResponse) -> str:
    """Report's numeric id of the article on a page, from its short link; "" when there is none."""
    match = SHORT_LINK_ID.search((response.css(SHORT_LINK).get() or "").strip())
    return match["id"] if match else ""


def _visible_paragraphs(page: Selector) -> list[str]:
    blocks = page.css(BODY)
    if not blocks:
        return []
    return [text for text in paragraph_texts(block_copy(blocks[0], NOT_BODY)) if not _is_junk(text)]


def _is_junk(paragraph: str) -> bool:
    return len(paragraph) <= MAX_JUNK_CHARS and any(phrase in paragraph for phrase in JUNK_PHRASES)
