"""Every example, case and benchmark-mix verdict is byte for byte the recorded one.

See tests/snapshot.py: a change meant to keep behaviour must pass this unchanged; a change of
policy regenerates the snapshot on purpose (``make snapshot``) and the diff is reviewed.
"""

from __future__ import annotations

import pytest

import eligibility

from . import snapshot


@pytest.mark.parametrize("name", sorted(snapshot.SOURCES))
def test_verdicts_match_the_snapshot(name: str, policy: eligibility.Policy) -> None:
    recorded = snapshot.stored(name)
    now = snapshot.current(name, policy)
    assert len(now) == len(recorded), f"{name}: {len(now)} verdicts, {len(recorded)} recorded"
    changed = [(old, new) for old, new in zip(recorded, now, strict=True) if old != new]
    assert not changed, (f"{name}: {len(changed)} verdict(s) differ from the snapshot; the "
                         f"first:\n- {changed[0][0]}\n+ {changed[0][1]}\n(regenerate with "
                         "`make snapshot` only if the change is meant)")
