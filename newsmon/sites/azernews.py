"""Azernews (www.azernews.az, English): a profile only, so its pages are read by generic extraction.

What is known (docs/news-sites.md, "Azernews"): articles at `/<section>/<id>.html` [confirmed],
the RSS feed `feed.php` [confirmed] (its item shape [unknown]), no listing page known. That is
enough to watch the outlet: the feed says where the articles are, and newsmon.sites.generic
reads title, date and text from each page's metadata and main text. A page parser of its own
(`h2` headline, `span.me-3` dateline `21 July 2025 09:45 (UTC+04:00)`, `div.author h6`,
`div.article-content p`) is the next step; once written, it wins.
"""
from __future__ import annotations

import re

from newsmon.sites.base import Discovery, Edition, Samples, Site


class Azernews(Site):
    name = "azernews"
    title = "Azernews"
    editions = (Edition("en", "www.azernews.az"),)
    discovery = Discovery(feeds=("/feed.php",))
    samples = Samples(articles={"en": "/region/244958.html"})
    domains = ("azernews.az",)
    host_aliases = {"azernews.az": "www.azernews.az"}
    article_path = re.compile(r"^/(?P<section>[a-z-]+)/(?P<id>\d+)\.html$")
    agency_names = ("Azernews", "AzerNews")


SITE = Azernews()
