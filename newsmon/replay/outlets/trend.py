"""Trend's markup for the replay: `/latest/` with its "load more" cursor, `/feeds/index.rss`,
article pages (newsmon/sites/trend.py reads them). See docs/news-sites.md, "Trend (trend.az)".

Trend runs the corpus's events as its own copies: each story rewritten (Trend's credit for
APA's, Trend's lead `Bakı. Trend:` before the first paragraph, the later paragraphs in another
order), so its content hash differs from APA's copy while the story step groups the two.
Only stories whose quirks this markup can honestly carry are kept: the serving quirks
(`add_story_pages`), no_date, no_body, no_image, no_canonical, and the image quirks as Trend
has them (a lazy `data-src` image in the text, a root-relative og:image); the others are APA's.

- `/latest/`: cards `ul.news-list li a` with `h4` and `span.date-time` *without a year*
  (`7 Aprel 23:18 (UTC+04)`), the newest corpus day time only (`12:04 (UTC+04)`, as the page
  reads on that day), and the script `currentNewsList.date = N` (the last card's Unix time).
  `/latest/?ajax=1&date=N` answers the next cards and cursor; after the last card, an answer
  with no cards and the same cursor: the cursor ends.
- `/feeds/index.rss`: the newest stories (those on the first listing page), pubDate
  `Wed, 08 Apr 2026 12:04:00 +0400`; the English feed links to `www.trend.az`.
- Articles `/<section>[/<sub>]/<id>.html`, Trend's own ids; a sidebar of `li` cards with their
  own `span.date-time` before the article; `article:published_time`, `article:section`,
  `article:tag`, og:title/og:image, a canonical link (on `www.trend.az` for some en pages);
  `div.article-content` with the lead and share lines the parser drops.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from email.utils import format_datetime

from newsmon.replay.corpus import CATEGORY_NAMES, Story
from newsmon.replay.site import (
    MONTHS,
    RSS_TYPE,
    OutletTemplate,
    Page,
    ReplaySite,
    add_story_pages,
    baku_time,
    crawled_record,
    plain_text,
    swap_credits,
    utc_time,
)
from newsmon.sites.base import Edition
from newsmon.sites.trend import FEED_PATH, LISTING_PATH, LOAD_MORE, SITE

PAGE_SIZE = 5  # cards on /latest/ and in each "load more" answer
FEED_SIZE = PAGE_SIZE  # the feed holds the first listing page's stories (a deleted one leaves it)
ID_BASE = 4_000_000  # Trend's ids: its own counter, not APA's
WWW = "www.trend.az"  # English is also served here; the en feed and some canonicals name it
# Quirks this markup renders; a story with any other quirk (APA's markup) is not run by Trend.
RENDERED_QUIRKS = frozenset(
    {"gone", "server_error", "empty_response", "truncated", "flaky",
     "no_date", "no_body", "no_image", "no_canonical", "lazy_image", "relative_image"}
)  # fmt: skip
# The sample articles `scrapy check trend` fetches (newsmon.sites.trend.SITE.samples), by story.
SAMPLE_STORIES = {"az": 954028, "en": 520920, "ru": 650214}

# Corpus category -> Trend's section path, per edition.
SECTIONS = {
    "az": {
        "incident": "azerbaijan/incident", "economy": "business/economy", "foreign-policy": "azerbaijan/politics",
        "domestic-policy": "azerbaijan/politics", "sports": "azerbaijan/sports", "social": "azerbaijan/society",
        "culture-policy": "life/culture", "world": "world", "energy": "business/energy",
    },
    "en": {
        "foreign-policy": "azerbaijan/politics", "domestic-policy": "azerbaijan/politics", "economy": "business/economy",
        "energy": "business/energy", "asia": "world/asia", "europe": "world/europe", "incident": "azerbaijan/incident",
        "sports": "azerbaijan/sports", "society": "azerbaijan/society",
    },
    "ru": {
        "vneshnyaya-politika": "azerbaijan/politics", "vnutrennyaya-politika": "azerbaijan/politics",
        "ekonomika": "business/economy", "proisshestviya": "azerbaijan/incident", "sport": "azerbaijan/sports",
        "obshchestvo": "azerbaijan/society", "mir": "world", "kultura": "life/culture", "energetika": "business/energy",
    },
}  # fmt: skip

# APA's credit as the corpus words it -> Trend's, per edition (longest first).
CREDITS = {
    "az": (("APA-nın məlumatına görə", "Trend-in məlumatına görə"), ("APA-ya", "Trend-ə"), ("APA", "Trend")),
    "en": (("APA reports", "Trend reports"), ("told APA", "told Trend"), ("APA", "Trend")),
    "ru": (("сообщает APA", "сообщает Trend"), ("сообщили APA", "сообщили Trend"), ("APA", "Trend")),
}
# Added to the lead of a story whose text never names the agency, so that Trend's copy differs.
CREDIT_CLAUSE = {"az": ", Trend xəbər verir.", "en": ", Trend reports.", "ru": ", сообщает Trend."}

CHROME = {
    "az": {
        "latest": "Son xəbərlər", "more": "Daha çox", "not_found": "Səhifə tapılmadı", "error": "Xəta baş verdi",
        "ad": "Reklam", "sections": ("Azərbaycan", "Biznes", "Dünya"),
        "share": ("Trend-i buradan izləyin: <a href=\"https://t.me/trendnews\">Telegram</a> | "
                  "<a href=\"https://facebook.com/trend\">Facebook</a>",
                  "<a href=\"https://news.google.com/publications/trend\">Google News</a>-da bizi izləyin",
                  "Xəbəri paylaş: Whatsapp"),
    },
    "en": {
        "latest": "Latest news", "more": "Load more", "not_found": "Page not found", "error": "An error occurred",
        "ad": "Advertisement", "sections": ("Azerbaijan", "Business", "World"),
        "share": ("Follow Trend on <a href=\"https://t.me/trend_en\">Telegram</a>",
                  "Follow us on Twitter @trend_en",
                  "Share: Facebook | Whatsapp"),
    },
    "ru": {
        "latest": "Последние новости", "more": "Показать ещё", "not_found": "Страница не найдена",
        "error": "Произошла ошибка", "ad": "Реклама", "sections": ("Азербайджан", "Бизнес", "В мире"),
        "share": ("Подписывайтесь на Trend в <a href=\"https://t.me/trend_ru\">Telegram</a>",
                  "Читайте нас в Google News",
                  "Поделиться: Facebook | Whatsapp"),
    },
}  # fmt: skip
LEADS = {"az": "Bakı. Trend:", "ru": "Баку. Trend:"}  # en: "Baku, Azerbaijan, April 8. Trend:"
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAAAAACw="

esc = html.escape


class TrendTemplate(OutletTemplate):
    outlet = SITE.name
    credit = "Trend"

    def editions(self) -> Iterable[Edition]:
        return SITE.editions

    def stories(self, edition: Edition) -> list[Story]:
        return trend_stories(edition.lang)

    def story_path(self, edition: Edition, story: Story) -> str:
        return story_path(edition, story)

    def add_edition(self, site: ReplaySite, edition: Edition, stories: list[Story]) -> None:
        _add_edition(site, edition, stories, page_size=site.listing_size or PAGE_SIZE, feed_size=site.feed_size or FEED_SIZE)

    def expected_record(self, edition: Edition, story: Story) -> dict[str, object]:
        return _expected_record(edition, story)

    def not_found(self, edition: Edition) -> bytes:
        words = CHROME[edition.lang]
        return _document(edition, words["not_found"], "", f"<h1>404</h1><p>{words['not_found']}</p>")


TEMPLATE = TrendTemplate()


# --- the stories, as Trend runs them -------------------------------------------------------------


def trend_stories(lang: str) -> list[Story]:
    """The corpus stories Trend's markup can carry, rewritten as Trend's copies, newest first."""
    from newsmon.replay.site import CORPUS

    return [rewrite(lang, story) for story in CORPUS[lang] if story.quirks <= RENDERED_QUIRKS]


def rewrite(lang: str, story: Story) -> Story:
    """Trend's copy of an APA story: Trend's credit, the paragraphs after the first reordered
    (the last one moves up to second), the lead credited when the text never named APA. The
    byline is Trend's. The lead prefix (`Bakı. Trend:`) is added by the markup, not here."""
    paragraphs = [swap_credits(p, CREDITS[lang]) for p in story.paragraphs]
    if paragraphs and paragraphs == list(story.paragraphs):  # nothing to swap: credit the lead
        paragraphs[0] = re.sub(r"\.?\s*$", CREDIT_CLAUSE[lang], paragraphs[0], count=1)
    if len(paragraphs) > 2:
        paragraphs = [paragraphs[0], paragraphs[-1], *paragraphs[1:-1]]
    byline = "Trend" if story.byline == "APA" else story.byline
    return replace(story, paragraphs=tuple(paragraphs), byline=byline)


def trend_id(edition: Edition, story: Story) -> int:
    sample = SAMPLE_STORIES.get(edition.lang)
    if story.id == sample:
        return int(re.search(r"(\d+)\.html$", SITE.samples.articles[edition.lang])[1])  # type: ignore[index]
    return ID_BASE + story.id


def story_path(edition: Edition, story: Story) -> str:
    if story.id == SAMPLE_STORIES.get(edition.lang):
        return SITE.samples.articles[edition.lang]
    return f"/{SECTIONS[edition.lang][story.category]}/{trend_id(edition, story)}.html"


def public_url(edition: Edition, story: Story) -> str:
    return edition.base_url + story_path(edition, story)


def linked_url(edition: Edition, story: Story) -> str:
    """The address Trend's feed and canonical links print: www.trend.az for English."""
    host = WWW if edition.lang == "en" else edition.host
    return f"https://{host}{story_path(edition, story)}"


def image_url(edition: Edition, story: Story) -> str:
    """The main image: og:image on static.trend.az; root-relative (`relative_image`) on the page's
    own host; `lazy_image` is only in the text, lazily."""
    day = story.local_time
    digest = hashlib.md5(f"{edition.host}/{story.id}".encode()).hexdigest()[:8]
    path = f"/media/images/{day:%Y/%m/%d}/{trend_id(edition, story)}-{digest}.jpg"
    if "relative_image" in story.quirks:
        return edition.base_url + path
    return "https://static.trend.az" + path


# --- dates ------------------------------------------------------------------------------------------


def month_name(lang: str, month: int) -> str:
    """The month as Trend prints it: capitalised in Azerbaijani (`Dekabr`, `İyun`), English, Russian genitive."""
    name = MONTHS[lang][month - 1]
    if lang == "az":
        return ("İ" + name[1:]) if name.startswith("i") else name.capitalize()
    return name


def dateline(lang: str, local: datetime) -> str:
    """The article's dateline: `6 Dekabr 2025 15:49 (UTC +04:00)`."""
    return f"{local.day} {month_name(lang, local.month)} {local.year} {local:%H:%M} (UTC +04:00)"


def listing_time(lang: str, local: datetime, today: datetime | None) -> str:
    """A card's time: `15 Noyabr 10:31 (UTC+04)` (no year), or `15:49 (UTC+04)` on `today`'s date."""
    if today is not None and local.date() == today.date():
        return f"{local:%H:%M} (UTC+04)"
    return f"{local.day} {month_name(lang, local.month)} {local:%H:%M} (UTC+04)"


def lead_prefix(lang: str, local: datetime) -> str:
    return LEADS.get(lang) or f"Baku, Azerbaijan, {MONTHS['en'][local.month - 1]} {local.day}. Trend:"


def cursor(story: Story) -> int:
    """`currentNewsList.date` after a card: its Unix time."""
    return int(utc_time(story).timestamp())


# --- expected record ---------------------------------------------------------------------------------


def _expected_record(edition: Edition, story: Story) -> dict[str, object]:
    return crawled_record(
        edition, story, outlet=SITE.name, url=public_url(edition, story), dateline=dateline(edition.lang, story.local_time),
        category=CATEGORY_NAMES[edition.lang][story.category], tags=story.tags, authors=_authors(story),
        image_url=image_url(edition, story),
    )  # fmt: skip


def _authors(story: Story) -> list[str]:
    """Named people (the agency signing is nobody): the signature, else a named byline."""
    named = story.signature or ("" if story.byline in ("Trend", "APA") else story.byline)
    return [named] if named else []


# --- pages ---------------------------------------------------------------------------------------------


def _add_edition(site: ReplaySite, edition: Edition, stories: list[Story], *, page_size: int, feed_size: int) -> None:
    host = edition.host
    site.query_paths.add((host, LISTING_PATH))
    today = stories[0].local_time if stories else None  # the listing as read on the newest story's day
    chunks = [stories[i : i + page_size] for i in range(0, len(stories), page_size)]
    for number, chunk in enumerate(chunks):
        if number == 0:
            site.add(host, LISTING_PATH, Page(200, render_listing(edition, chunk, stories, today)))
        else:
            asked = cursor(chunks[number - 1][-1])
            site.add(host, LOAD_MORE.format(cursor=asked), Page(200, render_fragment(edition, chunk, today)))
    if chunks:  # asked after the last card: no cards, the cursor stays
        last = cursor(chunks[-1][-1])
        site.add(host, LOAD_MORE.format(cursor=last), Page(200, render_fragment(edition, [], today, last)))
    in_feed = [s for s in stories[:feed_size] if "gone" not in s.quirks]
    site.add(host, FEED_PATH, Page(200, render_rss(edition, in_feed), RSS_TYPE))
    for story in stories:
        add_story_pages(
            site, edition, story, story_path(edition, story), lambda s=story: render_article(edition, s, stories),
            error_page=_error_page(edition), text_block=b'class="article-content',
        )  # fmt: skip


def _card(edition: Edition, story: Story, today: datetime | None) -> str:
    return (
        f'<li><a href="{public_url(edition, story)}"><img src="{image_url(edition, story)}" alt="">'
        f"<h4>{esc(story.title)}</h4>"
        f'<span class="date-time">{listing_time(edition.lang, story.local_time, today)}</span></a></li>'
    )


def _cursor_script(value: int) -> str:
    return f"<script>currentNewsList.date = {value};</script>"


def render_listing(edition: Edition, chunk: list[Story], stories: list[Story], today: datetime | None) -> bytes:
    """The first `/latest/` page: cards, among them an ad and links that are not articles."""
    base, words = edition.base_url, CHROME[edition.lang]
    cards = [_card(edition, story, today) for story in chunk]
    cards.insert(min(2, len(cards)), f'<li><a href="javascript:void(0)"><h4>{esc(words["ad"])}</h4></a></li>')
    cards.append(f'<li><a href="{base}/business/"><h4>{esc(words["sections"][1])}</h4></a></li>')
    other = next(e for e in SITE.editions if e.lang != edition.lang)  # a sister edition's article
    cards.append(f'<li><a href="{other.base_url}/world/4001234.html"><h4>Trend</h4>'
                 f'<span class="date-time">{listing_time(edition.lang, chunk[-1].local_time, today)}</span></a></li>')  # fmt: skip
    main = f"""<h2 class="page-title">{esc(words['latest'])}</h2>
<ul class="news-list with-images">
{chr(10).join(cards)}
</ul>
<button class="load-more">{esc(words['more'])}</button>"""
    head = f'<link rel="canonical" href="{base}{LISTING_PATH}">'
    script = f"""<script>
  var currentNewsList = {{}};
  currentNewsList.date = {cursor(chunk[-1])};
</script>"""
    return _document(edition, f"{words['latest']} - Trend.az", head, main, after=script)


def render_fragment(edition: Edition, chunk: list[Story], today: datetime | None, ended: int = 0) -> bytes:
    """A "load more" answer: the cards alone and the next cursor (`ended`: no cards, the cursor asked)."""
    cards = [_card(edition, story, today) for story in chunk]
    return "\n".join([*cards, _cursor_script(cursor(chunk[-1]) if chunk else ended)]).encode() + b"\n"


def render_rss(edition: Edition, stories: list[Story]) -> bytes:
    items = "".join(
        f"""
<item>
<title>{esc(s.title)}</title>
<link>{linked_url(edition, s)}</link>
<guid>{linked_url(edition, s)}</guid>
<pubDate>{format_datetime(baku_time(s))}</pubDate>
<category>{esc(CATEGORY_NAMES[edition.lang][s.category])}</category>
<description>{esc(plain_text(s.paragraphs[0]) if s.paragraphs else '')}</description>
</item>"""
        for s in stories
    )
    home = f"https://{WWW if edition.lang == 'en' else edition.host}/"
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>Trend News Agency</title>
<link>{home}</link>
<description>{esc(CHROME[edition.lang]['latest'])}</description>{items}
</channel>
</rss>
""".encode()


def render_article(edition: Edition, story: Story, stories: list[Story]) -> bytes:
    url = public_url(edition, story)
    category = CATEGORY_NAMES[edition.lang][story.category]
    lead = esc(plain_text(story.paragraphs[0])[:160]) if story.paragraphs else ""
    iso = story.local_time.strftime("%Y-%m-%dT%H:%M:00+04:00")
    no_date = "no_date" in story.quirks
    metas = [
        _canonical(edition, story, stories),
        f'<meta property="og:title" content="{esc(story.title)}">',
        f'<meta property="og:url" content="{url}">',
        f'<meta property="og:description" content="{lead}">',
        _og_image(edition, story),
        "" if no_date else f'<meta property="article:published_time" content="{iso}">',
        f'<meta property="article:section" content="{esc(category)}">',
        *(f'<meta property="article:tag" content="{esc(tag)}">' for tag in story.tags),
        _json_ld(story, iso if not no_date else ""),
    ]
    date_html = "" if no_date else f'<span class="date-time">{dateline(edition.lang, story.local_time)}</span>'
    main = f"""<div class="article-top">
    <div class="breadcrumbs"><a href="{edition.base_url}/">Trend</a> / <span>{esc(category)}</span></div>
    <h1>{esc(story.title)}</h1>
    {date_html}
  </div>
  <div class="article-content article-paddings">
{_texts(edition, story)}
  </div>"""
    return _document(edition, f"{story.title} - Trend.az", "\n".join(m for m in metas if m), main,
                     sidebar=_sidebar(edition, story, stories))  # fmt: skip


def _canonical(edition: Edition, story: Story, stories: list[Story]) -> str:
    if "no_canonical" in story.quirks:
        return ""
    # Some English pages name www.trend.az (the same article): every other one, and the sample.
    if edition.lang == "en" and (stories.index(story) % 2 == 1 or story.id == SAMPLE_STORIES["en"]):
        return f'<link rel="canonical" href="{linked_url(edition, story)}">'
    return f'<link rel="canonical" href="{public_url(edition, story)}">'


def _og_image(edition: Edition, story: Story) -> str:
    if story.quirks & {"no_image", "lazy_image"}:
        return ""
    address = image_url(edition, story)
    if "relative_image" in story.quirks:
        address = address.removeprefix(edition.base_url)
    return f'<meta property="og:image" content="{address}">'


def _json_ld(story: Story, published: str) -> str:
    data: dict[str, object] = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title}
    if published:
        data["datePublished"] = published
    authors = [{"@type": "Person", "name": name} for name in _authors(story)]
    data["author"] = [*authors, {"@type": "Organization", "name": "Trend"}]
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def _texts(edition: Edition, story: Story) -> str:
    """The lead with Trend's prefix, the paragraphs, a player script, the share lines."""
    blocks = []
    for index, paragraph in enumerate(story.paragraphs):
        if index == 0:
            blocks.append(f"<p><strong>{esc(lead_prefix(edition.lang, story.local_time))}</strong> {paragraph}</p>")
            if "lazy_image" in story.quirks:
                blocks.append(f'<p><img src="{PLACEHOLDER}" data-src="{image_url(edition, story)}" alt=""></p>')
        else:
            blocks.append(f"<p>{paragraph}</p>")
        if index == 1:
            blocks.append('<script>trendPlayer.init("x");</script>')
    blocks.extend(f"<p>{line}</p>" for line in CHROME[edition.lang]["share"])
    return "\n".join("    " + block for block in blocks)


def _sidebar(edition: Edition, story: Story, stories: list[Story]) -> str:
    """Latest-news cards, each with its own `span.date-time` (the parser must not take them)."""
    others = [s for s in stories if s.id != story.id][:4]
    today = stories[0].local_time if stories else None
    items = "".join(_card(edition, s, today) for s in others)
    return f'<aside class="sidebar"><ul class="news-list">{items}</ul></aside>'


def _error_page(edition: Edition) -> bytes:
    words = CHROME[edition.lang]
    return _document(edition, words["error"], "", f"<h1>500</h1><p>{words['error']}</p>")


def _document(edition: Edition, title: str, head: str, main: str, *, sidebar: str = "", after: str = "") -> bytes:
    base, words = edition.base_url, CHROME[edition.lang]
    paths = ("/azerbaijan/", "/business/", "/world/")
    nav = "".join(f'<li><a href="{base}{path}">{esc(name)}</a></li>' for path, name in zip(paths, words["sections"]))
    return f"""<!DOCTYPE html>
<html lang="{edition.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{head}
<script>window.dataLayer = window.dataLayer || [];</script>
</head>
<body>
<header>
  <h1 class="site-name"><a href="{base}/">Trend</a></h1>
  <nav><ul class="menu">{nav}<li><a href="{base}{LISTING_PATH}">{esc(words['latest'])}</a></li></ul></nav>
</header>
{sidebar}
<main>
  {main}
</main>
<footer><p>© trend.az, 1995-2026</p></footer>
{after}
</body>
</html>
""".encode()
