"""Watchlists: saved queries every newly stored article is matched against (pure, no store).

A watchlist has terms (a word, or a phrase of several words, which must appear in that order)
and optionally outlets, languages and categories. An article matches when its title or body
holds every term and it is of one of the outlets, languages and categories named (any, when
none are). Text is compared folded the way people type it (`fold_for_matching`): `Əliyev`,
`Aliyev` and `əliyev` are one word, so are `Ёлка` and `елка`.

Cost. A matcher that tried every watchlist on every article would cost a thousand times more
with a thousand watchlists. Every term is required, so each watchlist is indexed under one
token of its terms, its key: an article looks up the tokens it contains and checks only the
watchlists filed under them. The key is the token of the watchlist least likely to occur in
an article (`token_rarity`: longer words are rarer, figures rarer still), so that a watchlist
`"the" "Bayramov"` is checked only on articles mentioning Bayramov.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from newsmon.items import isoformat_utc, parse_isoformat

# Azerbaijani letters as typed on a keyboard without them, and Russian ё as е. Dotted and
# dotless I: `İ` and `I` both fold to `i`, before lower-casing (Python would lower `İ` to
# `i` + a combining dot).
_FOLDED_LETTERS = str.maketrans(
    {"ə": "e", "Ə": "e", "ı": "i", "İ": "i", "I": "i", "ş": "s", "Ş": "s", "ç": "c", "Ç": "c",
     "ğ": "g", "Ğ": "g", "ö": "o", "Ö": "o", "ü": "u", "Ü": "u", "ё": "е", "Ё": "е"}
)  # fmt: skip
_TOKEN = re.compile(r"\w+")
# Terms as given on the command line: `"oil price"` is a phrase, other words are terms of their own.
_QUOTED_OR_WORD = re.compile(r'"([^"]*)"|(\S+)')


def fold_for_matching(text: str) -> str:
    """`text` as compared for matching: composed (NFC), Azerbaijani letters and ё folded, case folded."""
    return unicodedata.normalize("NFC", text).translate(_FOLDED_LETTERS).casefold()


def tokens(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return _TOKEN.findall(fold_for_matching(text))


def parse_terms(query: str) -> tuple[str, ...]:
    """`Bayramov "oil price"` -> ("Bayramov", "oil price"): quoted phrases and single words.

    Raises ValueError for an unbalanced quote or a term with no word in it.
    """
    if query.count('"') % 2:
        raise ValueError(f"unbalanced quote in {query!r}")
    terms = tuple(" ".join(phrase.split()) if phrase is not None and word is None else word
                  for phrase, word in (m.groups() for m in _QUOTED_OR_WORD.finditer(query)))  # fmt: skip
    for term in terms:
        if not tokens(term):
            raise ValueError(f"term {term!r} has no letters or digits")
    return terms


@dataclass(frozen=True)
class Watchlist:
    """A saved query. `id` and `created_at` are given by the store (`Store.add_watchlist`)."""

    name: str
    terms: tuple[str, ...]
    outlets: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    id: str = ""
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a watchlist needs a name")
        if not self.terms or not all(tokens(term) for term in self.terms):
            raise ValueError("a watchlist needs at least one term with letters or digits")

    def to_record(self) -> dict[str, object]:
        """JSON-ready, for stores and webhooks (`created_at` ISO 8601 UTC)."""
        return {"id": self.id, "name": self.name, "terms": list(self.terms), "outlets": list(self.outlets),
                "langs": list(self.langs), "categories": list(self.categories),
                "created_at": isoformat_utc(self.created_at)}  # fmt: skip

    @classmethod
    def from_record(cls, record: dict) -> "Watchlist":
        return cls(
            name=record["name"], terms=tuple(record["terms"]), outlets=tuple(record.get("outlets", ())),
            langs=tuple(record.get("langs", ())), categories=tuple(record.get("categories", ())),
            id=record.get("id", ""), created_at=parse_isoformat(record.get("created_at")),
        )  # fmt: skip


def token_rarity(token: str) -> tuple[int, int]:
    """How unlikely a folded token is to occur in an article, for choosing a watchlist's key:
    tokens with a digit first (figures, years, codes), then the longest."""
    return (any(c.isdigit() for c in token), len(token))


class _Compiled(NamedTuple):
    watchlist: Watchlist
    words: frozenset[str]  # single-word terms, folded
    phrases: tuple[str, ...]  # multi-word terms as " w1 w2 " (folded), found in the article's " ... " text
    outlets: frozenset[str]
    langs: frozenset[str]
    categories: frozenset[str]


def _compile(watchlist: Watchlist) -> tuple[str, _Compiled]:
    term_tokens = [tokens(term) for term in watchlist.terms]
    key = max((t for ts in term_tokens for t in ts), key=token_rarity)
    compiled = _Compiled(
        watchlist,
        frozenset(ts[0] for ts in term_tokens if len(ts) == 1),
        tuple(f" {' '.join(ts)} " for ts in term_tokens if len(ts) > 1),
        frozenset(o.casefold() for o in watchlist.outlets),
        frozenset(lang.casefold() for lang in watchlist.langs),
        frozenset(fold_for_matching(c) for c in watchlist.categories),
    )
    return key, compiled


@dataclass
class ArticleText:
    """What matching needs of an article: folded words and where it comes from."""

    words: frozenset[str]
    text: str  # the folded words joined by single spaces, with a space at each end
    outlet: str
    lang: str
    category: str

    @classmethod
    def of(cls, *, title: str, body: str, outlet: str = "", lang: str = "", category: str = "") -> "ArticleText":
        words = tokens(f"{title}\n{body}")
        return cls(frozenset(words), f" {' '.join(words)} ", outlet.casefold(), lang.casefold(), fold_for_matching(category))


@dataclass
class Matcher:
    """Watchlists indexed by their key token; `match` finds those an article matches."""

    by_key: dict[str, list[_Compiled]] = field(default_factory=dict)
    size: int = 0

    @classmethod
    def of(cls, watchlists: Iterable[Watchlist]) -> "Matcher":
        matcher = cls()
        for watchlist in watchlists:
            key, compiled = _compile(watchlist)
            matcher.by_key.setdefault(key, []).append(compiled)
            matcher.size += 1
        return matcher

    def match(self, article: ArticleText) -> list[Watchlist]:
        """The watchlists `article` matches, by name."""
        found = (c.watchlist for c in self.candidates(article) if _matches(c, article))
        return sorted(found, key=lambda w: (w.name, w.id))

    def candidates(self, article: ArticleText) -> list[_Compiled]:
        """The watchlists filed under a word of `article`: the only ones it can match."""
        # Whichever is smaller drives the lookup: the article's words or the watchlists' keys.
        if len(article.words) <= len(self.by_key):
            return [c for word in article.words for c in self.by_key.get(word, ())]
        return [c for key, listed in self.by_key.items() if key in article.words for c in listed]


def _matches(compiled: _Compiled, article: ArticleText) -> bool:
    if compiled.outlets and article.outlet not in compiled.outlets:
        return False
    if compiled.langs and article.lang not in compiled.langs:
        return False
    if compiled.categories and article.category not in compiled.categories:
        return False
    return compiled.words <= article.words and all(phrase in article.text for phrase in compiled.phrases)


def describe(watchlist: Watchlist) -> str:
    """One line for `newsmon watch list`: terms (phrases quoted) and filters."""
    terms = " ".join(f'"{t}"' if len(t.split()) > 1 else t for t in watchlist.terms)
    filters = [f"{label}={','.join(values)}" for label, values in
               (("outlets", watchlist.outlets), ("langs", watchlist.langs), ("categories", watchlist.categories)) if values]  # fmt: skip
    return " ".join([terms, *filters])


__all__ = ["ArticleText", "Matcher", "Watchlist", "describe", "fold_for_matching", "parse_terms", "token_rarity", "tokens"]
