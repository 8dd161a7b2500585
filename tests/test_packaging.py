"""A non-editable install judges complaints exactly like the checkout.

The wheel is built from this tree and installed with pip into a fresh virtual environment; its
dependencies are borrowed from the running environment (a .pth line) so that durable_rules is
not compiled a second time. The installed copy must carry the policy files itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import eligibility
from eligibility.load.yaml import load_yaml

from .conftest import EXAMPLES, ROOT

PROBE = """
import json, sys, eligibility
from pathlib import Path
from eligibility.load.yaml import load_yaml
from eligibility.load.loader import packaged_dirs
policy = eligibility.default_policy()
paths = sorted(Path(sys.argv[1]).glob('*.yaml'))
print(json.dumps({
    "module": eligibility.__file__,
    "rules_dir": str(packaged_dirs()[0]),
    "digest": policy.digest,
    "verdicts": [eligibility.evaluate(load_yaml(p.read_text())).model_dump_json() for p in paths],
}))
"""


def test_wheel_install_matches_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(wheels), str(ROOT)], check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("eligibility-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
                   check=True)
    target = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                             "['purelib'])"], capture_output=True, text=True,
                            check=True).stdout.strip()
    Path(target, "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    run = subprocess.run([str(python), "-c", PROBE, str(EXAMPLES)], capture_output=True,
                         text=True, check=True, cwd=tmp_path)
    installed = json.loads(run.stdout)

    assert installed["module"].startswith(str(venv))
    assert installed["rules_dir"].startswith(str(venv))
    assert installed["digest"] == eligibility.default_policy().digest
    here = [eligibility.evaluate(load_yaml(p.read_text())).model_dump_json()
            for p in sorted(EXAMPLES.glob("*.yaml"))]
    assert installed["verdicts"] == here
    assert len(here) >= 8
