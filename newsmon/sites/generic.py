"""Generic extraction: an article from a page of a site that has a profile but no page parser.

So that a new outlet can be watched the day it is added, its pages are read by trafilatura
(body, and title and date from its metadata) plus the head's own metadata, in this order:

- title: `og:title`, JSON-LD `headline`, trafilatura's title (from `<title>`, `<h1>`);
- date: an explicit-offset time from `article:published_time`, JSON-LD `datePublished` or
  `itemprop=datePublished` becomes `published_at`; otherwise the first of those as printed
  (the site's zone applies), else the first short text of the page that reads as a date with
  a time, else trafilatura's date (a day without its time), becomes the dateline;
- body: trafilatura's main text, paragraphs kept;
- image, category, tags, authors: og/article meta and JSON-LD, where present.

Each source after the first is reported as a fallback. The site's own parser, once written,
wins: it knows which markup to trust.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import trafilatura
from parsel import Selector
from scrapy.http import Response

from newsmon.dates import parse_dateline
from newsmon.sites.base import (
    Edition,
    PageError,
    Parsed,
    article_selector,
    crawled_article,
    json_ld_article,
    json_ld_strings,
    json_ld_text,
    meta_content,
    metadata_category,
    metadata_tags,
    time_with_offset,
)

if TYPE_CHECKING:
    from newsmon.sites.base import Site

PUBLISHED_META = ("article:published_time", "datePublished")
MAX_DATELINE_CHARS = 60
# Text nodes of the page outside scripts and styles, in document order; the headline's dateline
# comes early, so only the first few hundred are searched.
PAGE_TEXTS = "//body//text()[normalize-space()][not(ancestor::script or ancestor::style)]"
MAX_TEXTS_SEARCHED = 400


def extract_article(response: Response, *, site: Site, edition: Edition, url: str) -> Parsed:
    page = article_selector(response)
    document = trafilatura.bare_extraction(
        response.text, url=url, with_metadata=True, include_comments=False, include_tables=False, as_dict=True
    )
    if not document or not (document.get("text") or "").strip():
        raise PageError("no_body", "generic extraction found no main text")
    ld = json_ld_article(page)
    fallbacks: list[str] = ["generic"]

    title = meta_content(page, "og:title") or json_ld_text(ld.get("headline"))
    if not title:
        title = (document.get("title") or "").strip()
        fallbacks.append("title_trafilatura")
    if not title:
        raise PageError("no_title", "no og:title, JSON-LD headline or <title>")

    printed = [value for value in (meta_content(page, *PUBLISHED_META), json_ld_text(ld.get("datePublished"))) if value]
    published_at = next(filter(None, map(time_with_offset, printed)), None)
    dateline = printed[0] if printed else _printed_dateline(page)
    if not printed and dateline:
        fallbacks.append("date_text")
    if not dateline:
        dateline = document.get("date") or ""  # a day without its time: midnight in the site's zone
        fallbacks.append("date_trafilatura")
    if not dateline:
        raise PageError("no_date", "no article:published_time, JSON-LD datePublished or date in the page")

    authors = json_ld_strings(ld.get("author"))
    return Parsed(
        crawled_article(
            site, edition, url, page,
            title=title,
            body=_main_text(document["text"], title, dateline),
            published_at=published_at,
            dateline=dateline,
            category=metadata_category(page, ld),
            tags=metadata_tags(page),
            authors=[a for a in authors if a] or [a.strip() for a in (document.get("author") or "").split(";") if a.strip()],
            image_url=meta_content(page, "og:image") or (document.get("image") or ""),
        ),
        tuple(fallbacks),
    )



def _main_text(text: str, title: str, dateline: str) -> str:
    """trafilatura's text as paragraphs, without the headline and dateline it keeps when they
    stand just above the text (the article's own fields hold them)."""
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    while paragraphs and (paragraphs[0] in (title, dateline) or _is_dateline(paragraphs[0])):
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


def _printed_dateline(page: Selector) -> str:
    """The first short text of the page that reads as a date with its time (`08 aprel 2026 12:04
    (UTC +04:00)`, `21.02.2026 [19:22]`): sites print one by the headline even without metadata."""
    for text in page.xpath(PAGE_TEXTS).getall()[:MAX_TEXTS_SEARCHED]:
        line = " ".join(text.split())
        if ":" in line and any(c.isdigit() for c in line) and _is_dateline(line):
            return line
    return ""


def _is_dateline(line: str) -> bool:
    return len(line) <= MAX_DATELINE_CHARS and parse_dateline(line) is not None
