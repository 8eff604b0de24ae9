"""Oxu.az's markup for the replay (newsmon/sites/oxu.py reads it): az at the root of oxu.az, ru under /ru.

- `/` (az): cards `div.index-post-block[data-timestamp] > div.post-item` (Baku time) with
  `span.post-item-tag` marks, and `.loadContainer[data-url]` naming the "load more" path
  (LOAD_MORE_PATH: the real one is not known, the parser takes what the page declares);
  `<path>?date=<last timestamp>&oldest=1` answers the next older cards, the answer after the
  oldest card is empty. `/ru/` declares no load-more path: the cards are the `.post-item`
  blocks themselves, and the parser's fallback, the numbered pages `/ru/page/<n>`, goes on to
  an empty page.
- `/rss` answers an HTML page (the reference knows of no Oxu RSS; the trap "a feed URL that
  answers HTML"): the crawl counts `feed/not_a_feed` and goes on. `/news-sitemap.xml` holds
  the newest stories, all on the first listing page.
- Articles `/<category>/<slug>`, no id: every third slug ends in digits that are not an id
  (`…-11294031`); the id is in `.short-url-btn[data-short-link]` only. Images
  `https://images.oxu.az/YYYY/MM/DD/<hash>:600.jpg`. `div.post-detail-title h1` after the
  page's own `span.post-item-tag`, `div.post-detail-meta` with a view count before the
  dateline (`8 aprel, 2026 / 12:04`, short months `8 apr, 2026 / 12:04` on some pages, `Bu gün
  / 12:04` and `Dünən / 22:10` as the pages read on the newest story's day), the text in
  `.post-detail-content-inner` with the audio block, player, ads (`ins`, `Reklam`, a newmedia
  line) and tag area the parser strips; related cards below with their own marks.
- Head metadata: canonical, og tags, JSON-LD NewsArticle (`datePublished` +04:00,
  `dateModified`, `articleSection`, author). BARE pages (every fourth) have none of the og
  and JSON-LD metadata, so the parser reads only the visible markup (their image: the text's
  first `img`, fallback `image_body`); they print absolute datelines (a relative one without
  JSON-LD is resolved against the fetch time, which no expected record can know: the page
  tests do that). Every fifth page has the text straight in `.post-detail-content` (the
  parser's fallback `body_outer`).

The stories are the shared corpus as Oxu runs them: Oxu.az credited instead of APA, the second
paragraph moved to the end (a near-copy of APA's with another content hash), title marks
printed as `span.post-item-tag` (`Foto`), one headline edited after publication on an unchanged
slug (TITLE_CHANGES). Quirks this markup cannot render (APA's layouts) are left off the story.
"""
from __future__ import annotations

import dataclasses
import hashlib
import html
import json
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from newsmon.replay.corpus import CATEGORY_NAMES, Story, category_slug
from newsmon.replay.site import (
    BAKU_OFFSET,
    CORPUS,
    HTML_TYPE,
    MONTHS,
    XML_TYPE,
    OutletTemplate,
    Page,
    ReplaySite,
    add_load_more_answers,
    add_story_pages,
    baku_time,
    crawled_record,
    credit_lead,
    feed_stories,
    older_cards_target,
    swap_credits,
)
from newsmon.sites.base import Edition
from newsmon.sites.oxu import LISTING_PATH, NEWS_SITEMAP_PATH, PAGE_PATH, RSS_PATH, SITE
from newsmon.text import split_title_labels

PAGE_SIZE = 5  # cards per listing page or "load more" answer
FEED_SIZE = 4  # stories in the news sitemap: all on the first listing page
LOAD_MORE_PATH = "/news/more"  # the replay's: Oxu's real path is not known
DECLARES_LOAD_MORE = {"az": True, "ru": False}
BARE_EVERY, OUTER_BODY_EVERY, DIGIT_TAIL_EVERY, SHORT_MONTH_EVERY = 4, 5, 3, 4
ID_BASE = 11_000_000  # Oxu's short-link ids and digit tails: its own counter
RENDERED_QUIRKS = frozenset(
    {"gone", "server_error", "empty_response", "truncated", "flaky", "no_date", "no_body", "no_image", "no_canonical"}
)
# (lang, corpus slug) -> the headline as edited after publication; the slug keeps the old one.
TITLE_CHANGES = {("az", "azerbaycan-neftinin-qiymeti-68-dollari-otub"): "Azərbaycan neftinin qiyməti 69 dolları ötüb"}
# (lang, corpus slug) -> marks Oxu adds (in the title's form: split_title_labels gives them back).
MARKS = {
    ("az", "bakida-iki-avtomobil-toqqusub-xesaret-alan-var"): ("YENİLƏNİB",),
    ("az", "qarabag-avropa-konfrans-liqasinda-novbeti-merheleye-yukselib"): ("VİDEO",),
    ("ru", "v-baku-stolknulis-dva-avtomobilya-est-postradavshie"): ("ФОТО",),
}
# A mark as Oxu prints it in span.post-item-tag.
PRINTED_MARKS = {"FOTO": "Foto", "VİDEO": "Video", "YENİLƏNİB": "Yenilənib", "ФОТО": "Фото", "ВИДЕО": "Видео"}
SHORT_MONTHS = {"az": "yan fev mar apr may iyn iyl avq sen okt noy dek".split()}
CREDITS = {
    "az": (("APA-nın", "Oxu.az-ın"), ("APA-ya", "Oxu.az-a"), ("APA", "Oxu.az")),
    "ru": (("APA", "Oxu.az"),),
}
LEAD_CREDIT = {"az": ", Oxu.az xəbər verir.", "ru": ", сообщает Oxu.az."}
CHROME = {
    "az": {"today": "Bu gün", "yesterday": "Dünən", "not_found": "Səhifə tapılmadı", "error": "Xəta baş verdi",
           "ad": "Reklam", "newmedia": "Xəbərləri Newmedia kanalımızda izləyin", "more": "Daha çox",
           "related": "Digər xəbərlər", "home": "Ana səhifə", "listen": "Xəbəri dinlə"},
    "ru": {"today": "Сегодня", "yesterday": "Вчера", "not_found": "Страница не найдена", "error": "Произошла ошибка",
           "ad": "Реклама", "newmedia": "Читайте нас в Newmedia", "more": "Ещё", "related": "Другие новости",
           "home": "Главная", "listen": "Слушать новость"},
}  # fmt: skip
SAMPLE_STORIES = {
    "az": Story(
        id=11281850, category="economy", slug="baliq-bazarinda-canlanma-en-cox-alinan-novler-aciqlandi",
        title="Balıq bazarında canlanma: ən çox alınan növlər açıqlanıb", published="2026-04-06 10:40",
        paragraphs=("Bakının balıq bazarlarında alıcıların sayı artıb, Oxu.az xəbər verir.",
                    "Satıcıların sözlərinə görə, ən çox kütüm və çəki balığı alınır."),
    ),
    "ru": Story(
        id=11281851, category="ekonomika", slug="na-rybnom-rynke-ozhivlenie",
        title="На рыбном рынке оживление", published="2026-04-06 10:45",
        paragraphs=("На рыбных рынках Баку выросло число покупателей, сообщает Oxu.az.",
                    "По словам продавцов, чаще всего покупают кутум и сазана."),
    ),
}  # fmt: skip
SAMPLE_CATEGORIES = {"ekonomika": "Экономика"}

esc = html.escape


class OxuTemplate(OutletTemplate):
    outlet = SITE.name
    credit = "Oxu.az"

    def editions(self) -> Iterable[Edition]:
        return SITE.editions

    def stories(self, edition: Edition) -> list[Story]:
        return [as_oxu_runs_it(edition.lang, index, story) for index, story in enumerate(CORPUS[edition.lang])]

    def story_path(self, edition: Edition, story: Story) -> str:
        return f"{edition.prefix}/{category_slug(edition.lang, story.category, azerbaijani=True)}/{story.slug}"

    def add_edition(self, site: ReplaySite, edition: Edition, stories: list[Story]) -> None:
        _add_edition(site, edition, stories, page_size=site.listing_size or PAGE_SIZE, feed_size=site.feed_size or FEED_SIZE)

    def expected_record(self, edition: Edition, story: Story) -> dict[str, object]:
        return crawled_record(
            edition, story, outlet=SITE.name, url=public_url(edition, story), dateline=dateline(edition, story, today(edition)),
            category=category_name(edition.lang, story.category), tags=story.tags,
            authors=[story.signature] if story.signature and not is_bare(story) else [], image_url=image_url(story),
        )  # fmt: skip

    def not_found(self, edition: Edition) -> bytes:
        words = CHROME[edition.lang]
        return _document(edition, words["not_found"], "", f"<h1>404</h1><p>{words['not_found']}</p>")


TEMPLATE = OxuTemplate()


# --- the stories as Oxu runs them ---------------------------------------------------------------


def as_oxu_runs_it(lang: str, index: int, story: Story) -> Story:
    """Oxu's copy: its credit, the second paragraph moved to the end, its slug (a digit tail on
    every third), its marks, an edited headline where TITLE_CHANGES says, Oxu's own id. The
    position (`index`) decides the page's layout: see is_bare and has_outer_body."""
    paragraphs = [swap_credits(p, CREDITS[lang]) for p in story.paragraphs]
    if paragraphs and paragraphs == list(story.paragraphs):  # the text never named APA: credit the lead
        paragraphs[0] = credit_lead(paragraphs[0], LEAD_CREDIT[lang])
    if len(paragraphs) > 2:
        paragraphs = [paragraphs[0], *paragraphs[2:], paragraphs[1]]
    oxu_id = ID_BASE + story.id % 1_000_000
    slug = story.slug + (f"-{oxu_id + 290000}" if index % DIGIT_TAIL_EVERY == 1 else "")
    title = TITLE_CHANGES.get((lang, story.slug), story.title)
    title = " - ".join([title, *MARKS.get((lang, story.slug), ())])
    return dataclasses.replace(
        story, id=oxu_id * 10 + index % 10, slug=slug, title=title, paragraphs=tuple(paragraphs), byline="Oxu.az",
        quirks=story.quirks & RENDERED_QUIRKS,
    )  # fmt: skip


def position(story: Story) -> int:
    return story.id % 10


def is_bare(story: Story) -> bool:
    """A page without og and JSON-LD metadata."""
    return position(story) % BARE_EVERY == 2


def has_outer_body(story: Story) -> bool:
    """A page whose text stands straight in .post-detail-content."""
    return position(story) % OUTER_BODY_EVERY == 3


# --- addresses, times, names ----------------------------------------------------------------------


def public_url(edition: Edition, story: Story) -> str:
    return edition.origin + TEMPLATE.story_path(edition, story)


def category_name(lang: str, slug: str) -> str:
    return CATEGORY_NAMES[lang].get(slug) or SAMPLE_CATEGORIES[slug]


def image_url(story: Story, size: str = "600") -> str:
    digest = hashlib.md5(f"oxu/{story.id}".encode()).hexdigest()[:20]
    return f"https://images.oxu.az/{story.local_time:%Y/%m/%d}/{digest}:{size}.jpg"


def timestamp(story: Story) -> str:
    return f"{story.local_time:%Y-%m-%d %H:%M:%S}"


def today(edition: Edition) -> datetime:
    """The day the replay's pages are read on: the newest story's."""
    return TEMPLATE_DAYS.get(edition.lang) or datetime(2026, 4, 8)


TEMPLATE_DAYS = {lang: max(s.local_time for s in CORPUS[lang]) for lang in ("az", "ru")}


def dateline(edition: Edition, story: Story, day: datetime) -> str:
    """`8 aprel, 2026 / 12:04`; short months on some az pages (`8 apr, 2026 / 12:04`); else
    `Bu gün` / `Dünən` relative to `day` on pages with JSON-LD (a bare page prints the date)."""
    local, words = story.local_time, CHROME[edition.lang]
    short = edition.lang in SHORT_MONTHS and position(story) % SHORT_MONTH_EVERY == 1
    if not is_bare(story) and not short:
        if local.date() == day.date():
            return f"{words['today']} / {local:%H:%M}"
        if local.date() == (day - timedelta(days=1)).date():
            return f"{words['yesterday']} / {local:%H:%M}"
    months = SHORT_MONTHS[edition.lang] if short else MONTHS[edition.lang]
    return f"{local.day} {months[local.month - 1]}, {local.year} / {local:%H:%M}"


def load_more_target(edition: Edition, cursor: str) -> str:
    return older_cards_target(edition, LOAD_MORE_PATH, cursor)


# --- pages ------------------------------------------------------------------------------------------


def _add_edition(site: ReplaySite, edition: Edition, stories: list[Story], *, page_size: int, feed_size: int) -> None:
    host, prefix = edition.host, edition.prefix
    chunks = [stories[i : i + page_size] for i in range(0, len(stories), page_size)] or [[]]
    declares = DECLARES_LOAD_MORE[edition.lang]
    site.add(host, prefix + LISTING_PATH, Page(200, render_listing(edition, chunks[0], stories, declares)))
    if declares:
        add_load_more_answers(
            site, edition, chunks, path=LOAD_MORE_PATH, cursor=timestamp, render_cards=lambda c: render_cards(edition, c).encode()
        )
    else:  # numbered pages, up to an empty one
        for number, chunk in enumerate([*chunks[1:], []], start=2):
            site.add(host, prefix + PAGE_PATH.format(n=number), Page(200, render_listing(edition, chunk, stories, False)))
    in_feed = feed_stories(stories, feed_size)
    site.add(host, prefix + RSS_PATH, Page(200, render_listing(edition, chunks[0], stories, declares), HTML_TYPE))
    site.add(host, prefix + NEWS_SITEMAP_PATH, Page(200, render_news_sitemap(edition, in_feed), XML_TYPE))
    words = CHROME[edition.lang]
    error = _document(edition, words["error"], "", f"<h1>500</h1><p>{esc(words['error'])}</p>")
    sample = SAMPLE_STORIES[edition.lang]
    site.add(host, TEMPLATE.story_path(edition, sample), Page(200, render_article(edition, sample, stories)))
    for story in stories:
        add_story_pages(
            site, edition, story, TEMPLATE.story_path(edition, story), lambda s=story: render_article(edition, s, stories),
            error_page=error, text_block=b'class="post-detail-content',
        )  # fmt: skip


def _document(edition: Edition, title: str, head: str, main: str) -> bytes:
    base = edition.base_url
    sections = list(CATEGORY_NAMES[edition.lang].items())[:5]
    nav = "".join(f'<li><a href="{base}/{slug}">{esc(name)}</a></li>' for slug, name in sections)
    languages = "".join(f'<a href="{e.base_url}/">{e.lang.upper()}</a>' for e in SITE.editions)
    return f"""<!DOCTYPE html>
<html lang="{edition.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} | Oxu.az</title>
{head}
<link rel="stylesheet" href="https://oxu.az/assets/css/app.css?v=5">
</head>
<body>
<header class="header"><a class="logo" href="{base}/"><img src="https://oxu.az/assets/img/logo.svg" alt="Oxu.az"></a>
  <nav><ul class="menu">{nav}</ul></nav><div class="langs">{languages}<a href="https://oxu.az/tr/">TR</a></div></header>
<main class="main-content">
{main}
</main>
<footer class="footer"><p>© 2016-2026 Oxu.az. Materiallardan istifadə edərkən istinad mütləqdir.</p></footer>
<script src="https://oxu.az/assets/js/app.js?v=5"></script>
</body>
</html>
""".encode()


def _marks(story: Story) -> str:
    return "".join(f'<span class="post-item-tag">{esc(PRINTED_MARKS[m])}</span>' for m in split_title_labels(story.title)[1])


def _card(edition: Edition, story: Story, *, block_is_card: bool = False) -> str:
    headline = split_title_labels(story.title)[0]
    href = TEMPLATE.story_path(edition, story)
    inner = f"""<div class="post-item-img"><img src="{image_url(story, '300')}" alt=""></div>
    <a class="post-item-category" href="{edition.base_url}/{category_slug(edition.lang, story.category, azerbaijani=True)}">{esc(category_name(edition.lang, story.category))}</a>
    {_marks(story)}
    <h2 class="post-item-title"><a href="{href}">{esc(headline)}</a><span></span></h2>
    <div class="post-item-meta"><span>{story.local_time:%H:%M}</span></div>"""
    if block_is_card:
        return f'<div class="index-post-block post-item" data-timestamp="{timestamp(story)}">\n    {inner}\n</div>'
    return f'<div class="index-post-block" data-timestamp="{timestamp(story)}">\n  <div class="post-item">\n    {inner}\n  </div>\n</div>'


def render_cards(edition: Edition, stories: list[Story]) -> str:
    """A "load more" answer: the cards alone ("" after the oldest)."""
    return "\n".join(_card(edition, story) for story in stories)


def render_listing(edition: Edition, chunk: list[Story], stories: list[Story], declares: bool) -> bytes:
    words = CHROME[edition.lang]
    cards = [_card(edition, story, block_is_card=not declares) for story in chunk]
    if cards:  # an ad in the card grid, with no link
        cards.insert(min(2, len(cards)), f'<div class="index-post-block banner"><div class="post-item"><ins>{words["ad"]}</ins></div></div>')
    container = f' class="news-list loadContainer" data-url="{LOAD_MORE_PATH}"' if declares else ' class="news-list"'
    main = f"""<div{container}>
{chr(10).join(cards)}
</div>
<button class="load-more-btn">{esc(words['more'])}</button>"""
    return _document(edition, words["home"], f'<link rel="canonical" href="{edition.base_url}/">', main)


def render_news_sitemap(edition: Edition, stories: list[Story]) -> bytes:
    urls = "".join(
        f"""
  <url><loc>{public_url(edition, s)}</loc><news:news>
    <news:publication><news:name>Oxu.az</news:name><news:language>{edition.lang}</news:language></news:publication>
    <news:publication_date>{s.local_time:%Y-%m-%dT%H:%M:%S}+04:00</news:publication_date>
    <news:title>{esc(split_title_labels(s.title)[0])}</news:title></news:news></url>"""
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}
</urlset>
""".encode()


def _head(edition: Edition, story: Story) -> str:
    url, quirks = public_url(edition, story), story.quirks
    canonical = "" if "no_canonical" in quirks else f'<link rel="canonical" href="{url}">'
    if is_bare(story):
        return canonical
    headline = split_title_labels(story.title)[0]
    iso = baku_time(story).isoformat()
    ld: dict[str, object] = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": headline,
        "articleSection": category_name(edition.lang, story.category),
        "author": [*([{"@type": "Person", "name": story.signature}] if story.signature else []),
                   {"@type": "Organization", "name": "Oxu.az"}],
    }  # fmt: skip
    if "no_date" not in quirks:
        ld["datePublished"] = iso
        ld["dateModified"] = (story.local_time + timedelta(minutes=25)).replace(tzinfo=timezone(BAKU_OFFSET)).isoformat()
    if "no_image" not in quirks:
        ld["image"] = {"@type": "ImageObject", "url": image_url(story)}
    lines = [
        canonical,
        f'<meta property="og:title" content="{esc(headline)}">',
        f'<meta property="og:url" content="{url}">',
        "" if "no_image" in quirks else f'<meta property="og:image" content="{image_url(story)}">',
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>',
    ]
    return "\n".join(line for line in lines if line)


def render_article(edition: Edition, story: Story, stories: list[Story]) -> bytes:
    words, quirks = CHROME[edition.lang], story.quirks
    headline = split_title_labels(story.title)[0]
    category = category_name(edition.lang, story.category)
    when = "" if "no_date" in quirks else f"<span>{dateline(edition, story, today(edition))}</span>"
    related = "\n".join(_card(edition, s) for s in [s for s in stories if s.slug != story.slug][:3])
    main = f"""<nav><ol class="breadcrumb">
  <li class="breadcrumb-item"><a href="{edition.base_url}/"><span>{esc(words['home'])}</span></a></li>
  <li class="breadcrumb-item active"><a href="{edition.base_url}/{category_slug(edition.lang, story.category, azerbaijani=True)}"><span>{esc(category)}</span></a></li>
</ol></nav>
<div class="post-detail">
  <div class="post-detail-title">{_marks(story)}<h1>{esc(headline)}</h1></div>
  <div class="post-detail-meta"><span class="views">{story.id % 9000 + 120}</span>{when}
    <button class="short-url-btn" data-short-link="https://oxu.az/{story.id}">Link</button></div>
  {_content(edition, story)}
</div>
<div class="related-news"><h3>{esc(words['related'])}</h3>
{related}
</div>"""
    return _document(edition, headline, _head(edition, story), main)


def _content(edition: Edition, story: Story) -> str:
    words = CHROME[edition.lang]
    image = "" if "no_image" in story.quirks else f'<img src="{image_url(story)}" alt="">'
    texts = [f"<p>{esc(words['ad'])}</p>"] if "no_body" in story.quirks else [f"<p>{p}</p>" for p in story.paragraphs]
    texts.insert(min(1, len(texts)), '<ins class="adsbygoogle" data-ad-slot="1"></ins>')
    texts.append(f"<p><a href=\"https://t.me/newmedia\">{esc(words['newmedia'])}</a></p>")
    texts.append(f"<p>{esc(words['ad'])}</p>")
    tags = "".join(f'<a href="{edition.base_url}/tag/{esc(t)}">{esc(t)}</a>' for t in story.tags)
    extras = (
        f'<div class="audio-block"><p>{esc(words["listen"])}</p></div><div class="player-area"><script>oxuPlayer()</script></div>'
        f'<div class="tag-area">{tags}</div><div class="social-block2"><p>Facebook Telegram WhatsApp</p></div>'
    )
    text = "\n    ".join(texts)
    if has_outer_body(story):
        return f'<div class="post-detail-content">{image}\n    {text}\n    {extras}</div>'
    return f"""<div class="post-detail-content">{image}<div class="post-detail-content-inner resize-area">
    {text}
    {extras}</div></div>"""
