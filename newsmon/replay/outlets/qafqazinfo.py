"""Qafqazinfo's markup for the replay (newsmon/sites/qafqazinfo.py reads it), az only.

One port for the site's two names: the bare `qafqazinfo.az` (feed, listing, images) and
`www.qafqazinfo.az`, which every article link prints (the spider maps both onto the mirror).

- `/rss`: every story (a deleted one too: the feed is not rebuilt when an article is taken
  down, as its lagging `lastBuildDate` shows *[inferred]*), as the live feed has it: all on one
  line after the declaration; **the same `<guid>` for every item**; an `<image>` with a `<link>`
  of its own in each item; the description **escaped CDATA** (`&lt;![CDATA[…]]&gt;`), cut
  mid-word after ≈150 characters, its line breaks `&#13;`; `lastBuildDate` ending `+04`, nine
  hours before the first item's pubDate; ids out of order (ID_OVERRIDES); and item titles
  that are only the headline's first two words.
- `/news/category/iqtisadiyyat-4?page=N`: the economy and energy stories, PAGE_SIZE a page,
  links to `www.`; the page after the last has none; other pages are 404.
- Articles `/news/detail/<slug>-<id>` (APA-like transliteration, marks kept: `-fotolar`):
  `div.panel.panel-default.news` with the `h1` and `time[datetime]` (`09.11.2025 | 10:59`),
  `div.panel-body.news_text` with the paragraphs and a `.rek_banner` ad inside, og tags, a
  canonical link on `www.`. A story whose headline opens with a number (the reference's
  `18-milyonluq-2-tablonu-…-521378`) is the sample `scrapy check` fetches and the newest story.

The corpus stories are rewritten as Qafqazinfo's copies: its credit (`“Qafqazinfo” xəbər
verir ki, …`), the later paragraphs in another order, so each is a near-copy of APA's.
The az corpus has no story that fails for a while (5xx, truncated): all are in the feed.
"""
from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from collections.abc import Iterable
from datetime import timedelta, timezone
from email.utils import format_datetime

from newsmon.replay.corpus import Story
from newsmon.replay.site import (
    BAKU_OFFSET,
    CORPUS,
    RSS_TYPE,
    OutletTemplate,
    Page,
    ReplaySite,
    add_story_pages,
    baku_time,
    crawled_record,
    credit_lead,
    plain_text,
    swap_credits,
    utc_time,
)
from newsmon.sites.base import Edition
from newsmon.sites.qafqazinfo import LISTING_PATH, PAGE_PARAM, RSS_PATH, SITE

WWW = "www.qafqazinfo.az"  # the name article links print
PAGE_SIZE = 2  # links per category page
DESCRIPTION_CHARS = 150  # where the feed cuts its description, mid-word
BUILD_LAG = timedelta(hours=9)  # lastBuildDate before the first item's pubDate
RENDERED_QUIRKS = frozenset(
    {"gone", "server_error", "empty_response", "truncated", "flaky", "no_date", "no_body", "no_image",
     "no_canonical", "lazy_image", "relative_image", "og_title_only"}
)  # fmt: skip
LISTED_CATEGORIES = frozenset({"economy", "energy"})  # the category listing crawled
ID_BASE = 521_000 - 954_000  # Qafqazinfo's ids ≈ 521 thousand in 2026
ID_OVERRIDES = {954021: 521005}  # an older id on a newer story: the feed's ids are out of order
TITLE_MARKS = {954028: (" - FOTO", " - FOTOLAR")}
CREDITS = (("APA-nın məlumatına görə", "“Qafqazinfo” xəbər verir ki"), ("APA-ya", "“Qafqazinfo”ya"), ("APA", "“Qafqazinfo”"))
CREDIT_CLAUSE = ", “Qafqazinfo” xəbər verir."
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
# The sample article of `scrapy check qafqazinfo` (its path is the profile's): the newest story,
# its headline opening with a number that is not its id.
SAMPLE = Story(
    id=521378 - ID_BASE, category="incident", slug="18-milyonluq-2-tablonu-ogurlayan-sexs-saxlanilib",
    title="18 milyonluq 2 tablonu oğurlayan şəxs saxlanılıb", published="2026-04-08 12:30",
    paragraphs=(
        "Bakıda 18 milyon manat dəyərində 2 tablonu oğurlayan şəxs saxlanılıb.",
        "“Qafqazinfo” xəbər verir ki, tablolar şəxsi kolleksiyadan oğurlanıbmış.",
        "Saxlanılan şəxs barəsində cinayət işi başlanıb, araşdırma davam edir.",
    ),
)  # fmt: skip

esc = html.escape


class QafqazinfoTemplate(OutletTemplate):
    outlet = SITE.name
    credit = "Qafqazinfo"

    def editions(self) -> Iterable[Edition]:
        return SITE.editions

    def stories(self, edition: Edition) -> list[Story]:
        return [SAMPLE, *(rewrite(story) for story in CORPUS[edition.lang] if story.quirks <= RENDERED_QUIRKS)]

    def story_path(self, edition: Edition, story: Story) -> str:
        return story_path(story)

    def add_edition(self, site: ReplaySite, edition: Edition, stories: list[Story]) -> None:
        _add_edition(site, edition, stories, page_size=site.listing_size or PAGE_SIZE)

    def expected_record(self, edition: Edition, story: Story) -> dict[str, object]:
        return crawled_record(
            edition, story, outlet=SITE.name, url=edition.origin + story_path(story),  # filed under the bare host
            dateline=dateline(story), image_url=image_url(story),
        )  # fmt: skip

    def not_found(self, edition: Edition) -> bytes:
        return _document("Səhifə tapılmadı", "", '<div class="panel panel-default"><div class="panel-body"><h1>404</h1></div></div>')


TEMPLATE = QafqazinfoTemplate()


# --- the stories as Qafqazinfo runs them ------------------------------------------------------------


def rewrite(story: Story) -> Story:
    """Qafqazinfo's copy: its credit in the sentence (or after the lead), the later paragraphs
    odd ones first (`p1 p2 p3` -> `p2 p1 p3`), its marks and slug."""
    paragraphs = [swap_credits(p, CREDITS) for p in story.paragraphs]
    if paragraphs and not any("Qafqazinfo" in p for p in paragraphs):
        paragraphs[0] = credit_lead(paragraphs[0], CREDIT_CLAUSE)
    later = paragraphs[1:]
    paragraphs = paragraphs[:1] + later[1::2] + later[0::2]
    title = story.title
    if story.id in TITLE_MARKS:
        title = title.removesuffix(TITLE_MARKS[story.id][0]) + TITLE_MARKS[story.id][1]
    return dataclasses.replace(story, title=title, slug=slug(title), paragraphs=tuple(paragraphs), byline="Qafqazinfo")


_SLUG_LETTERS = str.maketrans(
    {"ə": "e", "Ə": "e", "ı": "i", "İ": "i", "ş": "s", "Ş": "s", "ç": "c", "Ç": "c", "ğ": "g", "Ğ": "g",
     "ö": "o", "Ö": "o", "ü": "u", "Ü": "u"}
)  # fmt: skip


def slug(title: str) -> str:
    """The whole headline with its marks: transliterated, lowercase, quotes dropped, runs of
    anything else `-`."""
    text = re.sub(r"[\"'“”«»]", "", title.translate(_SLUG_LETTERS).lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def qafqazinfo_id(story: Story) -> int:
    return ID_OVERRIDES.get(story.id, story.id + ID_BASE)


def story_path(story: Story) -> str:
    return f"/news/detail/{story.slug}-{qafqazinfo_id(story)}"


def linked_url(story: Story) -> str:
    """The address links print: on www."""
    return f"https://{WWW}{story_path(story)}"


def dateline(story: Story) -> str:
    return f"{story.local_time:%d.%m.%Y | %H:%M}"


def image_url(story: Story) -> str:
    digest = hashlib.md5(f"qafqazinfo/{story.id}".encode()).hexdigest()[:10]
    return f"https://qafqazinfo.az/uploads/{int(utc_time(story).timestamp())}/{digest}.jpg"


def listing_target(number: int) -> str:
    return LISTING_PATH + (f"?{PAGE_PARAM}={number}" if number > 1 else "")


def build_date(stories: list[Story]) -> str:
    """`Mon, 14 Sep 2026 01:40:14 +04`: BUILD_LAG before the newest item, with seconds, `+04`."""
    built = stories[0].local_time - BUILD_LAG + timedelta(seconds=14) if stories else None
    return format_datetime(built.replace(tzinfo=timezone(BAKU_OFFSET))).removesuffix("00") if built else ""


def description(story: Story) -> str:
    """The feed's description, before escaping: the first paragraphs joined by `\\r\\n\\r\\n`,
    cut mid-word."""
    text = "\r\n\r\n".join(plain_text(p) for p in story.paragraphs[:2])
    cut = text[:DESCRIPTION_CHARS]
    return cut[:-1] if len(text) > DESCRIPTION_CHARS and cut[-1] == " " else cut


# --- the edition's pages ---------------------------------------------------------------------------


def _add_edition(site: ReplaySite, edition: Edition, stories: list[Story], *, page_size: int) -> None:
    host = edition.host
    site.query_paths.add((host, LISTING_PATH))
    listed = [s for s in stories if s.category in LISTED_CATEGORIES]
    chunks = [listed[i : i + page_size] for i in range(0, len(listed), page_size)]
    for number, chunk in enumerate([*chunks, []], start=1):
        site.add(host, listing_target(number), Page(200, render_listing(chunk, number)))
    site.add(host, RSS_PATH, Page(200, render_rss(stories), RSS_TYPE))
    error = _document("Xəta", "", '<div class="panel panel-default"><div class="panel-body"><h1>500</h1></div></div>')
    for story in stories:
        add_story_pages(
            site, edition, story, story_path(story), lambda s=story: render_article(s, stories),
            error_page=error, text_block=b"news_text",
        )  # fmt: skip


def render_listing(chunk: list[Story], number: int) -> bytes:
    cards = "".join(
        f'<div class="col-md-6 news-block"><a href="{linked_url(s)}"><img src="{image_url(s)}" alt="">'
        f"<h3>{esc(s.title)}</h3></a><span class=\"date\">{dateline(s)}</span></div>"
        for s in chunk
    )
    main = f'<div class="panel panel-default"><div class="panel-heading">İqtisadiyyat</div><div class="panel-body row">{cards}</div></div>'
    return _document("İqtisadiyyat", f'<link rel="canonical" href="https://{WWW}{listing_target(number)}">', main)


def render_rss(stories: list[Story]) -> bytes:
    detail = f"https://{WWW}/news/detail/"
    items = "".join(
        f"<item><title>{esc(' '.join(s.title.split()[:2]))}</title><link>{linked_url(s)}</link>"
        f'<guid isPermaLink="true">{detail}</guid>'
        + ("" if "no_image" in s.quirks else f"<image><url>{image_url(s)}</url><title>{esc(s.title)}</title><link>{detail}</link></image>")
        + f"<description>{esc('<![CDATA[' + description(s) + ']]>').replace(chr(13), '&#13;')}</description>"
        f"<pubDate>{format_datetime(baku_time(s))}</pubDate></item>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" version="2.0"><channel><title>Qafqazinfo</title>'
        f"<link>https://{WWW}</link><description>Qafqazinfo xəbər portalı</description><language>en-us</language>"
        f"<lastBuildDate>{build_date(stories)}</lastBuildDate>{items}</channel></rss>"
    ).encode()


def render_article(story: Story, stories: list[Story]) -> bytes:
    quirks, url = story.quirks, linked_url(story)
    og_image = ""
    if not quirks & {"no_image", "lazy_image"}:
        address = image_url(story)
        og_image = f'<meta property="og:image" content="{address.removeprefix("https://qafqazinfo.az") if "relative_image" in quirks else address}">'
    head = "\n".join(
        line
        for line in (
            "" if "no_canonical" in quirks else f'<link rel="canonical" href="{url}">',
            f'<meta property="og:title" content="{esc(story.title)}">',
            f'<meta property="og:url" content="{url}">',
            og_image,
        )
        if line
    )
    headline = "" if "og_title_only" in quirks else f'<h1 style="font-size: 32px; line-height: 1.2">{esc(story.title)}</h1>'
    when = "" if "no_date" in quirks else f'<time datetime="{story.local_time:%Y-%m-%d %H:%M:%S}">{dateline(story)}</time>'
    texts = [f"<p>{paragraph}</p>" for paragraph in story.paragraphs]
    if "lazy_image" in quirks:
        texts.insert(0, f'<p><img src="{PLACEHOLDER}" data-src="{image_url(story)}" alt=""></p>')
    texts.insert(min(2, len(texts)), '<div class="rek_banner"><p>Reklam</p><script>qafqazAds.push({});</script></div>')
    others = "".join(f'<li><a href="{linked_url(s)}">{esc(s.title)}</a></li>' for s in [s for s in stories if s.id != story.id][:4])
    main = f"""<div class="col-md-8"><div class="panel panel-default news"><div class="panel-body">
  {headline}
  {when}
</div>
<div class="panel-body news_text">
{chr(10).join(texts)}
</div></div></div>
<div class="col-md-4"><div class="panel panel-default"><div class="panel-heading">Son xəbərlər</div><ul>{others}</ul></div></div>"""
    return _document(story.title, head, main)


def _document(title: str, head: str, main: str) -> bytes:
    return f"""<!DOCTYPE html>
<html lang="az">
<head>
<meta charset="utf-8">
<title>{esc(title)} | Qafqazinfo</title>
{head}
<link rel="stylesheet" href="https://qafqazinfo.az/assets/css/bootstrap.min.css">
</head>
<body>
<nav class="navbar navbar-default"><a class="navbar-brand" href="https://{WWW}/">Qafqazinfo</a>
<ul class="nav navbar-nav"><li><a href="https://{WWW}{LISTING_PATH}">İqtisadiyyat</a></li><li><a href="https://{WWW}/news/category/siyaset-1">Siyasət</a></li></ul></nav>
<div class="container"><div class="row">
{main}
</div></div>
<footer><p>© 2011-2026 Qafqazinfo. Məlumatdan istifadə edərkən istinad mütləqdir.</p></footer>
</body>
</html>
""".encode()
