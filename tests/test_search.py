"""The search helpers every store shares: folding, words, queries, phrases and snippets."""
from __future__ import annotations

import pytest

from newsmon.search import (
    MAX_QUERY_WORDS,
    Segment,
    SearchQuery,
    Term,
    fold_for_search,
    holds_phrases,
    parse_query,
    search_forms,
    search_tokens,
    snippet,
)


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Əliyev", "eliyev"),
        ("ƏLİYEV", "eliyev"),
        ("İlham", "ilham"),
        ("ILHAM", "ilham"),  # Turkish-style: capital I is i, never a dotted pair
        ("ılıq", "iliq"),
        ("Şuşa", "susa"),
        ("Çin", "cin"),
        ("Dağlıq Qarabağ", "dagliq qarabag"),
        ("Özbəkistan", "ozbekistan"),
        ("Gürcüstan", "gurcustan"),
        ("i\u0307mza", "imza"),  # a decomposed İ, lowered
        ("Алиев", "алиев"),
        ("ЁЛКА и ёж", "елка и еж"),
        ("Йемен", "йемен"),  # й stays: it is a letter of its own, not a й with a mark to drop
        ("SOCAR and bp", "socar and bp"),
        ("", ""),
    ],
)
def test_fold_for_search(text, folded):
    assert fold_for_search(text) == folded


@pytest.mark.parametrize(
    "text, words",
    [
        ("Prezident İlham, 9,418.6 manat!", ["418", "6", "9", "ilham", "manat", "prezident"]),
        ("Shafag-Asiman block", ["asiman", "block", "shafag"]),
        ("snake_case <script>alert(1)</script>", ["1", "alert", "case", "script", "snake"]),
        ("Азербайджан и Грузия", ["азербайджан", "грузия", "и"]),
        ("  ", []),
    ],
)
def test_words_are_runs_of_letters_and_digits(text, words):
    assert search_tokens(text, "") == words


@pytest.mark.parametrize(
    "text, forms",
    [
        ("Əliyev", ("eliyev", "aliyev")),
        ("İlham Əliyev", ("ilham eliyev", "ilham aliyev")),
        ("Aliyev", ("aliyev",)),
        ("Şuşa", ("susa",)),
        ("Алиев", ("алиев",)),
    ],
)
def test_search_forms(text, forms):
    assert search_forms(text) == forms


def test_search_tokens_are_the_distinct_words_of_every_form_sorted():
    assert search_tokens("Əliyev qəbul edib", "Aliyev etdi") == ["aliyev", "edib", "eliyev", "etdi", "qabul", "qebul"]


def word(*forms: str) -> Term:
    return Term(tuple((form,) for form in forms))


@pytest.mark.parametrize(
    "text, terms",
    [
        ("Əliyev", [word("eliyev", "aliyev")]),
        ("Aliyev  neft", [word("aliyev"), word("neft")]),
        ('Aliyev "neft hasilatı"', [word("aliyev"), Term((("neft", "hasilati"),))]),
        ('"İlham Əliyev"', [Term((("ilham", "eliyev"), ("ilham", "aliyev")))]),
        ('"neft hasilatı', [Term((("neft", "hasilati"),))]),  # an unclosed quote
        ('"" <b>', [word("b")]),
        ("Neft NEFT neft", [word("neft")]),
        ("?!", []),
    ],
)
def test_parse_query(text, terms):
    assert parse_query(text) == SearchQuery(tuple(terms))


def test_long_queries_keep_their_first_words_and_only_whole_phrases():
    query = parse_query(" ".join(f"w{n}" for n in range(MAX_QUERY_WORDS - 1)) + ' "late phrase" w99')
    assert len(query.terms) == MAX_QUERY_WORDS - 1 and not any(term.phrase for term in query.terms)


def test_an_empty_query_is_empty():
    assert parse_query("...").empty and not parse_query("a").empty


@pytest.mark.parametrize(
    "query, title, body, holds",
    [
        ('"neft hasilatı"', "Neft hasilatı artıb", "", True),
        ('"neft hasilatı"', "", "Ölkədə NEFT HASİLATI artıb", True),
        ('"neft hasilatı"', "Hasilatı neft", "neft və hasilatı", False),
        ('"neft hasilatı"', "Neft", "hasilatı", False),  # a phrase stays within one text
        ("neft hasilatı", "Hasilatı neft", "", True),  # words need not be in a row
        ('"Əliyev"', "Aliyev", "", True),  # a one-word phrase is a word
        ('"İlham Əliyev"', "Ilham Aliyev met", "", True),
        ('"Ilham Aliyev"', "İlham Əliyev qəbul edib", "", True),
        ('"Ilham Eliyev"', "İlham Əliyev qəbul edib", "", True),
    ],
)
def test_holds_phrases(query, title, body, holds):
    assert holds_phrases(parse_query(query), title, body) is holds


def test_snippet_marks_every_hit_as_written():
    text = "Prezident İlham Əliyev Bakıda ALIYEV ilə görüşüb."
    segments = snippet(text, parse_query("Əliyev"), width=200)
    assert "".join(s.text for s in segments) == text
    assert [s.text for s in segments if s.hit] == ["Əliyev", "ALIYEV"]


def test_snippet_of_a_long_text_is_cut_at_spaces_around_the_first_hit():
    text = " ".join(["söz"] * 100 + ["Əliyev"] + ["söz"] * 100)
    segments = snippet(text, parse_query("aliyev"), width=60)
    shown = "".join(s.text for s in segments)
    assert shown.startswith("… söz") and shown.endswith("söz …") and len(shown) <= 64
    assert [s for s in segments if s.hit] == [Segment("Əliyev", True)]


def test_a_text_that_fits_is_shown_whole():
    text = "x" * 100 + " Əliyev"
    assert "".join(s.text for s in snippet(text, parse_query("aliyev"), width=len(text))) == text


def test_snippet_without_a_hit_is_the_start_of_the_text():
    segments = snippet("one two three four", parse_query("five"), width=9)
    assert segments == [Segment("one two", False), Segment(" …", False)]


def test_snippet_keeps_markup_as_text():
    segments = snippet('<img src=x onerror="alert(1)"> Əliyev', parse_query("eliyev"))
    assert segments[0] == Segment('<img src=x onerror="alert(1)"> ', False)
