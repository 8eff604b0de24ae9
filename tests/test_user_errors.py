"""A user's mistake gets one line saying what is wrong, and a non-zero exit; settings are read one way."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from scrapy.settings import Settings

from newsmon.chain import CounterStats, DateStep
from newsmon.config import ConfigError
from newsmon.items import Article
from newsmon.store import open_store


def dated(dateline: str, site: str = "en.apa.az", fetched_at: datetime | None = None) -> Article:
    return Article(url="https://apa.az/en/news/1", site=site, title="T", body="B", dateline=dateline, fetched_at=fetched_at)


def test_site_time_zones_given_on_the_command_line_are_read_as_json():
    settings = Settings({"NEWSMON_DEFAULT_TIMEZONE": "Asia/Baku"})
    settings.set("NEWSMON_SITE_TIMEZONES", '{"en.apa.az": "UTC"}', priority="cmdline")  # -s NEWSMON_SITE_TIMEZONES=…
    step = DateStep(settings, None, CounterStats())
    assert step.process(dated("28 April 2024 22:40")).published_at == datetime(2024, 4, 28, 22, 40, tzinfo=timezone.utc)
    assert step.process(dated("28 April 2024 22:40", site="apa.az")).published_at.hour == 18  # Baku: UTC+4


def test_an_unknown_time_zone_is_one_error_at_the_start_not_one_per_article():
    with pytest.raises(ConfigError, match="unknown time zone 'Asia/Bak' for en.apa.az"):
        DateStep({"NEWSMON_SITE_TIMEZONES": {"en.apa.az": "Asia/Bak"}}, None, CounterStats())


@pytest.mark.parametrize(
    ("dateline", "published"),
    [
        ("Bu gün / 12:18", datetime(2024, 4, 28, 8, 18)),
        ("Dünən / 22:30", datetime(2024, 4, 27, 18, 30)),
        ("2 saat əvvəl", datetime(2024, 4, 28, 8, 0)),
        ("5 dəqiqə əvvəl", datetime(2024, 4, 28, 9, 55)),
    ],
)
def test_relative_datelines_count_from_when_the_page_was_fetched(dateline, published):
    fetched = datetime(2024, 4, 28, 10, 0, tzinfo=timezone.utc)  # 14:00 in Baku
    step = DateStep({}, None, CounterStats())
    article = step.process(dated(dateline, site="oxu.az", fetched_at=fetched))
    assert article.published_at == published.replace(tzinfo=timezone.utc)


def test_make_clean_keeps_the_store_and_the_spool(tmp_path):
    shutil.copy(Path(__file__).parents[1] / "Makefile", tmp_path)
    for kept in ("data/newsmon.db", "data/spool/0123/batch.jsonl"):
        (tmp_path / kept).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / kept).write_text("user data")
    for artefact in (".pytest_cache/v/x", "newsmon.egg-info/PKG-INFO", "pkg/__pycache__/m.pyc"):
        (tmp_path / artefact).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / artefact).write_text("")
    subprocess.run(["make", "clean"], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "data/newsmon.db").read_text() == "user data"
    assert (tmp_path / "data/spool/0123/batch.jsonl").exists()
    assert not any((tmp_path / name).exists() for name in (".pytest_cache", "newsmon.egg-info", "pkg/__pycache__"))


PROJECT = Path(__file__).parents[1]


def run(*command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("NEWSMON_STORE", "SCRAPY_SETTINGS_MODULE")}
    environment.update(PYTHONPATH=str(PROJECT), **env)
    return subprocess.run([sys.executable, "-m", *command], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


def test_production_settings_take_a_store_from_the_command_line(tmp_path):
    uri = f"sqlite:///{tmp_path}/newsmon.db"
    open_store(uri).close()
    result = run("newsmon.cli", "stats", "--store", uri, cwd=tmp_path, SCRAPY_SETTINGS_MODULE="settings.production")
    assert result.returncode == 0, result.stderr
    assert "0 articles in" in result.stdout


@pytest.mark.parametrize("command", [("newsmon.cli", "stats"), ("scrapy", "crawl", "apa")])
def test_production_settings_without_a_store_are_one_line(tmp_path, command):
    result = run(*command, cwd=tmp_path, SCRAPY_SETTINGS_MODULE="settings.production")
    assert "no store given" in one_line_error(result) and "$NEWSMON_STORE" in result.stderr
    assert not (tmp_path / "data").exists()  # no quiet fall back to the embedded store


@pytest.mark.parametrize("command", [("newsmon.cli", "stats"), ("scrapy", "crawl", "apa")])
def test_bad_store_options_json_is_one_line(tmp_path, command):
    result = run(*command, cwd=tmp_path, SCRAPY_SETTINGS_MODULE="settings.dev", NEWSMON_STORE_OPTIONS='{"retry_attempts": 3,}')
    assert "$NEWSMON_STORE_OPTIONS is not valid JSON" in one_line_error(result)


def test_loading_a_path_that_is_not_there_is_an_error_not_a_document(tmp_path):
    result = run("newsmon.cli", "load", str(tmp_path / "nonexistent"), cwd=tmp_path)
    assert f"{tmp_path / 'nonexistent'}: no such file or directory" in one_line_error(result)
    assert "documents read" not in result.stdout and not (tmp_path / "data").exists()
