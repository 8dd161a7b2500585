"""jurisdictions/gb.yaml: the UK office, outside the Union."""

from __future__ import annotations

import eligibility

from .helpers import covers


def test_ukipo_covers_the_united_kingdom_not_the_union(policy: eligibility.Policy) -> None:
    assert covers(policy, office="UKIPO") == {"GB"}
