"""Text cleaning for scraped news articles.

Pure functions with no hidden state; every regex and table is built once at import because
these run on every article of a crawl.  The order of the steps is always
HTML (tags, entities) -> Unicode (mojibake, NFC, invisible characters, spaces) -> whitespace,
so that an entity such as ``&nbsp;`` is decoded before spaces are normalized.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import ftfy
from w3lib.html import remove_comments, remove_tags, remove_tags_with_content, replace_entities

__all__ = [
    "clean_body",
    "clean_line",
    "clean_paragraphs",
    "clean_title",
    "is_credit_line",
    "is_junk_paragraph",
    "normalize_unicode",
    "split_credit",
    "split_paragraphs",
    "split_title_labels",
    "strip_html",
]

# --- Unicode -------------------------------------------------------------------------------

# Only encoding repair: HTML, quotes, character width, ligatures and line breaks are left alone
# (curly quotes and Azerbaijani/Cyrillic letters must come out unchanged; NFC is applied below).
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    normalization=None,
    explain=False,
)


def _build_mojibake_classes() -> tuple[tuple[str, str], ...]:
    """Character classes (lead, continuation) of a UTF-8 lead byte followed by a continuation
    byte, as they read when UTF-8 was decoded as cp1252/latin-1 (``Ã©``, ``â€™``, ``Ð‘``) or as
    cp1251 (``Р°``, ``СЃ``).

    ftfy costs ~0.5 ms per 2,000 characters of clean non-ASCII text, so it only runs when this
    cheap pre-check finds such a pair.  For cp1251 the lead is limited to the Cyrillic UTF-8
    leads (Р С Т У) and the continuation to non-Cyrillic characters, so that legitimate
    Russian such as ``всё`` or Ukrainian ``її`` does not trigger it.
    """
    continuation = bytes(range(0x80, 0xC0))
    latin_leads = bytes(range(0xC2, 0xF5)).decode("latin-1")
    latin_continuations = continuation.decode("latin-1") + continuation.decode("cp1252", "ignore")
    cyrillic_leads = bytes([0xD0, 0xD1, 0xD2, 0xD3]).decode("cp1251")
    cyrillic_continuations = "".join(
        char
        for char in continuation.decode("cp1251", "ignore")
        if not "\u0400" <= char <= "\u04ff"
    )
    return (
        (re.escape(latin_leads), re.escape(latin_continuations)),
        (re.escape(cyrillic_leads), re.escape(cyrillic_continuations)),
    )


_MOJIBAKE_CLASSES = _build_mojibake_classes()
# Two patterns searched in turn scan faster than one alternation.
_MOJIBAKE_PATTERNS = tuple(re.compile(f"[{lead}][{cont}]") for lead, cont in _MOJIBAKE_CLASSES)

_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, zero-width, BOM
_UNICODE_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE_CHARS}]")
_UNICODE_SPACE_RE = re.compile(f"[{_UNICODE_SPACES}]")


def _build_repair_check() -> re.Pattern[str]:
    """Matches wherever normalize_unicode has work besides NFC: a mojibake pair, an invisible
    character or a Unicode space.

    Most text has none, and this one scan costs about as much as each of the four it spares.
    It starts with a single class of every character of interest so that the regex engine can
    skip ahead fast (an alternation would defeat that); the lookbehinds then tell which kind
    of character it stopped at.
    """
    leads = "".join(lead for lead, _ in _MOJIBAKE_CLASSES)
    pairs = "|".join(f"(?<=[{lead}])[{cont}]" for lead, cont in _MOJIBAKE_CLASSES)
    others = _INVISIBLE_CHARS + _UNICODE_SPACES
    return re.compile(f"[{leads}{others}](?:{pairs}|(?<=[{others}]))")


_NEEDS_REPAIR_RE = _build_repair_check()


def normalize_unicode(text: str) -> str:
    """Repair mojibake, apply NFC, drop invisible characters and turn Unicode spaces into ' '."""
    if _NEEDS_REPAIR_RE.search(text) is None:
        # NFC creates no invisible character or Unicode space (its only such outputs, U+2002
        # and U+2003, come from U+2000 and U+2001, which match above), so the later steps
        # would change nothing; a test in test_text.py checks this over all of Unicode.
        return unicodedata.normalize("NFC", text)
    if any(pattern.search(text) for pattern in _MOJIBAKE_PATTERNS):
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE_RE.sub("", text)
    return _UNICODE_SPACE_RE.sub(" ", text)


# --- HTML ----------------------------------------------------------------------------------

_NEWLINE_RE = re.compile(r"\r\n?")
# Source whitespace around these tags is swallowed: in HTML "<br>\n" is one line break.
_LINE_BREAK_TAG_RE = re.compile(r"\s*<\s*br\b[^>]*>\s*", re.IGNORECASE)
_BLOCK_TAG_RE = re.compile(
    r"\s*<\s*/?\s*(?:p|div|li|ul|ol|h[1-6]|blockquote|table|tr|section|article|header|footer"
    r"|figure|figcaption|aside|nav)\b[^>]*>\s*",
    re.IGNORECASE,
)
_BLANK_LINES_RE = re.compile(r"[ \t]*\n\s*\n\s*")
_MARKUP_RE = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9]*\b[^<>]*|/\s*[A-Za-z][A-Za-z0-9]*\s*|!--.*?--)>"
    r"|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});",
    re.DOTALL,
)


def _looks_like_html(text: str) -> bool:
    # Plain substring tests are far faster than the regex scan and settle most plain text.
    return ("<" in text or "&" in text) and _MARKUP_RE.search(text) is not None


def strip_html(text: str) -> str:
    """Remove tags, comments, scripts and styles and decode entities.

    ``<br>`` becomes a line break and block elements (``<p>``, ``<div>``, ``<li>``...) a
    blank line, so paragraphs survive for :func:`split_paragraphs`.
    """
    text = _NEWLINE_RE.sub("\n", text)
    text = remove_comments(text)
    text = remove_tags_with_content(text, which_ones=("script", "style", "noscript"))
    text = _LINE_BREAK_TAG_RE.sub("\n", text)
    text = _BLOCK_TAG_RE.sub("\n\n", text)
    text = remove_tags(text)
    # remove_illegal=False keeps unknown '&name;' text instead of silently deleting it.
    text = replace_entities(text, remove_illegal=False)
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


# --- Lines and paragraphs --------------------------------------------------------------------

_PARAGRAPH_BREAK_RE = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)+")


def clean_line(text: str) -> str:
    """Collapse every whitespace run (newlines included) into one space and strip."""
    return " ".join(text.split())


def split_paragraphs(text: str) -> list[str]:
    """Split on blank lines; single line breaks inside a paragraph become spaces."""
    text = _NEWLINE_RE.sub("\n", text)
    paragraphs = []
    for block in _PARAGRAPH_BREAK_RE.split(text):
        paragraph = " ".join(line.strip() for line in block.split("\n") if line.strip())
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


# --- Junk: credits, navigation labels, pagination --------------------------------------------

_COPYRIGHT_CREDIT_RE = re.compile(r"^\s*©")
_PHOTO_CREDIT_RE = re.compile(
    r"^\s*(?:photo|photos|foto|fotolar|фото|şəkil|image)(?:\s+credits?)?\s*[:：]\s*\S",
    re.IGNORECASE,
)
# A "Photo: ..." line longer than this is more likely a sentence than a credit.
_MAX_PHOTO_CREDIT_CHARS = 150
_CREDIT_CAPTION_RE = re.compile(r"^\s*©\s*[^|]+?\s*\|\s*(?P<caption>.*?)\s*$", re.DOTALL)


def is_credit_line(text: str) -> bool:
    """True for image credits such as ``© APA | caption``, ``©APA``, ``Photo: APA``."""
    if _COPYRIGHT_CREDIT_RE.match(text):
        return True
    return len(text) <= _MAX_PHOTO_CREDIT_CHARS and _PHOTO_CREDIT_RE.match(text) is not None


def split_credit(text: str) -> str | None:
    """Return the caption after ``© AGENCY |`` or None when the line has no caption."""
    match = _CREDIT_CAPTION_RE.match(text)
    if match is None or not match["caption"]:
        return None
    return clean_line(match["caption"])


_AZERBAIJANI_I_FOLD = str.maketrans({"İ": "i", "I": "i", "ı": "i"})


def _fold(word: str) -> str:
    """Case-fold so that İDMAN, IDMAN and idman match (plain lower() turns İ into i + U+0307)."""
    return word.translate(_AZERBAIJANI_I_FOLD).lower()


# Words that make up navigation/section labels (az, en, ru, plus Azerbaijani Cyrillic forms),
# stored folded (see _fold).  A line counts as a label only when ALL its words are listed here.
_NAV_LABEL_WORDS = frozenset(
    _fold(word)
    for word in """
    news latest last breaking top main all more read see home next previous prev back
    sports sport politics political economy economics business finance markets energy
    society social world foreign domestic policy culture incidents incident crime official
    analytics analysis interview interviews opinion video videos photo photos gallery
    multimedia region regions regional science technology tech health education tourism
    military life lifestyle weather archive press releases release related popular tags

    xəbər xəbərlər xəbərləri son bütün əsas gündəm idman siyasət siyasi iqtisadiyyat
    iqtisadi cəmiyyət dünya xarici daxili mədəniyyət hadisə hadisələr kriminal rəsmi
    analitika müsahibə video foto fotolar qalereya multimedia region regionlar daha çox
    ətraflı oxu digər elm təhsil sağlamlıq biznes maliyyə enerji texnologiya turizm hərbi
    şou maraqlı arxiv

    новости новость последние главные главное все спорт политика экономика общество мир
    культура происшествия криминал официально официальное официальная хроника аналитика
    интервью видео фото фотогалерея мультимедиа регион регионы подробнее читать далее
    ещё еще больше другие бизнес финансы энергетика наука технологии образование здоровье
    туризм архив

    идман хәбәр хәбәрләр сијасәт
    """.split()
)
_MAX_NAV_LABEL_WORDS = 4
# Pagination arrows/ellipses and separators that may sit between labels.
_NAV_PUNCTUATION = "«»‹›<>←→…|/•·:-–—.,"
_MAX_PAGE_NUMBER_DIGITS = 4
_MIN_PAGE_RUN = 3
# Junk is short; longer paragraphs skip the token checks entirely.
_MAX_JUNK_TOKENS = 40


def _is_nav_label(tokens: list[str]) -> bool:
    # Bails out at the first non-label word, which for a real paragraph is usually the first.
    word_count = 0
    for token in tokens:
        word = token.strip(_NAV_PUNCTUATION)
        if not word:
            continue
        word_count += 1
        if word_count > _MAX_NAV_LABEL_WORDS or _fold(word) not in _NAV_LABEL_WORDS:
            return False
    return word_count > 0


def _is_page_number(token: str) -> bool:
    return token.isascii() and token.isdigit() and len(token) <= _MAX_PAGE_NUMBER_DIGITS


def _has_consecutive_run(numbers: list[int]) -> bool:
    run = 1
    for previous, current in zip(numbers, numbers[1:]):
        run = run + 1 if current == previous + 1 else 1
        if run >= _MIN_PAGE_RUN:
            return True
    return False


def _is_pagination(tokens: list[str]) -> bool:
    """``1 2 3 4 5``, ``« 1 2 3 … 10 »``, optionally followed by a navigation label."""
    numbers = []
    rest: list[str] = []
    for position, token in enumerate(tokens):
        if _is_page_number(token):
            numbers.append(int(token))
        elif token.strip(_NAV_PUNCTUATION):  # arrows and ellipses strip to ""
            rest = tokens[position:]
            break
    return _has_consecutive_run(numbers) and (not rest or _is_nav_label(rest))


def _cannot_start_junk(token: str) -> bool:
    """True for a first token that starts neither a pagination run nor a navigation label."""
    word = token.strip(_NAV_PUNCTUATION)
    return bool(word) and not _is_page_number(token) and _fold(word) not in _NAV_LABEL_WORDS


def is_junk_paragraph(text: str) -> bool:
    """True for empty text, image credits, pagination runs and bare navigation labels."""
    # The first word settles nearly every real paragraph, so the full split is left for the
    # few that start like junk.
    head = text.split(maxsplit=1)
    if not head:
        return True
    if is_credit_line(text):
        return True
    if _cannot_start_junk(head[0]):
        return False
    tokens = text.split()
    if len(tokens) > _MAX_JUNK_TOKENS:
        return False
    return _is_pagination(tokens) or _is_nav_label(tokens)


# A pagination tail glued to the last sentence by an extractor: "...country. 1 2 3 4 5 İDMAN".
# Requiring sentence-final punctuation before it keeps "counted 1 2 3" sentences intact.
_GLUED_TAIL_RE = re.compile(r"(?<=[.!?…\"»”’)])\s+(?=(?:[«‹]\s*)?1\s+2\s+3(?:\s|$))")


def _strip_glued_tail(paragraph: str) -> str:
    for match in _GLUED_TAIL_RE.finditer(paragraph):
        if _is_pagination(paragraph[match.end() :].split()):
            return paragraph[: match.start()]
    return paragraph


# --- Articles --------------------------------------------------------------------------------


def _clean_paragraph(text: str) -> str:
    if _looks_like_html(text):
        text = strip_html(text)
    return clean_line(normalize_unicode(text))


def clean_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Normalize each paragraph and drop junk, a pagination tail and consecutive duplicates."""
    return _drop_junk(map(_clean_paragraph, paragraphs))


def _drop_junk(paragraphs: Iterable[str]) -> list[str]:
    kept = [p for p in paragraphs if not is_junk_paragraph(p)]
    if kept:
        kept[-1] = _strip_glued_tail(kept[-1])
    result: list[str] = []
    for paragraph in kept:
        if not result or paragraph != result[-1]:
            result.append(paragraph)
    return result


def clean_body(text: str) -> str:
    """Clean an article body into paragraphs separated by one blank line.

    Idempotent, except for text whose entities decode into markup (``&lt;b&gt;`` gives a
    literal ``<b>`` that a second pass would strip).
    """
    if _looks_like_html(text):
        text = strip_html(text)
    # Unicode repair runs once over the whole body rather than per paragraph: it is the
    # costliest step and none of it changes where the blank lines are.
    text = _NEWLINE_RE.sub("\n", normalize_unicode(text))
    # clean_line on the raw blocks gives the paragraphs of clean_line over split_paragraphs (both
    # collapse all white space) in one pass instead of two; blank blocks come out empty.
    paragraphs = filter(None, map(clean_line, _PARAGRAPH_BREAK_RE.split(text)))
    return "\n\n".join(_drop_junk(paragraphs))


# Exact agency suffixes that sites append to <title>/og:title (newsmon.sites: each outlet's
# `title_suffixes`).  ' - FOTO', ' - VIDEO' and the like are part of real headlines and are kept.
@functools.cache
def _agency_title_suffix_re() -> re.Pattern[str]:
    from newsmon.sites import REGISTRY  # site modules must not need this module to import

    names = sorted({name for site in REGISTRY.values() for name in site.title_suffixes}, key=len, reverse=True)
    return re.compile(rf"\s+[|\-–—]\s+(?:{'|'.join(map(re.escape, names))})$", re.IGNORECASE)


def clean_title(text: str) -> str:
    """Clean a headline: HTML, Unicode, whitespace, and a trailing `` | APA``-style suffix."""
    title = _clean_paragraph(text)
    return _agency_title_suffix_re().sub("", title)


# --- title labels --------------------------------------------------------------------------
# Marks agencies add to headlines (docs/news-sites.md, trap 10): what kind of item it is, or that
# it was updated (`- FOTO`, `- VİDEO`, `- YENİLƏNİB-1`, AZERTAC's `– YENİLƏNİB 2` and ` VİDEO`).
# They say nothing of the event, so they move from `title` to `labels`, the same way for every
# outlet: headlines of one story then read alike, whatever marks each copy carries.
TITLE_LABELS = (
    "FOTO", "PHOTO", "PHOTOS", "FOTOLAR", "FOTOREPORTAJ", "VİDEO", "VIDEO", "AUDİO", "AUDIO",
    "FAKTİKİ HAVA", "YENİLƏNİB", "UPDATED", "ARKERNEWS", "İNFOQRAFİKA", "ФОТО", "ВИДЕО", "ОБНОВЛЕНО",
)  # fmt: skip


def _label_pattern(label: str) -> str:
    """`label` as a regex that also takes İ/I/i/ı for one another (Azerbaijani typing)."""
    return "".join("[İIiı]" if c in "İIiı" else re.escape(c) for c in label)


_LABELS = "|".join(_label_pattern(label) for label in sorted(TITLE_LABELS, key=len, reverse=True))
# After a dash (any case), or after a space in capitals as printed (AZERTAC's ` VİDEO`);
# a number after the mark counts the updates (`YENİLƏNİB-1`, `YENİLƏNİB 2`).
_DASHED_LABEL_RE = re.compile(rf"\s*[-–—|]\s*(?P<label>{_LABELS})(?:[\s-]*(?P<n>\d{{1,2}}))?\s*$", re.IGNORECASE)
_SPACED_LABEL_RE = re.compile(rf"\s+(?P<label>{_LABELS})(?:[\s-]*(?P<n>\d{{1,2}}))?\s*$")


def split_title_labels(title: str) -> tuple[str, list[str]]:
    """A cleaned headline without its trailing marks, and the marks in reading order:
    `"Bakıda park açılıb - FOTO - VİDEO"` -> `("Bakıda park açılıb", ["FOTO", "VİDEO"])`.
    A title that is nothing but a mark keeps it."""
    labels: list[str] = []
    while True:
        match = _DASHED_LABEL_RE.search(title) or _SPACED_LABEL_RE.search(title)
        if match is None or not title[: match.start()].strip():
            return title, labels
        label = match["label"].upper()  # as printed, in capitals: `foto` -> FOTO, VİDEO stays VİDEO
        labels.insert(0, f"{label} {int(match['n'])}" if match["n"] else label)
        title = title[: match.start()].rstrip(" -–—|")
