"""Language detection for article text, restricted to the languages of South Caucasus news."""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

_CANDIDATES = (
    Language.AZERBAIJANI,
    Language.ENGLISH,
    Language.RUSSIAN,
    Language.TURKISH,
    Language.GEORGIAN,
    Language.ARMENIAN,
    Language.UKRAINIAN,
    Language.PERSIAN,
    Language.ARABIC,
    Language.GERMAN,
    Language.FRENCH,
)

# ISO 639-1 codes that detect_language can return.
LANGUAGES: tuple[str, ...] = tuple(lang.iso_code_639_1.name.lower() for lang in _CANDIDATES)

# Fewer letters than this is a caption or a label, not enough to tell Azerbaijani from Turkish.
MIN_LETTERS = 10
# The opening of an article (its title and first paragraph) decides its language; detection
# costs time linear in the text's length, so texts are cut after this many letters. From 120
# letters on, lingua decides by trigrams alone: twice as fast per letter as on shorter text,
# for which it loads and consults four more models per language (~300 MiB for all of ours).
# Cut at this count, an article takes ~80 µs and those models are never loaded.
SAMPLE_LETTERS = 125

# Up to SAMPLE_LETTERS letters and the rest of the word the last of them is in ("letters":
# word characters other than digits and "_").
_SAMPLE = re.compile(rf"(?:[\W\d_]*[^\W\d_]){{1,{SAMPLE_LETTERS}}}[^\W\d_]*")
_ENOUGH_LETTERS = re.compile(rf"(?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS}}}")


@cache
def _detector() -> LanguageDetector:
    # Built on first use: building is cheap but each language model is loaded lazily on the
    # first text that needs it (15-80 ms once per language); preloading all of them would cost
    # ~1 s at import for every process, including those that never detect anything.
    return LanguageDetectorBuilder.from_languages(*_CANDIDATES).build()


# One article-length text per script of the candidates with statistical models (Georgian and
# Armenian have scripts of their own and need none): detecting them loads the models that
# article text needs, for every candidate language of that script.
_WARM_UP_TEXTS = (
    "Prezident İlham Əliyev Bakıda ABŞ dövlət katibi ilə telefon danışığı aparıb. " * 3,
    "Президент Азербайджана Ильхам Алиев провел телефонный разговор с госсекретарем США. " * 3,
    "رئیس جمهور ایران امروز با وزیر امور خارجه آذربایجان دیدار کرد و درباره همکاری گفتگو کرد. " * 3,
)


def warm_up() -> None:
    """Load the language models article text needs now (~0.1 s, ~17 MiB) rather than on first use.

    For processes about to fork workers: the workers then share the parent's models (pages
    that are only read stay shared), once in memory and in the CPU caches instead of once per
    worker, which makes the offline loader ~7% faster on two cores.
    """
    for text in _WARM_UP_TEXTS:
        _detector().detect_language_of(language_sample(text))


def language_sample(text: str) -> str:
    """The opening of `text` that detection looks at: SAMPLE_LETTERS letters, whole words."""
    found = _SAMPLE.match(text)
    return found.group() if found else ""


def detect_language(text: str, *, default: str = "") -> str:
    """Return the ISO 639-1 code of the text's language, or ``default`` if it cannot tell."""
    sample = language_sample(text)
    if not _ENOUGH_LETTERS.match(sample):
        return default
    language = _detector().detect_language_of(sample)
    if language is None:
        return default
    return language.iso_code_639_1.name.lower()
