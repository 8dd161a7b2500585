"""Small builders shared by the per-jurisdiction tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import eligibility
from eligibility.models import IPRight


def right(**fields: Any) -> IPRight:
    base: dict[str, Any] = {"type": "trademark", "status": "registered"}
    base.update(fields)
    return IPRight.model_validate(base)


def term(policy: eligibility.Policy, **fields: Any) -> date | None:
    return policy.jurisdictions.term_end(right(**fields))


def grace(policy: eligibility.Policy, **fields: Any) -> date | None:
    r = right(**fields)
    return policy.jurisdictions.grace_end(r, policy.jurisdictions.term_end(r))


def covers(policy: eligibility.Policy, **fields: Any) -> frozenset[str]:
    direct, designated = policy.jurisdictions.coverage(right(**fields))
    return direct | designated
