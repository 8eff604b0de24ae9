"""Watchlists: folding, terms, matching, the key-token index, and `newsmon watch`."""
import json

import pytest

from newsmon.watch import ArticleText, Matcher, Watchlist, fold_for_matching, parse_terms, tokens
from test_cli import newsmon


@pytest.mark.parametrize(
    "typed, folded",
    [
        ("Əliyev", "eliyev"),
        ("ƏLİYEV", "eliyev"),
        ("İlham", "ilham"),
        ("ILHAM", "ilham"),
        ("Bakı", "baki"),
        ("Şuşa", "susa"),
        ("Gəncə çayı", "gence cayi"),
        ("Ağdam", "agdam"),
        ("Gömrük Ünvanı", "gomruk unvani"),
        ("Ё-моё ЁЛКА", "е-мое елка"),
        ("Ильхам АЛИЕВ", "ильхам алиев"),
        ("Oil PRICE", "oil price"),
        ("Go\u0308yc\u0327ay", "goycay"),  # decomposed ö and ç, as some keyboards send them
    ],
)
def test_fold_for_matching(typed, folded):
    assert fold_for_matching(typed) == folded


@pytest.mark.parametrize(
    "query, terms",
    [
        ("Bayramov", ("Bayramov",)),
        ('Bayramov "oil  price" 2026', ("Bayramov", "oil price", "2026")),
        ('"Cənubi Qafqaz"', ("Cənubi Qafqaz",)),
    ],
)
def test_parse_terms(query, terms):
    assert parse_terms(query) == terms


@pytest.mark.parametrize("query, problem", [('"oil price', "unbalanced quote"), ("-- !!", "no letters or digits"), ('""', "no letters")])
def test_bad_queries_say_why(query, problem):
    with pytest.raises(ValueError, match=problem):
        parse_terms(query)


def test_a_watchlist_needs_a_name_and_a_term():
    with pytest.raises(ValueError, match="name"):
        Watchlist(" ", ("oil",))
    with pytest.raises(ValueError, match="term"):
        Watchlist("x", ())


def text(title: str, body: str = "", **where) -> ArticleText:
    return ArticleText.of(title=title, body=body, **where)


@pytest.mark.parametrize(
    "watchlist, article, matches",
    [
        (Watchlist("w", ("Əliyev",)), text("Ilham Aliyev met", "Prezident İlham Əliyev"), True),
        (Watchlist("w", ("eliyev",)), text("Prezident İlham ƏLİYEV qəbul edib"), True),
        (Watchlist("w", ("Алиев",)), text("Ильхам АЛИЕВ принял"), True),
        (Watchlist("w", ("ёлка",)), text("Главная елка страны"), True),
        (Watchlist("w", ("oil", "Bayramov")), text("Oil output grows"), False),  # every term is required
        (Watchlist("w", ("oil", "Bayramov")), text("Bayramov on oil"), True),
        (Watchlist("w", ("oil price",)), text("The price of oil"), False),  # a phrase, word for word
        (Watchlist("w", ("oil price",)), text("Title", "The oil, price rose"), True),  # punctuation is no word
        (Watchlist("w", ("neft",)), text("Neftçala"), False),  # whole words only
        (Watchlist("w", ("neft",), langs=("az",)), text("neft", lang="en"), False),
        (Watchlist("w", ("neft",), langs=("az",)), text("neft", lang="az"), True),
        (Watchlist("w", ("neft",), outlets=("apa", "report")), text("neft", outlet="report"), True),
        (Watchlist("w", ("neft",), outlets=("apa",)), text("neft", outlet="trend"), False),
        (Watchlist("w", ("neft",), categories=("İqtisadiyyat",)), text("neft", category="iqtisadiyyat"), True),
        (Watchlist("w", ("neft",), categories=("Siyasət",)), text("neft", category="İqtisadiyyat"), False),
    ],
)
def test_matching(watchlist, article, matches):
    assert (Matcher.of([watchlist]).match(article) == [watchlist]) is matches


def test_each_watchlist_is_indexed_under_its_rarest_token():
    matcher = Matcher.of([Watchlist("a", ("the", "Bayramov")), Watchlist("b", ("oil", "2026")), Watchlist("c", ('"oil price"',))])
    assert sorted(matcher.by_key) == ["2026", "bayramov", "price"]


def test_an_article_checks_only_the_watchlists_of_its_words():
    many = [Watchlist(f"w{n}", (f"term{n}", "common")) for n in range(1000)]
    matcher = Matcher.of(many)
    article = text("common term7 and term512", "common words")
    assert sorted(c.watchlist.name for c in matcher.candidates(article)) == ["w512", "w7"]
    assert [w.name for w in matcher.match(article)] == ["w512", "w7"]


def test_matching_many_watchlists_finds_the_same_as_trying_each():
    watchlists = [Watchlist(f"w{n}", (f"word{n % 37}", f"other{n % 11}")) for n in range(300)]
    article = text(" ".join(f"word{n}" for n in range(0, 37, 3)), " ".join(f"other{n}" for n in range(0, 11, 2)))
    one_by_one = [w for w in watchlists if Matcher.of([w]).match(article)]
    assert Matcher.of(watchlists).match(article) == sorted(one_by_one, key=lambda w: w.name)
    assert one_by_one


def test_tokens_keep_words_of_every_script():
    assert tokens("Şuşa — Шуша, 2026-ci il!") == ["susa", "шуша", "2026", "ci", "il"]


# -- newsmon watch ---------------------------------------------------------------------------------
def test_watch_add_list_remove(tmp_path):
    store = f"sqlite:///{tmp_path}/newsmon.db"
    added = newsmon("watch", "add", "energy", 'Bayramov "oil price"', "--lang", "en,az", "--store", store, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("watchlist energy (") and 'Bayramov "oil price" langs=en,az' in added.stdout
    listed = newsmon("watch", "list", "--json", "--store", store, cwd=tmp_path)
    (record,) = json.loads(listed.stdout)
    assert (record["name"], record["terms"], record["langs"], record["alerts"]) == ("energy", ["Bayramov", "oil price"], ["en", "az"], [])
    again = newsmon("watch", "add", "energy", "gas", "--store", store, cwd=tmp_path)
    assert again.returncode != 0
    assert again.stderr.strip().splitlines() == ["newsmon watch add: a watchlist named 'energy' exists already (remove it first, or choose another name)"]
    removed = newsmon("watch", "remove", "energy", "--store", store, cwd=tmp_path)
    assert removed.returncode == 0 and "removed watchlist energy" in removed.stdout
    assert "no watchlists" in newsmon("watch", "list", "--store", store, cwd=tmp_path).stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["add", "x", '"oil'], "newsmon watch add: unbalanced quote in '\"oil'"),
        (["add", "x", "!!"], "newsmon watch add: term '!!' has no letters or digits"),
        (["add", " ", "oil"], "newsmon watch add: a watchlist needs a name"),
        (["remove", "nothing"], "newsmon watch remove: no watchlist named 'nothing' (newsmon watch list shows them)"),
    ],
)
def test_watch_mistakes_get_one_line_and_a_failing_status(tmp_path, args, message):
    store = f"sqlite:///{tmp_path}/newsmon.db"
    newsmon("watch", "add", "seed", "oil", "--store", store, cwd=tmp_path)
    result = newsmon("watch", *args, "--store", store, cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [message]


def test_watch_help_explains_queries(tmp_path):
    result = newsmon("watch", "add", "--help", cwd=tmp_path)
    assert result.returncode == 0 and "quote a phrase" in result.stdout and "ə=e" in result.stdout
    assert newsmon("watch", cwd=tmp_path).returncode == 2
