"""Parse the datelines printed by APA and its neighbours into aware UTC datetimes.

A strict grammar (precompiled regexes, a month table, cached zoneinfo zones) covers every
format listed in the site reference and parses in microseconds. ``dateparser`` is only a
last resort for date-like text the grammar does not know: it is imported lazily because its
import and first call cost about a second, and it is always told the site's zone so it
cannot read Baku wall-clock time as UTC.

Page times are local to the site (``Asia/Baku`` by default) unless the text carries its own
offset. The tz database is used rather than a fixed +04:00 because Azerbaijan kept summer
time (UTC+5) until 2015.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["parse_dateline", "fold_case", "MONTHS"]

UTC = timezone.utc
logger = logging.getLogger(__name__)
DEFAULT_TZ = "Asia/Baku"

# Month names after folding (see _MATCH_FOLD): Azerbaijani full and Oxu's three-letter forms,
# English full and abbreviated, Russian nominative, genitive and abbreviated.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "yanvar yan january jan январь января янв",
        "fevral fev february feb февраль февраля февр фев",
        "mart mar march март марта мар",
        "aprel apr april апрель апреля апр",
        "may мая май",
        "iyun iyn june jun июнь июня июн",
        "iyul iyl july jul июль июля июл",
        "avqust avgust avq august aug август августа авг",
        "sentyabr sen september sept sep сентябрь сентября сент сен",
        "oktyabr okt october oct октябрь октября окт",
        "noyabr noy november nov ноябрь ноября ноя",
        "dekabr dek december dec декабрь декабря дек",
    ),
    start=1,
):
    MONTHS.update(dict.fromkeys(_names.split(), _number))
del _number, _names

# str.lower() turns "İ" into "i" + U+0307 (combining dot above) and leaves "I" as the English
# "i"; Azerbaijani writes the same letters as İ/i and I/ı. Folding all four to "i" before
# lowering makes "İYUN", "Iyun" and "ıyun" match alike.
_TURKIC_I = {"İ": "i", "I": "i", "ı": "i", "\u0307": None}
_CASE_FOLD = str.maketrans(_TURKIC_I)

# For matching only: also drop the Azerbaijani (and Russian ё) diacritics, so that both
# "Dünən" and the ASCII-typed "Dunen", "əvvəl" and "evvel" are recognised.
_MATCH_FOLD = str.maketrans(
    {
        **_TURKIC_I,
        "Ə": "e", "ə": "e", "Ü": "u", "ü": "u", "Ö": "o", "ö": "o",
        "Ğ": "g", "ğ": "g", "Ç": "c", "ç": "c", "Ş": "s", "ş": "s",
        "Ё": "е", "ё": "е",
    }
)


def fold_case(text: str) -> str:
    """Lower-case ``text`` for matching, folding the Turkic I letters (İ, I, ı) to plain "i"."""
    return text.translate(_CASE_FOLD).lower()


def _fold_for_matching(text: str) -> str:
    if text.isascii():
        return text.lower()
    return text.translate(_MATCH_FOLD).lower()


# --- grammar -------------------------------------------------------------------------------
# Patterns run on folded text with whitespace collapsed to single spaces.


def _any_of(words: Iterable[str]) -> str:
    """Regex alternation of literal words, longest first so that "mart" is not read as "mar"."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# "(UTC +04:00)", "(UTC+04)", "UTC -05:00", "GMT+4", "+0400", "+04:00", "GMT", "Z".
_OFFSET = r"""
    (?:\ ?\(?(?:
        (?:(?:utc|gmt|ut)\ ?)?
        (?P<offset_sign>[+-])\ ?(?P<offset_hours>\d{1,2})(?::?(?P<offset_minutes>\d{2}))?
      | (?P<zero_offset>utc|gmt|ut|z)
    )\)?)?
"""
_TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
# Between date and time: a space, "/", "," or "|" (Oxu, Report), optionally "в"/"at"/"saat".
_SEPARATOR = r"(?:\ ?[,/|]\ ?|\ )(?:(?:в|at|saat)\ )?"
_DAY_MONTH_YEAR = rf"""
    (?P<day>\d{{1,2}})\.?\ ?(?P<month>{_any_of(MONTHS)})\.?,?\ (?P<year>\d{{4}})(?:\ ?г\.?)?
"""


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.VERBOSE)


# APA, Trend, Azernews, Report, Oxu and RFC-822: "28 april 2024 22:40 (utc +04:00)",
# "16 noyabr, 2025 / 19:44", "sun, 28 apr 2024 22:40:00 +0400" (any leading weekday word).
# Without a time the date means local midnight.
_DAY_MONTH_YEAR_TIME = _compile(
    rf"(?:[^\W\d_]+\.?,?\ )?{_DAY_MONTH_YEAR}(?:{_SEPARATOR}{_TIME})?{_OFFSET}"
)
# Time first, as in APA listings and Report: "17:44 21 fevral 2026", "14:00 / 16 noyabr, 2025".
_TIME_DAY_MONTH_YEAR = _compile(rf"{_TIME}{_SEPARATOR}{_DAY_MONTH_YEAR}{_OFFSET}")
# AZERTAC: "21.02.2026 [19:22]".
_NUMERIC_DATE = _compile(
    rf"""(?P<day>\d{{1,2}})\.(?P<month>\d{{1,2}})\.(?P<year>\d{{4}})
    (?:{_SEPARATOR}?\[?{_TIME}\]?)?{_OFFSET}"""
)
_ISO_8601 = _compile(
    rf"""(?P<year>\d{{4}})-(?P<month>\d{{2}})-(?P<day>\d{{2}})
    (?:[t\ ]{_TIME}(?:[.,](?P<fraction>\d{{1,9}}))?)?{_OFFSET}"""
)
_DAYS_BEFORE_NOW = {
    **dict.fromkeys(("bu gun", "bugun", "сегодня", "today"), 0),
    **dict.fromkeys(("dunen", "вчера", "yesterday"), 1),
}
# Oxu "bu gün / 12:18", "dünən / 22:30"; "сегодня в 12:18"; "yesterday, 22:30".
_DAY_WORD = _compile(
    rf"(?P<day_word>{_any_of(_DAYS_BEFORE_NOW)})(?:{_SEPARATOR}{_TIME})?{_OFFSET}"
)
# Trend lists: "15:49 (utc+04)" is a time today.
_TIME_ONLY = _compile(rf"{_TIME}{_OFFSET}")

_UNIT_SECONDS = {
    **dict.fromkeys("saniye second seconds sec secs секунду секунды секунд сек".split(), 1),
    **dict.fromkeys("deqiqe minute minutes min mins минуту минуты минут мин".split(), 60),
    **dict.fromkeys("saat hour hours hr hrs час часа часов".split(), 3600),
    **dict.fromkeys("gun day days день дня дней".split(), 86400),
}
_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "bir": 1}
# "2 saat əvvəl", "5 dəqiqə əvvəl", "3 часа назад", "минуту назад", "an hour ago".
_TIME_AGO = _compile(
    rf"""(?:(?P<count>\d{{1,4}}|{_any_of(_COUNT_WORDS)})\ )?
    (?P<unit>{_any_of(_UNIT_SECONDS)})\ (?:evvel|ago|назад)"""
)


def _as_utc_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


@functools.lru_cache(maxsize=None)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_time_zone(name: object) -> bool:
    """Whether `name` is an IANA time zone name `parse_dateline` accepts as `tz`."""
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def _explicit_offset(match: re.Match[str]) -> timedelta | None:
    sign = match["offset_sign"]
    if sign is None:
        return timedelta(0) if match["zero_offset"] else None
    hours, minutes = int(match["offset_hours"]), int(match["offset_minutes"] or 0)
    if hours > 14 or minutes >= 60:
        raise ValueError(f"impossible UTC offset {match.group()!r}")
    offset = timedelta(hours=hours, minutes=minutes)
    return -offset if sign == "-" else offset


def _local_to_utc(local: datetime, match: re.Match[str], zone: ZoneInfo) -> datetime:
    """Convert a naive wall-clock time to UTC: the offset in the text wins over the zone.

    In a DST gap or fold zoneinfo picks the offset in force before the transition (fold=0).
    """
    offset = _explicit_offset(match)
    if offset is None:
        return local.replace(tzinfo=zone).astimezone(UTC)
    return (local - offset).replace(tzinfo=UTC)


def _local_today(match: re.Match[str], zone: ZoneInfo, now: datetime | None) -> date:
    """The date on the site's wall calendar (or the text's explicit offset) at ``now``."""
    now_utc = _as_utc_now(now)
    offset = _explicit_offset(match)
    if offset is None:
        return now_utc.astimezone(zone).date()
    return (now_utc + offset).date()


def _clock(match: re.Match[str]) -> time:
    hour, minute, second = match.group("hour", "minute", "second")
    if hour is None:
        return time()
    return time(int(hour), int(minute), int(second or 0))


def _build_day_month_year(match: re.Match[str], zone: ZoneInfo, now: datetime | None) -> datetime:
    day = date(int(match["year"]), MONTHS[match["month"]], int(match["day"]))
    return _local_to_utc(datetime.combine(day, _clock(match)), match, zone)


def _build_numeric_date(match: re.Match[str], zone: ZoneInfo, now: datetime | None) -> datetime:
    day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    return _local_to_utc(datetime.combine(day, _clock(match)), match, zone)


def _build_iso_8601(match: re.Match[str], zone: ZoneInfo, now: datetime | None) -> datetime:
    local = datetime.combine(
        date(int(match["year"]), int(match["month"]), int(match["day"])), _clock(match)
    )
    if match["fraction"]:
        local = local.replace(microsecond=int(match["fraction"][:6].ljust(6, "0")))
    return _local_to_utc(local, match, zone)


def _build_day_word(match: re.Match[str], zone: ZoneInfo, now: datetime | None) -> datetime:
    day = _local_today(match, zone, now) - timedelta(days=_DAYS_BEFORE_NOW[match["day_word"]])
    return _local_to_utc(datetime.combine(day, _clock(match)), match, zone)


def _build_time_only(match: re.Match[str], zone: ZoneInfo, now: datetime | None) -> datetime:
    day = _local_today(match, zone, now)
    return _local_to_utc(datetime.combine(day, _clock(match)), match, zone)


def _build_time_ago(match: re.Match[str], zone: ZoneInfo, now: datetime | None) -> datetime:
    count = match["count"]
    amount = int(count) if count and count.isdigit() else _COUNT_WORDS.get(count, 1)
    return _as_utc_now(now) - timedelta(seconds=amount * _UNIT_SECONDS[match["unit"]])


# Most common shape first: APA/Trend/Report/Oxu article datelines.
_GRAMMAR = (
    (_DAY_MONTH_YEAR_TIME, _build_day_month_year),
    (_NUMERIC_DATE, _build_numeric_date),
    (_ISO_8601, _build_iso_8601),
    (_TIME_DAY_MONTH_YEAR, _build_day_month_year),
    (_DAY_WORD, _build_day_word),
    (_TIME_AGO, _build_time_ago),
    (_TIME_ONLY, _build_time_only),
)


# --- dateparser fallback -------------------------------------------------------------------

_FALLBACK_LANGUAGES = ["az", "en", "ru"]
# Datelines are short; long text is an extraction error and dateparser is slow on it.
_FALLBACK_MAX_CHARS = 80
# dateparser turns almost anything into a date ("Mart" becomes last March, "2024" a day in
# 2024): only text with a digit or a relative word, and not a bare number, is worth asking.
_WORTH_FALLBACK = re.compile(rf"\d|\b(?:ago|evvel|назад|{_any_of(_DAYS_BEFORE_NOW)})\b")


def _parse_with_dateparser(
    text: str, folded: str, zone: ZoneInfo, now: datetime | None
) -> datetime | None:
    if len(text) > _FALLBACK_MAX_CHARS or folded.isdigit() or not _WORTH_FALLBACK.search(folded):
        return None
    import dateparser  # slow to import; known formats never need it

    settings = {
        "TIMEZONE": zone.key,
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": _as_utc_now(now).astimezone(zone).replace(tzinfo=None),
    }
    try:
        parsed = dateparser.parse(text, languages=_FALLBACK_LANGUAGES, settings=settings)
    except (ValueError, TypeError, OverflowError, KeyError, AttributeError) as exc:
        # dateparser's heuristics fail on some odd input in these ways; the caller counts
        # the article as undated, and the reason stays visible at debug level.
        logger.debug("dateparser failed on %r: %r", text, exc)
        return None
    return None if parsed is None else parsed.astimezone(UTC)


# --- public API ----------------------------------------------------------------------------


def parse_dateline(text: str, *, tz: str = DEFAULT_TZ, now: datetime | None = None) -> datetime | None:
    """Parse a news-site dateline into an aware UTC datetime, or None if it is not a date.

    ``tz`` is the site's tz-database zone, used when the text carries no offset of its own.
    ``now`` anchors relative forms ("2 saat əvvəl", "Dünən / 22:30", "15:49 (UTC+04)");
    a naive ``now`` is taken as UTC. Any text input, including non-strings, gives a datetime
    or None; an unknown ``tz`` name raises ``zoneinfo.ZoneInfoNotFoundError`` as a
    configuration error.
    """
    zone = _zone(tz)
    if not isinstance(text, str):
        return None
    text = " ".join(text.split()).lstrip("#").lstrip()  # offline dumps write "# 28 April ..."
    if not text:
        return None
    folded = _fold_for_matching(text)
    for pattern, build in _GRAMMAR:
        match = pattern.fullmatch(folded)
        if match is not None:
            try:
                return build(match, zone, now)
            except (ValueError, OverflowError):  # 32 April, 29 February 2023, hour 25, ...
                return None  # a known shape with impossible fields: dateparser would only guess
    return _parse_with_dateparser(text, folded, zone, now)
