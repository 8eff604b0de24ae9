"""Offline dumps: decoding and parsing, then the sample through the whole chain."""
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsmon.chain import Chain
from newsmon.documents import DocumentError, decode_document, parse_document
from newsmon.store import open_store

SAMPLE = Path(__file__).parents[1] / "newsmon/samples/000_f31a5c00198cdecc.txt"

AZ_DUMP = """Bakıda yeni metro stansiyası istifadəyə verilib

# 14 yanvar 2022 10:51 (UTC +04:00)

Bakı metropoliteninin yeni stansiyası bu gün sərnişinlərin istifadəsinə verilib.

Stansiyanın açılışında şəhər rəhbərliyi və nəqliyyat mütəxəssisləri iştirak ediblər.
"""


def test_sample_comes_out_as_specified(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/s.db")
    chain = Chain({}, store)
    article = chain.process(parse_document(decode_document(SAMPLE.read_bytes()), source_path=str(SAMPLE)))
    chain.close()
    assert article.title == "US Secretary of State makes call to Azerbaijani President"
    assert article.published_at == datetime(2024, 4, 28, 18, 40, tzinfo=timezone.utc)
    assert article.lang == "en"
    assert article.site == "en.apa.az"
    assert article.image_caption == "Ilham Aliyev, Antony Blinken"
    assert article.dateline == "28 April 2024 22:40 (UTC +04:00)"
    paragraphs = article.body.split("\n\n")
    # Issue 2 speaks of "its 10 paragraphs"; the sample holds 8 between the first and the last
    # sentence it names (lines 9-23), and every one of them must come through, in order.
    raw_lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    assert paragraphs == [line for line in raw_lines[8:23] if line]
    assert len(paragraphs) == 8
    assert paragraphs[0].startswith("On April 28, U.S. Secretary of State Antony Blinken made a phone call")
    assert paragraphs[-1].endswith("continuation of democratic reforms in the country.")
    assert "©" not in article.body and "İDMAN" not in article.body and "APA |" not in article.body
    assert article.source == "file" and article.source_path == str(SAMPLE)
    assert len(article.content_hash) == 32
    stored = list(store.query())
    assert [a.title for a in stored] == [article.title]
    store.close()


@pytest.mark.parametrize(
    "data",
    [
        AZ_DUMP.encode("utf-8"),
        b"\xef\xbb\xbf" + AZ_DUMP.encode("utf-8"),
        AZ_DUMP.replace("\n", "\r\n").encode("utf-8"),
        AZ_DUMP.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "crlf", "cr"],
)
def test_utf8_variants_decode_alike(data):
    assert decode_document(data) == AZ_DUMP


def test_cp1251_russian_dump_decodes():
    text = (
        "Президент Азербайджана принял делегацию\n\n# 28 апреля 2024 22:40 (UTC +04:00)\n\n"
        "Президент Азербайджанской Республики Ильхам Алиев принял в понедельник делегацию.\n\n"
        "Стороны обсудили вопросы двустороннего сотрудничества в области энергетики и транспорта.\n"
    )
    assert decode_document(text.encode("cp1251")) == text


def test_latin1_english_dump_decodes():
    text = "Café owners in Baku\n\n# 3 October 2022 09:59 (UTC+04:00)\n\nThe café naïvely opened at dawn, said its façade designer.\n"
    assert decode_document(text.encode("latin-1")) == text


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(1, 32)) * 40, "binary"),
    ],
)
def test_unusable_bytes_are_rejected_with_a_reason(data, reason):
    with pytest.raises(DocumentError, match=reason):
        decode_document(data)


def test_control_characters_are_counted_per_character_of_text():
    # 1% of the characters (not of the UTF-8 bytes) may be stray control characters.
    text = "ə" * 1000 + "\x01" * 10
    assert decode_document(text.encode("utf-8")) == text
    with pytest.raises(DocumentError, match="control characters"):
        decode_document((text + "\x01").encode("utf-8"))


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Only a title line\n\nAnd some text without a dateline.\n", "no '# dateline'"),
        ("# 28 April 2024 22:40 (UTC +04:00)\n\nBody without a title.\n", "no title"),
        ("A title\n\n# 28 April 2024 22:40 (UTC +04:00)\n", "truncated"),
    ],
)
def test_malformed_dumps_are_rejected_with_a_reason(text, reason):
    with pytest.raises(DocumentError, match=reason):
        parse_document(text)


def test_azerbaijani_dump_is_detected_as_azerbaijani():
    article = parse_document(AZ_DUMP)
    assert article.lang == "az"
    assert article.image_caption == ""
    assert article.dateline == "14 yanvar 2022 10:51 (UTC +04:00)"


def test_a_dump_cut_inside_a_utf8_character_is_truncated_not_mojibake():
    data = SAMPLE.read_bytes()
    cut = data[: data.index("’".encode()) + 1]  # the first byte of a three-byte character
    with pytest.raises(DocumentError, match="truncated"):
        decode_document(cut)


def test_a_dump_cut_mid_sentence_is_truncated():
    text = SAMPLE.read_text(encoding="utf-8")
    cut = text[: text.index("President Ilham Aliyev highlighted") + len("President Ilham Aliyev highlighted Azerbaijan’s commitment to its human")]
    with pytest.raises(DocumentError, match="stops mid-sentence"):
        parse_document(cut)


@pytest.mark.parametrize(
    "last_paragraph",
    [
        "Stroke of the pen, he said: “we will sign.”",
        "Details to follow…",
        "Elvin Məmmədov",  # a byline, not a cut sentence
        "(Updated at 14:00)",
    ],
)
def test_complete_endings_are_not_truncation(last_paragraph):
    text = f"Title\n\n# 28 April 2024 22:40 (UTC +04:00)\n\nFirst paragraph of the text.\n\n{last_paragraph}\n\n1 2 3 4 5 İDMAN XƏBƏR\n"
    assert parse_document(text).body.endswith(last_paragraph + "\n\n1 2 3 4 5 İDMAN XƏBƏR")
