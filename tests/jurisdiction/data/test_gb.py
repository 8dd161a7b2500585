"""jurisdictions/gb.yaml: the UK office, outside the Union."""

from __future__ import annotations

from eligibility.load.loader import Loaded

from .helpers import covers


def test_ukipo_covers_the_united_kingdom_not_the_union(loaded: Loaded) -> None:
    assert covers(loaded, office="UKIPO") == {"GB"}
