"""What a publisher uploads works for whoever installs it, far from this checkout.

The source archive is built, unpacked elsewhere and the wheel built from that copy alone, the way
pip builds a package from an sdist: a file the sdist forgets (the policy folders, say) fails the
build here rather than for a user. The wheel is installed into a fresh virtual environment outside
the checkout; its dependencies are borrowed from the running environment (a .pth line) so that
durable_rules is not compiled again. The installed command must then judge the examples exactly
like the checkout does, from the policy copy inside the wheel.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import eligibility
from eligibility.cli import cli

from .conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow  # two builds and a venv: seconds, a minute on a cold pip cache


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path
    venv: Path


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a step; when it fails, its own output (the build's error, say) is the failure."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False,
                          cwd=cwd)
    assert done.returncode == 0, f"{args}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """sdist from the checkout -> wheel from the unpacked sdist -> wheel installed in a new venv."""
    work = tmp_path_factory.mktemp("packaging")
    # A clean copy: setuptools adds whatever a stale src/*.egg-info/SOURCES.txt lists to the
    # sdist, which would hide a file missing from MANIFEST.in.
    checkout = work / "checkout"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "*.egg-info", "build", "dist", "__pycache__", ".*_cache",
        ".hypothesis", "results"))
    dist = work / "dist"
    _run(sys.executable, "-m", "build", "--sdist", "--outdir", dist, checkout, cwd=work)
    (sdist,) = dist.glob("eligibility-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "unpacked", filter="data")
    (source,) = (work / "unpacked").iterdir()
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", dist, source, cwd=work)
    (wheel,) = dist.glob("eligibility-*.whl")

    venv = work / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=work)
    _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", wheel, cwd=work)
    site = _run(venv / "bin" / "python", "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work)
    Path(site.stdout.strip(), "borrowed-deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n")
    return Built(sdist, wheel, venv)


def test_the_sdist_carries_every_policy_file(built: Built) -> None:
    with tarfile.open(built.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    policy_files = {str(path.relative_to(ROOT)) for folder in ("rules", "jurisdictions")
                    for path in (ROOT / folder).rglob("*.yaml")}
    assert len(policy_files) > 10
    assert policy_files <= names


def test_the_wheel_carries_the_checker_page(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as archive:  # GET / serves these as package data
        names = set(archive.namelist())
    assert {f"eligibility/server/page/{name}" for name in ("index.html", "page.js",
                                                           "page.css")} <= names


def test_the_installed_command_judges_like_the_checkout(built: Built) -> None:
    examples = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
    assert len(examples) >= 8
    installed = subprocess.run([str(built.venv / "bin" / "eligibility"), "check", "--json",
                                *examples], capture_output=True, text=True, check=False,
                               cwd=built.venv)
    here = CliRunner().invoke(cli, ["check", "--json", *examples], catch_exceptions=False)
    assert installed.returncode == here.exit_code == 1, installed.stderr  # some are ineligible
    assert installed.stdout.splitlines() == here.stdout.splitlines()


def test_the_installed_copy_reads_its_own_policy(built: Built) -> None:
    module = _run(built.venv / "bin" / "python", "-c",
                  "import eligibility; print(eligibility.__file__)", cwd=built.venv)
    assert module.stdout.startswith(str(built.venv))
    version = _run(built.venv / "bin" / "eligibility", "--version", cwd=built.venv)
    policy = eligibility.default_policy()
    lines = version.stdout.splitlines()
    assert lines[1] == f"policy {policy.version} {policy.digest}"
    assert lines[2].startswith(f"rules: {built.venv}")
    assert lines[2].endswith("_policy/rules")


def test_twine_accepts_both_archives(built: Built) -> None:
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                           built.sdist, built.wheel], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
