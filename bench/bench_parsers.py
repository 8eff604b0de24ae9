"""Each outlet's page parser against generic extraction (trafilatura + metadata) on the same pages.

For every replayed article page of every outlet with a parser of its own: the median time per
page of `Site.parse_article` and of newsmon.sites.generic.extract_article (the ratio), and how
many fields generic extraction gets the same as the hand-written parser (field accuracy; for
the body also how similar its words are, as it rarely matches to the letter): what
watching a new outlet by its profile alone costs until its parser is written.
"""
from __future__ import annotations

import statistics
import time
from collections import Counter
from difflib import SequenceMatcher

from scrapy.http import HtmlResponse

from newsmon.replay import build_replay
from newsmon.sites import REGISTRY
from newsmon.sites.base import PageError
from newsmon.sites.generic import extract_article

FIELDS = ("url", "title", "body", "published_at", "dateline", "category", "tags", "authors", "image_url")
ROUNDS, QUICK_ROUNDS = 5, 1


def _median_seconds(call, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(quick: bool = False) -> list[str]:
    rounds = QUICK_ROUNDS if quick else ROUNDS
    site = build_replay()
    lines = []
    agreed: Counter[str] = Counter()
    pages_compared = 0
    body_similarity: list[float] = []
    for scope, (template, edition) in site.editions.items():
        outlet = REGISTRY[template.outlet]
        if not outlet.has_page_parser:
            continue
        pages = []
        for story in site.stories[scope]:
            url = edition.origin + template.story_path(edition, story)
            page = site.pages[edition.host].get(template.story_path(edition, story))
            if page is None or story.dropped_as:
                continue
            pages.append((url, HtmlResponse(url=url, body=page.body, encoding="utf-8")))
        own, generic, same, compared = [], [], 0, 0
        extract_article(pages[0][1], site=outlet, edition=edition, url=pages[0][0])  # trafilatura warms up
        for url, response in pages:
            own.append(_median_seconds(lambda: outlet.parse_article(response, edition, url), rounds))
            generic.append(_median_seconds(lambda: extract_article(response, site=outlet, edition=edition, url=url), rounds))
            mine = outlet.parse_article(response, edition, url).article
            try:
                theirs = extract_article(response, site=outlet, edition=edition, url=url).article
            except PageError:
                theirs = None
            pages_compared += 1
            if theirs is not None:
                body_similarity.append(SequenceMatcher(None, theirs.body.split(), mine.body.split()).ratio())
            for name in FIELDS:
                compared += 1
                equal = theirs is not None and _field(theirs, name) == _field(mine, name)
                same += equal
                agreed[name] += equal
        own_us, generic_us = statistics.median(own) * 1e6, statistics.median(generic) * 1e6
        lines.append(
            f"parsers {scope}: page parser {own_us:,.0f} us/page, generic extraction {generic_us:,.0f} us/page"
            f" ({generic_us / own_us:.1f}x slower); generic agrees on {same}/{compared} fields"
            f" ({same / compared:.0%}) over {len(pages)} pages"
        )
    lines.append(
        f"parsers: generic extraction agrees with the page parsers on {pages_compared} pages: "
        + ", ".join(f"{name} {agreed[name] / pages_compared:.0%}" for name in FIELDS)
        + f" (equal); body words similar at median {statistics.median(body_similarity):.2f}"
        f" (min {min(body_similarity):.2f})"
    )
    return lines


def _field(article, name: str) -> object:
    value = getattr(article, name)
    # The chain cleans text and dates datelines later; compare what the parsers themselves give.
    return " ".join(value.split()) if isinstance(value, str) else value
