"""parse_dateline against dateparser on 1,000 realistic datelines from the monitored sites.

Both parsers get the same text, the same Baku zone and the same "now"; dateparser also gets
the right language hint for each line, which is the most favourable way to call it.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from newsmon.dates import parse_dateline

DATELINE_COUNT = 1000
QUICK_DATEPARSER_SAMPLES = 200
TARGET_MEDIAN_US = 20
TARGET_RATIO = 50
SITE_TZ = "Asia/Baku"
NOW = datetime(2026, 2, 21, 12, 0, tzinfo=timezone.utc)

AZ_MONTHS = "yanvar fevral mart aprel may iyun iyul avqust sentyabr oktyabr noyabr dekabr".split()
OXU_MONTHS = "yan fev mar apr may iyn iyl avq sen okt noy dek".split()
EN_MONTHS = "January February March April May June July August September October November December".split()
RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()


def _apa_az(t: datetime) -> str:
    return f"{t.day:02d} {AZ_MONTHS[t.month - 1]} {t.year} {t:%H:%M} (UTC +04:00)"


def _apa_en(t: datetime) -> str:
    return f"{t.day} {EN_MONTHS[t.month - 1]} {t.year} {t:%H:%M} (UTC +04:00)"


def _apa_ru(t: datetime) -> str:
    return f"{t.day} {RU_MONTHS[t.month - 1]} {t.year} {t:%H:%M} (UTC +04:00)"


def _trend(t: datetime) -> str:
    return f"{t.day} {AZ_MONTHS[t.month - 1].capitalize()} {t.year} {t:%H:%M} (UTC +04:00)"


def _report(t: datetime) -> str:
    return f"{t.day} {AZ_MONTHS[t.month - 1]}, {t.year} {t:%H:%M}"


def _oxu(t: datetime) -> str:
    return f"{t.day} {OXU_MONTHS[t.month - 1]}, {t.year} / {t:%H:%M}"


def _oxu_recent(t: datetime) -> str:
    return f"{'Bu gün' if t.day % 2 else 'Dünən'} / {t:%H:%M}"


def _azertac(t: datetime) -> str:
    return f"{t:%d.%m.%Y} [{t:%H:%M}]"


def _azernews(t: datetime) -> str:
    return f"{t.day} {EN_MONTHS[t.month - 1]} {t.year} {t:%H:%M} (UTC+04:00)"


def _rss(t: datetime) -> str:
    return f"{WEEKDAYS[t.weekday()]}, {t.day:02d} {EN_MONTHS[t.month - 1][:3]} {t.year} {t:%H:%M:%S} +0400"


def _iso(t: datetime) -> str:
    return f"{t:%Y-%m-%dT%H:%M:%S}+04:00"


def _hours_ago_az(t: datetime) -> str:
    return f"{t.hour % 12 + 1} saat əvvəl"


# (format, dateparser language hint, relative weight in the mix)
SITE_FORMATS: list[tuple[Callable[[datetime], str], str, int]] = [
    (_apa_az, "az", 25),
    (_apa_en, "en", 12),
    (_apa_ru, "ru", 10),
    (_trend, "az", 10),
    (_report, "az", 8),
    (_oxu, "az", 6),
    (_oxu_recent, "az", 3),
    (_azertac, "az", 6),
    (_azernews, "en", 5),
    (_rss, "en", 8),
    (_iso, "en", 5),
    (_hours_ago_az, "az", 2),
]


def build_datelines(count: int = DATELINE_COUNT, seed: int = 20240428) -> list[tuple[str, str]]:
    """Deterministic (dateline, language hint) pairs with Baku wall-clock times from 2012 to 2026."""
    rng = random.Random(seed)
    formats, languages, weights = zip(*SITE_FORMATS)
    first = datetime(2012, 1, 1)
    span_minutes = int((datetime(2026, 2, 21) - first).total_seconds() // 60)
    datelines = []
    for index in rng.choices(range(len(formats)), weights=weights, k=count):
        local_time = first + timedelta(minutes=rng.randrange(span_minutes))
        datelines.append((formats[index](local_time), languages[index]))
    return datelines


def _median_us(durations_ns: list[int]) -> float:
    return statistics.median(durations_ns) / 1000


def _time_each(
    parse: Callable[[str, str], datetime | None], datelines: list[tuple[str, str]]
) -> tuple[float, list[datetime | None]]:
    """Median microseconds per call, and each dateline's result."""
    durations, results = [], []
    gc.disable()  # a collection landing inside one timed call would only add noise
    try:
        for text, language in datelines:
            start = time.perf_counter_ns()
            results.append(parse(text, language))
            durations.append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return _median_us(durations), results


def _parsed_count(results: list[datetime | None]) -> int:
    return sum(result is not None for result in results)


def run(quick: bool = False) -> list[str]:
    import dateparser  # imported here so that merely importing the bench package stays cheap

    dateparser_settings = {
        "TIMEZONE": SITE_TZ,
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": NOW.astimezone(ZoneInfo(SITE_TZ)).replace(tzinfo=None),
    }

    def with_parse_dateline(text: str, language: str) -> datetime | None:
        return parse_dateline(text, tz=SITE_TZ, now=NOW)

    def with_dateparser(text: str, language: str) -> datetime | None:
        return dateparser.parse(text, languages=[language], settings=dateparser_settings)

    datelines = build_datelines()
    dateparser_step = DATELINE_COUNT // QUICK_DATEPARSER_SAMPLES if quick else 1
    dateparser_lines = datelines[::dateparser_step]

    for text, language in datelines[:20]:  # imports, caches and dateparser's one-second first call
        with_parse_dateline(text, language)
        with_dateparser(text, language)

    ours_us, ours = _time_each(with_parse_dateline, datelines)
    theirs_us, theirs = _time_each(with_dateparser, dateparser_lines)
    pairs = zip(ours[::dateparser_step], theirs)
    agreeing = sum(mine == result for mine, result in pairs if result is not None)
    ratio = theirs_us / ours_us
    verdict = "ok" if ours_us <= TARGET_MEDIAN_US and ratio >= TARGET_RATIO else "MISSED"
    return [
        f"dates: parse_dateline median {ours_us:.1f} µs, dateparser median {theirs_us:.0f} µs, "
        f"ratio {ratio:.0f}x (target ≥{TARGET_RATIO}x, ≤{TARGET_MEDIAN_US}µs: {verdict}) "
        f"parsed {_parsed_count(ours)}/{len(datelines)} vs {_parsed_count(theirs)}/{len(dateparser_lines)}",
        f"dates: {agreeing} of dateparser's {_parsed_count(theirs)} results agree with parse_dateline",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
