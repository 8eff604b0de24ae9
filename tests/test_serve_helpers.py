"""The desk's pure parts: where it may listen, which URLs become links, parameters, the chart,
durations, revisions; and `newsmon serve`'s one-line errors."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timezone

import pytest

from newsmon.desk.chart import day_chart
from newsmon.desk.params import BadParameter, Filters, parse_time
from newsmon.desk.security import is_loopback, safe_url
from newsmon.desk.views import after, body_changes, field_changes
from newsmon.items import Article
from newsmon.replay.crawl import PROJECT_ROOT


@pytest.mark.parametrize(
    "host, loopback",
    [("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True), ("localhost", True), ("LOCALHOST", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.org", False), ("", False)],
)  # fmt: skip
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    "url, link",
    [
        ("https://apa.az/en/news/1", "https://apa.az/en/news/1"),
        ("HTTP://apa.az/x", "HTTP://apa.az/x"),
        (" https://apa.az/x ", "https://apa.az/x"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox", None),
        ("//evil.example/x", None),
        ("https://", None),
        ("http://[::1", None),  # unparseable
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url, link):
    assert safe_url(url) == link


@pytest.mark.parametrize(
    "text, end_of_day, expected",
    [
        ("2026-11-30", False, datetime(2026, 11, 30, tzinfo=timezone.utc)),
        ("2026-11-30", True, datetime(2026, 12, 1, tzinfo=timezone.utc)),
        ("2026-11-30T10:00", True, datetime(2026, 11, 30, 10, tzinfo=timezone.utc)),
        ("2026-11-30T14:00+04:00", False, datetime(2026, 11, 30, 10, tzinfo=timezone.utc)),
        ("2026-11-30T10:00Z", False, datetime(2026, 11, 30, 10, tzinfo=timezone.utc)),
        ("", False, None),
        (None, False, None),
    ],
)
def test_parse_time(text, end_of_day, expected):
    assert parse_time("since", text, end_of_day=end_of_day) == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "30.11.2026", "2026-11-30T25:00"])
def test_parse_time_refuses_what_is_not_a_time(text):
    with pytest.raises(BadParameter, match=r"^since: not a date"):
        parse_time("since", text)


def test_filters_refuse_an_empty_range():
    day = datetime(2026, 11, 30, tzinfo=timezone.utc)
    with pytest.raises(BadParameter, match="^until: must be later than since"):
        Filters(since=day, until=day)


def test_day_chart_has_a_bar_a_day_scaled_to_the_busiest():
    days = [date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30)]
    chart = day_chart({"2026-11-28": 2, "2026-11-30": 4, "2026-11-01": 99}, days, width=300, height=100)
    assert [(bar.day, bar.count, bar.height, bar.y) for bar in chart.bars] == [
        ("2026-11-28", 2, 50.0, 50.0), ("2026-11-29", 0, 0.0, 100.0), ("2026-11-30", 4, 100.0, 0.0),
    ]  # fmt: skip
    assert [bar.x for bar in chart.bars] == [10.0, 110.0, 210.0] and chart.bars[0].width == 80.0
    assert chart.peak == 4 and chart.total == 6


def test_day_chart_of_no_articles_is_flat():
    chart = day_chart({}, [date(2026, 11, 30)])
    assert chart.peak == 0 and chart.bars[0].height == 0.0


@pytest.mark.parametrize(
    "seconds, text",
    [(0, "+0 min"), (59, "+0 min"), (20 * 60, "+20 min"), (8100, "+2 h 15 min"), (3600, "+1 h 00 min"),
     (26 * 3600 + 5, "+1 d 2 h")],
)  # fmt: skip
def test_after(seconds, text):
    assert after(seconds) == text


def test_revision_changes():
    old = Article(title="Old", body="Kept.\nGone.", tags=["a"], category="x")
    new = Article(title="New", body="Kept.\nAdded.", tags=["a"], category="x")
    assert field_changes(old, new) == [{"field": "title", "before": "Old", "after": "New"}]
    assert body_changes(old.body, new.body) == [
        {"op": "-", "text": "Gone."}, {"op": "+", "text": "Added."},
    ]  # fmt: skip


def serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "NEWSMON_SERVE_TOKEN"}
    return subprocess.run([sys.executable, "-m", "newsmon.cli", "serve", *args], cwd=PROJECT_ROOT,
                          env={**environment, **(env or {})}, capture_output=True, text=True, timeout=60)  # fmt: skip


def test_serve_a_missing_store_is_one_line(tmp_path):
    result = serve("--store", f"sqlite:///{tmp_path}/missing.db")
    assert result.returncode == 1 and not (tmp_path / "missing.db").exists()
    assert result.stderr.strip().count("\n") == 0 and f"{tmp_path}/missing.db" in result.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "::", "example.org"])
def test_serve_on_another_address_without_a_token_is_refused_in_one_line(tmp_path, host):
    result = serve("--store", f"sqlite:///{tmp_path}/x.db", "--host", host)
    assert result.returncode == 2 and "NEWSMON_SERVE_TOKEN" in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


def test_serve_a_bad_port_is_one_line(tmp_path):
    result = serve("--port", "70000")
    assert result.returncode == 2 and result.stderr.strip() == "newsmon serve: --port 70000 is not a port (1-65535)"
