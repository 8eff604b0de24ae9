"""The geometry of the Sites page's chart of articles per day: one bar a day, drawn by the page
as inline SVG (no script, nothing for the Content-Security-Policy to allow)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import NamedTuple


class Bar(NamedTuple):
    day: str  # 2026-11-30
    count: int
    x: float
    y: float
    width: float
    height: float


class Chart(NamedTuple):
    width: int
    height: int
    peak: int  # the highest count, the top of the scale
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def day_chart(counts: Mapping[str, int], days: Sequence[date], *, width: int = 360, height: int = 80) -> Chart:
    """Bars for `days` (oldest first) from counts by ISO day; a day without articles is a bar of
    height 0, so that gaps show. The scale's top is the busiest day."""
    peak = max((counts.get(day.isoformat(), 0) for day in days), default=0)
    slot = width / max(1, len(days))
    bars = []
    for index, day in enumerate(days):
        count = counts.get(day.isoformat(), 0)
        bar_height = height * count / peak if peak else 0.0
        bars.append(Bar(day.isoformat(), count, round(index * slot + slot * 0.1, 2), round(height - bar_height, 2),
                        round(slot * 0.8, 2), round(bar_height, 2)))  # fmt: skip
    return Chart(width, height, peak, bars)
