"""eligibility: is a takedown complaint eligible, why not, and by when will the platform answer.

The public surface is what CONTRACT.md names; everything else is internal.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# A durable-rules build that cannot load fails here, saying how to repair it (judge/core.py).
from .judge import core as _core  # noqa: F401

if TYPE_CHECKING:
    from .default import default_policy, evaluate, evaluate_everywhere, evaluate_many
    from .errors import InvalidComplaint, PolicyError, Problem
    from .judge.records import Language, PlatformInfo, RuleInfo
    from .jurisdiction.appeal import AppealDeadline
    from .models import Check, Complaint, Decision, DueWindow, PolicyRef, Reason, Verdict
    from .policy import Policy, load_policy

__version__ = "1.0.0"

# The public names are imported from their homes on first use (PEP 562), so that importing the
# package costs nothing until something is used: the ``eligibility`` command can set up its
# process before the models are built (see ``__main__``), and ``import eligibility`` in a larger
# program is free. Type checkers see the imports above instead, and so still flag a misspelt name.
_HOMES = {
    "InvalidComplaint": "errors", "PolicyError": "errors", "Problem": "errors",
    "Language": "judge.records", "PlatformInfo": "judge.records", "RuleInfo": "judge.records",
    "AppealDeadline": "jurisdiction.appeal",
    "Check": "models", "Complaint": "models", "Decision": "models", "DueWindow": "models",
    "PolicyRef": "models", "Reason": "models", "Verdict": "models",
    "Policy": "policy", "load_policy": "policy",
    "default_policy": "default", "evaluate": "default", "evaluate_many": "default",
    "evaluate_everywhere": "default",
}

if not TYPE_CHECKING:
    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
        globals()[name] = value  # found directly from now on
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
