"""jurisdictions/us.yaml: United States offices and trademark grace."""

from __future__ import annotations

from datetime import date

import eligibility

from .helpers import covers, grace, term


def test_us_offices_cover_the_united_states(policy: eligibility.Policy) -> None:
    assert covers(policy, office="USPTO") == {"US"}
    assert covers(policy, type="copyright", office="USCO") == {"US"}


def test_no_us_term_is_derived_so_an_expiry_must_be_stated(policy: eligibility.Policy) -> None:
    assert term(policy, office="USPTO", registered_on=date(2010, 1, 1)) is None
    assert grace(policy, office="USPTO", expires_on=date(2026, 1, 15)) == date(2026, 7, 15)
