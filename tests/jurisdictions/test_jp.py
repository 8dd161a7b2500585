"""jurisdictions/jp.yaml: the Japanese office."""

from __future__ import annotations

import eligibility

from .helpers import covers


def test_jpo_covers_japan(policy: eligibility.Policy) -> None:
    assert covers(policy, office="JPO") == {"JP"}
