"""Settings from the environment, for deployments configured only through environment variables
(the Docker image, compose, Kubernetes, systemd `EnvironmentFile=`).

Scalar settings read `os.environ.get(NAME, default)` in settings/base.py; dict settings use
`env_json_setting`, so that e.g. `NEWSMON_STORE_OPTIONS='{"breaker_seconds": 60}'` needs no settings file.
"""
from __future__ import annotations

import json
import os
from typing import Any

_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


class ConfigError(ValueError):
    """An environment variable holds a value its setting cannot take; the message names it."""


def env_json(name: str, default: dict[str, Any]) -> dict[str, Any]:
    """The JSON object in environment variable `name`, or `default` when it is unset or blank.

    The object replaces the default as a whole (no merging), as a settings file would.
    Raises ConfigError, naming the variable, when the value is not JSON or not a JSON object.
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"${name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        # The value is not echoed: options may carry credentials.
        raise ConfigError(f"${name} must be a JSON object ({{...}}), not a JSON {_JSON_TYPES[type(value)]}")
    return value


def env_json_setting(name: str, default: dict[str, Any]) -> dict[str, Any]:
    """`env_json` for settings modules: a bad value ends the program with its one-line message
    (exit status 1), since `scrapy crawl` imports the settings before any code of ours could
    catch the error and the traceback would say less than the message."""
    try:
        return env_json(name, default)
    except ConfigError as exc:
        raise SystemExit(f"newsmon: {exc}") from None
