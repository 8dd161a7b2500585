"""Build hook: ship the top-level policy folders inside the wheel.

The policy lives at the top of the repository (``rules/`` and ``jurisdictions/``) so that it reads
as data, not as code. A wheel must still carry it, so this copies both folders into
``eligibility/_policy/`` at build time; ``eligibility.policy`` looks there first.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
POLICY_FOLDERS = ("rules", "jurisdictions")


class BuildWithPolicy(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "eligibility" / "_policy"
        for folder in POLICY_FOLDERS:
            dest = target / folder
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(HERE / folder, dest, ignore=shutil.ignore_patterns("*.md"))


setup(cmdclass={"build_py": BuildWithPolicy})
