"""Offline article dumps: reading their bytes and turning one dump into an Article.

A dump looks like the bundled sample (newsmon/samples/):

    Title line
    <blank>
    Optional photo caption (the people in the photo)
    <blank>
    © APA | optional credit caption
    <blank>
    # 28 April 2024 22:40 (UTC +04:00)
    <blank>
    Body paragraphs, separated by blank lines ...
    1 2 3 4 5 İDMAN XƏBƏR          <- navigation junk, removed by the cleaning step

Parsing only splits the dump into fields; cleaning and dating happen in the shared chain.
"""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from newsmon.items import Article
from newsmon.lang import detect_language
from newsmon.sites import site_of_agency
from newsmon.text import is_credit_line, is_junk_paragraph, split_credit

_DATELINE = re.compile(r"^#\s*(?P<dateline>\S.*)$")
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n+")
# Control characters other than tab, newline, carriage return and form feed mark binary data.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_SNIFF_BYTES = 8192


class DocumentError(ValueError):
    """A document cannot be read or parsed; the message says why, for the user."""


def decode_document(data: bytes) -> str:
    """Text of a dump: UTF-8 (with or without BOM), else the most likely legacy encoding.

    Line ends are normalized to `\\n`. Raises DocumentError for empty or binary data.
    """
    if not data.strip():
        raise DocumentError("empty file")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise DocumentError("binary file (contains NUL bytes)")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            # Valid UTF-8 up to a multi-byte character cut off at the end: a partial copy, not
            # a legacy encoding (which would turn the whole text into mojibake).
            raise DocumentError("truncated (the file ends inside a UTF-8 character)") from None
        best = from_bytes(data, cp_isolation=["cp1251", "cp1254", "latin_1", "cp1252", "koi8_r", "utf_16"]).best()
        if best is None:
            raise DocumentError("unreadable text: not UTF-8 and no legacy encoding fits") from None
        text = str(best)
    sample = text[:_SNIFF_BYTES]
    # Counted on the UTF-8 bytes, where bytes.translate beats a regex scan: control characters
    # are ASCII, so each is one byte and no other character encodes to such a byte (lone
    # surrogates from a legacy decoder included, hence surrogatepass).
    encoded = sample.encode("utf-8", "surrogatepass")
    controls = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES))
    if controls > max(8, len(sample) // 100):
        raise DocumentError("binary file (control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_document(text: str, *, source_path: str = "") -> Article:
    """Split a decoded dump into an Article (raw fields; the chain cleans and dates it)."""
    blocks = [b.strip() for b in _BLOCK_SPLIT.split(text.strip()) if b.strip()]
    dateline_at = next((i for i, b in enumerate(blocks) if _DATELINE.match(b)), None)
    if dateline_at is None:
        raise DocumentError("no '# dateline' line (truncated or not an article dump)")
    if dateline_at == 0:
        raise DocumentError("no title before the dateline")
    header, body_blocks = blocks[:dateline_at], blocks[dateline_at + 1 :]
    if not body_blocks:
        raise DocumentError("no article text after the dateline (truncated)")
    if _stops_mid_sentence(body_blocks):
        raise DocumentError("truncated (the text stops mid-sentence)")
    title = " ".join(header[0].split())
    caption, agency = _caption_and_agency(header[1:])
    body = "\n\n".join(body_blocks)
    lang = detect_language(f"{title}\n{body}")
    outlet = site_of_agency(agency)
    edition = next((e for e in outlet.editions if e.lang == lang), None) if outlet else None
    return Article(
        url="",
        # The credited agency's edition in the text's language; an unknown agency is filed
        # under its name as credited, with no outlet.
        site=edition.host if edition else agency.lower(),
        outlet=outlet.name if outlet else "",
        lang=lang,
        title=title,
        body=body,
        dateline=_DATELINE.match(blocks[dateline_at])["dateline"].strip(),
        image_caption=caption,
        authors=[agency] if agency else [],
        source="file",
        source_path=source_path,
    )


# How a finished paragraph ends: sentence punctuation, possibly inside quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…:;][\"'»”’)\]]*$")
# A last line this short without punctuation is a byline or a sign-off, not a cut sentence.
_MAX_SIGNOFF_WORDS = 6


def _stops_mid_sentence(body_blocks: list[str]) -> bool:
    """True when the last paragraph of text (the junk tail aside) ends inside a sentence."""
    # Only the last text block matters: scan from the end, past the junk tail.
    last = next((block for block in reversed(body_blocks) if not is_junk_paragraph(block)), None)
    if last is None:
        return False  # nothing but junk: the cleaning step rejects it as having no text
    last = last.rstrip()
    return not _SENTENCE_END.search(last) and len(last.split()) > _MAX_SIGNOFF_WORDS


def _caption_and_agency(header_rest: list[str]) -> tuple[str, str]:
    """The photo caption and the credited agency from the blocks between title and dateline."""
    caption, agency = "", ""
    for block in header_rest:
        if block.lstrip().startswith("©") and is_credit_line(block):
            # `© APA | caption`, or `© APA` alone, which credits and captions nothing.
            agency = _credit_agency(block)
            caption = caption or split_credit(block) or ""
        else:
            caption = caption or " ".join(block.split())
    return caption, agency


def _credit_agency(credit_line: str) -> str:
    """`© APA | caption` -> `APA`, as credited."""
    return " ".join(credit_line.strip().lstrip("©").split("|", 1)[0].split())
