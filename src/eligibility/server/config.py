"""Configuration of the HTTP service: limits, API keys, and the environment variables behind them.

The service can run as several worker processes that uvicorn starts afresh, so everything a worker
needs must survive the trip through the environment. Settings are therefore plain values that
read from and write to environment variables, and every bad value is refused at start-up with a
message naming the variable (or parameter) at fault, never discovered later by a failing request.
A key source that is configured but holds no key is an error rather than "authentication off":
a typo in a secrets template must not quietly open the service.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

ENV_RULES_DIR = "ELIGIBILITY_RULES_DIR"
ENV_JURISDICTIONS_DIR = "ELIGIBILITY_JURISDICTIONS_DIR"
ENV_API_KEYS = "ELIGIBILITY_API_KEYS"
ENV_API_KEYS_FILE = "ELIGIBILITY_API_KEYS_FILE"
ENV_MAX_BODY_BYTES = "ELIGIBILITY_MAX_BODY_BYTES"
ENV_MAX_BATCH = "ELIGIBILITY_MAX_BATCH"
ENV_ACCESS_LOG = "ELIGIBILITY_ACCESS_LOG"
ENV_DECISION_LOG = "ELIGIBILITY_DECISION_LOG"
ENV_DECISION_LOG_INPUT = "ELIGIBILITY_DECISION_LOG_INPUT"
ENV_METRICS_PUBLIC = "ELIGIBILITY_METRICS_PUBLIC"
ENV_HEADER_TIMEOUT = "ELIGIBILITY_HEADER_TIMEOUT"
ENV_BODY_TIMEOUT = "ELIGIBILITY_BODY_TIMEOUT"
ENV_KEEP_ALIVE_TIMEOUT = "ELIGIBILITY_KEEP_ALIVE_TIMEOUT"
ENV_MAX_HEADER_BYTES = "ELIGIBILITY_MAX_HEADER_BYTES"
ENV_MAX_HEADERS = "ELIGIBILITY_MAX_HEADERS"
ENV_MAX_CONNECTIONS = "ELIGIBILITY_MAX_CONNECTIONS"

DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_MAX_BATCH = 1_000
# The service's own defences, for when no proxy stands in front (docs/service.md, "Limits").
DEFAULT_HEADER_TIMEOUT = 10.0  # seconds from the first byte of a request to its last header
DEFAULT_BODY_TIMEOUT = 30.0  # seconds to receive the whole body (1 MiB at ~35 kB/s)
DEFAULT_KEEP_ALIVE_TIMEOUT = 5.0  # seconds an idle kept-alive connection stays open
DEFAULT_MAX_HEADER_BYTES = 16_384  # request line and headers together; keys are at most 512
DEFAULT_MAX_HEADERS = 100
DEFAULT_MAX_CONNECTIONS = 1_000  # per worker; more get 503 until some close

# RFC 6750 token68 characters: what may follow "Bearer " in an Authorization header.
_KEY = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
MAX_KEY_LENGTH = 512


class ConfigError(ValueError):
    """A service setting is unusable; the message names the setting."""


@dataclass(frozen=True)
class ServiceSettings:
    """What a worker needs to build its app besides the policy files themselves."""

    rules_dir: Path | None = None
    jurisdictions_dir: Path | None = None
    api_keys: tuple[str, ...] | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_batch: int = DEFAULT_MAX_BATCH
    access_log: bool = True
    decision_log: str | None = None  # a file path, or "-" for standard output
    decision_log_input: bool = False
    metrics_public: bool = False
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    keep_alive_timeout: float = DEFAULT_KEEP_ALIVE_TIMEOUT
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    max_headers: int = DEFAULT_MAX_HEADERS
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    def to_environment(self, environ: MutableMapping[str, str]) -> None:
        """Write these settings where a freshly started worker will find them."""
        for name in (ENV_RULES_DIR, ENV_JURISDICTIONS_DIR, ENV_API_KEYS, ENV_API_KEYS_FILE,
                     ENV_DECISION_LOG):
            environ.pop(name, None)
        if self.rules_dir is not None:
            environ[ENV_RULES_DIR] = str(self.rules_dir)
        if self.jurisdictions_dir is not None:
            environ[ENV_JURISDICTIONS_DIR] = str(self.jurisdictions_dir)
        if self.api_keys is not None:
            environ[ENV_API_KEYS] = ",".join(self.api_keys)
        environ[ENV_MAX_BODY_BYTES] = str(self.max_body_bytes)
        environ[ENV_MAX_BATCH] = str(self.max_batch)
        environ[ENV_ACCESS_LOG] = "on" if self.access_log else "off"
        if self.decision_log is not None:
            environ[ENV_DECISION_LOG] = self.decision_log
        environ[ENV_DECISION_LOG_INPUT] = "on" if self.decision_log_input else "off"
        environ[ENV_METRICS_PUBLIC] = "on" if self.metrics_public else "off"
        for name, value in ((ENV_HEADER_TIMEOUT, self.header_timeout),
                            (ENV_BODY_TIMEOUT, self.body_timeout),
                            (ENV_KEEP_ALIVE_TIMEOUT, self.keep_alive_timeout),
                            (ENV_MAX_HEADER_BYTES, self.max_header_bytes),
                            (ENV_MAX_HEADERS, self.max_headers),
                            (ENV_MAX_CONNECTIONS, self.max_connections)):
            environ[name] = str(value)


def positive_int(value: object, name: str) -> int:
    """A strictly positive integer (not a bool), or a ConfigError naming the setting."""
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text.isdigit():
            raise ConfigError(f"{name}: expected a positive whole number, got {value!r}")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name}: expected a positive whole number, got {value!r}")
    return value


def positive_seconds(value: object, name: str) -> float:
    """A strictly positive, finite number of seconds (decimals allowed), or a ConfigError."""
    number: object = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not (
            0 < number < float("inf")):
        raise ConfigError(f"{name}: expected a positive number of seconds, got {value!r}")
    return float(number)


_SWITCH = {"1": True, "true": True, "yes": True, "on": True,
           "0": False, "false": False, "no": False, "off": False}


def switch(value: str, name: str) -> bool:
    """On or off, spelt any of the usual ways."""
    try:
        return _SWITCH[value.strip().lower()]
    except KeyError:
        raise ConfigError(f"{name}: expected on or off, got {value!r}") from None


def check_api_keys(keys: Iterable[str], where: str) -> tuple[str, ...]:
    """Keys usable in a Bearer header, without duplicates, in the order given."""
    if isinstance(keys, str):
        raise ConfigError(f"{where}: expected a list of keys, not one string")
    out: list[str] = []
    for index, key in enumerate(keys, start=1):
        if not isinstance(key, str) or not _KEY.fullmatch(key) or len(key) > MAX_KEY_LENGTH:
            # The key itself is never echoed: error messages end up in logs.
            raise ConfigError(f"{where}: key #{index} is not a usable bearer token (letters, "
                              f"digits and -._~+/ only, at most {MAX_KEY_LENGTH} characters)")
        if key not in out:
            out.append(key)
    if not out:
        raise ConfigError(f"{where}: no API key given; leave it unset to turn authentication off")
    return tuple(out)


def split_api_keys(text: str, where: str) -> tuple[str, ...]:
    """Keys from a comma- or whitespace-separated list."""
    return check_api_keys([k for k in re.split(r"[,\s]+", text) if k], where)


def read_api_keys_file(path: str | Path) -> tuple[str, ...]:
    """Keys from a file holding one key per line; blank lines and ``#`` comments are skipped."""
    where = f"API key file {path}"
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot be read: {exc.__class__.__name__}") from None
    lines = [line.strip() for line in text.splitlines()]
    return check_api_keys([line for line in lines if line and not line.startswith("#")], where)


def merge_api_keys(*sources: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The union of the configured key sources; None when none is configured."""
    present = [keys for keys in sources if keys is not None]
    if not present:
        return None
    return tuple(dict.fromkeys(key for keys in present for key in keys))


def settings_from_environment(environ: Mapping[str, str] | None = None) -> ServiceSettings:
    """The settings a worker was started with (see :meth:`ServiceSettings.to_environment`)."""
    env = os.environ if environ is None else environ

    def path(name: str) -> Path | None:
        value = env.get(name)
        if value is None:
            return None
        if not value.strip():
            raise ConfigError(f"{name}: set but empty")
        return Path(value)

    keys_text = env.get(ENV_API_KEYS)
    keys_file = env.get(ENV_API_KEYS_FILE)
    if keys_file is not None and not keys_file.strip():
        raise ConfigError(f"{ENV_API_KEYS_FILE}: set but empty")
    return ServiceSettings(
        rules_dir=path(ENV_RULES_DIR),
        jurisdictions_dir=path(ENV_JURISDICTIONS_DIR),
        api_keys=merge_api_keys(
            split_api_keys(keys_text, ENV_API_KEYS) if keys_text is not None else None,
            read_api_keys_file(keys_file) if keys_file is not None else None,
        ),
        max_body_bytes=positive_int(env.get(ENV_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
                                    ENV_MAX_BODY_BYTES),
        max_batch=positive_int(env.get(ENV_MAX_BATCH, DEFAULT_MAX_BATCH), ENV_MAX_BATCH),
        access_log=switch(env.get(ENV_ACCESS_LOG, "on"), ENV_ACCESS_LOG),
        decision_log=decision_log_target(env.get(ENV_DECISION_LOG), ENV_DECISION_LOG),
        decision_log_input=switch(env.get(ENV_DECISION_LOG_INPUT, "off"),
                                  ENV_DECISION_LOG_INPUT),
        metrics_public=switch(env.get(ENV_METRICS_PUBLIC, "off"), ENV_METRICS_PUBLIC),
        header_timeout=positive_seconds(env.get(ENV_HEADER_TIMEOUT, DEFAULT_HEADER_TIMEOUT),
                                        ENV_HEADER_TIMEOUT),
        body_timeout=positive_seconds(env.get(ENV_BODY_TIMEOUT, DEFAULT_BODY_TIMEOUT),
                                      ENV_BODY_TIMEOUT),
        keep_alive_timeout=positive_seconds(
            env.get(ENV_KEEP_ALIVE_TIMEOUT, DEFAULT_KEEP_ALIVE_TIMEOUT), ENV_KEEP_ALIVE_TIMEOUT),
        max_header_bytes=positive_int(env.get(ENV_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_BYTES),
                                      ENV_MAX_HEADER_BYTES),
        max_headers=positive_int(env.get(ENV_MAX_HEADERS, DEFAULT_MAX_HEADERS), ENV_MAX_HEADERS),
        max_connections=positive_int(env.get(ENV_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS),
                                     ENV_MAX_CONNECTIONS),
    )


def decision_log_target(value: str | Path | None, name: str) -> str | None:
    """A decision log destination: a file path or "-" (standard output); None when unset."""
    if value is None:
        return None
    text = str(value)
    if not text.strip():
        raise ConfigError(f"{name}: set but empty")
    if text != "-" and Path(text).is_dir():
        raise ConfigError(f"{name}: {text} is a folder; give a file path or - for standard "
                          "output")
    return text
