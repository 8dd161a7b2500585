"""Same complaint and policy, same bytes: across calls, loads and processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import eligibility
from eligibility.load.loader import packaged_dirs

from ..conftest import EXAMPLES

SCRIPT = """
import json, sys, eligibility
from eligibility.load.yaml import load_yaml
from pathlib import Path
paths = sorted(Path(sys.argv[1]).glob('*.yaml'))
print(json.dumps([eligibility.evaluate(load_yaml(p.read_text())).model_dump_json() for p in paths]))
"""


def run_in_fresh_process(seed: str) -> list[str]:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(EXAMPLES)], capture_output=True,
                         text=True, check=True, env=env).stdout
    result: list[str] = json.loads(out)
    return result


def test_verdicts_are_byte_identical_across_processes_and_hash_seeds() -> None:
    first = run_in_fresh_process("1")
    assert first
    assert run_in_fresh_process("12345") == first


def test_the_digest_names_the_policy_files(tmp_path: Any, policy: eligibility.Policy,
                                           complaint: dict[str, Any]) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(packaged_dirs()[0], rules)
    shutil.copytree(packaged_dirs()[1], tmp_path / "jurisdictions")
    same = eligibility.load_policy(rules, tmp_path / "jurisdictions")
    assert same.digest == policy.digest
    with (rules / "complaint.yaml").open("a") as f:
        f.write("\n# a comment changes the digest\n")
    changed = eligibility.load_policy(rules, tmp_path / "jurisdictions")
    assert changed.digest != policy.digest
    verdict = json.loads(changed.evaluate(complaint).model_dump_json())
    assert verdict["policy"] == {"version": changed.version, "digest": changed.digest}
