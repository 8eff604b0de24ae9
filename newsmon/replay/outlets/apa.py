"""APA's markup for the replay: `/all-news?page=N` listings, `/rss`, article pages (newsmon/sites/apa.py reads them).

The first listing pages carry a moved article (en, also in the feed under its new address), a
deleted one (az, 404) and one without a date (ru, also in the feed), which an incremental rerun
must know without fetching them.
"""
from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable
from datetime import datetime, timezone
from email.utils import format_datetime

from newsmon.replay.corpus import CATEGORY_NAMES, Story
from newsmon.replay.site import (
    BAKU_OFFSET,
    JUNK_BYTES,
    MONTHS,
    RSS_TYPE,
    OutletTemplate,
    Page,
    ReplaySite,
    add_story_pages,
    baku_time,
    crawled_record,
    feed_stories,
    plain_text,
)
from newsmon.sites.apa import LISTING_PATH, RSS_PATH, SITE
from newsmon.sites.base import Edition

PAGE_SIZE = 6
# The feed holds the newest stories. The first listing pages carry a moved article (en, also in
# the feed under its new address), a deleted one (az, 404) and one without a date (ru, also in the
# feed), which an incremental rerun must know without fetching them. The stories whose failures
# may pass (5xx, truncated) are deeper: a rerun, which stops at the first page with nothing new,
# does not reach them (it would try them again).
RSS_SIZE = 7
TRACKING_QUERY = "?utm_source=facebook&utm_medium=social&utm_campaign=share"

# Page chrome in each language: navigation, "related news", 404 text, footer junk.
CHROME = {
    "az": {
        "latest": "Son xəbərlər",
        "rates": "Valyuta məzənnələri",
        "weather": "Hava proqnozu",
        "jobs": "Vakansiyalar",
        "related": "Digər xəbərlər",
        "not_found": "Səhifə tapılmadı",
        "error": "Xəta baş verdi",
        "footer": "1 2 3 4 5 İDMAN XƏBƏR",
        "promo": "Valyuta məzənnələri: dolların bugünkü kursu",
    },
    "en": {
        "latest": "Latest news",
        "rates": "Exchange rates",
        "weather": "Weather forecast",
        "jobs": "Vacancies",
        "related": "Related news",
        "not_found": "Page not found",
        "error": "An error occurred",
        "footer": "1 2 3 4 5 SPORTS NEWS",
        "promo": "Exchange rates: the manat against the dollar today",
    },
    "ru": {
        "latest": "Последние новости",
        "rates": "Курсы валют",
        "weather": "Прогноз погоды",
        "jobs": "Вакансии",
        "related": "Другие новости",
        "not_found": "Страница не найдена",
        "error": "Произошла ошибка",
        "footer": "1 2 3 4 5 СПОРТ НОВОСТИ",
        "promo": "Курсы валют: доллар к манату сегодня",
    },
}
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


class ApaTemplate(OutletTemplate):
    outlet = SITE.name
    credit = "APA"

    def editions(self) -> Iterable[Edition]:
        return SITE.editions

    def story_path(self, edition: Edition, story: Story) -> str:
        return story.path

    def add_edition(self, site: ReplaySite, edition: Edition, stories: list[Story]) -> None:
        _add_edition(site, edition, stories, page_size=site.listing_size or PAGE_SIZE, rss_size=site.feed_size or RSS_SIZE)

    def expected_record(self, edition: Edition, story: Story) -> dict[str, object]:
        return _expected_record(edition, story)

    def not_found(self, edition: Edition) -> bytes:
        return not_found_page(edition).body


TEMPLATE = ApaTemplate()


def _expected_record(edition: Edition, story: Story) -> dict[str, object]:
    return crawled_record(
        edition, story, outlet=SITE.name, url=public_url(edition, story),
        dateline=dateline(edition.lang, story.local_time), category=CATEGORY_NAMES[edition.lang][story.category],
        tags=story.tags, authors=[story.signature or story.byline],  # a named signature outranks the "APA" byline
        image_url=image_url(edition, story), image_caption=story.image_alt,
    )  # fmt: skip


def public_url(edition: Edition, story: Story) -> str:
    return edition.base_url + story.path


def moved_from_path(story: Story) -> str:
    """Where a `moved` story used to be: its slug before the headline was edited."""
    return f"/{story.category}/{story.slug.rsplit('-', 1)[0]}-{story.id}"


def image_url(edition: Edition, story: Story, size: str = "big") -> str:
    digest = hashlib.md5(f"{edition.host}/{story.id}".encode()).hexdigest()
    day = story.local_time
    month = MONTHS["en"][day.month - 1].lower()
    return f"{edition.base_url}/storage/news/{day.year}/{month}/{day.day:02d}/{size}/{digest}.jpg"


def dateline(lang: str, local: datetime) -> str:
    """`08 aprel 2026 12:04 (UTC +04:00)`: the article page's dateline."""
    time_text, day_text = listing_date(lang, local)
    return f"{day_text} {time_text} (UTC +04:00)"


def listing_date(lang: str, local: datetime) -> tuple[str, str]:
    """The two spans of a listing item: `17:44`, `21 fevral 2026`."""
    return f"{local:%H:%M}", f"{local.day:02d} {MONTHS[lang][local.month - 1]} {local.year}"


def _add_edition(
    site: ReplaySite, edition: Edition, stories: list[Story], *, page_size: int = PAGE_SIZE, rss_size: int = RSS_SIZE
) -> None:
    host = edition.host
    site.query_paths.add((host, LISTING_PATH))
    chunks = [stories[i : i + page_size] for i in range(0, len(stories), page_size)]
    for number, chunk in enumerate(chunks, start=1):
        entries = [(story, _listing_href(edition, story)) for story in chunk]
        previous_last = chunks[number - 2][-1] if number > 1 else None
        if previous_last is not None and "listed_twice" in previous_last.quirks:
            # New articles pushed it down while a reader paged: it shows on both pages.
            query = TRACKING_QUERY if "tracking_link" in previous_last.quirks else ""
            entries.insert(0, (previous_last, public_url(edition, previous_last) + query))
        body = render_listing(edition, entries, number, len(chunks), stories[:5])
        site.add(host, f"{LISTING_PATH}?page={number}", Page(200, body))
        if number == 1:
            site.add(host, LISTING_PATH, Page(200, body))
    in_feed = feed_stories(stories, rss_size)
    site.add(host, RSS_PATH, Page(200, render_rss(edition, in_feed), RSS_TYPE))
    for story in stories:
        _add_story(site, edition, story, stories)


def _listing_href(edition: Edition, story: Story) -> str:
    if "moved" in story.quirks:
        return edition.base_url + moved_from_path(story)
    return public_url(edition, story)


def _add_story(site: ReplaySite, edition: Edition, story: Story, stories: list[Story]) -> None:
    add_story_pages(
        site, edition, story, story.path, lambda: render_article(edition, story, stories),
        error_page=_error_page(edition), moved_from=moved_from_path(story), text_block=b'class="texts', garble=_garble,
    )  # fmt: skip


def _garble(page: bytes) -> bytes:
    """The page with junk bytes after the header and between the first two paragraphs, an unclosed
    promo block, stray closing tags, and an unclosed inline tag and an unquoted attribute in the
    first paragraph. None of it is inside a field: a forgiving parser reads the article whole."""
    page = page.replace(b"</header>", b"</header>\n" + JUNK_BYTES + b"</span></b><div class=promo><b>Promo", 1)
    page = page.replace(b'<div class="texts mb-site">', b'<div class="texts mb-site"></span>', 1)
    first = page.index(b"<p>", page.index(b'class="texts'))
    end = page.index(b"</p>", first)
    page = page[:first] + b"<p class=lead><i>" + page[first + 3 : end] + b"</p>" + JUNK_BYTES + page[end + 4 :]
    return page.replace(b"</footer>", b"</footer></div></div></div>" + JUNK_BYTES, 1)


def not_found_page(edition: Edition) -> Page:
    words = CHROME[edition.lang]
    return Page(404, _document(edition, words["not_found"], "", f"<h1>404</h1><p>{words['not_found']}</p>"))


def _error_page(edition: Edition) -> bytes:
    words = CHROME[edition.lang]
    return _document(edition, words["error"], "", f"<h1>500</h1><p>{words['error']}</p>")


# --- rendering ------------------------------------------------------------------------------------

esc = html.escape


def _document(edition: Edition, title: str, head: str, main: str, sidebar: str = "") -> bytes:
    words = CHROME[edition.lang]
    base = edition.base_url
    sections = [(LISTING_PATH.lstrip("/"), words["latest"]), *list(CATEGORY_NAMES[edition.lang].items())[:6]]
    nav = "".join(f'<li><a href="{base}/{slug}">{esc(name)}</a></li>' for slug, name in sections)
    return f"""<!DOCTYPE html>
<html lang="{edition.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{head}
<link rel="stylesheet" href="{base}/assets/css/app.css?v=3.4.1">
<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js"></script>
</head>
<body>
<header class="header">
  <div class="top_bar">
    <a href="{base}/rates">{esc(words['rates'])}</a> <a href="{base}/weather-forecast">{esc(words['weather'])}</a>
    <a href="{base}/currency">USD 1.7000</a> <a href="{base}/jobs">{esc(words['jobs'])}</a>
  </div>
  <a class="logo" href="{base}/"><img src="{base}/assets/images/logo.svg" alt="APA"></a>
  <nav class="menu"><ul>{nav}</ul></nav>
</header>
<div class="container">
<div class="row">
<main class="main_col">
{main}
</main>
{sidebar}
</div>
</div>
<footer class="footer">
  <div class="footer_menu">{esc(words['footer'])}</div>
  <p class="copyright">© 2026 APA. APA-nın yazılı icazəsi olmadan materiallardan istifadə qadağandır.</p>
</footer>
<script src="{base}/assets/js/app.js?v=3.4.1"></script>
</body>
</html>
""".encode()


def _sidebar(edition: Edition, latest: Iterable[Story]) -> str:
    items = "".join(
        f'<a class="item" href="{public_url(edition, s)}"><p class="lent-title">{esc(s.title)}</p>'
        f'<div class="date">{s.local_time:%H:%M}</div></a>'
        for s in latest
    )
    return f'<aside class="sidebar"><div class="news_block"><div class="news">{items}</div></div></aside>'


def render_listing(
    edition: Edition, entries: list[tuple[Story, str]], number: int, last: int, latest: list[Story]
) -> bytes:
    base, words = edition.base_url, CHROME[edition.lang]
    items = [_listing_item(edition, story, href) for story, href in entries]
    # Among the news: a paid placement, promos for non-article pages, a tag page, other sites.
    items.insert(min(2, len(items)), _promo_item("javascript:void(0)", words["promo"]))
    extras = {
        1: [f"{base}/weather-forecast", f"{base}/currency"],
        2: [f"{base}/tag/cop29-2024", "https://report.az/iqtisadiyyat/manatin-mezennesi-954000"],
    }.get(number, [f"{base}/jobs/muhasib-vakansiyasi-4410", f"{base}/rates"])
    # An article of another edition (from apa.az, one linked by the old `apa.az/en/...` scheme).
    extras.append(
        "https://apa.az/incident/bakida-iki-avtomobil-toqqusub-xesaret-alan-var-954031"
        if edition.lang != "az"
        else "https://apa.az/en/asia/flydubai-resumes-flights-from-baku-to-dubai-520902"
    )
    items.extend(_promo_item(href, words["promo"]) for href in extras)
    pagination = "".join(
        [f'<li><a href="{base}{LISTING_PATH}?page={max(number - 1, 1)}">«</a></li>']
        + [
            f'<li class="{"active" if n == number else ""}"><a href="{base}{LISTING_PATH}?page={n}">{n}</a></li>'
            for n in range(1, last + 1)
        ]
        + [f'<li><a href="{base}{LISTING_PATH}?page={min(number + 1, last)}" rel="next">»</a></li>']
    )
    main = f"""<div class="breadcrumb_row"><h1>{esc(words['latest'])}</h1></div>
<div class="four_columns_block mt-site">
{chr(10).join(items)}
</div>
<ul class="pagination">{pagination}</ul>"""
    head = f'<link rel="canonical" href="{base}{LISTING_PATH}{f"?page={number}" if number > 1 else ""}">'
    return _document(edition, f"{words['latest']} | APA", head, main, _sidebar(edition, latest))


def _promo_item(href: str, label: str) -> str:
    return f'<a class="item" href="{esc(href)}"><div class="content"><h2 class="title">{esc(label)}</h2></div></a>'


def _listing_item(edition: Edition, story: Story, href: str) -> str:
    time_text, day_text = listing_date(edition.lang, story.local_time)
    return f"""<a class="item news-item" data-news-id="{story.id}" href="{esc(href)}">
  <div class="img">
    <img data-src="{image_url(edition, story, 'list')}" src="{PLACEHOLDER}" alt="{esc(story.title)}">
  </div>
  <div class="content">
    <h2 class="title">{esc(story.title)}</h2>
    <div class="date"><span>{time_text}</span><span>{day_text}</span></div>
  </div>
</a>"""


def render_rss(edition: Edition, stories: list[Story]) -> bytes:
    """The feed as APA serves it (docs/news-sites.md): a newline and eight spaces before `<rss>`
    and no XML declaration, an empty description, guid = link, the image as an enclosure."""
    items = "".join(
        f"""
  <item>
    <title>{esc(s.title)}</title>
    <description></description>
    <guid isPermaLink='true'>{public_url(edition, s)}</guid>
    <category>{esc(CATEGORY_NAMES[edition.lang][s.category])}</category>
    <link>{public_url(edition, s)}</link>
    <pubDate>{format_datetime(baku_time(s))}</pubDate>
    <enclosure url='{image_url(edition, s)}' type='image/jpeg' length='87572'/>
  </item>"""
        for s in stories
    )
    built = max((s.local_time for s in stories), default=datetime(2026, 4, 8))
    return f"""
        <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>APA.AZ- {esc(CHROME[edition.lang]['latest'])}</title><link>{edition.base_url}/</link>
  <language>{edition.lang}</language><lastBuildDate>{format_datetime(built.replace(tzinfo=timezone(BAKU_OFFSET)))}</lastBuildDate><webMaster>info@apa.az (Azerbaijani Press Agency)</webMaster>{items}
</channel></rss>
""".encode()


def render_article(edition: Edition, story: Story, stories: list[Story]) -> bytes:
    url = public_url(edition, story)
    lead = esc(plain_text(story.paragraphs[0])[:160]) if story.paragraphs else ""
    head = f"""<meta name="description" content="{lead}">
{_canonical_link(edition, story)}
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(story.title)}">
<meta property="og:url" content="{url}">
<meta property="og:description" content="{lead}">
<meta property="og:image" content="{image_url(edition, story)}">"""
    printed = dateline(edition.lang, story.local_time)
    date_html = "" if "no_date" in story.quirks else (
        f'<div class="date_news"><div class="date"><span class="date">{printed}</span></div></div>'
    )
    tag_links = "".join(
        f'<a href="{edition.base_url}/tag/{esc(tag.lower().replace(" ", "-"))}">{esc(tag)}</a>' for tag in story.tags
    )
    gallery = image_url(edition, story, "gallery")
    main = f"""<div class="breadcrumb_row"><h1>{esc(CATEGORY_NAMES[edition.lang][story.category])}</h1></div>
<div class="news_main"><div class="content_main">
  {_headline(story)}
  {date_html}
  {_main_image(edition, story)}
  <div class="news_content mt-site">
    <div class="texts mb-site">
{_texts(edition, story, stories)}
    </div>
    <div class="tabs_container">
      <div id="photos"><p>{esc(CHROME[edition.lang]['related'])}</p><a href="{gallery}">1/3</a></div>
    </div>
  </div>
  <div class="news_in_gallery"><a href="{gallery}"></a></div>
  <div class="tags mt-site"><span>{esc(story.byline)}</span><div class="links">{tag_links}</div></div>
</div></div>"""
    return _document(edition, f"{story.title} | APA", head, main, _sidebar(edition, stories[:5]))


def _canonical_link(edition: Edition, story: Story) -> str:
    if "no_canonical" in story.quirks:
        return ""
    if "foreign_canonical" in story.quirks:  # syndicated: the partner's address
        return f'<link rel="canonical" href="https://report.az/{story.category}/{story.slug}/">'
    return f'<link rel="canonical" href="{public_url(edition, story)}">'


def _headline(story: Story) -> str:
    if "og_title_only" in story.quirks:
        return ""
    tag = "h1" if "old_layout" in story.quirks else "h2"
    return f'<{tag} class="title_news">{esc(story.title)}</{tag}>'


def _main_image(edition: Edition, story: Story) -> str:
    quirks = story.quirks
    if "no_image" in quirks:
        return ""
    address = image_url(edition, story)
    alt = esc(story.image_alt or story.title)
    if "lazy_image" in quirks:
        return f'<div class="main_img"><img src="{PLACEHOLDER}" data-src="{address}" alt="{alt}"></div>'
    if "relative_image" in quirks:
        address = address.removeprefix(edition.base_url)
    return f'<div class="main_img"><img src="{address}" alt="{alt}"></div>'


def _texts(edition: Edition, story: Story, stories: list[Story]) -> str:
    """The text block: paragraphs with an ad, a video ad, related headlines and embeds among them."""
    others = [s for s in stories if s.id != story.id][:3]
    related = "".join(f'<a href="{public_url(edition, s)}">{esc(s.title)}</a>' for s in others)
    fillers = [
        '<div class="rek_banner"><ins class="adsbygoogle" data-ad-client="ca-pub-0000" data-ad-slot="11"></ins>'
        "<script>(adsbygoogle = window.adsbygoogle || []).push({});</script></div>",
        '<div class="AdviadNativeVideo"></div>',
        f'<div class="links_block"><p>{esc(CHROME[edition.lang]["related"])}</p>{related}</div>',
        '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" width="560" height="315"></iframe>'
        '<script>window.apaStats && apaStats.track("video");</script>',
    ]
    sloppy = "sloppy_markup" in story.quirks
    blocks = []
    for index, paragraph in enumerate(story.paragraphs):
        if sloppy:
            # Unclosed, upper-case paragraphs with non-breaking spaces: lxml must still cope.
            blocks.append("<P>" + paragraph.replace(" ", "&nbsp;", 2))
        else:
            blocks.append(f"<p>{paragraph}</p>")
        if index < len(fillers):
            blocks.append(fillers[index])
    if not story.paragraphs:  # only the ads and the related block
        blocks.extend(fillers)
    if story.signature:
        blocks.append(f"<p><strong>{esc(story.signature)}</strong></p>")
    return "\n".join("      " + block for block in blocks)


