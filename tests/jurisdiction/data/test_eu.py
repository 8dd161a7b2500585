"""jurisdictions/eu.yaml: the Union's members, the EM alias, EUIPO."""

from __future__ import annotations

from eligibility.load.loader import Loaded

from .helpers import covers


def test_the_union_has_its_27_members(loaded: Loaded) -> None:
    members = loaded.jurisdictions.expand(["EU"]) - {"EU"}
    assert len(members) == 27
    assert {"DE", "FR", "IE", "HR"} <= members
    assert "GB" not in members


def test_em_is_the_union_and_euipo_covers_every_member(loaded: Loaded) -> None:
    assert loaded.jurisdictions.expand(["EM"]) == loaded.jurisdictions.expand(["EU"])
    assert "DE" in covers(loaded, office="EUIPO")
