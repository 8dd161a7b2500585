"""jurisdictions/berne.yaml: the Berne Convention's parties, and the unregistered copyright they
protect without any formality."""

from __future__ import annotations

from datetime import date

from eligibility.load.loader import Loaded

from .helpers import right


def test_china_the_us_and_every_eu_member_are_parties(loaded: Loaded) -> None:
    parties = loaded.jurisdictions.expand(["BERNE"])
    assert {"CN", "US", "DE", "JP", "GB"} <= parties
    assert loaded.jurisdictions.expand(["EU"]) - {"EU"} <= parties
    assert "NO" in parties  # quoted in the file: bare, YAML would read it as false
    assert not {"TW", "IR", "ET"} & parties


def test_chinas_accession_is_cited(loaded: Loaded) -> None:
    (cn,) = [j for j in loaded.jurisdictions.by_code["BERNE"].joined if j.territory == "CN"]
    assert cn.since == date(1992, 10, 15)


def test_an_unregistered_copyright_is_protected_in_every_party(loaded: Loaded) -> None:
    juris = loaded.jurisdictions
    work = right(type="copyright", status="unregistered")
    assert juris.unregistered_coverage(work) == juris.expand(["BERNE"]) - {"BERNE"}


def test_only_an_unregistered_copyright_without_an_office(loaded: Loaded) -> None:
    juris = loaded.jurisdictions
    assert not juris.unregistered_coverage(right(type="trademark", status="unregistered"))
    assert not juris.unregistered_coverage(right(type="copyright", status="registered"))
    assert not juris.unregistered_coverage(right(type="copyright", status="unregistered",
                                                 office="USCO"))
