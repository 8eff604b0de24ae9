"""Canonical article URLs: one spelling per article, whatever link led to it.

The same article is linked with tracking parameters (newsletters, social shares), through
AMP pages, with and without `www.` or a trailing slash, and through older edition schemes
(`apa.az/en/...`, `az.apa.az`) that archives still link. The store keys articles by URL, so
every spelling must map onto the one the site uses today.

`canonicalize_url` = w3lib's canonical form (sorted query, normalized percent-encoding, IDNA
host, no fragment), minus tracking and AMP markers, plus the rules of the monitored site's
profile (`Site.canonical_location` in newsmon/sites/: its old hosts, path editions, slashes). It is idempotent. `preferred_url` decides
whether a page's `link[rel=canonical]` can be trusted over the URL the page was fetched from.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as w3lib_canonicalize_url

if TYPE_CHECKING:
    from newsmon.sites.base import Site

__all__ = ["canonicalize_url", "is_web_url", "preferred_url", "site_family"]

# Query parameters that only say how a reader arrived (campaigns, ad clicks, share widgets):
# they never select content, so dropping them cannot merge two different pages. Ambiguous
# names such as `ref` or `source` are kept because some sites route on them.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "yclid", "ysclid", "msclkid",
        "twclid", "ttclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi",
        "mkt_tok", "ref_src",
    }
)
TRACKING_PREFIXES = ("utm_",)
# `?amp`, `?amp=1`: the AMP rendering of the page at the same path (also `?outputType=amp`).
AMP_PARAM = "amp"
AMP_OUTPUT_TYPE = ("outputtype", "amp")

DEFAULT_PORTS = {"http": "80", "https": "443"}
_AMP_PATH = re.compile(r"^/amp(?=/|$)|/amp/?$")


def is_web_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL with a host, exactly as given.

    Records come from files anyone can write: a `javascript:` or `data:` URL stored as an
    article's link would run in the reader's browser on the page that shows it. No stripping
    first: browsers ignore leading spaces and control characters (` javascript:`), so such a
    value is refused, not repaired.
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced `[` in the host, for one
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and url == url.strip() and url.isprintable()


def canonicalize_url(url: str, *, base: str | None = None) -> str:
    """The canonical spelling of `url`, resolved against `base` when relative.

    Raises ValueError for a relative URL without `base`. URLs that are not http(s)
    (`mailto:`, `javascript:void(0)` placeholders) come back stripped but otherwise unchanged.
    """
    url = url.strip()
    if base:
        url = urljoin(base.strip(), url)
    elif url.startswith("//"):
        url = "https:" + url  # protocol-relative link with nothing to inherit from
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        if not parts.scheme:
            raise ValueError(f"relative URL {url!r} needs a base")
        return url
    parts = urlsplit(w3lib_canonicalize_url(url, keep_fragments=False))
    scheme, host, port = parts.scheme, (parts.hostname or "").rstrip("."), parts.port
    path, query = _strip_amp_path(parts.path), _filter_query(parts.query)
    site = _monitored_site(host)
    if site is not None:
        scheme, port = "https", None  # our sites serve on the default port only
        host = _strip_label(host, "amp.")  # amp.<site> serves the AMP copy of <site>
        host, path = site.canonical_location(host, path)
    netloc = host if port is None or str(port) == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return urlunsplit(SplitResult(scheme, netloc, path or "/", query, ""))


def preferred_url(page_url: str, canonical_href: str | None) -> str:
    """The page's `link[rel=canonical]` when it names the same site and edition, else the page URL.

    Both come back canonicalized. A canonical pointing elsewhere (a syndication partner, another
    edition whose ids are a separate counter) or at the home page from an inner page (a common
    CMS template bug) would file the article under someone else's key, so it is ignored.
    """
    page = canonicalize_url(page_url)
    if not canonical_href or not canonical_href.strip():
        return page
    try:
        canonical = canonicalize_url(canonical_href, base=page)
    except ValueError:
        return page
    if not canonical.startswith(("http://", "https://")):
        return page
    if site_family(canonical) != site_family(page):
        return page
    if _is_home_page(canonical) and not _is_home_page(page):
        return page
    return canonical


def site_family(url: str) -> str:
    """What two URLs must share to be the same site and edition: the canonical host without
    `www.`/`m.`, and the edition's path prefix where editions share a host (report.az/en)."""
    canonical = canonicalize_url(url)
    parts = urlsplit(canonical)
    host = parts.hostname or ""
    for label in ("www.", "m."):
        host = _strip_label(host, label)
    site = _monitored_site(host)
    edition = site.edition_of(canonical) if site is not None else None
    return host + (edition.prefix if edition is not None else "")


def _is_home_page(canonical: str) -> bool:
    """Whether a canonical URL is a home page: `/`, or a path edition's own (report.az `/en`)."""
    parts = urlsplit(canonical)
    if parts.path == "/":
        return True
    site = _monitored_site(parts.hostname or "")
    edition = site.edition_of(canonical) if site is not None else None
    return edition is not None and bool(edition.prefix) and parts.path == edition.prefix


def _monitored_site(host: str) -> Site | None:
    """The site profile whose rules apply to `host` (newsmon.sites), None for other sites."""
    from newsmon.sites import site_of_host  # the site modules import this module

    return site_of_host(host)


def _strip_label(host: str, label: str) -> str:
    return host[len(label):] if host.startswith(label) else host


def _strip_amp_path(path: str) -> str:
    """`/amp/<article>` and `<article>/amp` are the AMP renderings of `<article>`."""
    return _AMP_PATH.sub("", path) or "/"


def _filter_query(query: str) -> str:
    """Drop tracking and AMP parameters, keeping w3lib's sorted order and encoding of the rest."""
    return "&".join(pair for pair in query.split("&") if pair and not _is_dropped_param(pair))


def _is_dropped_param(encoded_pair: str) -> bool:
    name, _, value = (unquote(part.replace("+", " ")).lower() for part in encoded_pair.partition("="))
    return (
        name in TRACKING_PARAMS
        or name.startswith(TRACKING_PREFIXES)
        or name == AMP_PARAM
        or (name, value) == AMP_OUTPUT_TYPE
    )
