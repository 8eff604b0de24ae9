"""RSS 2.0 feeds and Google News sitemaps: the discovery sources every site shares.

Feeds in the wild break the rules in the ways the site reference lists, and each way is
reported, not fatal: a feed URL that answers an HTML page raises FeedError("not_a_feed"); items
without `<guid>` (AZERTAC), or whose `<guid>` is the same for every item (Qafqazinfo), are keyed
on their `<link>` (always, in fact: a guid is never trusted); a description that is escaped
CDATA cut mid-word is unwrapped; a document that starts with whitespace and has no XML
declaration (APA) is read as it is. `Feed.quirks` names what was met, for the spider to count.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import lxml.etree
from parsel import Selector
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_CDATA_OPEN, _CDATA_CLOSE = "<![CDATA[", "]]>"


class FeedError(Exception):
    """A feed or sitemap URL answered something else; `reason` is a stat name."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FeedEntry:
    url: str  # absolute, as printed (not canonicalized)
    title: str = ""
    published: str = ""  # as printed: RFC-822 pubDate, or W3C time in a sitemap
    category: str = ""
    summary: str = ""
    lang: str = ""  # news:language, when the source says


@dataclass
class Feed:
    entries: list[FeedEntry] = field(default_factory=list)
    # What was odd about the document: `no_guid`, `same_guid`, `escaped_description`, `leading_whitespace`.
    quirks: list[str] = field(default_factory=list)


def parse_rss(response: Response) -> Feed:
    """The items of an RSS 2.0 feed, keyed on `<link>`; FeedError when the answer is no feed."""
    body = response.body
    stripped = body.lstrip()
    feed = Feed()
    if len(stripped) != len(body):
        feed.quirks.append("leading_whitespace")
    root = _xml_root(stripped, response.url)
    if _local_name(root.tag) != "rss":
        raise FeedError("not_a_feed", f"root element is <{_local_name(root.tag)}>, not <rss>")
    selector = Selector(root=root, type="xml")
    guids: Counter[str] = Counter()
    items = selector.xpath("/rss/channel/item")
    for item in items:
        # `link/text()`, not `.//link`: Qafqazinfo nests a <link> inside each item's <image>.
        link = (item.xpath("link/text()").get() or "").strip()
        guids[(item.xpath("guid/text()").get() or "").strip()] += 1
        if not link:
            continue
        summary, escaped = _unwrap_cdata((item.xpath("description/text()").get() or "").strip())
        if escaped and "escaped_description" not in feed.quirks:
            feed.quirks.append("escaped_description")
        feed.entries.append(
            FeedEntry(
                url=_absolute(response, link),
                title=" ".join((item.xpath("title/text()").get() or "").split()),
                published=(item.xpath("pubDate/text()").get() or "").strip(),
                category=(item.xpath("category/text()").get() or "").strip(),
                summary=summary,
            )
        )
    if items and guids.get("") == len(items):
        feed.quirks.append("no_guid")
    elif len(items) > 1 and len(guids) == 1:
        feed.quirks.append("same_guid")
    return feed


class _NewsSitemap(Sitemap):
    """Scrapy's sitemap parser, also reading the `<news:news>` block of each `<url>`: Scrapy
    flattens an element's children by name, which leaves the news block's own children out."""

    __slots__ = ()

    def _process_sitemap_element(self, elem: lxml.etree._Element) -> dict[str, Any] | None:
        # Read the news block first: Scrapy's parser clears each element it has read.
        news_fields: dict[str, str] = {}
        news = elem.find(f"{{{NEWS_NS}}}news")
        if news is not None:
            for child in news.iter():
                name = _local_name(child.tag)
                if name in ("publication_date", "title", "language") and child.text:
                    news_fields[f"news_{name}"] = child.text.strip()
        entry = super()._process_sitemap_element(elem)
        if entry is not None:
            entry.update(news_fields)
        return entry


def parse_news_sitemap(response: Response) -> Feed:
    """The `<url>`s of a Google News sitemap; FeedError when the answer is no urlset."""
    body = response.body.lstrip()
    if not body.startswith(b"<"):
        raise FeedError("not_a_feed", "not XML")
    sitemap = _NewsSitemap(body)
    if sitemap.type != "urlset":
        raise FeedError("not_a_feed", f"root element is <{sitemap.type}>, not <urlset>")
    entries = [
        FeedEntry(
            url=_absolute(response, entry["loc"]),
            title=entry.get("news_title", ""),
            published=entry.get("news_publication_date", entry.get("lastmod", "")),
            lang=entry.get("news_language", ""),
        )
        for entry in sitemap
        if entry.get("loc")
    ]
    return Feed(entries=entries)


def _xml_root(body: bytes, url: str) -> lxml.etree._Element:
    if not body.startswith(b"<"):
        raise FeedError("not_a_feed", "not XML")
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(body, parser=parser)
    except lxml.etree.XMLSyntaxError as error:
        raise FeedError("not_a_feed", f"not XML: {error}") from error
    if root is None:
        raise FeedError("not_a_feed", "not XML")
    return root


def _local_name(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _unwrap_cdata(text: str) -> tuple[str, bool]:
    """A description that was CDATA escaped once too often reads `<![CDATA[...]]>` once parsed."""
    if not text.startswith(_CDATA_OPEN):
        return text, False
    inner = text[len(_CDATA_OPEN):]
    inner = inner[: -len(_CDATA_CLOSE)] if inner.endswith(_CDATA_CLOSE) else inner
    return " ".join(inner.split()), True


def _absolute(response: Response, link: str) -> str:
    return response.urljoin(link) if isinstance(response, TextResponse) else link
