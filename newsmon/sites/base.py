"""What a site module is: its profile (editions, discovery, URL rules) and its page parser.

Every outlet is one module of newsmon/sites/ holding a `SITE`, an instance of a `Site`
subclass. The profile says where an outlet's articles are found (feeds, news sitemaps,
listing pages with their "next page" or "load more" links) and what its URLs look like; the
page parser turns one response into one Article. The crawl logic that uses them is written
once, in newsmon/spiders/base.py, and a profile without a parser of its own is read by
generic extraction (newsmon/sites/generic.py).

Nothing here parses dates: the printed dateline goes into the Article, or an explicit-offset
time from the page's metadata into `published_at`, and the chain's DateStep does the rest.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsel import Selector, SelectorList
from scrapy.http import Response, TextResponse

from newsmon.items import Article
from newsmon.urls import preferred_url

DEFAULT_TZ = "Asia/Baku"
# For the sites that turn away any client whose User-Agent is not a browser's (AZERTAC's 400s,
# Armenpress's 403s): browser-compatible, and still naming newsmon and where to read about it.
BROWSER_COMPATIBLE_USER_AGENT = "Mozilla/5.0 (compatible; newsmon/0.1; +https://github.com/newsmon/newsmon)"

# Why a page is not a usable article; the spider counts each as `newsmon/<site>/<reason>`.
# `error_page`: a site's error page answered with 200 ("page not found" in the page itself).
PAGE_ERROR_REASONS = ("not_html", "malformed", "truncated", "no_title", "no_date", "no_body", "error_page")
# Characters XML forbids. A broken include or proxy leaves them in pages; lxml parses them, but
# refuses any text containing one that it is asked to set, as dropping an ad from the text does.
NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CANONICAL_LINK = 'link[rel="canonical"]::attr(href)'


class PageError(Exception):
    """The page is not a usable article. `reason` is a short stat name such as `no_date`."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Edition:
    """One language edition: a host, and a path prefix when editions share a host (report.az/en)."""

    lang: str
    host: str
    prefix: str = ""  # "/en", or "" for an edition at the root of its host

    @property
    def origin(self) -> str:
        return f"https://{self.host}"

    @property
    def base_url(self) -> str:
        return self.origin + self.prefix

    def owns_path(self, path: str) -> bool:
        return not self.prefix or path == self.prefix or path.startswith(self.prefix + "/")


@dataclass(frozen=True)
class Parsed:
    """What a page parser made of an article page: the article, and the fallbacks it needed
    (`title_og`, `date_meta`, ...) because a selector the reference is unsure of found nothing.
    The spider counts each as `newsmon/<site>/fallback/<name>`."""

    article: Article
    fallbacks: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListingLink:
    url: str  # absolute, as printed on the page (not canonicalized)
    listed: str = ""  # the printed time ("17:44 21 fevral 2026", a data-timestamp), "" when absent
    title: str = ""


@dataclass(frozen=True)
class ListingPage:
    links: list[ListingLink]
    # The public URL of the next page or "load more" answer, None when this is the last.
    next_url: str | None = None


@dataclass(frozen=True)
class Discovery:
    """Where an edition's article links are found, as paths under the edition's base URL."""

    feeds: tuple[str, ...] = ()  # RSS 2.0
    sitemaps: tuple[str, ...] = ()  # Google News sitemaps
    listing: str = ""  # the first listing page; the site's parse_listing gives the next ones


@dataclass(frozen=True)
class Samples:
    """Pages `scrapy check <site>` fetches, per edition: article paths and the listing's link count."""

    articles: Mapping[str, str] = field(default_factory=dict)  # lang -> article path
    listing_requests: int = 1  # at least this many requests from the first listing page
    # At least this many requests from the first feed: 0 for a feed the reference does not know
    # to exist (its URL may answer something else, which the crawl counts as `feed/not_a_feed`).
    feed_requests: int = 1


class Site:
    """A site profile; subclasses set the class attributes and override what differs.

    The defaults describe a site with one host per edition, articles matched by
    `article_path`, and no page parser (so generic extraction reads its pages).
    """

    name: ClassVar[str]  # the outlet, also the spider's name: `scrapy crawl <name>`
    title: ClassVar[str]  # how the outlet signs: "APA", "Report", "Trend"
    editions: ClassVar[tuple[Edition, ...]]
    discovery: ClassVar[Discovery] = Discovery()
    samples: ClassVar[Samples] = Samples()
    timezone: ClassVar[str] = DEFAULT_TZ
    # Registrable domains of the outlet; URLs on them are canonicalized by this profile's rules.
    domains: ClassVar[tuple[str, ...]]
    # Hosts that serve an edition under another name (old schemes, `www.`) -> the edition's host.
    host_aliases: ClassVar[Mapping[str, str]] = {}
    article_path: ClassVar[re.Pattern[str]]
    # First path segments (after an edition prefix) that are never articles.
    not_article_sections: ClassVar[frozenset[str]] = frozenset()
    # How the outlet's name appears in credit lines and as a byline that names nobody.
    agency_names: ClassVar[tuple[str, ...]] = ()
    # The User-Agent for this site when the project's honest default is refused (None: default).
    user_agent: ClassVar[str | None] = None
    @property
    def title_suffixes(self) -> tuple[str, ...]:
        """What the outlet appends to headlines (`Headline | APA`, `- Report.az`), matched
        without case: its domains and the names it signs with that are not plain words."""
        names = (*self.agency_names, *self.domains)
        return tuple(n for n in dict.fromkeys(names) if "." in n or n.isupper() or not n[1:].islower())

    # Whether parse_article is this site's own parser rather than generic extraction.
    has_page_parser: ClassVar[bool] = False

    # --- editions and URLs ----------------------------------------------------------------------

    @property
    def langs(self) -> tuple[str, ...]:
        return tuple(e.lang for e in self.editions)

    def edition(self, lang: str) -> Edition:
        for edition in self.editions:
            if edition.lang == lang:
                return edition
        raise KeyError(lang)

    def edition_of(self, url: str) -> Edition | None:
        """The edition a canonical URL belongs to (the longest matching prefix wins)."""
        parts = urlsplit(url)
        matching = [e for e in self.editions if e.host == parts.hostname and e.owns_path(parts.path or "/")]
        return max(matching, key=lambda e: len(e.prefix), default=None)

    def owns_host(self, host: str) -> bool:
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)

    def canonical_location(self, host: str, path: str) -> tuple[str, str]:
        """Today's host and path for a URL on one of the site's domains: aliases mapped, and a
        trailing slash dropped (the sites here serve `/x/` as `/x`)."""
        if host not in self.host_aliases and host.startswith("www.") and self._is_edition_host(host[4:]):
            host = host[4:]  # www.<edition host> serves the edition
        host = self.host_aliases.get(host, host)
        if len(path) > 1:
            path = path.rstrip("/") or "/"
        return host, path

    def _is_edition_host(self, host: str) -> bool:
        return host in self.host_aliases or any(e.host == host for e in self.editions)

    def article_match(self, url: str, edition: Edition) -> re.Match[str] | None:
        """The article-path match of a canonical URL on `edition`, None for any other page."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname != edition.host:
            return None
        if self.edition_of(url) != edition:
            return None
        path = parts.path[len(edition.prefix):] or "/"
        match = self.article_path.match(path)
        if match is None or path.strip("/").split("/", 1)[0] in self.not_article_sections:
            return None
        return match

    def is_article_url(self, url: str, edition: Edition) -> bool:
        return self.article_match(url, edition) is not None

    # --- pages ----------------------------------------------------------------------------------

    def parse_listing(self, response: TextResponse, edition: Edition) -> ListingPage:
        """Article links of a listing page and the next page's URL. Sites with a listing override it."""
        raise NotImplementedError(f"{self.name} has no listing parser")

    def parse_article(self, response: Response, edition: Edition, url: str) -> Parsed:
        """The article on a page (`url`: its public address). Raises PageError when unusable."""
        from newsmon.sites.generic import extract_article  # trafilatura loads only when needed

        return extract_article(response, site=self, edition=edition, url=url)


# --- HTML helpers every page parser uses ----------------------------------------------------------


def article_selector(response: Response) -> Selector:
    """The page's selector, or PageError when it is not a complete HTML page."""
    if not isinstance(response, TextResponse):
        raise PageError("not_html", f"not a text response ({response.headers.get('Content-Type')!r})")
    if not response.body.strip() or not response.css("body"):
        raise PageError("malformed", "empty document")
    # A complete page ends with </html>; one cut off in transit would yield half an article.
    if b"</html" not in response.body[-4096:].lower():
        raise PageError("truncated", "the page ends before </html>")
    if NOT_XML_CHARS.search(response.text):
        return Selector(text=NOT_XML_CHARS.sub("", response.text))
    return response.selector


def text_of(selection: Selector | SelectorList[Selector]) -> str:
    """Whitespace-normalized text of the first selected element, "" when none."""
    first = selection if isinstance(selection, Selector) else (selection[0] if selection else None)
    if first is None:
        return ""
    return " ".join(" ".join(first.xpath(".//text()").getall()).split())


def first_text(page: Selector, *queries: str) -> str:
    """The text of the first CSS query that selects something non-empty."""
    for query in queries:
        text = text_of(page.css(query))
        if text:
            return text
    return ""


def block_copy(block: Selector, strip: str) -> Selector:
    """A copy of `block` without the elements matching `strip` (ads, embeds, related links), with
    `<br>` as line breaks. Working on a copy leaves the response's cached tree as it was."""
    copied = Selector(root=copy.deepcopy(block.root))
    if strip:
        copied.css(strip).drop()
    for line_break in copied.root.iter("br"):
        line_break.tail = "\n" + (line_break.tail or "")
    return copied


def paragraph_texts(block: Selector, junk: Iterable[str] = ()) -> list[str]:
    """The non-empty `<p>` texts of a block (a `<p>` inside a `<p>` once), minus those containing
    one of the `junk` phrases (share buttons, subscribe lines)."""
    phrases = tuple(junk)
    texts = []
    for paragraph in block.root.iter("p"):
        if any(ancestor.tag == "p" for ancestor in paragraph.iterancestors()):
            continue
        text = "".join(paragraph.itertext()).strip()
        if text and not any(phrase in text for phrase in phrases):
            texts.append(text)
    return texts


def image_address(image: Selector | SelectorList[Selector], page_url: str) -> str:
    """The address of an `<img>`: lazy images carry a `data:` placeholder in src, the real one in data-src."""
    first = image if isinstance(image, Selector) else (image[0] if image else None)
    if first is None:
        return ""
    for address in (first.attrib.get("data-src"), first.attrib.get("src")):
        address = (address or "").strip()
        if address and not address.lower().startswith("data:"):
            return urljoin(page_url, address)
    return ""


def meta_content(page: Selector, *names: str) -> str:
    """The first non-empty `<meta property|name|itemprop=...>` content among `names`."""
    for name in names:
        for attribute in ("property", "name", "itemprop"):
            value = page.css(f'meta[{attribute}="{name}"]::attr(content)').get()
            if value and value.strip():
                return value.strip()
    return ""


def json_ld_articles(page: Selector) -> list[dict[str, Any]]:
    """The NewsArticle-like objects of the page's JSON-LD blocks (also inside `@graph` and lists);
    a block that is not valid JSON is skipped (the visible markup is the first source anyway)."""
    found: list[dict[str, Any]] = []
    for block in page.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(block)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                kind = node.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                    found.append(node)
                stack.extend(node.get("@graph") or [])
    return found


def og_image_url(page: Selector, base_url: str) -> str:
    """The page's `og:image`, resolved against `base_url`; "" when it has none."""
    address = meta_content(page, "og:image")
    return urljoin(base_url, address) if address else ""


def metadata_category(page: Selector, ld: Mapping[str, Any]) -> str:
    """The section the page's metadata names: `article:section`, else JSON-LD `articleSection`."""
    return meta_content(page, "article:section") or json_ld_text(ld.get("articleSection"))


def metadata_tags(page: Selector) -> list[str]:
    """The page's non-empty `article:tag` values."""
    return [tag.strip() for tag in page.css('meta[property="article:tag"]::attr(content)').getall() if tag.strip()]


def json_ld_article(page: Selector) -> dict[str, Any]:
    """The page's first NewsArticle-like JSON-LD object, the one parsers fall back on ({} when none)."""
    return next(iter(json_ld_articles(page)), {})


def time_with_offset(value: str) -> datetime | None:
    """An ISO 8601 time that states its offset (`2025-11-14T17:57:00+04:00`), in UTC; None for
    anything else, so that a naive or malformed value falls through to the next source."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc) if parsed.tzinfo else None


def json_ld_strings(value: Any) -> list[str]:
    """The non-empty texts of a JSON-LD value that may be a string, a `{"name": ...}` object
    (a Person, an Organization) or a list of either: `author`, `articleSection`, `datePublished`."""
    values = value if isinstance(value, list) else [value]
    texts = []
    for item in values:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str) and item.strip():
            texts.append(" ".join(item.split()))
    return texts


def json_ld_text(value: Any) -> str:
    """The first text of a JSON-LD value (see json_ld_strings), "" when it has none."""
    return next(iter(json_ld_strings(value)), "")


def next_numbered_page(url: str, param: str = "page", origin: str = "") -> str:
    """The URL of the listing page after `url` in a `?page=N` series (no `page`: the first page):
    `/xeber` -> `/xeber?page=2`, `/xeber?page=2` -> `/xeber?page=3`; other parameters stay.
    `origin` (`https://azertag.az`) replaces the scheme and host: a mirror's page, the public one's."""
    parts = urlsplit(url)
    if origin:
        public = urlsplit(origin)
        parts = parts._replace(scheme=public.scheme, netloc=public.netloc)
    query = parse_qsl(parts.query, keep_blank_values=True)
    current = next((value for name, value in query if name == param), "1")
    number = int(current) + 1 if current.isdigit() else 2
    query = [(name, value) for name, value in query if name != param] + [(param, str(number))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def named_people(names: Iterable[str], agency_names: Iterable[str]) -> list[str]:
    """Bylines that name people: each once, without the agency signing (`AZERTAC` is nobody)."""
    agency = {name.casefold() for name in agency_names}
    return [name for name in dict.fromkeys(names) if name.casefold() not in agency]


def first_found(fallbacks: list[str], *candidates: tuple[str, str]) -> str:
    """The first non-empty value of (fallback name, value) pairs in order of trust; a value that
    is not the first source's (its name is not "") adds its fallback name to `fallbacks`."""
    for fallback, value in candidates:
        if value:
            if fallback:
                fallbacks.append(fallback)
            return value
    return ""


def headline(fallbacks: list[str], page: Selector, ld: Mapping[str, Any], *visible: tuple[str, str]) -> str:
    """The first visible headline among `visible` ((fallback name, text) pairs, as for
    first_found), else og:title (`title_og`), else the JSON-LD headline (`title_jsonld`)."""
    return first_found(
        fallbacks,
        *visible,
        ("title_og", meta_content(page, "og:title")),
        ("title_jsonld", json_ld_text(ld.get("headline"))),
    )


def crawled_article(site: Site, edition: Edition, url: str, page: Selector, **fields: Any) -> Article:
    """The Article of a crawled page, filed under the edition's host and the outlet's name. Its
    URL is the page's canonical link when that names the same edition (newsmon.urls.preferred_url),
    else `url`, the public address the page was fetched for."""
    return Article(
        url=preferred_url(url, page.css(CANONICAL_LINK).get()),
        site=edition.host,
        outlet=site.name,
        lang=edition.lang,
        source="crawl",
        **fields,
    )


def json_ld_paragraphs(article_body: object) -> list[str]:
    """JSON-LD `articleBody` as paragraphs: its `<p>`s when it is HTML, else its non-empty lines."""
    if not isinstance(article_body, str) or not article_body.strip():
        return []
    if "<p" in article_body:
        return paragraph_texts(Selector(text=f"<div>{article_body}</div>"))
    return [line.strip() for line in article_body.splitlines() if line.strip()]


def load_more_url(edition: Edition, declared: str, default_path: str, query: Mapping[str, str]) -> str:
    """The public URL of a "load more" answer: the path the page declares (`declared`, say a
    `.loadContainer[data-url]`; `default_path` when it names none), with `query`. A declared path
    may already carry the edition prefix (`/en/infinity/index`) or not (`/infinity/index`)."""
    path = urlsplit(declared.strip()).path
    path = path if path.startswith("/") else default_path
    base = edition.origin if edition.prefix and edition.owns_path(path) else edition.base_url
    return f"{base}{path}?{urlencode(dict(query))}"
