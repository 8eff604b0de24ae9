"""Armenpress's pages for the replay (en and ru): a feed per edition and article pages, read by
generic extraction.

Armenpress has a profile but no page parser (newsmon/sites/armenpress.py): nothing is known of
its markup, so the pages are a plain CMS's, with what real pages carry for search engines (og
tags, `article:published_time`, JSON-LD) and, around the text, the chrome a generic extractor
must leave out. The host answers 403 to a client that is not a browser (docs/news-sites.md).
`expected_record` is the truth the extraction is measured on.
"""
from __future__ import annotations

import html
import json
from collections.abc import Iterable

from newsmon.replay.corpus import CATEGORY_NAMES, Story
from newsmon.replay.site import (
    CORPUS,
    MONTHS,
    RSS_TYPE,
    OutletTemplate,
    Page,
    ReplaySite,
    add_story_pages,
    baku_time,
    browsers_only,
    crawled_record,
    credit_lead,
    feed_stories,
    render_plain_rss,
)
from newsmon.sites.armenpress import FEED_PATH, SITE
from newsmon.sites.base import Edition

FEED_SIZE = 40
AUTHORS = {"en": "Anna Grigoryan", "ru": "Анна Григорян"}
CREDITS = {"en": ("APA reports", "Armenpress reports"), "ru": ("сообщает APA", "сообщает Арменпресс")}
LEAD_CREDIT = {"en": ", Armenpress reports.", "ru": ", сообщает Арменпресс."}
ID_BASE = 1_200_000  # Armenpress's ids: its own counter, one for every edition
# The quirks this template renders (the others are APA markup, which these pages do not have);
# stories dropped for a quirk it does not render stay APA's.
RENDERED_QUIRKS = frozenset({"gone", "server_error", "flaky", "no_image"})
CARRIED_DROPS = frozenset({"", "http_404", "http_5xx"})
esc = html.escape


class ArmenpressTemplate(OutletTemplate):
    outlet = SITE.name
    credit = "Armenpress"

    def editions(self) -> Iterable[Edition]:
        return [edition for edition in SITE.editions if edition.lang in CORPUS]  # no Armenian corpus

    def stories(self, edition: Edition) -> list[Story]:
        return [rewrite(edition.lang, story) for story in CORPUS[edition.lang] if story.dropped_as in CARRIED_DROPS]

    def story_path(self, edition: Edition, story: Story) -> str:
        return f"{edition.prefix}/article/{story.id}"

    def add_edition(self, site: ReplaySite, edition: Edition, stories: list[Story]) -> None:
        site.gates[edition.host] = browsers_only(403)
        in_feed = feed_stories(stories, site.feed_size or FEED_SIZE)
        feed = render_plain_rss(edition, in_feed, self.story_path, title="Armenpress", description="News from Armenia")
        site.add(edition.host, edition.prefix + FEED_PATH, Page(200, feed, RSS_TYPE))
        for story in stories:
            add_story_pages(
                site, edition, story, self.story_path(edition, story), lambda s=story: self.render_article(edition, s),
                error_page=_document("Error", "", "<h1>500</h1>"),
            )  # fmt: skip

    def expected_record(self, edition: Edition, story: Story) -> dict[str, object]:
        return crawled_record(
            edition, story, outlet=SITE.name, url=edition.origin + self.story_path(edition, story),
            dateline=baku_time(story).isoformat(), category=CATEGORY_NAMES[edition.lang][story.category],
            tags=story.tags, authors=[AUTHORS[edition.lang]], image_url=_image(edition, story),
        )  # fmt: skip

    def not_found(self, edition: Edition) -> bytes:
        return _document("Page not found", "", "<h1>404</h1><p>Page not found</p>")

    def render_article(self, edition: Edition, story: Story) -> bytes:
        url = edition.origin + self.story_path(edition, story)
        image = "" if "no_image" in story.quirks else _image(edition, story)
        ld = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title,
            "datePublished": baku_time(story).isoformat(), "author": {"@type": "Person", "name": AUTHORS[edition.lang]},
        }  # fmt: skip
        head = "\n".join(
            [
                f'<link rel="canonical" href="{url}">',
                f'<meta property="og:title" content="{esc(story.title)}">',
                f'<meta property="og:image" content="{image}">' if image else "",
                f'<meta property="article:published_time" content="{baku_time(story).isoformat()}">',
                f'<meta property="article:section" content="{esc(CATEGORY_NAMES[edition.lang][story.category])}">',
                *(f'<meta property="article:tag" content="{esc(tag)}">' for tag in story.tags),
                f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>',
            ]
        )
        local = story.local_time
        printed = f"{local.day} {MONTHS[edition.lang][local.month - 1]} {local.year}, {local:%H:%M}"
        paragraphs = "\n".join(f"<p>{p}</p>" for p in story.paragraphs)
        main = f"""<div class="article-content-wrapper">
  <h2>{esc(story.title)}</h2>
  <span class="me-3">{printed}</span>
  {f'<img src="{image}" alt="">' if image else ""}
  <div class="author"><img src="{edition.origin}/assets/author.jpg" alt=""><h6>{AUTHORS[edition.lang]}</h6></div>
  <div class="article-content">
{paragraphs}
  </div>
  <div class="share">Share on Facebook · Share on X · Follow us on Telegram</div>
</div>
<aside class="col-md-3"><h2>Most read</h2><ul class="list-unstyled"><li><a class="news-item-sm" href="{edition.base_url}/article/1"><h4>Other headline of the day</h4></a></li></ul></aside>"""
        return _document(f"{story.title} - Armenpress", head, main, edition.lang)


TEMPLATE = ArmenpressTemplate()


def rewrite(lang: str, story: Story) -> Story:
    """Armenpress's copy of the event: its own credit (added to a lead that names none, so that no
    copy is another outlet's to the letter) and id, the second paragraph moved to the end."""
    first, *rest = story.paragraphs
    original, credit = CREDITS[lang]
    lead = first.replace(original, credit) if original in first else credit_lead(first, LEAD_CREDIT[lang])
    paragraphs = (lead, *rest[1:], *rest[:1])
    return Story(
        id=ID_BASE + story.id % 100000, category=story.category, slug=story.slug, title=story.title,
        published=story.published, paragraphs=paragraphs, tags=story.tags, quirks=story.quirks & RENDERED_QUIRKS,
    )  # fmt: skip


def _image(edition: Edition, story: Story) -> str:
    return f"{edition.origin}/static/news/{story.local_time:%Y/%m/%d}/{story.id}.jpg"


def _document(title: str, head: str, main: str, lang: str = "en") -> bytes:
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{esc(title)}</title>
{head}
</head><body>
<header><nav><a href="/">Armenpress</a> <a href="/{lang}/politics">Politics</a> <a href="/{lang}/economy">Economy</a></nav></header>
<main class="container">{main}</main>
<footer><p>© 2026 Armenpress. All rights reserved. Subscribe to our newsletter.</p></footer>
</body></html>
""".encode()
