"""The hand-written articles of the replay site and the quirks each one exercises.

Stories are written per edition in corpus_az.py, corpus_en.py and corpus_ru.py, newest first,
as they appear in `/all-news`. A quirk changes how the replay renders or serves a story (see
QUIRKS); site.py implements them and says which stories the spider must store.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# What a quirk does, and what the crawl must make of it.
QUIRKS = {
    "lazy_image": "main image is lazy: data: placeholder in src, address in data-src",
    "relative_image": "main image src is a root-relative path",
    "no_image": "no div.main_img at all",
    "old_layout": "2021-22 template: the headline is h1.title_news",
    "og_title_only": "no .title_news element: the headline is only in og:title",
    "sloppy_markup": "unclosed <p>s, upper-case tags, entities: still a complete article",
    "garbled": "bytes that are not UTF-8, a NUL and stray or unclosed tags around and in the text: parsed whole",
    "no_canonical": "no link[rel=canonical]: the URL is the page's own",
    "foreign_canonical": "canonical names a partner site: ignored, the URL is the page's own",
    "listed_twice": "last on its listing page and first on the next one as well",
    "tracking_link": "its second listing carries utm_* parameters (needs listed_twice)",
    "moved": "listed under an old slug that redirects (301) to the article",
    "flaky": "answers 503 once, then the article",
    "no_date": "dropped: no div.date_news (newsmon/apa/no_date)",
    "no_body": "dropped: the text block holds only ads and related links (newsmon/apa/no_body)",
    "truncated": "dropped: the HTML stops mid-paragraph (newsmon/apa/truncated)",
    "empty_response": "dropped: 200 with an empty body (newsmon/apa/malformed)",
    "server_error": "dropped: always 500, after the retries (newsmon/apa/http_5xx)",
    "gone": "dropped: a dead link, 404 (newsmon/apa/http_404)",
}

# Quirks after which the article is not stored, with the spider stat that counts it.
DROP_STATS = {
    "no_date": "no_date",
    "no_body": "no_body",
    "truncated": "truncated",
    "empty_response": "malformed",
    "server_error": "http_5xx",
    "gone": "http_404",
}


@dataclass(frozen=True)
class Story:
    id: int
    category: str  # URL slug; the display name comes from CATEGORY_NAMES
    slug: str
    title: str
    published: str  # Baku wall-clock time, "YYYY-MM-DD HH:MM"
    paragraphs: tuple[str, ...]  # HTML fragments: plain text, or text with inline tags
    tags: tuple[str, ...] = ()
    byline: str = "APA"  # div.tags.mt-site > span
    signature: str = ""  # a name printed as the last <p><strong>…</strong></p> of the text
    image_alt: str = ""  # "" renders the title as alt (no caption expected)
    quirks: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        unknown = self.quirks - QUIRKS.keys()
        if unknown:
            raise ValueError(f"story {self.id}: unknown quirks {sorted(unknown)}")

    @property
    def local_time(self) -> datetime:
        return datetime.strptime(self.published, "%Y-%m-%d %H:%M")

    @property
    def path(self) -> str:
        return f"/{self.category}/{self.slug}-{self.id}"

    @property
    def dropped_as(self) -> str:
        """The spider stat that counts this story as not stored, "" when it is stored."""
        return next((DROP_STATS[q] for q in sorted(self.quirks) if q in DROP_STATS), "")


def quirks(*names: str) -> frozenset[str]:
    return frozenset(names)


# Category slugs -> the breadcrumb h1, per edition. The slugs are APA's: its az edition uses
# English ones (docs/news-sites.md: `football`, `incident`, `foreign-policy`); outlets with slugs
# of their own map them in their template (Azerbaijani ones: AZ_CATEGORY_SLUGS).
CATEGORY_NAMES = {
    "az": {
        "incident": "Hadisə",
        "economy": "İqtisadiyyat",
        "foreign-policy": "Xarici siyasət",
        "domestic-policy": "Daxili siyasət",
        "sports": "İdman",
        "social": "Sosial",
        "culture-policy": "Mədəniyyət siyasəti",
        "world": "Dünya",
        "energy": "Energetika",
    },
    "en": {
        "foreign-policy": "Foreign policy",
        "domestic-policy": "Domestic policy",
        "economy": "Economy",
        "energy": "Energy",
        "asia": "Asia",
        "europe": "Europe",
        "incident": "Incident",
        "sports": "Sports",
        "society": "Society",
    },
    "ru": {
        "vneshnyaya-politika": "Внешняя политика",
        "vnutrennyaya-politika": "Внутренняя политика",
        "ekonomika": "Экономика",
        "proisshestviya": "Происшествия",
        "sport": "Спорт",
        "obshchestvo": "Общество",
        "mir": "Мир",
        "kultura": "Культура",
        "energetika": "Энергетика",
    },
}


# The Azerbaijani category slugs of the outlets that use them (Report's `/hadise/`, Oxu's
# `/iqtisadiyyat/`, Qafqazinfo's `iqtisadiyyat-4`), for the az corpus's APA-style keys.
AZ_CATEGORY_SLUGS = {
    "incident": "hadise", "economy": "iqtisadiyyat", "foreign-policy": "xarici-siyaset",
    "domestic-policy": "daxili-siyaset", "sports": "idman", "social": "sosial", "culture-policy": "medeniyyet",
    "world": "dunya", "energy": "energetika",
}  # fmt: skip


def category_slug(lang: str, category: str, *, azerbaijani: bool) -> str:
    """The slug an outlet prints for a corpus category: APA's, or the Azerbaijani one in az."""
    return AZ_CATEGORY_SLUGS.get(category, category) if azerbaijani and lang == "az" else category
