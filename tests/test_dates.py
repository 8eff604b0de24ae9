import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser
import pytest

from newsmon.dates import MONTHS, fold_case, parse_dateline

UTC = timezone.utc
# 12:00 on 1 March 2025 in Baku.
NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
# 01:30 on 1 March 2025 in Baku, still 28 February in UTC.
NOW_JUST_AFTER_BAKU_MIDNIGHT = datetime(2025, 2, 28, 21, 30, tzinfo=UTC)


def utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC)


def assert_parses_to(text, expected_iso, **kwargs):
    result = parse_dateline(text, **kwargs)
    if expected_iso is None:
        assert result is None
    else:
        assert result == utc(expected_iso)
        assert result.tzinfo is UTC


# Site datelines without relative parts: (text, expected UTC), site zone Asia/Baku.
ABSOLUTE_CASES = [
    # APA, English (the sample document) and its offline dump form
    ("28 April 2024 22:40 (UTC +04:00)", "2024-04-28T18:40"),
    ("# 28 April 2024 22:40 (UTC +04:00)", "2024-04-28T18:40"),
    ("  \n 28 April 2024 22:40 (UTC +04:00)\n", "2024-04-28T18:40"),
    ("28\xa0April\xa02024\xa022:40\xa0(UTC\xa0+04:00)", "2024-04-28T18:40"),
    ("28 APRIL 2024 22:40 (UTC +04:00)", "2024-04-28T18:40"),
    ("28 Apr 2024 22:40", "2024-04-28T18:40"),
    ("3 Sept 2024 9:05", "2024-09-03T05:05"),
    # APA, Azerbaijani
    ("14 yanvar 2022 10:51 (UTC +04:00)", "2022-01-14T06:51"),
    ("08 aprel 2026 12:04 (UTC +04:00)", "2026-04-08T08:04"),
    ("5 İYUN 2024 9:05", "2024-06-05T05:05"),
    ("5 IYUL 2024 9:05", "2024-07-05T05:05"),
    ("5 ıyul 2024 9:05", "2024-07-05T05:05"),
    ("5 İyul 2024 9:05".lower(), "2024-07-05T05:05"),  # "i" + combining dot left by str.lower()
    ("10 avqust 2023 13:00", "2023-08-10T09:00"),
    ("10 avgust 2023 13:00", "2023-08-10T09:00"),
    ("1 sentyabr 2023 00:00", "2023-08-31T20:00"),
    ("17:44 21 fevral 2026", "2026-02-21T13:44"),
    # APA, Russian: genitive, nominative and abbreviated months
    ("28 апреля 2024 22:40 (UTC +04:00)", "2024-04-28T18:40"),
    ("28 апрель 2024 22:40", "2024-04-28T18:40"),
    ("1 марта 2024 10:00", "2024-03-01T06:00"),
    ("31 декабря 2023 23:59 (UTC +04:00)", "2023-12-31T19:59"),
    ("5 сент. 2024 в 10:00", "2024-09-05T06:00"),
    ("28 АПРЕЛЯ 2024 г. 22:40", "2024-04-28T18:40"),
    # Trend
    ("6 Dekabr 2025 15:49 (UTC +04:00)", "2025-12-06T11:49"),
    ("6 December 2025 15:49 (UTC +04:00)", "2025-12-06T11:49"),
    ("6 декабря 2025 15:49 (UTC +04:00)", "2025-12-06T11:49"),
    # Report: date and time in two list items, in either order
    ("16 noyabr, 2025 14:00", "2025-11-16T10:00"),
    ("16 noyabr, 2025\n14:00", "2025-11-16T10:00"),
    ("16 noyabr, 2025, 14:00", "2025-11-16T10:00"),
    ("14:00 / 16 noyabr, 2025", "2025-11-16T10:00"),
    ("14:00\n16 noyabr, 2025", "2025-11-16T10:00"),
    ("16 noyabr, 2025", "2025-11-15T20:00"),  # a date alone is local midnight
    # Oxu: full and three-letter months
    ("15 noyabr, 2025 / 19:44", "2025-11-15T15:44"),
    ("15 noy, 2025 / 19:44", "2025-11-15T15:44"),
    ("2 yan, 2025 / 08:00", "2025-01-02T04:00"),
    ("2 fev, 2025 / 08:00", "2025-02-02T04:00"),
    ("2 iyn, 2025 / 08:00", "2025-06-02T04:00"),
    ("2 iyl, 2025 / 08:00", "2025-07-02T04:00"),
    ("2 avq, 2025 / 08:00", "2025-08-02T04:00"),
    ("2 sen, 2025 / 08:00", "2025-09-02T04:00"),
    ("2 okt, 2025 / 08:00", "2025-10-02T04:00"),
    ("2 dek, 2025 / 08:00", "2025-12-02T04:00"),
    # AZERTAC
    ("21.02.2026 [19:22]", "2026-02-21T15:22"),
    ("01.01.2026 [00:05]", "2025-12-31T20:05"),
    ("21.02.2026", "2026-02-20T20:00"),
    # Azernews (no space before the offset)
    ("3 October 2022 09:59 (UTC+04:00)", "2022-10-03T05:59"),
    # Year and month rollover when converting to UTC
    ("1 yanvar 2025 02:30 (UTC +04:00)", "2024-12-31T22:30"),
    ("1 mart 2024 03:00", "2024-02-29T23:00"),
    # Leap days
    ("29 February 2024 12:00", "2024-02-29T08:00"),
    ("29 fevral 2024 12:00 (UTC +04:00)", "2024-02-29T08:00"),
    # Other and explicit offsets
    ("28 April 2024 22:40 (UTC -05:00)", "2024-04-29T03:40"),
    ("28 April 2024 22:40 (UTC +05:30)", "2024-04-28T17:10"),
    ("28 April 2024 22:40 (UTC+04)", "2024-04-28T18:40"),
    ("28 April 2024 22:40 GMT+4", "2024-04-28T18:40"),
    ("28 April 2024 22:40 +0400", "2024-04-28T18:40"),
    ("28 April 2024 22:40 (UTC)", "2024-04-28T22:40"),
    # RFC-822 (RSS pubDate)
    ("Sun, 28 Apr 2024 22:40:00 +0400", "2024-04-28T18:40"),
    ("Sun, 28 Apr 2024 22:40:00 GMT", "2024-04-28T22:40"),
    ("Mon, 15 Jul 2014 12:00:00 +0500", "2014-07-15T07:00"),
    # ISO 8601 (JSON-LD, itemprop=datePublished, Report's infinity parameter)
    ("2024-04-28T22:40:00+04:00", "2024-04-28T18:40"),
    ("2024-04-28T22:40:00Z", "2024-04-28T22:40"),
    ("2024-04-28T22:40:00.123+04:00", "2024-04-28T18:40:00.123"),
    ("2024-04-28T22:40:00.123456789Z", "2024-04-28T22:40:00.123456"),
    ("2024-04-28T22:40:00", "2024-04-28T18:40"),
    ("2024-04-28 22:40:00", "2024-04-28T18:40"),
    ("2024-04-28", "2024-04-27T20:00"),
    # Baku summer time: UTC+5 until October 2015, UTC+4 all year since 2016
    ("15 July 2014 12:00", "2014-07-15T07:00"),
    ("15 iyul 2015 12:00", "2015-07-15T07:00"),
    ("15 iyul 2016 12:00", "2016-07-15T08:00"),
    ("15 yanvar 2015 12:00", "2015-01-15T08:00"),
    ("29 mart 2015 03:59", "2015-03-28T23:59"),  # last minute of winter time
    ("29 mart 2015 05:00", "2015-03-29T00:00"),  # first full hour of the last summer time
    ("29 mart 2015 04:30", "2015-03-29T00:30"),  # in the spring gap: offset before the change
    ("25 oktyabr 2015 03:59", "2015-10-24T22:59"),  # last summer-time minute ever
    ("25 oktyabr 2015 04:30", "2015-10-24T23:30"),  # repeated hour: first (summer) reading
    ("25 oktyabr 2015 05:00", "2015-10-25T01:00"),  # UTC+4 from here on
    ("27 mart 2016 05:00", "2016-03-27T01:00"),  # no summer time in 2016
    ("15 July 2014 12:00 (UTC +04:00)", "2014-07-15T08:00"),  # explicit offset wins over DST
]


@pytest.mark.parametrize("text, expected", ABSOLUTE_CASES)
def test_site_datelines(text, expected):
    assert_parses_to(text, expected)


def test_zoneinfo_agrees_on_the_last_baku_changeover():
    baku = ZoneInfo("Asia/Baku")
    assert datetime(2015, 10, 24, 23, 59, tzinfo=UTC).astimezone(baku).utcoffset() == timedelta(hours=5)
    assert datetime(2015, 10, 25, 0, 0, tzinfo=UTC).astimezone(baku).utcoffset() == timedelta(hours=4)
    assert datetime(2016, 7, 1, tzinfo=UTC).astimezone(baku).utcoffset() == timedelta(hours=4)


@pytest.mark.parametrize(
    "text, tz, expected",
    [
        ("28 April 2024 22:40", "Europe/Moscow", "2024-04-28T19:40"),
        ("15 July 2013 12:00", "Europe/Moscow", "2013-07-15T08:00"),  # Moscow kept UTC+4 in 2011-14
        ("28 April 2024 22:40", "Asia/Tbilisi", "2024-04-28T18:40"),
        ("28 April 2024 22:40", "UTC", "2024-04-28T22:40"),
        ("28 April 2024 22:40 (UTC +04:00)", "Europe/Moscow", "2024-04-28T18:40"),
        ("2024-04-28T22:40:00+04:00", "America/New_York", "2024-04-28T18:40"),
        ("10 March 2024 02:30", "America/New_York", "2024-03-10T07:30"),  # spring gap: offset before it
        ("3 November 2024 01:30", "America/New_York", "2024-11-03T05:30"),  # fold: first reading
    ],
)
def test_site_zone_argument(text, tz, expected):
    assert_parses_to(text, expected, tz=tz)


@pytest.mark.parametrize(
    "text, now, expected",
    [
        # Oxu
        ("Bu gün / 12:18", NOW, "2025-03-01T08:18"),
        ("BU GÜN / 12:18", NOW, "2025-03-01T08:18"),
        ("Dünən / 22:30", NOW, "2025-02-28T18:30"),  # across a month boundary
        ("Dunen / 22:30", NOW, "2025-02-28T18:30"),
        ("Bu gün", NOW, "2025-02-28T20:00"),  # a day word alone is local midnight
        ("Dünən", NOW, "2025-02-27T20:00"),
        ("Bu gün / 00:10", NOW_JUST_AFTER_BAKU_MIDNIGHT, "2025-02-28T20:10"),  # Baku date, not UTC date
        ("Dünən / 23:50", datetime(2025, 1, 1, 8, 0, tzinfo=UTC), "2024-12-31T19:50"),
        # Trend list form: a time today in the printed offset
        ("15:49 (UTC+04)", NOW, "2025-03-01T11:49"),
        ("15:49", NOW, "2025-03-01T11:49"),
        # N hours / minutes ago
        ("2 saat əvvəl", NOW, "2025-03-01T06:00"),
        ("3 saat əvvəl", NOW_JUST_AFTER_BAKU_MIDNIGHT, "2025-02-28T18:30"),  # crosses Baku midnight
        ("5 dəqiqə əvvəl", NOW, "2025-03-01T07:55"),
        ("5 deqiqe evvel", NOW, "2025-03-01T07:55"),
        ("bir saat əvvəl", NOW, "2025-03-01T07:00"),
        ("1 час назад", NOW, "2025-03-01T07:00"),
        ("3 часа назад", NOW, "2025-03-01T05:00"),
        ("5 часов назад", NOW, "2025-03-01T03:00"),
        ("час назад", NOW, "2025-03-01T07:00"),
        ("минуту назад", NOW, "2025-03-01T07:59"),
        ("2 минуты назад", NOW, "2025-03-01T07:58"),
        ("10 минут назад", NOW, "2025-03-01T07:50"),
        ("сегодня в 12:18", NOW, "2025-03-01T08:18"),
        ("Вчера, 22:30", NOW, "2025-02-28T18:30"),
        ("2 hours ago", NOW, "2025-03-01T06:00"),
        ("an hour ago", NOW, "2025-03-01T07:00"),
        ("15 minutes ago", NOW, "2025-03-01T07:45"),
        ("today 10:00", NOW, "2025-03-01T06:00"),
        ("Yesterday at 22:30", NOW, "2025-02-28T18:30"),
        # A naive "now" is UTC
        ("2 saat əvvəl", NOW.replace(tzinfo=None), "2025-03-01T06:00"),
        ("Bu gün / 12:18", NOW.astimezone(ZoneInfo("Asia/Baku")), "2025-03-01T08:18"),
    ],
)
def test_relative_datelines(text, now, expected):
    assert_parses_to(text, expected, now=now)


def test_relative_dateline_defaults_to_the_current_time():
    before = datetime.now(UTC)
    result = parse_dateline("2 saat əvvəl")
    assert before - timedelta(hours=2) <= result <= datetime.now(UTC) - timedelta(hours=2)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\xa0\t",
        "#",
        None,
        5,
        b"28 April 2024 22:40",
        ["28 April 2024 22:40"],
        "1 2 3 4 5 İDMAN XƏBƏR",
        "32 April 2024 10:00",
        "30 February 2024 10:00",
        "29 February 2023 12:00",
        "29 fevral 2023 12:00 (UTC +04:00)",
        "28 April 2024 25:00",
        "28 April 2024 22:60",
        "28 April 2024 22:40 (UTC +19:00)",
        "2024-13-01T10:00:00",
        "31.04.2026 [19:22]",
        "Mart",
        "UTC +04:00",
        "hello world",
        "2024",
        "Bakı. Trend:",
        "\x00\x01\x02\ufffd\ud800",
    ],
)
def test_not_a_date(text):
    assert parse_dateline(text, now=NOW) is None


def test_unknown_zone_is_a_configuration_error():
    with pytest.raises(ZoneInfoNotFoundError):
        parse_dateline("28 April 2024 22:40", tz="Asia/Nowhere")


@pytest.fixture
def dateparser_calls(monkeypatch):
    calls = []
    real_parse = dateparser.parse

    def recording_parse(text, *args, **kwargs):
        calls.append(text)
        return real_parse(text, *args, **kwargs)

    monkeypatch.setattr(dateparser, "parse", recording_parse)
    return calls


@pytest.mark.parametrize(
    "text, expected",
    [
        ("April 28, 2024 10:40 PM", "2024-04-28T18:40"),
        ("July 15, 2014 12:00 PM", "2014-07-15T07:00"),  # Baku summer time applies there too
    ],
)
def test_dateparser_fallback_uses_the_site_zone(dateparser_calls, text, expected):
    assert_parses_to(text, expected, now=NOW)
    assert dateparser_calls == [text]


def test_known_formats_never_reach_dateparser(dateparser_calls):
    for text, _ in ABSOLUTE_CASES:
        parse_dateline(text, now=NOW)
    for text in ("Mart", "hello world", "Bu gün", "32 April 2024 10:00", "29 February 2023 12:00"):
        parse_dateline(text, now=NOW)
    assert dateparser_calls == []


def test_fold_case_handles_the_turkic_i():
    assert fold_case("İYUN") == "iyun"
    assert fold_case("IYUL") == "iyul"
    assert fold_case("ıyul") == "iyul"
    assert fold_case("İDMAN XƏBƏR") == "idman xəbər"
    assert "\u0307" not in fold_case("İ".lower())


def test_every_month_name_parses():
    for name, number in MONTHS.items():
        result = parse_dateline(f"2 {name} 2024 12:00 (UTC +04:00)")
        assert result == datetime(2024, number, 2, 8, 0, tzinfo=UTC), name


def test_random_text_never_raises():
    rng = random.Random(20240428)
    alphabet = "0123456789 :./,()[]+-#\n\xa0TZaprilnoyIİıəДекабряUTCGMTsaatəvvəlназад"
    pieces = ["28", "April", "2024", "22:40", "(UTC", "+04:00)", "/", ",", "noy", "Bu gün", "Dünən",
              "2 saat əvvəl", "[19:22]", "21.02.2026", "T", "Z", "-05", "99", "0", "апреля", "  "]
    for _ in range(300):
        characters = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        shuffled = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        for text in (characters, shuffled):
            result = parse_dateline(text, now=NOW)
            assert result is None or result.tzinfo is UTC
