"""jurisdictions/us.yaml: United States offices and trademark grace."""

from __future__ import annotations

from datetime import date

from eligibility.load.loader import Loaded

from .helpers import covers, grace, term


def test_us_offices_cover_the_united_states(loaded: Loaded) -> None:
    assert covers(loaded, office="USPTO") == {"US"}
    assert covers(loaded, type="copyright", office="USCO") == {"US"}


def test_no_us_term_is_derived_so_an_expiry_must_be_stated(loaded: Loaded) -> None:
    assert term(loaded, office="USPTO", registered_on=date(2010, 1, 1)) is None
    assert grace(loaded, office="USPTO", expires_on=date(2026, 1, 15)) == date(2026, 7, 15)
