"""Secrets and exposed surfaces: no credential in a log line or message, no code-running server."""
from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.remote_control import RemoteControl
from scrapy.utils.project import get_project_settings


def test_remote_control_is_off_unless_asked_for():
    settings = get_project_settings()
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    with pytest.raises(NotConfigured) as disabled:
        RemoteControl(Crawler(Spider, settings))
    assert str(disabled.value) == ""  # turned off, not merely lacking asyncio
    settings.set("REMOTE_CONTROL_ENABLED", True, priority="cmdline")  # as `-s REMOTE_CONTROL_ENABLED=True`
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is True
