"""Small builders shared by the per-jurisdiction tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from eligibility.load.loader import Loaded
from eligibility.models import IPRight


def right(**fields: Any) -> IPRight:
    base: dict[str, Any] = {"type": "trademark", "status": "registered"}
    base.update(fields)
    return IPRight.model_validate(base)


def term(loaded: Loaded, **fields: Any) -> date | None:
    return loaded.jurisdictions.term_end(right(**fields))


def grace(loaded: Loaded, **fields: Any) -> date | None:
    r = right(**fields)
    return loaded.jurisdictions.grace_end(r, loaded.jurisdictions.term_end(r))


def covers(loaded: Loaded, **fields: Any) -> frozenset[str]:
    direct, designated = loaded.jurisdictions.coverage(right(**fields))
    return direct | designated
