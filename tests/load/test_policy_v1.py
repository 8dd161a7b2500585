"""A policy folder written before v2 still loads, and judges as it did: `hosts:` is read as the
listing domains, a group without `channels:` takes the default channel with no cap, the v1
report field `platform.hosts` still exists, and with no language folder (v1 had none) its rule
files are its English and the faces word the rest as the packaged policy does."""

from __future__ import annotations

from typing import Any

import pytest

import eligibility
from eligibility.judge.records import INTERFACE_FIELDS
from eligibility.load.yaml import load_yaml

from ..conftest import FIXTURES, ROOT, replace_in

V1 = FIXTURES / "policy_v1"


@pytest.fixture(scope="module")
def v1() -> eligibility.Policy:
    return eligibility.load_policy(V1 / "rules", V1 / "jurisdictions")


def _example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = load_yaml((ROOT / "examples" / name).read_text("utf-8"))
    return loaded


def test_v1_loads_with_its_own_version(v1: eligibility.Policy) -> None:
    assert v1.version == "2026.11.1"
    assert eligibility.load_policy().version != v1.version
    assert v1.platforms["taobao"].listing_domains == ("taobao.com",)
    assert v1.platforms["taobao"].short_link_domains == ()
    assert v1.platforms["taobao"].channels == ("ipp_account",)


def test_v1_is_as_shipped_without_languages(v1: eligibility.Policy) -> None:
    assert not (V1 / "rules" / "lang").exists()
    assert "languages" not in (V1 / "rules" / "policy.yaml").read_text("utf-8")
    assert v1.languages == ("en",)
    english = v1.language("en")
    packaged = eligibility.load_policy().language("en").interface
    assert english.interface == {key: packaged[key] for key in INTERFACE_FIELDS}
    assert english.rules["territory.not-protected-in-china"].message.startswith(
        "The right is not protected")


def test_v1_words_a_batch_like_the_packaged_policy(v1: eligibility.Policy) -> None:
    from click.testing import CliRunner

    from eligibility.cli import cli

    example = str(ROOT / "examples" / "us-band-uspto-taobao.yaml")
    result = CliRunner().invoke(cli, ["--rules", str(V1 / "rules"), "--jurisdictions",
                                      str(V1 / "jurisdictions"), "check", example, example],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "the submission date in the platform's time zone" in result.stdout
    assert "2 complaints: 0 eligible, 0 incomplete, 2 ineligible, 0 invalid" in result.stdout
    assert result.stdout.rstrip().endswith(f"policy 2026.11.1 {v1.digest}")


def test_v1_refuses_unregistered_artwork_as_it_did(v1: eligibility.Policy) -> None:
    verdict = v1.evaluate(_example("unregistered-artwork-taobao.yaml"))
    assert verdict.decision == "ineligible"
    assert {r.rule for r in verdict.reasons} == {
        "right.registration-required", "territory.not-protected-in-china",
        "evidence.certificate-missing"}


def test_v1_reports_its_hosts_and_knows_no_share_links(v1: eligibility.Policy) -> None:
    verdict = v1.evaluate(_example("taobao-share-link.yaml"))
    (reason,) = verdict.reasons
    assert reason.rule == "complaint.listing-off-platform"
    assert reason.facts["platform.hosts"] == ["taobao.com"]


def test_v1_has_no_online_form(v1: eligibility.Policy) -> None:
    with pytest.raises(eligibility.InvalidComplaint) as err:
        v1.evaluate(_example("online-form-11-listings-taobao.yaml"))
    assert [p.path for p in err.value.problems] == ["channel"]


def test_hosts_and_listing_domains_together_are_refused(tmp_path: Any) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(V1 / "rules", rules)
    replace_in(rules / "platforms.yaml", "hosts: [taobao.com]",
               "hosts: [taobao.com]\n    listing_domains: [taobao.com]")
    with pytest.raises(eligibility.PolicyError) as err:
        eligibility.load_policy(rules, V1 / "jurisdictions")
    assert "hosts is the former name of listing_domains" in str(err.value)
