import random
import re
import unicodedata

import pytest

from newsmon.fingerprint import content_hash, normalize_for_fingerprint


def plain_definition(text: str) -> str:
    """NFKC, İ/ı folded to i, casefold; runs of non-word characters and underscores become one
    space; stripped.  normalize_for_fingerprint computes the same thing faster."""
    folded = unicodedata.normalize("NFKC", text).replace("İ", "i").replace("ı", "i").casefold()
    return re.sub(r"[\W_]+", " ", folded).strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("   ", ""),
        ("...!", ""),
        ("___", ""),
        ("Hello, World!", "hello world"),
        ("  «Bakı» — İLHAM   Əliyev.  ", "baki ilham əliyev"),
        ("snake_case__name_", "snake case name"),
        ("_leading and trailing_", "leading and trailing"),
        ("a_1 2_b", "a 1 2 b"),
        ("COVID-19: 3,5%", "covid 19 3 5"),
        ("Москва\n\nПРИВЕТ\tмир", "москва привет мир"),
        ("ﬁle ① ² Ⅻ ＡＢＣ", "file 1 2 xii abc"),  # NFKC
        ("Straße ẞ", "strasse ss"),  # casefold
        ("e\u0301 soft\u00adhyphen zero\u200bwidth", "é soft hyphen zero width"),
        ("٣ digits ४२", "٣ digits ४२"),  # non-ASCII digits are word characters, kept as they are
    ],
)
def test_normalize_for_fingerprint(text, expected):
    assert normalize_for_fingerprint(text) == expected == plain_definition(text)


_ALPHABET = (
    "aZ09 _-.,;:!?'\"«»—…()/\\\n\t"
    "əƏğĞıIİiöÖüÜşŞçÇ"
    "пРиВЕтёЁ"
    "\u00ad\u200b\u200c\u200d\u2060\ufeff\u00a0\u2003\u3000"
    "ﬁ①²ＡßẞΣς\u0301٣"
)


def test_normalize_for_fingerprint_matches_plain_definition_on_random_text():
    rng = random.Random(1234)
    for _ in range(3000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(40)))
        assert normalize_for_fingerprint(text) == plain_definition(text), repr(text)


def test_content_hash_ignores_case_punctuation_and_layout():
    assert content_hash("Title", "One,  two.\n\nThree!") == content_hash("TITLE!", "one two three")
    assert content_hash("Title", "One two") != content_hash("Title", "One two three")
