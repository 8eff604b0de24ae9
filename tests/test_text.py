import re
import sys
import unicodedata
from pathlib import Path

import pytest

from newsmon.text import (
    _INVISIBLE_RE,
    _UNICODE_SPACE_RE,
    clean_body,
    clean_line,
    clean_paragraphs,
    clean_title,
    is_credit_line,
    is_junk_paragraph,
    normalize_unicode,
    split_credit,
    split_paragraphs,
    split_title_labels,
    strip_html,
)

SAMPLE = Path(__file__).parents[1] / "newsmon/samples/000_f31a5c00198cdecc.txt"


def sample_body() -> str:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    dateline = next(i for i, line in enumerate(lines) if line.startswith("# "))
    return "\n".join(lines[dateline + 1 :])


# --- normalize_unicode -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Azerbaijanâ€™s", "Azerbaijan’s"),  # UTF-8 read as cp1252
        ("Ð‘Ð°ÐºÑƒ", "Баку"),  # Cyrillic UTF-8 read as cp1252
        ("Р‘Р°РєСѓ", "Баку"),  # Cyrillic UTF-8 read as cp1251
        ("AzÉ™rbaycan Ä°lham", "Azərbaycan İlham"),
        ("Azərbaycan İlham Əliyev şəhər çox ğ ö ü ı", "Azərbaycan İlham Əliyev şəhər çox ğ ö ü ı"),
        ("Президент «всё» её — Сёмга", "Президент «всё» её — Сёмга"),
        ("“quoted” ‘single’", "“quoted” ‘single’"),
        ("ÇOX ÖNƏMLİ Ümid", "ÇOX ÖNƏMLİ Ümid"),
        ("zero\u200bwidth\u200c\u200d\u2060\ufeffgone", "zerowidthgone"),
        ("soft\u00adhyphen", "softhyphen"),
        ("a\u00a0b\u2009c\u202fd\u3000e", "a b c d e"),
        ("Bake\u0301", "Baké"),  # NFC
    ],
)
def test_normalize_unicode(raw, expected):
    assert normalize_unicode(raw) == expected


def test_nfc_creates_no_character_that_normalize_unicode_removes():
    # normalize_unicode returns plain NFC for text without invisible characters and Unicode
    # spaces, which is only right if NFC never produces one.
    removed = re.compile(f"{_INVISIBLE_RE.pattern}|{_UNICODE_SPACE_RE.pattern}")
    created = [
        char
        for char in map(chr, range(sys.maxunicode + 1))
        if not removed.match(char) and removed.search(unicodedata.normalize("NFC", char))
    ]
    assert created == []


# --- strip_html --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AT&amp;T &quot;quoted&quot; it&#39;s", 'AT&T "quoted" it\'s'),
        ("non&nbsp;breaking", "non\u00a0breaking"),
        ("<p>Hello <b>bold</b> <a href='x'>link</a></p>", "Hello bold link"),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<div>One</div>\n  <div>Two</div>", "One\n\nTwo"),
        ("line one<br>line two<br/>three", "line one\nline two\nthree"),
        ("line one<br>\n    line two", "line one\nline two"),  # source newline is not a break
        ("one<br>\n<br>\ntwo", "one\n\ntwo"),
        ("a<script>var x = '<p>';</script>b<style>p {}</style>c", "abc"),
        ("a<!-- comment -->b", "ab"),
        ("&lt;b&gt; is a tag", "<b> is a tag"),  # entities are decoded after tags are removed
        ("a < b and c > d", "a < b and c > d"),
    ],
)
def test_strip_html(raw, expected):
    assert strip_html(raw) == expected


# --- clean_line / split_paragraphs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  many   spaces\there \n", "many spaces here"),
        ("line\nbreak", "line break"),
        ("", ""),
    ],
)
def test_clean_line(raw, expected):
    assert clean_line(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("One\n\nTwo", ["One", "Two"]),
        ("One\r\n\r\nTwo\r\nstill two", ["One", "Two still two"]),
        ("One\r\rTwo", ["One", "Two"]),
        ("\n\n One \n \n\n\n Two \n\n", ["One", "Two"]),
        ("first line\nsecond line", ["first line second line"]),
        ("", []),
    ],
)
def test_split_paragraphs(raw, expected):
    assert split_paragraphs(raw) == expected


# --- junk detection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "paragraph",
    [
        "1 2 3 4 5 İDMAN XƏBƏR",
        "1 2 3 4 5",
        "1 2 3 4 5 SİYASƏT",
        "1 2 3 4 5 ИДМАН",
        "1 2 3 4 5 СПОРТ НОВОСТИ",
        "1 2 3 4 5 SPORTS NEWS",
        "« 1 2 3 … 10 »",
        "‹ 4 5 6 7 ›",
        "İDMAN XƏBƏR",
        "SON XƏBƏRLƏR",
        "ПОСЛЕДНИЕ НОВОСТИ",
        "LATEST NEWS",
        "READ MORE",
        "Daha çox",
        "Ətraflı",
        "Подробнее",
        "VİDEO",
        "Home / News / Sports",
        "© APA | Ilham Aliyev, Antony Blinken",
        "©APA",
        "Photo: APA",
        "Foto: APA",
        "Фото: APA",
        "© Report.az",
        "Photo credit: Reuters",
        " ".join(map(str, range(1, 41))),  # the longest pagination run still counted
        "",
        "   \t ",
    ],
)
def test_junk_paragraphs_are_flagged(paragraph):
    assert is_junk_paragraph(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        "On April 28, 2024 1 2 3 people were evacuated from the building.",
        "2024",
        "1 2 3 people arrived at the scene.",
        "3 5 7 9",
        "Prezident İlham Əliyev Bakıda ABŞ dövlət katibini qəbul edib.",
        "Президент Ильхам Алиев принял госсекретаря США.",
        "BAKU",
        "Azerbaijan and Armenia agreed on delimitation",
        "Daha çox insan bu il turizm məqsədilə Qəbələyə gəlib.",
        "News of the agreement was welcomed in Baku.",
        "Photo: " + "the president met the delegation and discussed many issues " * 3,
        "— Prezident bildirib ki, görüş gələn həftə keçiriləcək.",
        "«News» agency reported that the talks ended.",
        " ".join(map(str, range(1, 42))),  # too long for junk
    ],
)
def test_real_text_is_not_flagged(paragraph):
    assert not is_junk_paragraph(paragraph)


@pytest.mark.parametrize(
    ("line", "is_credit", "caption"),
    [
        ("© APA | Ilham Aliyev, Antony Blinken", True, "Ilham Aliyev, Antony Blinken"),
        ("©APA|Baku  skyline", True, "Baku skyline"),
        ("© APA", True, None),
        ("© APA |  ", True, None),
        ("Photo: APA", True, None),
        ("Ilham Aliyev, Antony Blinken", False, None),
    ],
)
def test_credit_lines(line, is_credit, caption):
    assert is_credit_line(line) is is_credit
    assert split_credit(line) == caption


# --- clean_paragraphs / clean_body ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["First.", "© APA | caption", "Second.", "1 2 3 4 5 İDMAN XƏBƏR"], ["First.", "Second."]),
        (["Same.", "Same.", "Other.", "Same."], ["Same.", "Other.", "Same."]),
        (["Same.", "Daha çox", "Same."], ["Same."]),
        (["<p>AT&amp;T&nbsp;deal</p>", "  ", "Ends here. 1 2 3 4 5 SPORTS NEWS"],
         ["AT&T deal", "Ends here."]),
        (["They chanted 1 2 3 4 5"], ["They chanted 1 2 3 4 5"]),
        (["Azerbaijanâ€™s\u00a0econ\u00adomy grew."], ["Azerbaijan’s economy grew."]),
    ],
)
def test_clean_paragraphs(paragraphs, expected):
    assert clean_paragraphs(paragraphs) == expected


def test_clean_body_keeps_html_paragraph_structure():
    html = (
        "<div class='texts'>\n  <p>First &amp; <b>one</b><br>continued</p>\n"
        "  <script>var a = '<p>';</script>\n  <p>Second&nbsp;one</p>\n"
        "  <p>1 2 3 4 5 İDMAN XƏBƏR</p>\n</div>"
    )
    assert clean_body(html) == "First & one continued\n\nSecond one"


def test_clean_body_of_sample_dump():
    paragraphs = clean_body(sample_body()).split("\n\n")
    # The dump holds 8 article paragraphs followed by the junk tail `1 2 3 4 5 İDMAN XƏBƏR`.
    assert len(paragraphs) == 8
    assert paragraphs[0].startswith(
        "On April 28, U.S. Secretary of State Antony Blinken made a phone call"
    )
    assert paragraphs[-1].endswith("continuation of democratic reforms in the country.")
    assert not any("İDMAN" in paragraph for paragraph in paragraphs)


@pytest.mark.parametrize(
    "raw",
    [
        sample_body(),
        "One\r\n\r\nTwo\r\nthree\n\n\n1 2 3 4 5 İDMAN XƏBƏR",
        "<p>AT&amp;T</p><p>Azerbaijanâ€™s</p><p>©APA</p>",
        "Ends here. 1 2 3 4 5 SPORTS NEWS\n\nSame\n\nSame",
        "",
    ],
)
def test_clean_body_is_idempotent(raw):
    once = clean_body(raw)
    assert clean_body(once) == once


# --- clean_title -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Bakıda yeni park açılıb - FOTO", "Bakıda yeni park açılıb - FOTO"),
        ("New park opens in Baku - PHOTO | APA", "New park opens in Baku - PHOTO"),
        ("Prezident fərman imzalayıb - APA.AZ", "Prezident fərman imzalayıb"),
        ("  US&nbsp;Secretary  of\nState &amp; Aliyev ", "US Secretary of State & Aliyev"),
        ("<h2 class='title_news'>Headline</h2>", "Headline"),
        ("Azerbaijanâ€™s GDP grows", "Azerbaijan’s GDP grows"),
        ("Interview with APA", "Interview with APA"),
    ],
)
def test_clean_title(raw, expected):
    assert clean_title(raw) == expected


# --- title labels --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Ceyhun Bayramov Gürcüstan XİN başçısı ilə görüşüb - FOTO", ("Ceyhun Bayramov Gürcüstan XİN başçısı ilə görüşüb", ["FOTO"])),
        ("Azerbaijani FM meets Georgian counterpart in Tbilisi - PHOTO", ("Azerbaijani FM meets Georgian counterpart in Tbilisi", ["PHOTO"])),
        ("Bakıda park açılıb - FOTO - VİDEO", ("Bakıda park açılıb", ["FOTO", "VİDEO"])),
        ("Naxçıvanda yol təmiri - YENİLƏNİB-1", ("Naxçıvanda yol təmiri", ["YENİLƏNİB 1"])),
        ("Leyla Əliyeva tədbirdə iştirak edib – YENİLƏNİB 2", ("Leyla Əliyeva tədbirdə iştirak edib", ["YENİLƏNİB 2"])),
        ("Prezident fərman imzalayıb VİDEO", ("Prezident fərman imzalayıb", ["VİDEO"])),  # AZERTAC: no dash
        ("Sabah hava küləkli olacaq - FAKTİKİ HAVA", ("Sabah hava küləkli olacaq", ["FAKTİKİ HAVA"])),
        ("Yeni qanun qəbul edilib - foto", ("Yeni qanun qəbul edilib", ["FOTO"])),
        ("Минобороны провело учения - ФОТО", ("Минобороны провело учения", ["ФОТО"])),
        ("Watch the new video", ("Watch the new video", [])),  # a word of the sentence, no mark
        ("Dövlət başçısı video müraciət edib", ("Dövlət başçısı video müraciət edib", [])),
        ("FOTO", ("FOTO", [])),  # nothing but a mark: kept
    ],
)
def test_split_title_labels(title, expected):
    assert split_title_labels(title) == expected
