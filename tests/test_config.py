"""Settings from environment variables (newsmon.config)."""
import pytest

from newsmon.config import ConfigError, env_json

DEFAULT = {"published_at": 1.0, "body": 1.0}


def test_a_json_object_replaces_the_default(monkeypatch):
    monkeypatch.setenv("NEWSMON_TEST_OPTIONS", ' {"collection": "articles_v2", "retry_attempts": 3} ')
    assert env_json("NEWSMON_TEST_OPTIONS", DEFAULT) == {"collection": "articles_v2", "retry_attempts": 3}


@pytest.mark.parametrize("value", [None, "", "   "])
def test_unset_or_blank_gives_the_default(monkeypatch, value):
    # compose's `${VAR:-}` passes an empty value for a variable left unset.
    if value is None:
        monkeypatch.delenv("NEWSMON_TEST_OPTIONS", raising=False)
    else:
        monkeypatch.setenv("NEWSMON_TEST_OPTIONS", value)
    assert env_json("NEWSMON_TEST_OPTIONS", DEFAULT) is DEFAULT


def test_bad_json_names_the_variable(monkeypatch):
    monkeypatch.setenv("NEWSMON_TEST_OPTIONS", "{'body': 1.0}")  # Python, not JSON
    with pytest.raises(ConfigError, match=r"^\$NEWSMON_TEST_OPTIONS is not valid JSON: Expecting property name"):
        env_json("NEWSMON_TEST_OPTIONS", DEFAULT)


@pytest.mark.parametrize(("value", "kind"), [('["body"]', "array"), ("0.5", "number"), ('"x"', "string")])
def test_json_other_than_an_object_names_the_variable_not_the_value(monkeypatch, value, kind):
    monkeypatch.setenv("NEWSMON_TEST_OPTIONS", value)
    with pytest.raises(ConfigError) as raised:
        env_json("NEWSMON_TEST_OPTIONS", DEFAULT)
    assert str(raised.value) == f"$NEWSMON_TEST_OPTIONS must be a JSON object ({{...}}), not a JSON {kind}"
