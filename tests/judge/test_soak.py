"""100,000 complaints in one process: resident memory stays flat after the warm-up.

The engine keeps one session per ruleset alive between evaluations, so a leak in the core's
per-evaluation state would show as steady growth here. The run is benchmarks/soak.py in a
child process of its own (a clean baseline for RSS, and a crash cannot take pytest down), with
the same limit as the million-complaint soak: under 10 MB of growth after the warm-up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOTAL = int(os.environ.get("ELIGIBILITY_SOAK_TOTAL", "100000"))
LIMIT_MB = 10


@pytest.mark.slow
def test_memory_stays_flat_over_100000_complaints() -> None:
    every = max(TOTAL // 10, 1)
    command = [sys.executable, str(ROOT / "benchmarks" / "soak.py"), "--total", str(TOTAL),
               "--every", str(every), "--warmup", str(2 * every), "--limit-mb", str(LIMIT_MB),
               "--json"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env,
                           cwd=ROOT)
    assert child.returncode in (0, 1), f"the soak run died: {child.stderr[-3000:]}"
    result = json.loads(child.stdout.strip().splitlines()[-1])
    samples = [f"{n:,}: {rss / 2**20:.1f} MB" for n, rss in result["samples"]]
    assert result["verdicts"] + result["invalid"] == TOTAL
    assert result["invalid"] == TOTAL // 100  # the error path ran too
    assert result["growth_after_warmup_bytes"] < LIMIT_MB * 2**20, samples
    assert child.returncode == 0, samples
