"""A local replay of the monitored outlets, rendered in each outlet's markup from one corpus.

`build_replay()` gives every outlet that has a template (newsmon/replay/outlets/): each edition
with its listing pages, feeds, robots.txt and article pages, full of the things a real page
carries (ads and related headlines inside the text, navigation, footer junk), plus the quirks
of corpus.QUIRKS. The stories come from one shared corpus (corpus_*.py, per language); each
outlet renders them in its own markup and URL scheme, under its own credit line, so copies of
one event stand on several outlets, as they do in the wild. `expected_articles()` says what a
crawl must store from it, field by field; `synthetic_replay(n)` renders n generated articles
for the crawl benchmark.

Links in pages are absolute addresses on the real hosts (`https://en.apa.az/...`), as on the
live site; the spider maps them to the replay server (`-a base_url=`). Redirects are relative,
as a mirror rewrites them.
"""
from __future__ import annotations

import dataclasses
import html
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import urlencode

from newsmon.replay import corpus_az, corpus_en, corpus_ru
from newsmon.replay.corpus import CATEGORY_NAMES, Story
from newsmon.replay.synthetic import pseudo_words, synthetic_text
from newsmon.sites.base import Edition
from newsmon.text import split_title_labels

BAKU_OFFSET = timedelta(hours=4)  # Azerbaijan has kept UTC+4 all year since 2016
HTML_TYPE = "text/html; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
ROBOTS_TXT = b"User-agent: *\nDisallow: /admin/\nDisallow: /search\n"
# What a broken CMS include or proxy leaves in a page: bytes that are not UTF-8, a NUL, terminal junk.
JUNK_BYTES = b"\x00\xff\xfe\xc3\x28\x1b[0m \xd0"
NO_ANSWER = 0  # the status of a stalled page, which the server never answers

CORPUS: dict[str, Sequence[Story]] = {
    "az": corpus_az.STORIES,
    "en": corpus_en.STORIES,
    "ru": corpus_ru.STORIES,
}


@dataclass(frozen=True)
class Page:
    status: int
    body: bytes
    content_type: str = HTML_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    fail_first: int = 0  # answer 503 this many times before serving the page
    stall: float = 0.0  # seconds the server holds the request without answering (then it hangs up)

    @classmethod
    def stalled(cls, seconds: float) -> "Page":
        """A page that never comes: the server holds the request `seconds` (or until it stops), then
        drops the connection. A crawl with a shorter DOWNLOAD_TIMEOUT counts it as `timeout`."""
        return cls(NO_ANSWER, b"", stall=seconds)


@dataclass
class ReplaySite:
    """Pages by host and request target, and what a crawl must make of them, by scope (`apa:en`)."""

    pages: dict[str, dict[str, Page]] = field(default_factory=dict)
    stories: dict[str, list[Story]] = field(default_factory=dict)  # by scope, newest first
    editions: dict[str, tuple["OutletTemplate", Edition]] = field(default_factory=dict)  # by scope
    # Paths whose query selects the page (listing pages): an unknown query there is a 404.
    query_paths: set[tuple[str, str]] = field(default_factory=set)
    # Articles per listing page and feed; None: each template's own (the benchmark asks for more).
    listing_size: int | None = None
    feed_size: int | None = None
    # Hosts that turn clients away, as some sites do: given the request's User-Agent, the page to
    # answer instead of the one asked for (a 400 for a non-browser agent, a 403 for everyone), or None.
    gates: dict[str, Callable[[str], Page | None]] = field(default_factory=dict)

    @property
    def hosts(self) -> list[str]:
        return list(self.pages)

    def edition(self, scope: str) -> Edition:
        return self.editions[scope][1]

    def scopes_of(self, outlet: str) -> list[str]:
        return [scope for scope in self.editions if scope.split(":", 1)[0] == outlet]

    def add(self, host: str, target: str, page: Page) -> None:
        self.pages.setdefault(host, {})[target] = page

    def answer(self, host: str, target: str, user_agent: str = "") -> Page:
        """What the host answers a request: its gate's refusal, or the page."""
        gate = self.gates.get(host)
        refusal = gate(user_agent) if gate is not None else None
        return refusal or self.find(host, target)

    def find(self, host: str, target: str) -> Page:
        """The page for a request target; like the real sites, unknown query parameters are ignored
        (but for listing pages, where the query names the page)."""
        pages = self.pages.get(host, {})
        path = target.split("?", 1)[0]
        page = pages.get(target) or (pages.get(path) if (host, path) not in self.query_paths else None)
        return page or self.not_found(host, path)

    def not_found(self, host: str, path: str) -> Page:
        for template, edition in self.editions.values():
            if edition.host == host and edition.owns_path(path) and edition.prefix:
                return Page(404, template.not_found(edition))
        template, edition = next((t, e) for t, e in self.editions.values() if e.host == host)
        return Page(404, template.not_found(edition))

    def article_paths(self, host: str) -> set[str]:
        return {
            template.story_path(edition, story)
            for scope, (template, edition) in self.editions.items()
            if edition.host == host
            for story in self.stories[scope]
        }


class OutletTemplate:
    """How one outlet renders the shared corpus: its URL scheme and markup (outlets/<name>.py)."""

    outlet: str
    credit: str  # the agency's name in leads ("APA", "Report")

    def editions(self) -> Iterable[Edition]:
        raise NotImplementedError

    def stories(self, edition: Edition) -> list[Story]:
        """The corpus stories this edition carries, newest first."""
        return list(CORPUS[edition.lang])

    def story_path(self, edition: Edition, story: Story) -> str:
        raise NotImplementedError

    def add_edition(self, site: ReplaySite, edition: Edition, stories: list[Story]) -> None:
        raise NotImplementedError

    def expected_record(self, edition: Edition, story: Story) -> dict[str, object]:
        raise NotImplementedError

    def not_found(self, edition: Edition) -> bytes:
        raise NotImplementedError


def browsers_only(status: int) -> Callable[[str], Page | None]:
    """A host gate (ReplaySite.gates) answering `status` to a client whose User-Agent has no `Mozilla/`."""

    def gate(user_agent: str) -> Page | None:
        if "Mozilla/" in user_agent:
            return None
        return Page(status, f"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>".encode())

    return gate


def templates() -> dict[str, OutletTemplate]:
    from newsmon.replay.outlets import TEMPLATES  # the templates import this module

    return TEMPLATES


def build_replay(outlets: Iterable[str] | None = None) -> ReplaySite:
    """The replay of `outlets` (default: every outlet with a template), all editions."""
    site = ReplaySite()
    chosen = templates() if outlets is None else {name: templates()[name] for name in outlets}
    for template in chosen.values():
        for edition in template.editions():
            add_edition(site, template, edition, template.stories(edition))
    return site


def add_edition(site: ReplaySite, template: OutletTemplate, edition: Edition, stories: list[Story]) -> None:
    scope = f"{template.outlet}:{edition.lang}"
    site.stories[scope] = stories
    site.editions[scope] = (template, edition)
    site.add(edition.host, "/robots.txt", Page(200, ROBOTS_TXT, "text/plain; charset=utf-8"))
    template.add_edition(site, edition, stories)


def retitle(site: ReplaySite, scope: str, slug: str, title: str) -> Story:
    """Edit a story's headline on the replay (its slug stays), as outlets do after publication:
    every page of its edition shows the new one. Returns the edited story."""
    template, edition = site.editions[scope]
    stories = site.stories[scope]
    index = next(i for i, s in enumerate(stories) if s.slug == slug)
    stories[index] = dataclasses.replace(stories[index], title=title)
    template.add_edition(site, edition, stories)
    return stories[index]


def synthetic_replay(
    count: int, *, outlet: str = "apa", lang: str = "", page_size: int = 20, seed: int = 2026
) -> ReplaySite:
    """One edition (`lang`, default: the outlet's English one, else its first) with `count`
    generated articles, distinct texts, no quirks (for benchmarks)."""
    from newsmon.sites import REGISTRY

    # An outlet found by its feed alone lists every article there; the others, the newest 50.
    site = ReplaySite(listing_size=page_size, feed_size=50 if REGISTRY[outlet].discovery.listing else count)
    template = templates()[outlet]
    editions = list(template.editions())
    edition = next((e for e in editions if e.lang == (lang or "en")), None if lang else editions[0])
    if edition is None:
        raise ValueError(f"{outlet} has no {lang} edition")
    lang = edition.lang
    add_edition(site, template, edition, synthetic_stories(count, lang=lang, seed=seed))
    return site


# --- expected results ---------------------------------------------------------------------------


def expected_articles(site: ReplaySite | None = None) -> dict[str, dict[str, object]]:
    """The record (newsmon.items.to_record form) a crawl must store for each stored story, by URL.

    Fields filled by the chain from others (content_hash, story_id, fetched_at) are left out.
    """
    site = site or build_replay()
    expected = {}
    for scope, (template, edition) in site.editions.items():
        for story in site.stories[scope]:
            if not story.dropped_as:
                record = template.expected_record(edition, story)
                expected[record["url"]] = record
    return expected


def crawled_record(
    edition: Edition,
    story: Story,
    *,
    outlet: str,
    url: str,
    dateline: str,
    image_url: str,
    published_at: datetime | None = None,
    category: str = "",
    tags: Iterable[str] = (),
    authors: Iterable[str] = (),
    image_caption: str = "",
) -> dict[str, object]:
    """The record (expected_articles' form) a crawl stores for `story` as `outlet` renders it.

    What every parser takes alike from the story (headline and title labels, the text, no image
    on a `no_image` page) is filled here; the rest is the outlet's: its `url`, printed
    `dateline`, metadata and image. `published_at` defaults to the corpus time (UTC).
    """
    title, labels = split_title_labels(story.title)
    no_image = "no_image" in story.quirks
    return {
        "url": url,
        "site": edition.host,
        "outlet": outlet,
        "lang": edition.lang,
        "title": title,
        "labels": labels,
        "body": "\n\n".join(plain_text(p) for p in story.paragraphs),
        "published_at": (published_at or utc_time(story)).isoformat(),
        "dateline": dateline,
        "category": category,
        "tags": list(tags),
        "authors": list(authors),
        "image_url": "" if no_image else image_url,
        "image_caption": "" if no_image else image_caption,
        "source": "crawl",
        "source_path": "",
    }


def expected_drops(site: ReplaySite | None = None, scope: str | None = None) -> Counter[str]:
    """How many stories each spider stat (`newsmon/<outlet>/<name>`) must count as not stored."""
    site = site or build_replay()
    scopes = [scope] if scope else list(site.stories)
    return Counter(s.dropped_as for name in scopes for s in site.stories[name] if s.dropped_as)


def add_story_pages(
    site: ReplaySite,
    edition: Edition,
    story: Story,
    path: str,
    render: Callable[[], bytes],
    *,
    error_page: bytes,
    moved_from: str = "",
    text_block: bytes = b"<p>",
    garble: Callable[[bytes], bytes] | None = None,
) -> None:
    """Serve one story's page at `path` as its quirks say (any outlet's markup: `render`).

    `gone`: no page (404); `moved`: `moved_from` redirects to it; `server_error`: always 500;
    `empty_response`: 200 with no body; `garbled`: `garble` of the page; `truncated`: cut in the
    second paragraph after `text_block`; `flaky`: one 503 first.
    """
    host, quirks = edition.host, story.quirks
    if "gone" in quirks:
        return  # a dead link: the 404 page answers
    if "moved" in quirks and moved_from:
        site.add(host, moved_from, Page(301, b"", headers=(("Location", path),)))
    if "server_error" in quirks:
        site.add(host, path, Page(500, error_page))
        return
    if "empty_response" in quirks:
        site.add(host, path, Page(200, b""))
        return
    body = render()
    if "garbled" in quirks and garble is not None:
        body = garble(body)
    if "truncated" in quirks:
        body = truncate_after_second_paragraph(body, text_block)
    site.add(host, path, Page(200, body, fail_first=1 if "flaky" in quirks else 0))


def older_cards_target(edition: Edition, path: str, cursor: str) -> str:
    """A "load more" request of the CMS Report and Oxu.az share: the cards older than `cursor`
    (the last card's data-timestamp)."""
    return f"{edition.prefix}{path}?{urlencode({'date': cursor, 'oldest': '1'})}"


def add_load_more_answers(
    site: ReplaySite,
    edition: Edition,
    chunks: list[list[Story]],
    *,
    path: str,
    cursor: Callable[[Story], str],
    render_cards: Callable[[list[Story]], bytes],
) -> None:
    """Serve the "load more" answers after the listing's first chunk: each follows the last card
    before it, the one after the oldest card is empty (the cursor ends), any other cursor is a 404."""
    site.query_paths.add((edition.host, edition.prefix + path))
    for previous, chunk in zip(chunks, [*chunks[1:], []]):
        if previous:
            site.add(edition.host, older_cards_target(edition, path, cursor(previous[-1])), Page(200, render_cards(chunk)))


def utc_time(story: Story) -> datetime:
    return (story.local_time - BAKU_OFFSET).replace(tzinfo=timezone.utc)


def baku_time(story: Story) -> datetime:
    """The story's time with Baku's offset, as the outlets print it (`…+04:00`, `… +0400`)."""
    return story.local_time.replace(tzinfo=timezone(BAKU_OFFSET))


def feed_stories(stories: list[Story], size: int) -> list[Story]:
    """The newest `size` stories a feed lists: a deleted article (`gone`) has left it."""
    return [s for s in stories if "gone" not in s.quirks][:size]


def render_plain_rss(
    edition: Edition, stories: list[Story], story_path: Callable[[Edition, Story], str], *, title: str, description: str
) -> bytes:
    """A plain CMS's RSS 2.0 feed: per item the headline, link, lead as description and pubDate."""
    items = "".join(
        f"""
<item><title>{html.escape(s.title)}</title><link>{edition.origin}{story_path(edition, s)}</link>
<description>{html.escape(plain_text(s.paragraphs[0]))}</description>
<pubDate>{format_datetime(baku_time(s))}</pubDate></item>"""
        for s in stories
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{title}</title>'
        f"<link>{edition.origin}</link><description>{description}</description>{items}\n</channel></rss>\n"
    ).encode()


def plain_text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def truncate_after_second_paragraph(body: bytes, block_marker: bytes) -> bytes:
    """The page as a dropped connection leaves it: cut in the middle of the second paragraph."""
    second_paragraph = body.index(b"<p>", body.index(b"<p>", body.index(block_marker)) + 1)
    return body[: second_paragraph + 40]


# --- an outlet's copy of a corpus story -----------------------------------------------------------


def swap_credits(paragraph: str, credits: Iterable[tuple[str, str]]) -> str:
    """`paragraph` with each (APA's credit, the outlet's) pair swapped in turn, so list the longer
    forms first (`APA-nın` before `APA`)."""
    for original, replacement in credits:
        paragraph = paragraph.replace(original, replacement)
    return paragraph


def credit_lead(lead: str, clause: str) -> str:
    """A lead that names no agency, credited at its end: `clause` (`, Oxu.az xəbər verir.`)
    takes the place of its closing full stop."""
    return re.sub(r"[.\s]*$", "", lead) + clause


MONTHS = {
    "az": "yanvar fevral mart aprel may iyun iyul avqust sentyabr oktyabr noyabr dekabr".split(),
    "en": "January February March April May June July August September October November December".split(),
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(),
}


# --- synthetic articles ---------------------------------------------------------------------------

_SYNTHETIC_SUBJECTS = (
    "The Ministry of Economy", "SOCAR", "The State Statistics Committee", "Baku City Executive Power",
    "The Central Bank", "Azerbaijan Railways", "The Ministry of Digital Development", "AZAL",
    "The State Tourism Agency", "The Ministry of Agriculture", "Baku Port", "The Milli Majlis",
)  # fmt: skip
_SYNTHETIC_ACTIONS = (
    "reported {n}% growth in {thing}", "announced a tender for {thing}", "approved a plan on {thing}",
    "signed a memorandum on {thing}", "opened a new center for {thing}", "published figures on {thing}",
)  # fmt: skip
_SYNTHETIC_THINGS = (
    "cargo transit", "renewable energy", "wheat imports", "road construction", "digital services",
    "tourist arrivals", "water supply", "school repairs", "air traffic", "cotton harvest",
)  # fmt: skip


def synthetic_stories(count: int, *, lang: str = "en", seed: int = 2026) -> list[Story]:
    """`count` distinct generated stories, newest first, a few minutes apart."""
    rng = random.Random(seed)
    vocabulary = pseudo_words(rng, 5_000)
    categories = list(CATEGORY_NAMES[lang])
    newest = datetime(2026, 4, 8, 12, 0)
    stories = []
    for number in range(count):
        thing = rng.choice(_SYNTHETIC_THINGS)
        action = rng.choice(_SYNTHETIC_ACTIONS).format(n=rng.randint(2, 40), thing=thing)
        title = f"{rng.choice(_SYNTHETIC_SUBJECTS)} {action} ({number + 1})"
        paragraphs = tuple(synthetic_text(rng, vocabulary).split("\n\n"))
        stories.append(
            Story(
                id=600000 - number,
                category=categories[number % len(categories)],
                slug=re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
                title=title,
                published=f"{newest - timedelta(minutes=7 * number):%Y-%m-%d %H:%M}",
                paragraphs=(f"{title}, APA reports.", *paragraphs),
                tags=(thing,),
            )
        )
    return stories
