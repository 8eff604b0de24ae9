"""Report.az's markup for the replay (newsmon/sites/report.py reads it), one host for three editions.

az at the root of report.az, en under /en, ru under /ru: every page of an edition is under its
prefix (`/en/son-xeberler`, `/en/rss/`, `/en/energy/<slug>`), on the one port of `report.az`.

- `/son-xeberler`: the newest cards (`div.index-post-block[data-timestamp]`, Baku time) and
  `.loadContainer[data-url]` naming the "load more" path (`/infinity/index` on az and ru, the
  prefixed `/en/infinity/index` on en: the parser takes both). `<prefix>/infinity/index?date=<the
  last card's timestamp>&oldest=1` answers the next older cards; the answer after the oldest
  card is empty, so the cursor ends. Any other cursor is a 404 (a query-selecting path).
- `/rss/` (RFC-822 `+0400` pubDates, the second item without seconds, as seen in the wild) and
  `/news-sitemap.xml` hold the newest stories, all on the first listing page.
- Articles `/<category>/<slug>`, no id (the id is in `.copy-url[data-url]` only): canonical, og
  tags, `article:published_time` with `+04:00`, JSON-LD NewsArticle, `h1.section-title`, the
  head's category and two-`li` dateline, the main photo, the text with share/subscribe lines,
  a tweet and the tags inside it, related cards with the same date classes below.
- `/search?query=...` answers 404 with a "nothing found" page (the reference's trap).

The stories are the shared corpus as Report runs them: APA's credit swapped for Report's
in-sentence credit and the paragraphs after the lead in another order, so each is a near-copy
of APA's (one story) with another content hash. Only stories whose quirks this markup renders
are carried. One story's headline was edited after publication and its slug was not
(TITLE_CHANGES: `68` in the slug, `69` in the title), as on the live site.

The stories whose failures may pass (5xx, truncated) are past the first listing page and out of
the feeds: a rerun, which stops at the first page with nothing new, does not reach them.
"""
from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from newsmon.replay.corpus import CATEGORY_NAMES, Story
from newsmon.replay.corpus import category_slug as corpus_category_slug
from newsmon.replay.site import (
    BAKU_OFFSET,
    CORPUS,
    MONTHS,
    RSS_TYPE,
    XML_TYPE,
    OutletTemplate,
    Page,
    ReplaySite,
    add_load_more_answers,
    add_story_pages,
    crawled_record,
    credit_lead,
    feed_stories,
    older_cards_target,
    plain_text,
)
from newsmon.sites.base import Edition
from newsmon.sites.report import LISTING_PATH, LOAD_MORE_PATH, NEWS_SITEMAP_PATH, RSS_PATH, SITE

PAGE_SIZE = 4  # cards on /son-xeberler and in each "load more" answer
FEED_SIZE = 3  # items in /rss/ and /news-sitemap.xml: all on the first listing page
SEARCH_PATH = "/search"
# Quirks this markup renders (the served ones through add_story_pages, the others below);
# stories with any other quirk (APA's layouts, redirects, listings) are not carried.
RENDERED_QUIRKS = frozenset(
    {"gone", "server_error", "empty_response", "truncated", "flaky", "no_date", "no_body", "no_image", "lazy_image",
     "no_canonical"}
)  # fmt: skip
# (lang, corpus slug) -> the headline as edited after publication; the slug keeps the old one.
TITLE_CHANGES = {("az", "azerbaycan-neftinin-qiymeti-68-dollari-otub"): "Azərbaycan neftinin qiyməti 69 dolları ötüb"}
# The "load more" path each edition's listing names (the parser puts a bare one under the prefix).
LOAD_MORE_DECLARED = {"az": LOAD_MORE_PATH, "en": "/en" + LOAD_MORE_PATH, "ru": LOAD_MORE_PATH}
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAAAAACw="

# APA's credit in the corpus -> Report's, in the sentence (`“Report”un məlumatına görə`).
CREDITS = {
    "az": (
        (re.compile(r"APA-nın"), "“Report”un"),
        (re.compile(r"APA-ya"), "“Report”a"),
        (re.compile(r"\bAPA\b"), "“Report”"),
    ),
    "en": ((re.compile(r"\bAPA reports\b"), "Report informs"), (re.compile(r"\bAPA\b"), "Report")),
    "ru": ((re.compile(r"\bAPA\b"), "Report"),),
}
# A lead without a credit gets Report's at its end.
LEAD_CREDIT = {"az": ", “Report” xəbər verir.", "en": ", Report informs.", "ru": ", сообщает Report."}

CHROME = {
    "az": {
        "latest": "Son xəbərlər", "more": "Daha çox", "related": "Digər xəbərlər", "tags": "Teqlər",
        "not_found": "Səhifə tapılmadı", "error": "Xəta baş verdi", "search": "Axtarış nəticəsi tapılmadı",
        "telegram": "Ən son xəbərləri “Report”un Telegram kanalında izləyin",
        "share": "Sosial şəbəkələrdə paylaşın: Facebook, Twitter, WhatsApp",
        "desk": "{} şöbəsi", "ad": "Reklam",
    },
    "en": {
        "latest": "Latest news", "more": "Load more", "related": "Related news", "tags": "Tags",
        "not_found": "Page not found", "error": "An error occurred", "search": "Nothing found",
        "telegram": "Follow Report on Telegram for the latest news",
        "share": "Share on Facebook, Twitter, WhatsApp",
        "desk": "{} desk", "ad": "Advertisement",
    },
    "ru": {
        "latest": "Последние новости", "more": "Показать еще", "related": "Другие новости", "tags": "Теги",
        "not_found": "Страница не найдена", "error": "Произошла ошибка", "search": "Ничего не найдено",
        "telegram": "Подписывайтесь на Telegram-канал Report",
        "share": "Поделиться: Facebook, Twitter, WhatsApp",
        "desk": "Отдел «{}»", "ad": "Реклама",
    },
}  # fmt: skip

esc = html.escape

# The site module's sample articles (`scrapy check report`), served at their paths but listed
# nowhere: the reference's own examples, the az one with its headline edited (`51` in the slug).
SAMPLE_STORIES = {
    "az": Story(
        id=2100457, category="incident", slug="mingecevirde-51-yasli-kisi-aldigi-xesaretden-olub",
        title="Mingəçevirdə 52 yaşlı kişi aldığı xəsarətdən ölüb", published="2026-04-06 10:12",
        paragraphs=("Mingəçevirdə 52 yaşlı kişi evdə yıxılaraq aldığı xəsarətdən ölüb, “Report” xəbər verir.",
                    "Hadisə ilə bağlı araşdırma aparılır."),
    ),
    "en": Story(
        id=2100458, category="domestic-politics",
        slug="azerbaijan-extends-special-quarantine-regime-until-january-2027",
        title="Azerbaijan extends special quarantine regime until January 2027", published="2026-04-06 11:30",
        paragraphs=("The special quarantine regime in Azerbaijan has been extended until January 1, 2027, Report informs.",
                    "The decision was made by the Cabinet of Ministers."),
    ),
    "ru": Story(
        id=2100459, category="cop29",
        slug="unep-izmenenie-klimata-nanosit-znachitelnyj-usherb-shesti-stranam-kavkaza",
        title="UNEP: изменение климата наносит значительный ущерб шести странам Кавказа",
        published="2026-04-06 12:45",
        paragraphs=("Изменение климата наносит значительный ущерб шести странам Кавказа, сообщает Report.",
                    "Об этом говорится в докладе Программы ООН по окружающей среде."),
    ),
}  # fmt: skip
SAMPLE_CATEGORIES = {"domestic-politics": "Domestic politics", "cop29": "COP29"}


def category_slug(lang: str, category: str) -> str:
    return corpus_category_slug(lang, category, azerbaijani=True)  # `/hadise/`, not APA's `/incident/`


def category_name(lang: str, slug: str) -> str:
    return CATEGORY_NAMES[lang].get(slug) or SAMPLE_CATEGORIES[slug]


class ReportTemplate(OutletTemplate):
    outlet = SITE.name
    credit = "Report"

    def editions(self) -> Iterable[Edition]:
        return SITE.editions

    def stories(self, edition: Edition) -> list[Story]:
        return [
            as_report_runs_it(edition.lang, story)
            for story in CORPUS[edition.lang]
            if story.quirks <= RENDERED_QUIRKS
        ]

    def story_path(self, edition: Edition, story: Story) -> str:
        return f"{edition.prefix}/{category_slug(edition.lang, story.category)}/{story.slug}"

    def add_edition(self, site: ReplaySite, edition: Edition, stories: list[Story]) -> None:
        _add_edition(site, edition, stories, page_size=site.listing_size or PAGE_SIZE, feed_size=site.feed_size or FEED_SIZE)

    def expected_record(self, edition: Edition, story: Story) -> dict[str, object]:
        return crawled_record(
            edition, story, outlet=SITE.name, url=public_url(edition, story),
            published_at=published_time(story).astimezone(timezone.utc), dateline=dateline(edition.lang, published_time(story)),
            category=category_name(edition.lang, story.category), tags=story.tags, authors=authors(edition, story),
            image_url=image_url(story),  # Report prints no caption under the main photo
        )  # fmt: skip

    def not_found(self, edition: Edition) -> bytes:
        words = CHROME[edition.lang]
        return _document(edition, words["not_found"], "", f"<h1 class=\"section-title\">404</h1><p>{words['not_found']}</p>")


TEMPLATE = ReportTemplate()


# --- the stories as Report runs them ------------------------------------------------------------


def as_report_runs_it(lang: str, story: Story) -> Story:
    """The corpus story rewritten as Report's copy: its credit, the paragraphs after the lead
    in reverse order, and an edited headline where TITLE_CHANGES says (the slug stays)."""
    paragraphs = [_credited(lang, p) for p in story.paragraphs]
    if paragraphs and "Report" not in paragraphs[0]:
        paragraphs[0] = credit_lead(paragraphs[0], LEAD_CREDIT[lang])
    paragraphs = paragraphs[:1] + paragraphs[1:][::-1]
    title = TITLE_CHANGES.get((lang, story.slug), story.title)
    return dataclasses.replace(story, title=title, paragraphs=tuple(paragraphs), byline="Report")


def _credited(lang: str, paragraph: str) -> str:
    for pattern, replacement in CREDITS[lang]:
        paragraph = pattern.sub(replacement, paragraph)
    return paragraph


# --- addresses and times ------------------------------------------------------------------------


def public_url(edition: Edition, story: Story) -> str:
    return edition.origin + TEMPLATE.story_path(edition, story)


def published_time(story: Story) -> datetime:
    """Baku time with seconds (Report's timestamps have them; the corpus has minutes)."""
    local = story.local_time + timedelta(seconds=story.id * 7 % 60)
    return local.replace(tzinfo=timezone(BAKU_OFFSET))


def timestamp(story: Story) -> str:
    """A card's data-timestamp: `2026-04-08 12:40:07`, Baku time."""
    return f"{published_time(story):%Y-%m-%d %H:%M:%S}"


def date_parts(lang: str, when: datetime) -> tuple[str, str]:
    """The two `li` of a dateline: `08 aprel, 2026`, `12:40`."""
    return f"{when.day:02d} {MONTHS[lang][when.month - 1]}, {when.year}", f"{when:%H:%M}"


def dateline(lang: str, when: datetime) -> str:
    return " ".join(date_parts(lang, when))


def image_url(story: Story, size: str = "850") -> str:
    digest = hashlib.md5(f"report/{story.id}".encode()).hexdigest()[:16]
    day = story.local_time
    return f"https://static.report.az/photo/{day:%Y/%m/%d}/{digest}_{size}.jpg"


def authors(edition: Edition, story: Story) -> list[str]:
    """JSON-LD author.name: the signed author, else the category's desk."""
    return [story.signature or CHROME[edition.lang]["desk"].format(category_name(edition.lang, story.category))]


def load_more_target(edition: Edition, cursor: str) -> str:
    return older_cards_target(edition, LOAD_MORE_PATH, cursor)


# --- the edition's pages ------------------------------------------------------------------------


def _add_edition(site: ReplaySite, edition: Edition, stories: list[Story], *, page_size: int, feed_size: int) -> None:
    host, prefix = edition.host, edition.prefix
    chunks = [stories[i : i + page_size] for i in range(0, len(stories), page_size)] or [[]]
    site.add(host, prefix + LISTING_PATH, Page(200, render_listing(edition, chunks[0], stories)))
    add_load_more_answers(
        site, edition, chunks, path=LOAD_MORE_PATH, cursor=timestamp, render_cards=lambda c: render_cards(edition, c).encode()
    )
    in_feed = feed_stories(stories, feed_size)
    site.add(host, prefix + RSS_PATH, Page(200, render_rss(edition, in_feed), RSS_TYPE))
    site.add(host, prefix + NEWS_SITEMAP_PATH, Page(200, render_news_sitemap(edition, in_feed), XML_TYPE))
    words = CHROME[edition.lang]
    search = f'<h1 class="section-title">{esc(words["search"])}</h1><div class="row"></div>'
    site.add(host, prefix + SEARCH_PATH, Page(404, _document(edition, words["search"], "", search)))
    error = _document(edition, words["error"], "", f'<h1 class="section-title">500</h1><p>{esc(words["error"])}</p>')
    sample = SAMPLE_STORIES[edition.lang]
    site.add(host, TEMPLATE.story_path(edition, sample), Page(200, render_article(edition, sample, stories)))
    for story in stories:
        add_story_pages(
            site, edition, story, TEMPLATE.story_path(edition, story), lambda s=story: render_article(edition, s, stories),
            error_page=error, text_block=b'class="news-detail__desc',
        )  # fmt: skip


def _document(edition: Edition, title: str, head: str, main: str) -> bytes:
    words = CHROME[edition.lang]
    base = edition.base_url
    sections = list(CATEGORY_NAMES[edition.lang].items())[:6]
    nav = "".join(f'<li><a href="{base}/{slug}">{esc(name)}</a></li>' for slug, name in sections)
    languages = "".join(f'<a href="{e.base_url}/">{e.lang.upper()}</a>' for e in SITE.editions)
    return f"""<!DOCTYPE html>
<html lang="{edition.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} | Report.az</title>
{head}
<link rel="stylesheet" href="https://report.az/assets/css/main.css?v=2.8">
<script async src="https://www.googletagmanager.com/gtag/js?id=G-0000"></script>
</head>
<body>
<header class="header">
  <a class="logo" href="{base}/"><img src="https://report.az/assets/images/logo.svg" alt="Report"></a>
  <nav class="header__menu"><ul><li><a href="{base}{LISTING_PATH}">{esc(words['latest'])}</a></li>{nav}</ul></nav>
  <div class="header__langs">{languages}</div>
  <form class="header__search" action="{base}{SEARCH_PATH}"><input name="query"></form>
</header>
<main class="main">
{main}
</main>
<footer class="footer">
  <p>© 2014-2026 Report İnformasiya Agentliyi. Materiallardan istifadə edərkən istinad mütləqdir.</p>
  <a href="https://t.me/report_az">Telegram</a> <a href="https://facebook.com/report.az">Facebook</a>
</footer>
<script src="https://report.az/assets/js/main.js?v=2.8"></script>
</body>
</html>
""".encode()


def _card(edition: Edition, story: Story) -> str:
    day, clock = date_parts(edition.lang, published_time(story))
    return f"""<div class="col-md-3 index-post-block" data-timestamp="{timestamp(story)}">
  <a class="news__item" href="{TEMPLATE.story_path(edition, story)}">
    <img data-src="{image_url(story, '300')}" src="{PLACEHOLDER}" alt="">
    <span class="news__category">{esc(category_name(edition.lang, story.category))}</span>
    <h2 class="news__title">{esc(story.title)}</h2>
    <ul class="news__date"><li>{day}</li><li>{clock}</li></ul>
  </a>
</div>"""


def render_cards(edition: Edition, stories: list[Story]) -> str:
    """A "load more" answer: the cards alone, as the site's AJAX returns them ("" after the last)."""
    return "\n".join(_card(edition, story) for story in stories)


def render_listing(edition: Edition, first: list[Story], stories: list[Story]) -> bytes:
    words = CHROME[edition.lang]
    cards = [_card(edition, story) for story in first]
    # An ad block with the card's class and no link, and a special project's tag page.
    cards.insert(min(2, len(cards)), f'<div class="col-md-3 index-post-block banner"><div class="adv">{words["ad"]}</div></div>')
    cards.append(
        f'<div class="col-md-3 index-post-block"><a class="news__item" href="{edition.prefix}/tag/cop29">'
        f'<h2 class="news__title">COP29</h2></a></div>'
    )
    main = f"""<h1 class="section-title">{esc(words['latest'])}</h1>
<div class="row loadContainer" data-url="{LOAD_MORE_DECLARED[edition.lang]}">
{chr(10).join(cards)}
</div>
<button class="load-more">{esc(words['more'])}</button>"""
    head = f'<link rel="canonical" href="{edition.base_url}{LISTING_PATH}">'
    return _document(edition, words["latest"], head, main)


def _rss_date(story: Story, *, seconds: bool = True) -> str:
    when = published_time(story)
    if seconds:
        return format_datetime(when)  # Wed, 08 Apr 2026 12:40:07 +0400
    return format_datetime(when.replace(second=0)).replace(":00 +", " +")  # Wed, 08 Apr 2026 12:40 +0400


def render_rss(edition: Edition, stories: list[Story]) -> bytes:
    items = "".join(
        f"""
    <item>
      <title>{esc(s.title)}</title>
      <link>{public_url(edition, s)}</link>
      <guid isPermaLink="true">{public_url(edition, s)}</guid>
      <description><![CDATA[{plain_text(s.paragraphs[0]) if s.paragraphs else ''}]]></description>
      <category>{esc(category_name(edition.lang, s.category))}</category>
      <pubDate>{_rss_date(s, seconds=index != 1)}</pubDate>
    </item>"""
        for index, s in enumerate(stories)
    )
    built = _rss_date(stories[0]) if stories else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Report.az</title>
    <link>{edition.base_url}/</link>
    <description>Report İnformasiya Agentliyi</description>
    <language>{edition.lang}</language>
    <lastBuildDate>{built}</lastBuildDate>
    <atom:link href="{edition.base_url}{RSS_PATH}" rel="self" type="application/rss+xml"/>{items}
  </channel>
</rss>
""".encode()


def render_news_sitemap(edition: Edition, stories: list[Story]) -> bytes:
    urls = "".join(
        f"""
  <url>
    <loc>{public_url(edition, s)}</loc>
    <news:news>
      <news:publication><news:name>Report</news:name><news:language>{edition.lang}</news:language></news:publication>
      <news:publication_date>{published_time(s).isoformat()}</news:publication_date>
      <news:title>{esc(s.title)}</news:title>
    </news:news>{'' if 'no_image' in s.quirks else f'{chr(10)}    <image:image><image:loc>{image_url(s)}</image:loc></image:image>'}
  </url>"""
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">{urls}
</urlset>
""".encode()


def render_article(edition: Edition, story: Story, stories: list[Story]) -> bytes:
    url, quirks, words = public_url(edition, story), story.quirks, CHROME[edition.lang]
    category = category_name(edition.lang, story.category)
    when = published_time(story)
    texts = [plain_text(p) for p in story.paragraphs]
    lead = esc(texts[0][:160]) if texts else ""
    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": url,
        "headline": story.title,
        "author": [{"@type": "Person", "name": name} for name in authors(edition, story)],
        "publisher": {"@type": "Organization", "name": "Report"},
    }
    if "no_date" not in quirks:
        ld["datePublished"] = when.isoformat()
    if texts:
        ld["articleBody"] = "\n".join(texts)
    if "no_image" not in quirks:
        ld["image"] = image_url(story)
    breadcrumbs = {
        "@context": "https://schema.org", "@type": "BreadcrumbList",
        "itemListElement": [{"@type": "ListItem", "position": 1, "name": category, "item": f"{edition.base_url}/{category_slug(edition.lang, story.category)}"}],
    }  # fmt: skip
    head = "\n".join(
        line
        for line in (
            f'<meta name="description" content="{lead}">',
            "" if "no_canonical" in quirks else f'<link rel="canonical" href="{url}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{esc(story.title)}">',
            f'<meta property="og:url" content="{url}">',
            f'<meta property="og:description" content="{lead}">',
            "" if "no_image" in quirks else f'<meta property="og:image" content="{image_url(story, "1200")}">',
            "" if "no_date" in quirks else f'<meta property="article:published_time" content="{when.isoformat()}">',
            f'<meta property="article:section" content="{esc(category)}">',
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>',
            f'<script type="application/ld+json">{json.dumps(breadcrumbs, ensure_ascii=False)}</script>',
        )
        if line
    )
    day, clock = date_parts(edition.lang, when)
    related = "\n".join(_card(edition, s) for s in [s for s in stories if s.slug != story.slug][:3])
    date_html = "" if "no_date" in quirks else f'<ul class="news__date"><li>{day}</li><li>{clock}</li></ul>'
    main = f"""<div class="news-detail">
  <h1 class="section-title">{esc(story.title)}</h1>
  <div class="news-detail__head">
    <a class="news__category" href="{edition.base_url}/{category_slug(edition.lang, story.category)}">{esc(category)}</a>
    {date_html}
    <span class="copy-url" data-url="report.az/{story.id}">Copy link</span>
  </div>
  {_main_photo(story)}
  <div class="news-detail__desc">
{_desc(edition, story)}
  </div>
</div>
<div class="related-news"><h3>{esc(words['related'])}</h3>
{related}
</div>"""
    return _document(edition, story.title, head, main)


def _main_photo(story: Story) -> str:
    if "no_image" in story.quirks:
        return ""
    if "lazy_image" in story.quirks:
        return f'<div class="news-detail__main-photo"><img src="{PLACEHOLDER}" data-src="{image_url(story)}" alt=""></div>'
    return f'<div class="news-detail__main-photo"><img src="{image_url(story)}" alt=""></div>'


def _desc(edition: Edition, story: Story) -> str:
    """The text block: paragraphs, a tweet after the second, share and subscribe lines, the tags."""
    words = CHROME[edition.lang]
    blocks = [f"<p>{paragraph}</p>" for paragraph in story.paragraphs]
    tweet = (
        '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Live from Baku: more details soon'
        ' pic.twitter.com/x0x0x0</p>&mdash; Report.az (@report_az) <a href="https://twitter.com/report_az/status/1">'
        "April 8, 2026</a></blockquote>"
        '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>'
    )
    blocks.insert(min(2, len(blocks)), tweet)
    blocks.append(f"<p><strong>{esc(words['telegram'])}</strong></p>")
    blocks.append(f"<p>{esc(words['share'])}</p>")
    tags = "".join(f'<a href="{edition.base_url}/tags/{esc(re.sub(r"[^a-z0-9]+", "-", t.lower()).strip("-"))}">{esc(t)}</a>' for t in story.tags)
    blocks.append(f'<div class="tags"><span>{esc(words["tags"])}:</span> {tags}</div>')
    return "\n".join("    " + block for block in blocks)
