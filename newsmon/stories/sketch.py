"""What an article is to the story matcher, and whether two articles tell one event: pure functions.

An article's sketch holds what copies, rewrites and translations of one event keep:
- its words (a MinHash of the set of normalized words): copies and rewrites in one language
  share most of them, however reworded (a rewrite's word pairs and runs mostly change);
- its figures (amounts, scores, percentages, times, days and months), written alike in every
  language: `3,184.60` (en) = `3 184,60` (az, ru), `martın 12-də` = `March 12` = `12 марта`;
- its names (capitalized words) as consonant keys, the same in every script: `İlham Əliyev`,
  `Ilham Aliyev` and `Ильхам Алиев` all give `lkm lv` (transliterated by anyascii, then folded
  to the consonants the three spellings agree on);
- its language and publication time.

Same-topic news about another event (the next day's oil price, the same ministers' next
meeting) shares the words but not the figures and names, which `compare` checks.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from anyascii import anyascii

from newsmon.fingerprint import normalize_for_fingerprint

__all__ = [
    "COPY",
    "MATCH_KINDS",
    "MINHASH_SEED",
    "REWRITE",
    "SETTING_NAMES",
    "SKETCH_VERSION",
    "TRANSLATION",
    "Match",
    "Sketch",
    "StoryParams",
    "anchor_keys",
    "compare",
    "estimated_jaccard",
    "figures",
    "make_sketch",
    "minhash_signature",
    "name_key",
    "name_overlap",
    "names",
    "overlap",
    "same_story",
    "shared_names",
    "with_keys",
    "word_hashes",
    "word_keys",
]

# Fixed so that signatures computed by any process or run are comparable.
MINHASH_SEED = 1
_EMPTY_HASH = np.uint32(0xFFFFFFFF)  # datasketch's value for "no element seen"
_GOLDEN_64 = np.uint64(0x9E3779B97F4A7C15)  # odd, bits well spread: a multiplier for hash mixing
# Changes whenever sketches or band keys are computed differently: an index of another
# format is rebuilt from the stored articles (newsmon.stories.index.ensure_index_format).
SKETCH_VERSION = 3

COPY = "copy"  # the same text, edited
REWRITE = "rewrite"  # another outlet's retelling, in the same language
TRANSLATION = "translation"  # the same event in another language
MATCH_KINDS = (COPY, REWRITE, TRANSLATION)

# StoryParams field -> Scrapy setting.
SETTING_NAMES = {
    "copy_similarity": "NEWSMON_STORY_COPY_SIMILARITY",
    "rewrite_similarity": "NEWSMON_STORY_REWRITE_SIMILARITY",
    "wording_similarity": "NEWSMON_STORY_WORDING_SIMILARITY",
    "rewrite_figures": "NEWSMON_STORY_REWRITE_FIGURES",
    "figure_overlap": "NEWSMON_STORY_FIGURE_OVERLAP",
    "name_overlap": "NEWSMON_STORY_NAME_OVERLAP",
    "translation_figures": "NEWSMON_STORY_TRANSLATION_FIGURES",
    "translation_evidence": "NEWSMON_STORY_TRANSLATION_EVIDENCE",
    "window_hours": "NEWSMON_STORY_WINDOW_HOURS",
    "num_perm": "NEWSMON_STORY_NUM_PERM",
    "bands": "NEWSMON_STORY_BANDS",
    "anchor_perm": "NEWSMON_STORY_ANCHOR_PERM",
    "anchor_bands": "NEWSMON_STORY_ANCHOR_BANDS",
    "max_candidates": "NEWSMON_STORY_MAX_CANDIDATES",
}


@dataclass(frozen=True)
class StoryParams:
    """Thresholds and LSH shapes, from the NEWSMON_STORY_* settings.

    Thresholds were chosen on the tuning part of tests/fixtures/stories/events.jsonl and on
    pairs.jsonl (bench/bench_stories.py reports the held-out part); see docs/ARCHITECTURE.md.
    """

    copy_similarity: float = 0.75  # word Jaccard from which a same-language match is a copy
    wording_similarity: float = 0.5  # word Jaccard from which a rewrite needs no shared figures
    rewrite_similarity: float = 0.15  # word Jaccard a rewrite sharing `rewrite_figures` figures needs
    rewrite_figures: int = 2
    figure_overlap: float = 0.7  # share of the smaller set of figures found in the other
    name_overlap: float = 0.3  # share of the smaller set of names found in the other (rewrites)
    translation_figures: float = 0.8  # figure overlap a translation needs
    translation_evidence: int = 3  # figures and names a translation shares (one figure at least)
    window_hours: float = 12.0  # a translation's publication time at most this far from its story's
    num_perm: int = 128  # word MinHash permutations
    bands: int = 32  # word LSH bands of num_perm / bands rows
    anchor_perm: int = 32  # MinHash permutations of the figures and names
    anchor_bands: int = 16  # anchor LSH bands, keyed by the publication time's window
    max_candidates: int = 20  # most-shared candidates verified per article

    def __post_init__(self) -> None:
        for bands, perm in (("bands", "num_perm"), ("anchor_bands", "anchor_perm")):
            if getattr(self, perm) % getattr(self, bands) or not 0 < getattr(self, bands) <= getattr(self, perm):
                raise ValueError(f"{SETTING_NAMES[bands]} ({getattr(self, bands)}) must divide {SETTING_NAMES[perm]} ({getattr(self, perm)})")
        if self.max_candidates < 1 or self.window_hours <= 0:
            raise ValueError("NEWSMON_STORY_MAX_CANDIDATES and NEWSMON_STORY_WINDOW_HOURS must be positive")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "StoryParams":
        defaults = cls()
        values = {}
        for field_name, setting in SETTING_NAMES.items():
            default = getattr(defaults, field_name)
            values[field_name] = type(default)(settings.get(setting, default))
        return cls(**values)

    @property
    def index_format(self) -> str:
        """What a stored index must have been built with to be searched with these params."""
        return (
            f"stories-v{SKETCH_VERSION} words num_perm={self.num_perm} bands={self.bands}"
            f" anchors num_perm={self.anchor_perm} bands={self.anchor_bands} window={self.window_hours:g}h"
        )


# -- words ----------------------------------------------------------------------------------


def word_hashes(text: str) -> np.ndarray:
    """crc32 of each distinct normalized word (case, punctuation and layout ignored)."""
    words = set(normalize_for_fingerprint(text).encode("utf-8").split())
    return np.fromiter(map(zlib.crc32, words), np.uint32, len(words))


@functools.lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The permutations (a, b) of `datasketch.MinHash(seed=MINHASH_SEED, scheme="affine32")`:
    odd 32-bit multipliers and 32-bit offsets, drawn in that order from numpy's RandomState (a
    test holds them equal to datasketch's; RandomState's streams are frozen by NumPy's policy,
    NEP 19, so stored sketches stay valid across NumPy releases). Drawn here rather than asked of
    datasketch, whose import (it imports scipy) cost every crawl process half a second."""
    draw = np.random.RandomState(MINHASH_SEED)
    a = draw.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies to each input."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def minhash_signature(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """The signature `datasketch.MinHash(scheme="affine32").update_batch(hashes)` gives (a test
    holds them equal), computed on the array in one go."""
    if not len(hashes):
        return np.full(num_perm, _EMPTY_HASH, dtype=np.uint32)
    a, b = _permutations(num_perm)
    return (_fmix32(hashes)[:, np.newaxis] * a + b).min(axis=0)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


# -- figures --------------------------------------------------------------------------------

# A number, its digit groups joined by thin, no-break or plain spaces (`9 418,6`), dots or commas.
_NUMBER = re.compile(r"\d+(?:(?:[ \u00a0\u202f](?=\d{3}(?!\d))|[.,](?=\d))\d+)*")
# Month names as words start (`martın`, `March`, `марта`), in az, en and ru.
_MONTH_NAMES = (
    ("yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr", "oktyabr", "noyabr", "dekabr"),
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"),
    ("январ", "феврал", "март", "апрел", ("май", "мая", "мае"), "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр"),
)
_MONTH_OF = {
    stem: number
    for stems in _MONTH_NAMES
    for number, spellings in enumerate(stems, start=1)
    for stem in ((spellings,) if isinstance(spellings, str) else spellings)
}
# Longest stems first; `май` & co. only as whole words (`малый` is no month).
_MONTH = re.compile(
    r"\b(?=[a-zа-я])(" + "|".join(sorted(_MONTH_OF, key=len, reverse=True)) + r")(?:(?<=ма[йяе])(?!\w)|(?<!ма[йяе]))"
)


def _number_value(token: str, lang: str) -> str:
    """One spelling for a number whatever the language's separators: `9,418.6` (en), `9 418,6`
    (az, ru) -> `9418.6`; `1,70` -> `1.7`; `03` -> `3`. Dotted runs (`178.3.2`, `12.03.2026`)
    stay as printed."""
    token = re.sub(r"[ \u00a0\u202f]", "", token)
    if lang == "en" and re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token):
        token = token.replace(",", "")
    if token.count(",") + token.count(".") > 1:
        return token.replace(",", ".")
    whole, _, fraction = token.replace(",", ".").partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def figures(text: str, lang: str = "") -> frozenset[str]:
    """The numbers a text mentions, spelled alike in az, en and ru, and its months (`month:3`)."""
    found = {_number_value(token, lang) for token in _NUMBER.findall(text)}
    folded = text.replace("İ", "i").lower()
    found.update(f"month:{_MONTH_OF[stem]}" for stem in _MONTH.findall(folded))
    return frozenset(found)


# -- names ----------------------------------------------------------------------------------

# A word starting with a capital of the Latin or Cyrillic alphabets (the class lets a few
# lower-case letters of Latin Extended-A through: `names` checks the first letter again).
_CAPITALIZED = re.compile(r"(?<!\w)[A-ZÀ-ÖØ-ÞĀ-žƏА-ЯЁ][^\W\d_'’]*")
_NEXT_WORD = re.compile(r"[\s\"«„“(]*(\w)")
_SENTENCE_ENDS = frozenset(".!?:;\n")
# Grammatical endings that carry a consonant (vowels are dropped from keys anyway): az cases
# and ru cases; `Bakıda` / `Ərdoğanla` / `Алиевым` -> `Bakı` / `Ərdoğan` / `Алиев`.
_ENDINGS = {
    "az": re.compile(r"(?:dakı|dəki|dan|dən|nın|nin|nun|nün|ın|in|un|ün|da|də|la|lə|ya|yə|nı|ni|nu|nü)$"),
    "ru": re.compile(r"(?:ыми|ими|ами|ями|ого|его|ому|ему|ым|им|ом|ем|ой|ей|ах|ях)$"),
    "en": re.compile(r"['’]s$"),
}
# Sounds the three scripts spell differently, folded to one consonant (on anyascii's output).
_FOLDS = (("dzh", "j"), ("zh", "j"), ("tch", "c"), ("ch", "c"), ("sh", "s"), ("kh", "k"), ("ts", "s"), ("ph", "f"))
_FOLD_LETTERS = str.maketrans({"x": "k", "q": "k", "g": "k", "h": "k", "w": "v"})
_VOWELS = re.compile(r"[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")
_NAME_KEY_LENGTH = 4  # consonants kept: `Bayramov` / `Байрамовым` -> `brmv`, `Auchincloss` / `Окинклосс` -> `knkl`


@functools.lru_cache(maxsize=65_536)  # names recur from article to article
def name_key(word: str, lang: str) -> str:
    """A name's consonant key, the same for its az, en and ru spellings ("" when too short).

    anyascii transliterates; then az `c` (= j) and `ç` (= ch) are respelled as English and
    Russian render them, the ways of writing one sound are folded to one letter (`kh`, `x`, `q`,
    `h`, `g` -> `k`; `dzh`, `zh` -> `j`; ...), vowels and doubled letters dropped.
    """
    word = unicodedata.normalize("NFC", word)
    stem = _ENDINGS[lang].sub("", word) if lang in _ENDINGS else word
    if len(stem) >= 4:
        word = stem
    if lang == "az":
        word = word.replace("c", "j").replace("C", "J").replace("ç", "ch").replace("Ç", "Ch")
    ascii_word = re.sub(r"[^a-z]", "", anyascii(word).lower())
    for spelling, letter in _FOLDS:
        ascii_word = ascii_word.replace(spelling, letter)
    ascii_word = ascii_word.replace("c", "k").translate(_FOLD_LETTERS)
    key = _REPEATS.sub(r"\1", _VOWELS.sub("", ascii_word))[:_NAME_KEY_LENGTH]
    return key if len(key) >= 2 else ""


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" ")
    return not before or before[-1] in _SENTENCE_ENDS


def names(text: str, lang: str = "") -> dict[str, str]:
    """Name keys of the capitalized words of a text -> the word as first written.

    A capitalized word that opens a sentence counts only when the next word is capitalized too
    (`İlham Əliyev ...`), so that `The`, `Сегодня` and `Bu` stay out.
    """
    found: dict[str, str] = {}
    for match in _CAPITALIZED.finditer(text):
        word = match[0]
        if not word[0].isupper():
            continue
        if _opens_sentence(text, match.start()):
            following = _NEXT_WORD.match(text, match.end())
            if following is None or not following[1].isupper():
                continue
        key = name_key(word, lang)
        if key:
            found.setdefault(key, word)
    return found


# -- sketches -------------------------------------------------------------------------------

_SKETCH_HEADER = struct.Struct("<HI")  # version, num_perm


@dataclass(frozen=True, eq=False)
class Sketch:
    """What the story index keeps of an article (its story's founder, once stored)."""

    signature: np.ndarray  # uint32[num_perm]: MinHash of the article's words
    figures: frozenset[str]
    names: Mapping[str, str]  # name key -> the name as the article writes it
    lang: str = ""
    outlet: str = ""
    published: int = 0  # minutes since the epoch, 0 when unknown
    # LSH keys (`word_keys` + `anchor_keys`) to look the article up with, and to index its story
    # under; a sketch read back from the store is only verified against, so it has none.
    query_keys: tuple[int, ...] = ()
    index_keys: tuple[int, ...] = ()

    @property
    def is_empty(self) -> bool:
        """A text without words: it can neither match nor be matched."""
        return bool((self.signature == _EMPTY_HASH).all())

    def to_bytes(self) -> bytes:
        rest = {"f": sorted(self.figures), "n": dict(self.names), "l": self.lang, "o": self.outlet, "t": self.published}
        header = _SKETCH_HEADER.pack(SKETCH_VERSION, len(self.signature))
        return header + self.signature.astype("<u4").tobytes() + json.dumps(rest, ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Sketch":
        version, num_perm = _SKETCH_HEADER.unpack_from(data)
        if version != SKETCH_VERSION:
            raise ValueError(f"story sketch of version {version}, not {SKETCH_VERSION}")
        start = _SKETCH_HEADER.size + 4 * num_perm
        signature = np.frombuffer(data, "<u4", num_perm, _SKETCH_HEADER.size).astype(np.uint32)
        rest = json.loads(data[start:])
        return cls(signature, frozenset(rest["f"]), rest["n"], rest["l"], rest["o"], rest["t"])

    def __reduce__(self) -> tuple[Any, ...]:
        # The signature travels as bytes: half the cost of numpy's own pickling, which counts
        # for the offline loader handing every sketch over from its worker processes.
        fields = (self.figures, dict(self.names), self.lang, self.outlet, self.published, self.query_keys, self.index_keys)
        return _unpickle_sketch, (self.signature.tobytes(), *fields)


def _unpickle_sketch(signature: bytes, *fields: Any) -> Sketch:
    return Sketch(np.frombuffer(signature, np.uint32), *fields)


def _minutes(moment: datetime | None) -> int:
    return int(moment.timestamp() // 60) if moment is not None else 0


def make_sketch(
    body: str, params: StoryParams, *, title: str = "", lang: str = "", outlet: str = "", published: datetime | None = None
) -> Sketch:
    """The sketch of an article: words of its body, figures and names of its title and body.

    Without a language, figures are read language-blind and names without their endings;
    without a publication time, the article can only be found and find by its words.
    """
    text = f"{title}\n\n{body}"
    signature = minhash_signature(word_hashes(body), params.num_perm)
    return with_keys(Sketch(signature, figures(text, lang), names(text, lang), lang, outlet, _minutes(published)), params)


def with_keys(sketch: Sketch, params: StoryParams) -> Sketch:
    """The sketch with its LSH keys: word bands, and anchor bands of its own time window (to be
    indexed under) or of that window and the two around it (to look up with)."""
    if sketch.is_empty:
        return sketch
    words = word_keys(sketch.signature, params)
    window = _window(sketch.published, params)
    around = anchor_keys(sketch, params, (window, window - 1, window + 1)) if window is not None else []  # own first
    own = around[: params.anchor_bands]
    return dataclasses.replace(sketch, query_keys=tuple(words + around), index_keys=tuple(words + own))


@functools.lru_cache(maxsize=8)
def _band_salts(index_format: str, what: str, bands: int) -> np.ndarray:
    """One 64-bit starting value per band, derived from the index format."""
    return np.array(
        [int.from_bytes(hashlib.blake2b(f"{index_format}/{what}/{band}".encode(), digest_size=8).digest(), "little") for band in range(bands)],
        dtype=np.uint64,
    )


def _band_keys(signature: np.ndarray, bands: int, salts: np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band: equal keys mean the band's rows are (all but
    certainly) equal. Computed for all bands at once with numpy."""
    keys = salts
    for column in signature.astype(np.uint64).reshape(bands, -1).T:
        keys = (keys ^ column) * _GOLDEN_64
    # splitmix64's finalizer, so that every bit of a key depends on every row.
    keys = (keys ^ (keys >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    keys = (keys ^ (keys >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    keys = keys ^ (keys >> np.uint64(31))
    return keys.view(np.int64).tolist()


def word_keys(signature: np.ndarray, params: StoryParams) -> list[int]:
    """LSH band keys of the word signature: copies and rewrites in one language share some."""
    if (signature == _EMPTY_HASH).all():
        return []
    return _band_keys(signature, params.bands, _band_salts(params.index_format, "words", params.bands))


def _anchors(sketch: Sketch) -> np.ndarray:
    tokens = [f"f:{figure}" for figure in sketch.figures] + [f"n:{key}" for key in sketch.names]
    return np.fromiter((zlib.crc32(token.encode()) for token in tokens), np.uint32, len(tokens))


def _window(published: int, params: StoryParams) -> int | None:
    return int(published // (params.window_hours * 60)) if published else None


def anchor_keys(sketch: Sketch, params: StoryParams, windows: Iterable[int]) -> list[int]:
    """LSH band keys of the figures and names, one set per time window: translations share
    them whatever the language, and only stories of nearby windows are looked at, so the
    lookup stays as cheap however many stories are indexed."""
    anchors = _anchors(sketch)
    if not len(anchors):
        return []
    signature = minhash_signature(anchors, params.anchor_perm)
    salts = _band_salts(params.index_format, "anchors", params.anchor_bands)
    windows = list(windows)
    window_salts = np.array([(window * int(_GOLDEN_64)) & 0xFFFFFFFFFFFFFFFF for window in windows], dtype=np.uint64)
    # All windows at once: the band rows repeated, each copy under its window's salts.
    all_salts = (salts[np.newaxis, :] ^ window_salts[:, np.newaxis]).ravel()
    return _band_keys(np.tile(signature, len(windows)), params.anchor_bands * len(windows), all_salts)


# -- verification ---------------------------------------------------------------------------


def shared_names(a: Iterable[str], b: Iterable[str]) -> set[str]:
    """The keys of `a` that name one of `b`: equal, or one the other's start (`smk` = Şamaxı,
    `smkn` = Шамахинский) when the shorter has three consonants at least."""
    b = set(b)
    return {key for key in a if key in b or any(_same_name(key, other) for other in b)}


def _same_name(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and long.startswith(short)


def name_overlap(a: Iterable[str], b: Iterable[str]) -> float:
    """Share of the smaller set of name keys that names one of the other set (`shared_names`)."""
    a, b = set(a), set(b)
    if not a or not b:
        return 1.0
    small, large = sorted((a, b), key=len)
    return len(shared_names(small, large)) / len(small)


def overlap(a: Iterable[str], b: Iterable[str]) -> float:
    """Share of the smaller set found in the larger: an added sentence with new figures is fine."""
    a, b = set(a), set(b)
    if not a or not b:
        return 1.0  # nothing on one side: nothing to contradict
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class Match:
    """Why an article joins a story: how, and the evidence (for the desk to show)."""

    kind: str  # COPY, REWRITE or TRANSLATION
    similarity: float  # estimated Jaccard of the words (0 across languages)
    figures: tuple[str, ...] = ()  # shared figures
    names: tuple[str, ...] = ()  # shared names, as the joining article writes them
    hours: float | None = None  # publication time after (negative: before) the story's first article
    score: float = field(default=0.0, compare=False)  # ranks matches of one article

    def evidence(self) -> str:
        """One line: `rewrite: similarity 0.52; figures 1.24, 84.37; names Bayramov; 0.4 h after`."""
        parts = [f"similarity {self.similarity:.2f}"] if self.kind != TRANSLATION else []
        if self.figures:
            parts.append("figures " + ", ".join(self.figures))
        if self.names:
            parts.append("names " + ", ".join(self.names))
        if self.hours is not None:
            parts.append(f"{abs(self.hours):.1f} h {'after' if self.hours >= 0 else 'before'}")
        return f"{self.kind}: " + "; ".join(parts)


def _hours(article: Sketch, story: Sketch) -> float | None:
    return (article.published - story.published) / 60 if article.published and story.published else None


def compare(article: Sketch, story: Sketch, params: StoryParams) -> Match | None:
    """How `article` tells the same event as `story`'s sketch, or None when it does not."""
    if article.is_empty or story.is_empty or len(article.signature) != len(story.signature):
        return None
    shared_figures = tuple(sorted(article.figures & story.figures))
    names_shared = tuple(sorted(article.names[key] for key in shared_names(article.names, story.names)))
    figure_share = overlap(article.figures, story.figures)
    name_share = name_overlap(article.names, story.names)
    hours = _hours(article, story)
    evidence = len(shared_figures) + len(names_shared)
    if article.lang == story.lang or not article.lang or not story.lang:
        similarity = estimated_jaccard(article.signature, story.signature)
        if figure_share < params.figure_overlap:
            return None  # other amounts, scores or dates: another event, however alike the words
        if similarity >= params.copy_similarity:
            kind = COPY
        elif name_share < params.name_overlap:
            return None
        elif similarity >= params.wording_similarity or (
            similarity >= params.rewrite_similarity and len(shared_figures) >= params.rewrite_figures
        ):
            kind = REWRITE
        else:
            return None
        score = similarity + figure_share + name_share
    else:
        if hours is None or abs(hours) > params.window_hours or figure_share < params.translation_figures:
            return None
        if not shared_figures or evidence < params.translation_evidence:
            return None
        kind, similarity, score = TRANSLATION, 0.0, figure_share + evidence / 100
    return Match(kind, similarity, shared_figures, names_shared, hours, score)


def same_story(a: Sketch, b: Sketch, params: StoryParams) -> bool:
    return compare(a, b, params) is not None
