"""Azernews's markup for the replay: `feed.php` and article pages (newsmon/sites/azernews.py reads them).

The pages carry what the reference describes: `div.article-content-wrapper` with the `h2`
headline, the `span.me-3` dateline `8 April 2026 12:04 (UTC+04:00)` (day not padded, no space
before the offset) after another `span.me-3` that is no date (the section's link), the wrapper's
first image, `div.author h6` and `div.article-content p`, and around them the chrome a generic
extractor must leave out. Whether real pages carry og tags, `article:*` or JSON-LD is
[unknown], so BARE pages (every third) have none of them: the parser's visible-markup path,
and its fallbacks (the category from the URL's section), are exercised as well as generic
extraction's text-only path. Every fifth page prints its dateline in a span of another class
(`date_text`: the Bootstrap class is fragile). Wire items (every fourth) have no author block
and credit the wire in the lead (`…, Azernews reports via APA.`, as `via Bild.` in the wild).
Quirks rendered: the served ones (add_story_pages), no_date, no_body, no_image, no_canonical.

`expected_record` is what the parser stores; tests/test_generic_crawl.py also measures generic
extraction against it.
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
    crawled_record,
    credit_lead,
    feed_stories,
    render_plain_rss,
)
from newsmon.sites.azernews import SITE
from newsmon.sites.base import Edition

FEED_PATH = "/feed.php"
FEED_SIZE = 40
AUTHOR = "Akbar Novruz"
SECTIONS = {
    "economy": "business", "energy": "oil-and-gas", "foreign-policy": "nation", "domestic-policy": "nation",
    "asia": "region", "europe": "region", "incident": "nation", "sports": "sports", "society": "nation",
}  # fmt: skip
# The quirks this template renders (the others are APA markup, which Azernews pages do not have).
RENDERED_QUIRKS = frozenset(
    {"gone", "server_error", "empty_response", "truncated", "flaky", "no_date", "no_body", "no_image", "no_canonical"}
)
BARE_EVERY, OTHER_DATE_CLASS_EVERY, WIRE_EVERY = 3, 5, 4
ID_BASE = 240000
# The profile's sample article (`scrapy check azernews`), served at its path, listed nowhere.
SAMPLE = Story(
    id=244958, category="asia", slug="sample", title="Azerbaijan and Uzbekistan expand transport links",
    published="2026-04-06 10:30",
    paragraphs=("Azerbaijan and Uzbekistan agreed to expand cargo links via the Middle Corridor, Azernews reports.",
                "The sides discussed new container routes."),
)  # fmt: skip
esc = html.escape


class AzernewsTemplate(OutletTemplate):
    outlet = SITE.name
    credit = "Azernews"

    def editions(self) -> Iterable[Edition]:
        return SITE.editions

    def stories(self, edition: Edition) -> list[Story]:
        return [rewrite(index, story) for index, story in enumerate(CORPUS[edition.lang])]

    def story_path(self, edition: Edition, story: Story) -> str:
        if story.id == SAMPLE.id:
            return SITE.samples.articles[edition.lang]
        return f"/{SECTIONS[story.category]}/{story.id}.html"

    def add_edition(self, site: ReplaySite, edition: Edition, stories: list[Story]) -> None:
        in_feed = feed_stories(stories, site.feed_size or FEED_SIZE)
        feed = render_plain_rss(edition, in_feed, self.story_path, title="AzerNews", description="Azerbaijani news")
        site.add(edition.host, FEED_PATH, Page(200, feed, RSS_TYPE))
        site.add(edition.host, self.story_path(edition, SAMPLE), Page(200, self.render_article(edition, SAMPLE)))
        for story in stories:
            add_story_pages(
                site, edition, story, self.story_path(edition, story), lambda s=story: self.render_article(edition, s),
                error_page=_document("Error", "", "<h1>500</h1>"), text_block=b'class="article-content"',
            )  # fmt: skip

    def expected_record(self, edition: Edition, story: Story) -> dict[str, object]:
        bare = is_bare(story)
        return crawled_record(
            edition, story, outlet=SITE.name, url=edition.origin + self.story_path(edition, story), dateline=dateline(story),
            # Without metadata the parser names the URL's section: `oil-and-gas` -> `Oil and gas`.
            category=SECTIONS[story.category].replace("-", " ").capitalize() if bare else CATEGORY_NAMES["en"][story.category],
            tags=[] if bare else story.tags, authors=[] if is_wire(story) else [AUTHOR], image_url=_image(edition, story),
        )  # fmt: skip

    def not_found(self, edition: Edition) -> bytes:
        return _document("Page not found", "", "<h1>404</h1><p>Page not found</p>")

    def render_article(self, edition: Edition, story: Story) -> bytes:
        url = edition.origin + self.story_path(edition, story)
        quirks = story.quirks
        image = "" if "no_image" in quirks else _image(edition, story)
        ld: dict[str, object] = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title}
        if "no_date" not in quirks:
            ld["datePublished"] = baku_time(story).isoformat()
        if not is_wire(story):
            ld["author"] = {"@type": "Person", "name": AUTHOR}
        metadata = [] if is_bare(story) else [
            f'<meta property="og:title" content="{esc(story.title)}">',
            f'<meta property="og:image" content="{image}">' if image else "",
            "" if "no_date" in quirks else f'<meta property="article:published_time" content="{baku_time(story).isoformat()}">',
            f'<meta property="article:section" content="{esc(CATEGORY_NAMES["en"][story.category])}">',
            *(f'<meta property="article:tag" content="{esc(tag)}">' for tag in story.tags),
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>',
        ]  # fmt: skip
        canonical = "" if "no_canonical" in quirks else f'<link rel="canonical" href="{url}">'
        head = "\n".join(line for line in [canonical, *metadata] if line)
        date_class = "date" if story.id % OTHER_DATE_CLASS_EVERY == 0 else "me-3"
        printed = "" if "no_date" in quirks else f'<span class="{date_class}">{dateline(story)}</span>'
        if "no_body" in quirks:
            paragraphs = '<div class="banner"><ins class="adsbygoogle"></ins></div>'
        else:
            paragraphs = "\n".join(f"<p>{p}</p>" for p in story.paragraphs)
            paragraphs += '\n<script>window.azPlayer && azPlayer.init();</script><ins class="adsbygoogle"></ins>'
        author = "" if is_wire(story) else (
            f'<div class="author"><img src="{edition.origin}/assets/author.jpg" alt=""><h6>{AUTHOR}</h6></div>'
        )  # fmt: skip
        main = f"""<div class="article-content-wrapper">
  <h2>{esc(story.title)}</h2>
  <div class="d-flex">
    <span class="me-3"><a href="{edition.origin}/{SECTIONS[story.category]}">{esc(CATEGORY_NAMES["en"][story.category])}</a></span>
    {printed}
  </div>
  {f'<img src="{image}" alt="">' if image else ""}
  {author}
  <div class="article-content">
{paragraphs}
  </div>
  <div class="share">Share on Facebook · Share on X · Follow us on Telegram</div>
</div>
<aside class="col-md-3"><h2>Most read</h2><ul class="list-unstyled"><li><a class="news-item-sm" href="{edition.origin}/region/1.html"><h4>Other headline of the day</h4></a></li></ul></aside>"""
        return _document(f"{story.title} - AzerNews", head, main)


TEMPLATE = AzernewsTemplate()


def rewrite(index: int, story: Story) -> Story:
    """Azernews's copy of the event: its own credit and id, the later paragraphs in another order;
    a wire item's lead credits the wire (`…, Azernews reports via APA.`)."""
    first, *rest = story.paragraphs
    wire = index % WIRE_EVERY == 3
    lead = first.replace("APA reports", "Azernews reports")
    if wire and lead == first:
        lead = credit_lead(first, ", Azernews reports via APA.")
    paragraphs = (lead, *(p.replace("APA", "Azernews") for p in reversed(rest)))
    return Story(
        id=ID_BASE + story.id % 100000, category=story.category, slug=story.slug,
        title=story.title, published=story.published, paragraphs=paragraphs, tags=story.tags,
        quirks=story.quirks & RENDERED_QUIRKS, byline="APA" if wire else AUTHOR,
    )  # fmt: skip


def is_wire(story: Story) -> bool:
    return story.byline == "APA"


def is_bare(story: Story) -> bool:
    """A page without og, article:* and JSON-LD metadata."""
    return story.id % BARE_EVERY == 0


def dateline(story: Story) -> str:
    local = story.local_time
    return f"{local.day} {MONTHS['en'][local.month - 1]} {local.year} {local:%H:%M} (UTC+04:00)"


def _image(edition: Edition, story: Story) -> str:
    return f"{edition.origin}/media/{story.local_time:%Y/%m/%d}/{story.id}.jpg"


def _document(title: str, head: str, main: str) -> bytes:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
{head}
</head><body>
<header><nav><a href="/">AzerNews</a> <a href="/region">Region</a> <a href="/business">Business</a> <a href="/nation">Nation</a></nav></header>
<main class="container">{main}</main>
<footer><p>© 2026 AzerNews. All rights reserved. Subscribe to our newsletter.</p></footer>
</body></html>
""".encode()
