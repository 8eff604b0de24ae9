"""Azernews (www.azernews.az, English): its profile and page parser. Every Azernews selector, in one place.

What the site reference (news-sites.md, "Azernews") says, how sure it is, and what this module
does about it:

- Articles `/<section>/<id>.html` [confirmed] (sections region, nation, analysis, ...); the id
  is the key. `azernews.az` without `www.` is the same site.
- Discovery: RSS `feed.php`, 31-45 items [confirmed], its item shape [unknown] (read by the
  shared RSS parser, which keys on `<link>`); no listing page or sitemap is known.
- Article page, visible markup first, then the head's metadata (whether real pages carry og
  tags, `article:*` or JSON-LD is [unknown]), each fallback named in `Parsed.fallbacks`:
  headline `div.article-content-wrapper h2` [one source] -> `og:title` (`title_og`) -> JSON-LD
  `headline` (`title_jsonld`);
  dateline `21 July 2025 09:45 (UTC+04:00)` [confirmed], day not padded, no space before the
  offset, in `span.me-3` [confirmed]: a Bootstrap spacing class *[inferred: fragile]*, so the
  span is taken only when its text has the dateline's shape, else the first text of that shape
  in the wrapper (`date_text`), else `article:published_time` (`date_meta`), else JSON-LD
  `datePublished` (`date_jsonld`). The printed offset is read by the chain; a metadata time
  with its offset becomes `published_at`;
  author `div.author h6` [one source], absent on wire items (no author then: the agency signing
  is nobody); JSON-LD `author` when the block is missing (`author_jsonld`);
  body `div.article-content p` [confirmed]; the strip list is [unknown]: scripts, styles,
  iframes and ads are left out. The lead keeps its credit (`…, Azernews reports via Bild.`
  [confirmed]): it is a sentence of the text;
  main image the wrapper's first `img` [one source] that is not the author's photo -> `og:image`
  (`image_og`);
  category `article:section` -> JSON-LD `articleSection` (`category_jsonld`) -> the URL's section (`category_url`,
  `oil-and-gas` -> `Oil and gas`); tags `article:tag`.

`NEWSMON_GENERIC_EXTRACTION=azernews` reads the pages with generic extraction instead
(tests/test_generic_crawl.py compares the two).
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import Response

from newsmon.sites.base import (
    Discovery,
    Edition,
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
    meta_content,
    metadata_tags,
    named_people,
    og_image_url,
    paragraph_texts,
    text_of,
    time_with_offset,
)

WRAPPER = "div.article-content-wrapper"
HEADLINE = f"{WRAPPER} h2"
DATELINE = f"{WRAPPER} span.me-3"
WRAPPER_TEXTS = f"{WRAPPER} *:not(script):not(style)::text"
# `21 July 2025 09:45 (UTC+04:00)`, `3 October 2022 09:59 (UTC+04:00)`, matched whole (spaces normalised).
DATELINE_SHAPE = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4} \d{1,2}:\d{2} \(UTC ?[+-]\d{2}(?::?\d{2})?\)$")
AUTHOR = f"{WRAPPER} div.author h6"
BODY = f"{WRAPPER} div.article-content"
NOT_BODY = "script, style, iframe, ins"
IMAGES = f"{WRAPPER} img"
AUTHOR_BLOCK = "ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' author ')]"
PUBLISHED_META = "article:published_time"
FEED_PATH = "/feed.php"


class Azernews(Site):
    name = "azernews"
    title = "Azernews"
    editions = (Edition("en", "www.azernews.az"),)
    discovery = Discovery(feeds=(FEED_PATH,))
    samples = Samples(articles={"en": "/region/244958.html"})
    domains = ("azernews.az",)
    host_aliases = {"azernews.az": "www.azernews.az"}
    article_path = re.compile(r"^/(?P<section>[a-z-]+)/(?P<id>\d+)\.html$")
    agency_names = ("Azernews", "AzerNews")
    has_page_parser = True

    def parse_article(self, response: Response, edition: Edition, url: str) -> Parsed:
        """The article on an Azernews page, with raw fields for the chain to clean and date."""
        page = article_selector(response)
        ld = json_ld_article(page)
        fallbacks: list[str] = []
        title = headline(fallbacks, page, ld, ("", text_of(page.css(HEADLINE))))
        if not title:
            raise PageError("no_title", f"no {HEADLINE}, og:title or JSON-LD headline")

        published_meta = meta_content(page, PUBLISHED_META)
        published_ld = json_ld_text(ld.get("datePublished"))
        dateline = first_found(
            fallbacks,
            ("", _shaped(text_of(span) for span in page.css(DATELINE))),
            ("date_text", _shaped(page.css(WRAPPER_TEXTS).getall())),
            ("date_meta", published_meta),
            ("date_jsonld", published_ld),
        )
        if not dateline:
            raise PageError("no_date", f"no dateline in {WRAPPER}, {PUBLISHED_META} or JSON-LD datePublished")
        # A visible dateline states its offset, which the chain reads; metadata may too.
        published_at = None if DATELINE_SHAPE.match(dateline) else time_with_offset(dateline)

        blocks = page.css(BODY)
        paragraphs = paragraph_texts(block_copy(blocks[0], NOT_BODY)) if blocks else []
        if not paragraphs:
            raise PageError("no_body", f"no text paragraphs in {BODY}")

        article = crawled_article(
            self, edition, url, page,
            title=title,
            body="\n\n".join(paragraphs),
            published_at=published_at,
            dateline=dateline,
            category=first_found(
                fallbacks,
                ("", meta_content(page, "article:section")),
                ("category_jsonld", json_ld_text(ld.get("articleSection"))),
                ("category_url", _section_name(url)),
            ),
            tags=metadata_tags(page),
            authors=self._authors(page, ld, fallbacks),
            image_url=first_found(
                fallbacks, ("", _main_image(page, url)), ("image_og", og_image_url(page, url))
            ),
        )
        return Parsed(article, tuple(fallbacks))

    def _authors(self, page: Selector, ld: dict[str, Any], fallbacks: list[str]) -> list[str]:
        """The named author of `div.author h6`; without the block, JSON-LD's; the agency is nobody."""
        visible = [name for name in (text_of(h6) for h6 in page.css(AUTHOR)) if name]
        if visible:
            return list(dict.fromkeys(visible))
        named = named_people(json_ld_strings(ld.get("author")), self.agency_names)
        if named:
            fallbacks.append("author_jsonld")
        return named


SITE = Azernews()


def _shaped(texts: Any) -> str:
    """The first of `texts` that reads as an Azernews dateline, whitespace normalised."""
    for text in texts:
        line = " ".join(text.split())
        if DATELINE_SHAPE.match(line):
            return line
    return ""


def _main_image(page: Selector, url: str) -> str:
    images = [image for image in page.css(IMAGES) if not image.xpath(AUTHOR_BLOCK)]
    return image_address(images[0], url) if images else ""


def _section_name(url: str) -> str:
    """`https://www.azernews.az/oil-and-gas/1.html` -> `Oil and gas`."""
    section = urlsplit(url).path.strip("/").split("/", 1)[0]
    return section.replace("-", " ").capitalize() if section else ""
