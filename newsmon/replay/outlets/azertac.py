"""AZERTAC's markup for the replay (newsmon/sites/azertac.py reads it): one host, three editions.

az at the root of azertag.az, en under /en, ru under /ru, on the one port of `azertag.az`.

- The host answers **400 to a client whose User-Agent has no `Mozilla/`** (`ReplaySite.gates`),
  as the live site is reported to: the profile's browser-compatible agent passes, the project's
  default `newsmon/...` agent does not.
- `/xeber?page=N`: cards as on special.azertag.az (`div.news-item`, `div.news-title a`,
  `div.news-date` with `08.04.2026 [12:04]`), an ad card without a link, a sister edition's
  card. The page after the last answers a listing without cards; other pages are 404.
- `/rss`: the stories of the first listing page, **no `<guid>`**, no description, category or
  image, no lastBuildDate, seconds `:00`, declaration and `<rss>` on the first line.
- Articles `[/<lang>]/xeber/<slug>-<id>` (AZERTAC's slug rules: `_`, ç→ch, `&quot;`→`_quot`),
  `h1.entry-title`, `div.entry-meta` with the dateline and a view count, `div.news-body` with a
  script and a video iframe inside, og tags and a canonical link; a sidebar of listing cards
  (their `div.news-date` is not the article's). Error pages carry `<title>Xəta` and
  `.site-error h1` (the 404 and 500 pages).

The stories are the shared corpus as AZERTAC runs them: AZERTAC's credit, the later paragraphs
in another order (a near-copy of APA's: one story, another content hash), title marks as
AZERTAC prints them (` FOTO` without a dash). Traps of the site, each a case here:
an updated copy under a new URL (`– YENİLƏNİB`, slug `..._yenilenib-<new id>`, one paragraph
more: UPDATED), which the story step must put in the original's story; one article whose text
is mojibake (its UTF-8 read as Windows-1252: MOJIBAKE), which the chain repairs; `revise()`
edits a story under its unchanged URL (a revision, for the tests). Only stories whose quirks
this markup renders are carried; `og_title_only` is rendered as a page without `h1.entry-title`
and `lazy_image` as a page without og:image whose text holds a lazy image (two fallbacks).
The stories whose failures may pass (5xx, truncated) are past the first listing page and out
of the feed, so a rerun, which stops at the first page with nothing new, does not reach them.
"""
from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from collections.abc import Iterable
from datetime import timedelta
from email.utils import format_datetime

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)

from newsmon.replay.corpus import Story
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
    plain_text,
    swap_credits,
)
from newsmon.sites.azertac import LISTING_PATH, PAGE_PARAM, RSS_PATH, SITE
from newsmon.sites.base import Edition

HOST = "azertag.az"
PAGE_SIZE = 4  # cards per listing page; the feed holds the first page's stories
ID_BASE = 3_457_000  # AZERTAC's ids: its own counter (az ≈ 4.41 million in 2026)
RENDERED_QUIRKS = frozenset(
    {"gone", "server_error", "empty_response", "truncated", "flaky", "no_date", "no_body", "no_image",
     "no_canonical", "lazy_image", "relative_image", "og_title_only"}
)  # fmt: skip
# Corpus title marks as AZERTAC prints them (no dash before FOTO/PHOTO), by corpus id.
TITLE_MARKS = {954028: (" - FOTO", " FOTO"), 520920: (" - PHOTO", " PHOTO")}
# The corpus story whose update AZERTAC ran under a new URL, and what the update added.
UPDATED = {
    "original": 954009,
    "id": 954039,  # in the corpus's numbering: AZERTAC id ID_BASE + this, above every other
    "later": timedelta(hours=3),
    "mark": " – YENİLƏNİB",
    "paragraph": "Görüşün sonunda tərəflər birgə işçi qrupunun yaradılması barədə razılığa gəliblər.",
}
MOJIBAKE = 954018  # its text served as UTF-8 read as Windows-1252 (`É™` for ə)
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAAAAACw="

CREDITS = {
    "az": (("APA-nın məlumatına görə", "AZƏRTAC-ın məlumatına görə"), ("APA-ya", "AZƏRTAC-a"), ("APA", "AZƏRTAC")),
    "en": (("APA reports", "AZERTAC reports"), ("told APA", "told AZERTAC"), ("APA", "AZERTAC")),
    "ru": (("сообщает APA", "сообщает АЗЕРТАДЖ"), ("APA", "АЗЕРТАДЖ")),
}
AGENCY = {"az": "AZƏRTAC", "en": "AZERTAC", "ru": "АЗЕРТАДЖ"}
CREDIT_CLAUSE = {"az": ", AZƏRTAC xəbər verir.", "ru": ", сообщает АЗЕРТАДЖ."}  # en: the `Baku, April 8, AZERTAC.` lead

CHROME = {
    "az": {"news": "Xəbərlər", "error": "Xəta", "not_found": "Səhifə tapılmadı", "ad": "Reklam", "related": "Digər xəbərlər",
           "views": "Baxış", "sections": ("Siyasət", "İqtisadiyyat", "Cəmiyyət")},
    "en": {"news": "News", "error": "Error", "not_found": "Page not found", "ad": "Advertisement", "related": "Related news",
           "views": "Views", "sections": ("Politics", "Economy", "Society")},
    "ru": {"news": "Новости", "error": "Ошибка", "not_found": "Страница не найдена", "ad": "Реклама",
           "related": "Другие новости", "views": "Просмотры", "sections": ("Политика", "Экономика", "Общество")},
}  # fmt: skip

# The site module's sample articles (`scrapy check azertac`): served at their paths, listed nowhere.
SAMPLE_STORIES = {
    "az": Story(
        id=4411239 - ID_BASE, category="incident", slug="naxchivan_seherinde_avtomobil_piyadani_vurub",
        title="Naxçıvan şəhərində avtomobil piyadanı vurub", published="2026-04-07 01:35",
        paragraphs=("Naxçıvan şəhərində avtomobil piyadanı vurub, AZƏRTAC xəbər verir.",
                    "Piyada xəstəxanaya çatdırılıb, hadisə ilə bağlı araşdırma aparılır."),
    ),
    "en": Story(
        id=3978500 - ID_BASE, category="foreign-policy", slug="azerbaijan_and_georgia_discuss_middle_corridor_cargo_growth",
        title="Azerbaijan and Georgia discuss Middle Corridor cargo growth", published="2026-04-07 10:28",
        paragraphs=("Baku, April 7, AZERTAC. Azerbaijan and Georgia discussed the growth of cargo along the Middle Corridor.",
                    "The sides noted the importance of the Baku-Tbilisi-Kars railway."),
    ),
    "ru": Story(
        id=4108500 - ID_BASE, category="energetika", slug="v_baku_proshla_konferenciya_po_zelenoi_energetike",
        title="В Баку прошла конференция по зеленой энергетике", published="2026-04-07 12:45",
        paragraphs=("В Баку прошла международная конференция по зеленой энергетике, сообщает АЗЕРТАДЖ.",
                    "В ней приняли участие представители двадцати стран."),
    ),
}  # fmt: skip

esc = html.escape


class AzertacTemplate(OutletTemplate):
    outlet = SITE.name
    credit = "AZERTAC"

    def editions(self) -> Iterable[Edition]:
        return SITE.editions

    def stories(self, edition: Edition) -> list[Story]:
        return azertac_stories(edition.lang)

    def story_path(self, edition: Edition, story: Story) -> str:
        return story_path(edition, story)

    def add_edition(self, site: ReplaySite, edition: Edition, stories: list[Story]) -> None:
        site.gates[edition.host] = browsers_only(400)
        _add_edition(site, edition, stories, page_size=site.listing_size or PAGE_SIZE, feed_size=site.feed_size or PAGE_SIZE)

    def expected_record(self, edition: Edition, story: Story) -> dict[str, object]:
        # No category markup is known, nor tags or authors.
        return crawled_record(
            edition, story, outlet=SITE.name, url=public_url(edition, story), dateline=dateline(story), image_url=image_url(story)
        )

    def not_found(self, edition: Edition) -> bytes:
        return error_page(edition, "Not Found (#404)", CHROME[edition.lang]["not_found"])


TEMPLATE = AzertacTemplate()


# --- the stories as AZERTAC runs them ---------------------------------------------------------------


def azertac_stories(lang: str) -> list[Story]:
    """The corpus stories this markup carries, as AZERTAC's copies, newest first (with the
    updated copy under its new URL on the az edition, placed by its update time)."""
    stories = [rewrite(lang, story) for story in CORPUS[lang] if story.quirks <= RENDERED_QUIRKS]
    original = next((s for s in stories if s.id == UPDATED["original"]), None)
    if original is not None:
        stories.append(updated_copy(original))
        stories.sort(key=lambda s: s.local_time, reverse=True)
    return stories


def rewrite(lang: str, story: Story) -> Story:
    """AZERTAC's copy, its slug made from its headline by AZERTAC's rules: its credit (the lead credited when the text never named APA; English
    leads open `Baku, April 8, AZERTAC.`), the later paragraphs rotated (the second goes last),
    AZERTAC's title marks."""
    paragraphs = [swap_credits(p, CREDITS[lang]) for p in story.paragraphs]
    if paragraphs:
        if lang == "en":
            when = story.local_time
            paragraphs[0] = f"Baku, {MONTHS['en'][when.month - 1]} {when.day}, AZERTAC. {paragraphs[0]}"
        elif not any(AGENCY[lang] in p for p in paragraphs):
            paragraphs[0] = credit_lead(paragraphs[0], CREDIT_CLAUSE[lang])
    paragraphs = paragraphs[:1] + paragraphs[2:] + paragraphs[1:2]
    title = story.title
    if story.id in TITLE_MARKS:
        apa_mark, mark = TITLE_MARKS[story.id]
        title = title.removesuffix(apa_mark) + mark
    return dataclasses.replace(story, title=title, slug=slug(title), paragraphs=tuple(paragraphs), byline="AZERTAC")


def updated_copy(original: Story) -> Story:
    """The update run under a new URL: the mark in the title (and so in the slug), a new id,
    a later time, one paragraph more."""
    title = original.title + UPDATED["mark"]
    return dataclasses.replace(
        original,
        id=UPDATED["id"],
        title=title,
        slug=slug(title),
        published=f"{original.local_time + UPDATED['later']:%Y-%m-%d %H:%M}",
        paragraphs=(*original.paragraphs, UPDATED["paragraph"]),
        quirks=frozenset(),
    )


def revise(site: ReplaySite, scope: str, story_id: int, title: str, paragraph: str) -> Story:
    """Edit a story under its unchanged URL (a new title, a paragraph more; the slug stays, as
    on a copy AZERTAC revises in place): every page of its edition shows the new version.
    Returns the edited story."""
    template, edition = site.editions[scope]
    stories = site.stories[scope]
    index = next(i for i, s in enumerate(stories) if s.id == story_id)
    stories[index] = dataclasses.replace(stories[index], title=title, paragraphs=(*stories[index].paragraphs, paragraph))
    template.add_edition(site, edition, stories)
    return stories[index]


# --- addresses, times, images --------------------------------------------------------------------------

_SLUG_LETTERS = str.maketrans(
    {"ç": "ch", "Ç": "ch", "ş": "s", "Ş": "s", "ə": "e", "Ə": "e", "ı": "i", "İ": "i", "ğ": "g", "Ğ": "g",
     "ö": "o", "Ö": "o", "ü": "u", "Ü": "u"}
)  # fmt: skip
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "a b v g d e e zh z i i k l m n o p r s t u f h c ch sh sch  y  e yu ya".split(" "),
))  # fmt: skip


def slug(title: str) -> str:
    """AZERTAC's slug of a headline: lowercase, `_` for spaces and hyphens (` – ` gives `___`),
    ç→ch, ş→s, ə→e, ı→i, ğ→g, ö→o, ü→u; `&quot;` → `_quot`; commas, colons, quotes dropped."""
    text = html.escape(title, quote=True).replace("&quot;", "_quot").replace("&#x27;", "")
    text = text.translate(_SLUG_LETTERS).lower()
    text = "".join(_CYRILLIC.get(char, char) for char in text)
    text = re.sub(r"[\s\-–—]", "_", text)
    return re.sub(r"[^a-z0-9_]", "", text)


def azertac_id(story: Story) -> int:
    return ID_BASE + story.id


def story_path(edition: Edition, story: Story) -> str:
    return f"{edition.prefix}/xeber/{story.slug}-{azertac_id(story)}"


def public_url(edition: Edition, story: Story) -> str:
    return edition.origin + story_path(edition, story)


def dateline(story: Story) -> str:
    """`08.04.2026 [12:04]`, Baku time."""
    return f"{story.local_time:%d.%m.%Y [%H:%M]}"


def rss_date(story: Story) -> str:
    return format_datetime(baku_time(story))  # seconds :00


def image_url(story: Story) -> str:
    digest = hashlib.md5(f"azertac/{story.id}".encode()).hexdigest()[:12]
    return f"https://azertag.az/store/files/{story.local_time:%Y/%m/%d}/{digest}.jpg"


def listing_target(edition: Edition, number: int) -> str:
    return edition.prefix + LISTING_PATH + (f"?{PAGE_PARAM}={number}" if number > 1 else "")


def mojibake(fragment: str) -> str:
    """The text as a page that read UTF-8 as Windows-1252 shows it (`É™` for ə)."""
    return fragment.encode("utf-8").decode("sloppy-windows-1252")


# --- the edition's pages --------------------------------------------------------------------------------


def _add_edition(site: ReplaySite, edition: Edition, stories: list[Story], *, page_size: int, feed_size: int) -> None:
    host = edition.host
    site.query_paths.add((host, edition.prefix + LISTING_PATH))
    chunks = [stories[i : i + page_size] for i in range(0, len(stories), page_size)]
    for number, chunk in enumerate([*chunks, []], start=1):  # the page after the last has no cards
        site.add(host, listing_target(edition, number), Page(200, render_listing(edition, chunk, number)))
    in_feed = [s for s in stories[:feed_size] if "gone" not in s.quirks]
    site.add(host, edition.prefix + RSS_PATH, Page(200, render_rss(edition, in_feed), RSS_TYPE))
    sample = SAMPLE_STORIES[edition.lang]
    site.add(host, story_path(edition, sample), Page(200, render_article(edition, sample, stories)))
    for story in stories:
        add_story_pages(
            site, edition, story, story_path(edition, story), lambda s=story: render_article(edition, s, stories),
            error_page=error_page(edition, "Internal Server Error (#500)", CHROME[edition.lang]["error"]),
            text_block=b'class="news-body',
        )  # fmt: skip


def _card(edition: Edition, story: Story) -> str:
    return (
        f'<div class="news-item"><div class="news-img"><img src="{image_url(story)}" alt=""></div>'
        f'<div class="news-title"><a href="{public_url(edition, story)}">{esc(story.title)}</a></div>'
        f'<div class="news-date">{dateline(story)}</div></div>'
    )


def render_listing(edition: Edition, chunk: list[Story], number: int) -> bytes:
    words = CHROME[edition.lang]
    cards = [_card(edition, story) for story in chunk]
    if cards:
        cards.insert(min(2, len(cards)), f'<div class="news-item banner"><div class="news-title">{words["ad"]}</div></div>')
        other = next(e for e in SITE.editions if e != edition)  # a sister edition's article
        cards.append(f'<div class="news-item"><div class="news-title"><a href="{other.base_url}/xeber/x-{ID_BASE}">AZERTAC</a></div></div>')
    pages = f'<ul class="pagination"><li><a href="{edition.base_url}{LISTING_PATH}?{PAGE_PARAM}={number + 1}">»</a></li></ul>' if chunk else ""
    main = f'<h1 class="page-title">{esc(words["news"])}</h1><div class="news-list">{"".join(cards)}</div>{pages}'
    head = f'<link rel="canonical" href="{edition.origin}{listing_target(edition, number)}">'
    return _document(edition, f"{words['news']} | AZƏRTAC", head, main)


def render_rss(edition: Edition, stories: list[Story]) -> bytes:
    items = "".join(
        f"\n  <item><title>{esc(s.title)}</title>\n    <link>{public_url(edition, s)}</link>\n"
        f"    <pubDate>{rss_date(s)}</pubDate></item>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" ?><rss version="2.0">\n'
        f"<channel><title>AZƏRTAC – Azərbaycan Dövlət İnformasiya Agentliyi</title><link>{edition.base_url}</link>"
        f"<description>{esc(CHROME[edition.lang]['news'])}</description>{items}\n</channel></rss>\n"
    ).encode()


def render_article(edition: Edition, story: Story, stories: list[Story]) -> bytes:
    url, quirks, words = public_url(edition, story), story.quirks, CHROME[edition.lang]
    lead = esc(plain_text(story.paragraphs[0])[:160]) if story.paragraphs else ""
    head = "\n".join(
        line
        for line in (
            "" if "no_canonical" in quirks else f'<link rel="canonical" href="{url}">',
            f'<meta property="og:title" content="{esc(story.title)}">',
            f'<meta property="og:url" content="{url}">',
            f'<meta property="og:description" content="{lead}">',
            _og_image(story),
        )
        if line
    )
    title = "" if "og_title_only" in quirks else f'<h1 class="entry-title">{esc(story.title)}</h1>'
    meta = "" if "no_date" in quirks else (
        f'<div class="entry-meta"><span class="date">{dateline(story)}</span> '
        f'<span class="views">{words["views"]}: {story.id % 997}</span></div>'
    )  # fmt: skip
    related = "".join(_card(edition, s) for s in [s for s in stories if s.id != story.id][:3])
    main = f"""<div class="col-md-8"><article class="news-detail">
  {title}
  {meta}
  <div class="news-body">
{_text(edition, story)}
  </div>
</article></div>
<aside class="col-md-4"><h3>{esc(words['related'])}</h3>{related}</aside>"""
    return _document(edition, f"{story.title} | AZƏRTAC", head, main)


def _og_image(story: Story) -> str:
    if story.quirks & {"no_image", "lazy_image"}:
        return ""
    address = image_url(story)
    if "relative_image" in story.quirks:
        address = address.removeprefix("https://azertag.az")
    return f'<meta property="og:image" content="{address}">'


def _text(edition: Edition, story: Story) -> str:
    """The paragraphs (mojibake for MOJIBAKE), a script and a video player among them; a page
    without text (`no_body`) holds only an ad script and the player."""
    render = mojibake if story.id == MOJIBAKE else (lambda fragment: fragment)
    blocks = [f"<p>{render(paragraph)}</p>" for paragraph in story.paragraphs]
    if "lazy_image" in story.quirks:
        blocks.insert(1, f'<p><img src="{PLACEHOLDER}" data-src="{image_url(story)}" alt=""></p>')
    blocks.insert(min(2, len(blocks)), '<script>window.azertacAds = window.azertacAds || [];</script>')
    blocks.append('<iframe src="https://www.youtube.com/embed/x0x0x0" allowfullscreen></iframe>')
    return "\n".join("    " + block for block in blocks)


def error_page(edition: Edition, heading: str, message: str) -> bytes:
    main = f'<div class="site-error"><h1>{esc(heading)}</h1><div class="alert alert-danger">{esc(message)}</div></div>'
    return _document(edition, f"{CHROME[edition.lang]['error']}", "", main)


def _document(edition: Edition, title: str, head: str, main: str) -> bytes:
    base, words = edition.base_url, CHROME[edition.lang]
    nav = "".join(f'<li><a href="{base}/xeber/{n}">{esc(name)}</a></li>' for n, name in enumerate(words["sections"], 1))
    languages = "".join(f'<a href="{e.base_url}">{e.lang.upper()}</a>' for e in SITE.editions)
    return f"""<!DOCTYPE html>
<html lang="{edition.lang}">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{head}
<link href="https://azertag.az/assets/css/site.css" rel="stylesheet">
</head>
<body>
<header><a class="logo" href="{base}"><img src="https://azertag.az/assets/img/logo.png" alt="AZƏRTAC"></a>
<nav><ul class="menu"><li><a href="{base}{LISTING_PATH}">{esc(words['news'])}</a></li>{nav}</ul></nav><div class="langs">{languages}</div></header>
<div class="container"><div class="row">
{main}
</div></div>
<footer><p>© 2026 AZƏRTAC. Bütün hüquqlar qorunur.</p></footer>
<script src="https://azertag.az/assets/js/site.js"></script>
</body>
</html>
""".encode()
