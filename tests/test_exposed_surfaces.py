"""Secrets and exposed surfaces: no credential in a log line or message, no code-running server."""
from __future__ import annotations

import logging

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.remote_control import RemoteControl
from scrapy.utils.project import get_project_settings

from newsmon.scheduler import Scheduler
from newsmon.store.base import redact_command, redact_text, redact_uri


def test_remote_control_is_off_unless_asked_for():
    settings = get_project_settings()
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    with pytest.raises(NotConfigured) as disabled:
        RemoteControl(Crawler(Spider, settings))
    assert str(disabled.value) == ""  # turned off, not merely lacking asyncio
    settings.set("REMOTE_CONTROL_ENABLED", True, priority="cmdline")  # as `-s REMOTE_CONTROL_ENABLED=True`
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is True


SECRET = "s3cret"


@pytest.mark.parametrize(
    "uri",
    [
        f"mongodb://crawler:{SECRET}@db.example.net:27017/newsmon?authSource=admin",
        f"mongodb+srv://db.example.net/newsmon?tls=true&tlsCertificateKeyFilePassword={SECRET}",
        f"mongodb://db.example.net/newsmon?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:{SECRET}",
        f"mongodb://db.example.net/newsmon?password={SECRET}&replicaSet=rs0",
        f"mongodb://db.example.net/newsmon?apiSecret={SECRET}",
        f"mongodb://db.example.net/newsmon?access_token={SECRET}#top",
        f"mongodb://db.example.net/newsmon?w=1;sslKey={SECRET}",
    ],
)
def test_every_credential_bearing_part_of_a_uri_is_redacted(uri):
    redacted = redact_uri(uri)
    assert SECRET not in redacted
    assert redacted.startswith(uri.split("://")[0] + "://") and "db.example.net" in redacted


def test_harmless_query_parameters_are_kept():
    uri = "mongodb://db.example.net/newsmon?authSource=admin&replicaSet=rs0&tls=true"
    assert redact_uri(uri) == uri


def test_uris_inside_text_and_secret_settings_on_a_command_line_are_redacted():
    store = f"mongodb://crawler:{SECRET}@db.example.net/newsmon"
    command = [
        "scrapy", "crawl", "apa", "-s", f"NEWSMON_STORE={store}",
        "-s", f"NEWSMON_MONITOR_WEBHOOK_URL=https://hooks.example.net/services/{SECRET}",
        "-s", f"API_TOKEN={SECRET}", "-s", "LOG_LEVEL=INFO",
    ]  # fmt: skip
    shown = redact_command(command)
    assert SECRET not in shown
    assert "NEWSMON_STORE=mongodb://crawler:***@db.example.net/newsmon" in shown and "LOG_LEVEL=INFO" in shown
    assert SECRET not in redact_text(f"cannot reach {store} (timeout)")


def test_a_crawl_that_cannot_start_is_logged_without_its_credentials(tmp_path, caplog):
    scheduler = Scheduler(
        {"apa": 60}, lock_dir=tmp_path / "locks", crawl_command=[str(tmp_path / "no-such-scrapy"), "crawl"],
        crawl_args=["-s", f"NEWSMON_STORE=mongodb://crawler:{SECRET}@db.example.net/newsmon"], once=True,
        poll_interval=0.01,
    )  # fmt: skip
    with caplog.at_level(logging.INFO):
        scheduler.run()
    assert "crawl apa could not start" in caplog.text and "mongodb://crawler:***@db.example.net" in caplog.text
    assert SECRET not in caplog.text
