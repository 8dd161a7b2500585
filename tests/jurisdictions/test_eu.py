"""jurisdictions/eu.yaml: the Union's members, the EM alias, EUIPO."""

from __future__ import annotations

import eligibility

from .helpers import covers


def test_the_union_has_its_27_members(policy: eligibility.Policy) -> None:
    members = policy.jurisdictions.expand(["EU"]) - {"EU"}
    assert len(members) == 27
    assert {"DE", "FR", "IE", "HR"} <= members
    assert "GB" not in members


def test_em_is_the_union_and_euipo_covers_every_member(policy: eligibility.Policy) -> None:
    assert policy.jurisdictions.expand(["EM"]) == policy.jurisdictions.expand(["EU"])
    assert "DE" in covers(policy, office="EUIPO")
