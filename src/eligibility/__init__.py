"""eligibility: is a takedown complaint eligible, why not, and by when will the platform answer.

The public surface is what CONTRACT.md names; everything else is internal.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

# A durable-rules build that cannot load fails here, saying how to repair it (judge/core.py).
from .judge import core as _core  # noqa: F401

if TYPE_CHECKING:
    from .errors import InvalidComplaint, PolicyError, Problem
    from .judge.records import Language, PlatformInfo, RuleInfo
    from .jurisdiction.appeal import AppealDeadline
    from .models import Check, Complaint, Decision, DueWindow, PolicyRef, Reason, Verdict
    from .policy import Policy, load_policy

__version__ = "1.0.0"

# The public classes are imported on first use (PEP 562), so that importing the package costs
# nothing until something is used: the ``eligibility`` command can set up its process before the
# models are built (see ``__main__``), and ``import eligibility`` in a larger program is free.
_HOMES = {
    "InvalidComplaint": "errors", "PolicyError": "errors", "Problem": "errors",
    "Language": "judge.records", "PlatformInfo": "judge.records", "RuleInfo": "judge.records",
    "AppealDeadline": "jurisdiction.appeal",
    "Check": "models", "Complaint": "models", "Decision": "models", "DueWindow": "models",
    "PolicyRef": "models", "Reason": "models", "Verdict": "models",
    "Policy": "policy", "load_policy": "policy",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

_default: Policy | None = None
_default_lock = threading.Lock()


def default_policy() -> Policy:
    """The packaged policy, loaded once per process on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                from .policy import load_policy
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


__all__ = [
    "AppealDeadline",
    "Check",
    "Complaint",
    "Decision",
    "DueWindow",
    "InvalidComplaint",
    "Language",
    "PlatformInfo",
    "Policy",
    "PolicyError",
    "PolicyRef",
    "Problem",
    "Reason",
    "RuleInfo",
    "Verdict",
    "__version__",
    "default_policy",
    "evaluate",
    "evaluate_everywhere",
    "evaluate_many",
    "load_policy",
]
