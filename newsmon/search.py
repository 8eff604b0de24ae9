"""Full-text search, the part every store shares: folding, words, queries and highlighted snippets.

Pure functions, no state. Text is folded the way people type it, the same way when an article
is indexed and when a query is read: Azerbaijani letters lose their marks (ə→e, ı/İ/I→i, ş→s,
ç→c, ğ→g, ö→o, ü→u), Russian ё is е, and case goes Turkish-style (İ and I both to i, never to
i + a combining dot). A word is a run of letters and digits, as SQLite's unicode61 tokenizer
splits it.

Ə is typed two ways: `Eliyev` by Azerbaijani readers, `Aliyev` in English and in most
transliterations. So a text or query holding ə has a second form, ə→a (`search_forms`): an
article matches a query word or phrase when either form of the article holds either form of the
query's. `Əliyev` and `Aliyev` then find the same articles, and `Eliyev` finds the Azerbaijani ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

# Applied before lower(): str.lower() makes İ "i" + U+0307 and leaves I an "i" Azerbaijani readers
# would not write for ı; both become plain i. Then, on the lowered text, the marks go. (A chain of
# str.replace, each a pass in C: str.translate with a table is some 30 times slower on long text.)
_CAPITAL_I = (("İ", "i"), ("I", "i"))
_MARKS = (("ı", "i"), ("ş", "s"), ("ç", "c"), ("ğ", "g"), ("ö", "o"), ("ü", "u"), ("ё", "е"), ("\u0307", ""))
_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"')
# Long queries cost more than they find: the words after this many are left out.
MAX_QUERY_WORDS = 16


def _replaced(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def _unmarked(text: str) -> str:
    """`text` lowered Turkish-style, without marks; ə kept (it has two folds)."""
    return _replaced(_replaced(text, _CAPITAL_I).lower(), _MARKS)


def fold_for_search(text: str) -> str:
    """`text` as it is indexed and looked up (see the module docstring)."""
    return _unmarked(text).replace("ə", "e")


def search_forms(text: str) -> tuple[str, ...]:
    """The folded forms of `text`: `fold_for_search`'s, and the one with ə read as a when it differs."""
    unmarked = _unmarked(text)
    if "ə" not in unmarked:
        return (unmarked,)
    return unmarked.replace("ə", "e"), unmarked.replace("ə", "a")


def search_tokens(title: str, body: str) -> list[str]:
    """The distinct words of every form of an article's title and body, sorted: what a store
    without full-text search indexes (a multikey field), and all it needs to find an article's words."""
    return sorted({word for text in (title, body) for form in search_forms(text) for word in _WORD.findall(form)})


class Term(NamedTuple):
    """A word or a phrase of a query, in each of its forms (a form: its words, in order)."""

    forms: tuple[tuple[str, ...], ...]

    @property
    def phrase(self) -> bool:
        return len(self.forms[0]) > 1


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: an article matches when it holds every term, a phrase's words in a row."""

    terms: tuple[Term, ...]

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def words(self) -> frozenset[str]:
        """Every word of every form: what a snippet marks."""
        return frozenset(word for term in self.terms for form in term.forms for word in form)


def parse_query(text: str) -> SearchQuery:
    """`Əliyev "neft hasilatı"` -> the word (eliyev | aliyev) and the phrase (neft hasilati).

    An unclosed quote is read as closed at the end; anything but words is ignored; words past
    MAX_QUERY_WORDS are left out, and a phrase that would be cut with them.
    """
    if text.count('"') % 2:
        text += '"'
    terms: list[Term] = []
    budget = MAX_QUERY_WORDS
    for index, part in enumerate(_PHRASE.split(text)):
        quoted = index % 2 == 1
        pieces = [part] if quoted else _WORD.findall(part)
        for piece in pieces:
            term = _term(piece)
            if term is None or term in terms:
                continue
            budget -= len(term.forms[0])
            if budget < 0:
                return SearchQuery(tuple(terms))
            terms.append(term)
    return SearchQuery(tuple(terms))


def _term(text: str) -> Term | None:
    forms = tuple(dict.fromkeys(tuple(_WORD.findall(form)) for form in search_forms(text)))
    return Term(forms) if forms[0] else None


def holds_phrases(query: SearchQuery, title: str, body: str) -> bool:
    """Whether an article holds every phrase of `query` in a row, each within its title or its
    body, in any of their forms. Single words need no such check: an article holds them if its
    token set does."""
    phrases = [term for term in query.terms if term.phrase]
    if not phrases:
        return True
    texts = [_WORD.findall(form) for text in (title, body) for form in search_forms(text)]
    return all(any(_contains_run(words, form) for words in texts for form in term.forms) for term in phrases)


def _contains_run(words: list[str], run: tuple[str, ...]) -> bool:
    size = len(run)
    first = run[0]
    return any(tuple(words[i : i + size]) == run for i, word in enumerate(words) if word == first)


class Segment(NamedTuple):
    """A piece of a snippet: text as written, and whether it is a hit. Pages escape the text and
    mark hits themselves, so no markup is ever built from crawled text."""

    text: str
    hit: bool


def snippet(text: str, query: SearchQuery, *, width: int = 240) -> list[Segment]:
    """About `width` characters of `text` around its first hit, cut at spaces, split into
    segments with every word of `query` marked; the text's start when nothing in it matches."""
    wanted = query.words
    hits = [(m.start(), m.end()) for m in _WORD.finditer(text) if not wanted.isdisjoint(search_forms(m.group()))]
    start = max(0, hits[0][0] - width // 3) if hits and len(text) > width else 0  # a text that fits is shown whole
    end = min(len(text), start + width)
    if start > 0:
        start = _after_space(text, start)
    if end < len(text):
        end = _before_space(text, end, start)
    segments: list[Segment] = [Segment("… ", False)] if start > 0 else []
    position = start
    for hit_start, hit_end in hits:
        if hit_start < start or hit_end > end:
            continue
        if hit_start > position:
            segments.append(Segment(text[position:hit_start], False))
        segments.append(Segment(text[hit_start:hit_end], True))
        position = hit_end
    if end > position:
        segments.append(Segment(text[position:end], False))
    if end < len(text):
        segments.append(Segment(" …", False))
    return segments


def _after_space(text: str, index: int) -> int:
    space = text.find(" ", index)
    return index if space == -1 else space + 1


def _before_space(text: str, index: int, floor: int) -> int:
    space = text.rfind(" ", floor, index)
    return index if space <= floor else space
