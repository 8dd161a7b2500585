"""Service settings: every bad value is refused at start-up, naming the setting at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

import eligibility
from eligibility.server import ConfigError, create_app, serve
from eligibility.server.config import (
    ENV_ACCESS_LOG,
    ENV_API_KEYS,
    ENV_API_KEYS_FILE,
    ENV_MAX_BATCH,
    ENV_MAX_BODY_BYTES,
    ENV_RULES_DIR,
    ServiceSettings,
    read_api_keys_file,
    settings_from_environment,
)


def test_defaults_without_environment() -> None:
    assert settings_from_environment({}) == ServiceSettings(
        rules_dir=None, jurisdictions_dir=None, api_keys=None, max_body_bytes=1_048_576,
        max_batch=1000, access_log=True)


def test_settings_survive_the_trip_through_the_environment(tmp_path: Path) -> None:
    settings = ServiceSettings(rules_dir=tmp_path / "r", jurisdictions_dir=tmp_path / "j",
                               api_keys=("abc", "def"), max_body_bytes=5000, max_batch=7,
                               access_log=False)
    env: dict[str, str] = {ENV_API_KEYS_FILE: "/stale/path"}
    settings.to_environment(env)
    assert ENV_API_KEYS_FILE not in env
    assert settings_from_environment(env) == settings


def test_keys_from_variable_and_file_are_merged(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text("# rotated 2026-03\nfile-key-1\n\n  file-key-2  \nshared\n", "utf-8")
    settings = settings_from_environment({ENV_API_KEYS: "env-key, shared",
                                          ENV_API_KEYS_FILE: str(keys_file)})
    assert settings.api_keys == ("env-key", "shared", "file-key-1", "file-key-2")


@pytest.mark.parametrize(("env", "named"), [
    ({ENV_API_KEYS: ""}, ENV_API_KEYS),
    ({ENV_API_KEYS: " , "}, ENV_API_KEYS),
    ({ENV_API_KEYS_FILE: ""}, ENV_API_KEYS_FILE),
    ({ENV_MAX_BODY_BYTES: "0"}, ENV_MAX_BODY_BYTES),
    ({ENV_MAX_BODY_BYTES: "1MB"}, ENV_MAX_BODY_BYTES),
    ({ENV_MAX_BATCH: "-5"}, ENV_MAX_BATCH),
    ({ENV_RULES_DIR: " "}, ENV_RULES_DIR),
    ({ENV_ACCESS_LOG: "sometimes"}, ENV_ACCESS_LOG),
])
def test_bad_environment_names_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        settings_from_environment(env)


@pytest.mark.parametrize(("value", "expected"), [("off", False), ("0", False), ("No", False),
                                                ("on", True), ("TRUE", True), ("1", True)])
def test_access_log_switch(value: str, expected: bool) -> None:
    assert settings_from_environment({ENV_ACCESS_LOG: value}).access_log is expected


def test_an_unusable_key_is_refused_without_echoing_it() -> None:
    secret = "sp ace-secret"
    with pytest.raises(ConfigError, match=ENV_API_KEYS) as caught:
        settings_from_environment({ENV_API_KEYS: "good-key,bad\u00e9" + secret})
    assert secret not in str(caught.value)
    assert "key #2" in str(caught.value)


def test_key_file_problems(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        read_api_keys_file(tmp_path / "missing")
    only_comments = tmp_path / "comments"
    only_comments.write_text("# nothing here\n\n", "utf-8")
    with pytest.raises(ConfigError, match="no API key"):
        read_api_keys_file(only_comments)


@pytest.mark.parametrize(("kwargs", "named"), [
    ({"api_keys": []}, "api_keys"),
    ({"api_keys": "one-string"}, "api_keys"),
    ({"max_body_bytes": 0}, "max_body_bytes"),
    ({"max_batch": True}, "max_batch"),
    ({"max_batch": 2.5}, "max_batch"),
])
def test_create_app_refuses_bad_arguments(policy: eligibility.Policy,
                                          kwargs: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        create_app(policy, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "named"), [
    ({"port": 70000}, "port"),
    ({"workers": 0}, "workers"),
    ({"max_batch": 0}, "max_batch"),
    ({"api_keys_file": "/nonexistent/keys"}, "API key file"),
])
def test_serve_refuses_bad_arguments_before_starting(kwargs: dict[str, object], named: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ENV_API_KEYS, ENV_API_KEYS_FILE, ENV_MAX_BATCH, ENV_MAX_BODY_BYTES):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match=named):
        serve(**kwargs)  # type: ignore[arg-type]


def test_serve_reports_a_bad_policy_folder(tmp_path: Path) -> None:
    with pytest.raises(eligibility.PolicyError):
        serve(rules_dir=tmp_path, jurisdictions_dir=tmp_path, port=0)
