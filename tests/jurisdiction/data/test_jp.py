"""jurisdictions/jp.yaml: the Japanese office."""

from __future__ import annotations

from eligibility.load.loader import Loaded

from .helpers import covers


def test_jpo_covers_japan(loaded: Loaded) -> None:
    assert covers(loaded, office="JPO") == {"JP"}
