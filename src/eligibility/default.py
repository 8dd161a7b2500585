"""The packaged policy as the process's default: what ``eligibility.evaluate`` and its siblings
judge with when no policy is given. It is loaded on first use, once per process."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .models import Complaint, Verdict
from .policy import Policy, load_policy

_default: Policy | None = None
_default_lock = threading.Lock()


def default_policy() -> Policy:
    """The packaged policy, loaded once per process on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = load_policy()
    return _default


def evaluate(complaint: Complaint | Mapping[str, Any], *,
             now: datetime | str | None = None, lang: str | None = None) -> Verdict:
    """Judge one complaint against the packaged policy; ``lang`` words the texts ("en",
    "zh-CN")."""
    return default_policy().evaluate(complaint, now=now, lang=lang)


def evaluate_many(complaints: Iterable[Complaint | Mapping[str, Any]], *,
                  now: datetime | str | None = None, workers: int = 1,
                  lang: str | None = None) -> list[Verdict]:
    """Judge complaints against the packaged policy, in order; ``workers`` > 1 spreads a large
    batch over that many processes."""
    return default_policy().evaluate_many(complaints, now=now, workers=workers, lang=lang)


def evaluate_everywhere(complaint: Complaint | Mapping[str, Any], *,
                        now: datetime | str | None = None,
                        lang: str | None = None) -> dict[str, Verdict]:
    """Judge one complaint on every platform of the packaged policy: ``{platform: verdict}``."""
    return default_policy().evaluate_everywhere(complaint, now=now, lang=lang)
