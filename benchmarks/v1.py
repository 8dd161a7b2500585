"""v1 as it landed (commit eaa2be9), installed in a throwaway virtual environment, so that a
benchmark can measure it side by side with the working tree in one run.

The environment lives under benchmarks/results/ (ignored by git) and is built once: the commit's
files are taken with ``git archive`` and installed with pip, whose cache already holds every
dependency on a machine that has installed this project.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
V1_COMMIT = "eaa2be9"
HOME = ROOT / "benchmarks" / "results" / f"v1-{V1_COMMIT}"
# v1's ``server`` extra, as its pyproject.toml lists it.
SERVER_EXTRA = ("fastapi>=0.110", "uvicorn>=0.29", "uvloop>=0.19", "httptools>=0.6")


def venv() -> Path:
    """The v1 environment's folder, built on first use (with v1's ``server`` extra, so that the
    HTTP benchmark can run v1's service too)."""
    python = HOME / "venv" / "bin" / "python"
    if python.exists():
        if subprocess.run([str(python), "-c", "import fastapi, uvicorn"],
                          capture_output=True).returncode != 0:  # built before the extra
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", *SERVER_EXTRA],
                           check=True)
        return HOME / "venv"
    if HOME.exists():
        shutil.rmtree(HOME)
    HOME.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "v1.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive),
                        V1_COMMIT], check=True)
        source = Path(tmp) / "src"
        with tarfile.open(archive) as tar:
            tar.extractall(source, filter="data")
        subprocess.run([sys.executable, "-m", "venv", str(HOME / "venv")], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"{source}[server]"],
                       check=True)
    return HOME / "venv"


def python() -> Path:
    return venv() / "bin" / "python"


def command(name: str = "eligibility") -> Path:
    return venv() / "bin" / name


if __name__ == "__main__":
    print(venv())
