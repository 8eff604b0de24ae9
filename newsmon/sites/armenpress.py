"""Armenpress (armenpress.am, Armenia's state agency): a profile only, read by generic extraction.

What is known (docs/news-sites.md, "Others"): articles at `/<lang>/article/<id>` [confirmed], an
RSS feed per language at `/<lang>/rss/articles/economy` [one source], and a 403 for a client
without a browser's User-Agent [confirmed] (hence `user_agent`, which still names newsmon).
Nothing is known of its markup, so there is no parser: the feed says where the articles are and
newsmon.sites.generic reads each page's metadata and main text, as for any outlet on the day it
is added. The Armenian edition (`/hy/`) is in the profile; the replay has no Armenian corpus.
"""
from __future__ import annotations

import re

from newsmon.sites.base import BROWSER_COMPATIBLE_USER_AGENT, Discovery, Edition, Samples, Site

FEED_PATH = "/rss/articles/economy"


class Armenpress(Site):
    name = "armenpress"
    title = "Armenpress"
    editions = (
        Edition("en", "armenpress.am", "/en"),
        Edition("ru", "armenpress.am", "/ru"),
        Edition("hy", "armenpress.am", "/hy"),
    )
    discovery = Discovery(feeds=(FEED_PATH,))
    samples = Samples(articles={"en": "/article/1220921", "ru": "/article/1250214"})  # replay ids: no live sample is known
    timezone = "Asia/Yerevan"
    domains = ("armenpress.am",)
    host_aliases = {"www.armenpress.am": "armenpress.am"}
    article_path = re.compile(r"^/article/(?P<id>\d+)/?$")
    agency_names = ("Armenpress", "ARMENPRESS", "Арменпресс")
    user_agent = BROWSER_COMPATIBLE_USER_AGENT


SITE = Armenpress()
