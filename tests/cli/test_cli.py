"""The command line, driven through click's runner: exit codes, output, and clean errors."""

from __future__ import annotations

import copy
import gc
import json
import shutil
import subprocess
import sys
import types
from datetime import datetime
from importlib.abc import MetaPathFinder
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

import eligibility
from eligibility.load.loader import packaged_dirs

from ..conftest import FIXTURES, ROOT, replace_in, unavailable
from .conftest import Run

ELIGIBLE = FIXTURES / "complaints" / "eligible-taobao-agent.yaml"


def _write(path: Path, data: Any) -> Path:
    if path.suffix == ".json":
        path.write_text(json.dumps(data, default=str), "utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


def _assert_clean_error(result: Result) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


# --- check -------------------------------------------------------------------------------------


def test_check_eligible_yaml_file(run: Run) -> None:
    result = run("check", ELIGIBLE)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{ELIGIBLE}: ELIGIBLE on taobao (day 0: 2026-03-02, ")
    assert "answer due between 2026-03-03 and 2026-03-05" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


def test_check_json_matches_the_library_verdict(run: Run, policy: eligibility.Policy,
                                                complaint: dict[str, Any]) -> None:
    result = run("check", "--json", ELIGIBLE)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == policy.evaluate(complaint).model_dump(mode="json")


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_check_reads_stdin(run: Run, policy: eligibility.Policy, complaint: dict[str, Any],
                           fmt: str) -> None:
    del complaint["authorization"]
    text = (json.dumps(complaint, default=str) if fmt == "json"
            else yaml.safe_dump(complaint, sort_keys=False))
    result = run("check", "--json", "-", input=text)
    assert result.exit_code == 1
    verdict = json.loads(result.stdout)
    assert verdict == policy.evaluate(complaint).model_dump(mode="json")
    assert verdict["decision"] == "incomplete"


def test_check_readable_reasons_and_exit_1_for_ineligible(run: Run, tmp_path: Path,
                                                         complaint: dict[str, Any]) -> None:
    complaint["ip_right"]["office"] = "USPTO"
    path = _write(tmp_path / "us.json", complaint)
    result = run("check", path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{path}: INELIGIBLE on taobao (day 0: 2026-03-02, ")
    assert "no answer window" not in result.stdout  # Taobao has one; this complaint earns none
    assert lines[1].split() == ["blocking", "territory.not-protected-in-china"]
    assert any(line.strip().startswith("fix: ") for line in lines)
    assert 'right.territories=["US"]' in result.stdout


def test_check_several_files_give_json_lines_in_order(run: Run, tmp_path: Path,
                                                     complaint: dict[str, Any]) -> None:
    other = copy.deepcopy(complaint)
    other["platform"] = "tmall"
    other["infringement"]["listings"] = ["https://detail.tmall.com/item.htm?id=1"]
    batch = _write(tmp_path / "batch.yaml", [other, complaint])
    result = run("check", "--json", ELIGIBLE, batch)
    assert result.exit_code == 0
    platforms = [json.loads(line)["platform"] for line in result.stdout.splitlines()]
    assert platforms == ["taobao", "tmall", "taobao"]


def test_check_batch_ends_with_totals_and_names_the_policy_once(
        run: Run, policy: eligibility.Policy, tmp_path: Path, complaint: dict[str, Any]) -> None:
    foreign = copy.deepcopy(complaint)
    foreign["ip_right"]["office"] = "USPTO"
    unreadable = copy.deepcopy(complaint)
    unreadable["complainant"]["kind"] = "robot"
    batch = _write(tmp_path / "batch.yaml", [foreign, complaint, unreadable])
    result = run("check", ELIGIBLE, batch)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines[-2:] == ["4 complaints: 2 eligible, 0 incomplete, 1 ineligible, 1 invalid",
                          f"policy {policy.version} {policy.digest}"]
    assert result.stdout.count(policy.digest[:19]) == 1
    heads = [line for line in lines if "(day 0: " in line]
    assert len(heads) == 3
    assert "the submission date in the platform's time zone, Asia/Shanghai" in heads[0]
    assert all(head.endswith("(day 0: 2026-03-02)") for head in heads[1:])


def test_check_one_complaint_names_the_policy_without_totals(run: Run,
                                                             policy: eligibility.Policy) -> None:
    lines = run("check", ELIGIBLE).stdout.splitlines()
    assert lines[-1] == f"policy {policy.version} {policy.digest}"
    assert not any(" complaints: " in line for line in lines)


def test_check_json_lines_carry_no_totals(run: Run, tmp_path: Path,
                                         complaint: dict[str, Any]) -> None:
    batch = _write(tmp_path / "batch.yaml", [complaint, complaint])
    result = run("check", "--json", batch)
    assert [json.loads(line)["decision"] for line in result.stdout.splitlines()] == [
        "eligible", "eligible"]


def test_check_says_why_a_platform_gives_no_window(run: Run) -> None:
    result = run("check", ROOT / "examples" / "copyright-photographer-amazon-com.yaml")
    assert result.exit_code == 0, result.output
    assert ("  no answer window: Amazon.com (United States) publishes no response window"
            in result.stdout.splitlines())
    assert "answer due" not in result.stdout


def test_check_takes_the_missing_window_from_the_policy(run: Run, policy_copy: tuple[Path, Path],
                                                       ) -> None:
    rules, juris = policy_copy
    platforms = rules / "platforms.yaml"
    text = platforms.read_text("utf-8")
    taobao = text.index("  - id: taobao")
    window = "response: {business_days: [1, 3], calendar: CN}"
    platforms.write_text(text[:taobao] + text[taobao:].replace(window, "response: null", 1),
                         "utf-8")
    result = run("--rules", rules, "--jurisdictions", juris, "check", ELIGIBLE)
    assert result.exit_code == 0, result.output
    assert "publishes no response window" in result.stdout
    assert "Taobao" in result.stdout


def test_check_colours_only_when_asked(run: Run) -> None:
    coloured = run("--color", "check", ELIGIBLE)
    assert "\x1b[32m" in coloured.stdout  # green "ELIGIBLE"
    assert "\x1b[" not in run("check", ELIGIBLE).stdout


def test_check_invalid_complaint_names_every_field(run: Run, tmp_path: Path,
                                                   complaint: dict[str, Any]) -> None:
    complaint["platform"] = "ebay"
    complaint["submitted_at"] = "2026-03-02T10:00:00"
    del complaint["infringement"]
    path = _write(tmp_path / "bad.json", complaint)
    result = run("check", path)
    _assert_clean_error(result)
    assert result.stdout == ""
    assert f"eligibility: {path}: invalid complaint, no verdict:" in result.stderr
    for field in ("platform: unknown platform 'ebay'", "submitted_at: ", "infringement: "):
        assert f"\n  {field}" in result.stderr


def test_check_invalid_input_in_json_mode_gives_an_error_object(run: Run, tmp_path: Path,
                                                                complaint: dict[str, Any],
                                                                ) -> None:
    bad = copy.deepcopy(complaint)
    bad["complainant"]["kind"] = "robot"
    path = _write(tmp_path / "list.yaml", [complaint, bad])
    result = run("check", "--json", path)
    _assert_clean_error(result)
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["decision"] == "eligible"
    assert second["source"] == f"{path}[1]"
    assert [p["path"] for p in second["problems"]] == ["complainant.kind"]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("broken.json", '{"platform": ', "not valid JSON"),
    ("dup.json", '{"platform": "taobao", "platform": "tmall"}', "duplicate key 'platform'"),
    ("nan.json", '{"platform": NaN}', "NaN is not a JSON number"),
    ("inf.json", '{"platform": -Infinity}', "-Infinity is not a JSON number"),
    ("inf.txt", '{"platform": Infinity}', "Infinity is not a JSON number"),
    ("broken.yaml", "platform: [taobao\n", "not valid YAML"),
    ("dup.yaml", "platform: taobao\nplatform: tmall\n", "duplicate key 'platform'"),
    ("list.yaml", "just text\n", "(complaint): a complaint is a mapping"),
    ("empty.yaml", "[]\n", "the list holds no complaints"),
    ("latin1.yaml", "name: caf\xe9\n", "not UTF-8 text"),
])
def test_check_unreadable_input_is_a_clear_error(run: Run, tmp_path: Path, name: str,
                                                 text: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    result = run("check", path)
    _assert_clean_error(result)
    assert message in result.stderr


def test_check_missing_file_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    result = run("check", tmp_path / "nowhere.yaml")
    _assert_clean_error(result)
    assert "does not exist" in result.stderr


def test_now_fills_a_missing_submission_time(run: Run, tmp_path: Path,
                                             complaint: dict[str, Any]) -> None:
    del complaint["submitted_at"]
    path = _write(tmp_path / "undated.yaml", complaint)
    # 2026-02-13 23:30 in New York is already Saturday 14 February in Shanghai.
    result = run("check", "--json", "--now", "2026-02-13T10:30:00-05:00", path)
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["day0"] == "2026-02-13"
    later = run("check", "--json", "--now", "2026-02-13T23:30:00-05:00", path)
    assert json.loads(later.stdout)["day0"] == "2026-02-14"
    with_stamp = run("check", "--json", "--now", "2030-01-01T00:00:00Z", ELIGIBLE)
    assert json.loads(with_stamp.stdout)["day0"] == "2026-03-02"  # submitted_at wins


@pytest.mark.parametrize("value", ["2026-02-13T10:30:00", "yesterday"])
def test_now_must_be_an_aware_datetime(run: Run, value: str) -> None:
    result = run("check", "--now", value, ELIGIBLE)
    _assert_clean_error(result)
    assert "--now" in result.stderr


# --- policy selection --------------------------------------------------------------------------


def test_rules_option_selects_another_policy(run: Run, policy_copy: tuple[Path, Path]) -> None:
    rules, juris = policy_copy
    replace_in(rules / "policy.yaml", 'version: "', 'version: "team-')
    result = run("--rules", rules, "--jurisdictions", juris, "check", "--json", ELIGIBLE)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["policy"]["version"].startswith("team-")


@pytest.mark.parametrize("where", ["before", "after"])
def test_version_names_the_chosen_policy(run: Run, policy: eligibility.Policy,
                                         policy_copy: tuple[Path, Path], where: str) -> None:
    rules, juris = policy_copy
    replace_in(rules / "policy.yaml", 'version: "', 'version: "team-')
    folders = ["--rules", str(rules), "--jurisdictions", str(juris)]
    args = [*folders, "--version"] if where == "before" else ["--version", *folders]
    result = run(*args)
    assert result.exit_code == 0, result.output
    mine = eligibility.load_policy(rules, juris)
    assert mine.digest != policy.digest
    assert f"policy team-{policy.version} {mine.digest}" in result.stdout.splitlines()
    assert f"rules: {rules}" in result.stdout.splitlines()


def test_a_broken_policy_is_a_clear_error_on_every_command(
        run: Run, policy_copy: tuple[Path, Path]) -> None:
    rules, _ = policy_copy
    replace_in(rules / "territory.yaml", "severity: blocking", "severity: fatal", 1)
    for command in (["check", str(ELIGIBLE)], ["rules"], ["schema"],
                    ["test", str(ROOT / "tests" / "cases")]):
        result = run("--rules", rules, *command)
        _assert_clean_error(result)
        assert "the policy cannot be loaded" in result.stderr
        assert "territory.yaml: rule territory.not-protected-in-china: severity" in result.stderr


def test_a_missing_policy_folder_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    result = run("--rules", tmp_path / "nope", "rules")
    _assert_clean_error(result)
    assert "--rules" in result.stderr


# --- lint --------------------------------------------------------------------------------------


def test_lint_accepts_the_packaged_policy(run: Run, policy: eligibility.Policy) -> None:
    result = run("lint")
    assert result.exit_code == 0
    assert f"ok: {len(policy.catalog)} rules, {len(policy.platforms)} platforms" in result.stdout
    assert policy.digest in result.stdout


def test_lint_reports_every_problem_with_file_and_rule(run: Run,
                                                       policy_copy: tuple[Path, Path]) -> None:
    rules, juris = policy_copy

    replace_in(rules / "territory.yaml", "severity: blocking", "severity: fatal", 1)
    replace_in(rules / "agent.yaml", "field: authorization.supplied",
               "field: authorisation.supplied", 1)
    replace_in(rules / "complaint.yaml", "rules:", "rules:\n  - {id: Bad Id}\n", 1)
    (rules / "broken.yaml").write_text("rules: [\n", "utf-8")
    result = run("--rules", rules, "--jurisdictions", juris, "lint")
    _assert_clean_error(result)
    lines = result.stderr.splitlines()
    assert lines[-1] == "eligibility: 4 problem(s) found"
    found = "\n".join(lines)
    assert f"{rules / 'broken.yaml'}: not valid YAML" in found
    assert f"{rules / 'territory.yaml'}: rule territory.not-protected-in-china: severity" in found
    assert f"{rules / 'agent.yaml'}: rule agent.authorization-missing: " in found
    assert "authorisation.supplied" in found
    assert f"{rules / 'complaint.yaml'}: rule Bad Id: id" in found


def test_lint_reports_problems_in_several_jurisdiction_files(
        run: Run, policy_copy: tuple[Path, Path]) -> None:
    _, juris = policy_copy
    (juris / "de.yaml").write_text("code: DE\nname: Germany\nwebsite: x\n", "utf-8")
    (juris / "jp.yaml").write_text("code: [JP\n", "utf-8")
    result = run("--jurisdictions", juris, "lint")
    _assert_clean_error(result)
    assert f"{juris / 'de.yaml'}: website: unknown key" in result.stderr
    assert f"{juris / 'jp.yaml'}: not valid YAML" in result.stderr


# --- rules, schema -----------------------------------------------------------------------------


def test_rules_lists_the_catalog(run: Run, policy: eligibility.Policy) -> None:
    result = run("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "SEVERITY", "PLATFORMS"]
    assert len(lines) == len(policy.catalog) + 1
    for line, info in zip(lines[1:], policy.catalog, strict=True):
        rule_id, severity, platforms, *title = line.split()
        assert (rule_id, severity, platforms.split(","), " ".join(title)) == (
            info.id, info.severity, list(info.platforms), info.title)


def test_rules_json(run: Run, policy: eligibility.Policy) -> None:
    result = run("rules", "--json")
    assert result.exit_code == 0
    listing = json.loads(result.stdout)
    assert [r["id"] for r in listing] == [r.id for r in policy.catalog]
    territory = next(r for r in listing if r["id"] == "territory.not-protected-in-china")
    assert territory["platforms"] == ["taobao", "tmall", "tmall.hk", "1688"]
    assert territory["severity"] == "blocking"


def test_rules_markdown_is_the_catalog(run: Run, policy: eligibility.Policy) -> None:
    from eligibility.catalog import render_markdown

    assert run("rules", "--markdown").stdout == render_markdown(policy)
    _assert_clean_error(run("rules", "--json", "--markdown"))


def test_schema_is_the_policy_schema(run: Run, policy: eligibility.Policy) -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == policy.complaint_schema()
    assert "taobao" in schema["properties"]["platform"]["enum"]


# --- test --------------------------------------------------------------------------------------


def _case_file(path: Path, expect: dict[str, Any], complaint: Path = ELIGIBLE) -> Path:
    name = path.name.removesuffix(".case.yaml")
    path.write_text(yaml.safe_dump([{"name": name, "complaint_file": str(complaint),
                                     "expect": expect}]), "utf-8")
    return path


def test_test_passes_the_project_cases_with_full_coverage(run: Run) -> None:
    result = run("test", "--coverage", ROOT / "tests" / "cases")
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.stdout
    assert "coverage: each of" in result.stdout


def test_test_prints_a_line_and_a_diff_per_failing_case(run: Run, tmp_path: Path) -> None:
    ok = _case_file(tmp_path / "ok.case.yaml", {"decision": "eligible", "reasons": []})
    bad = _case_file(tmp_path / "bad.case.yaml",
                     {"decision": "incomplete", "reasons": ["agent.authorization-missing"]})
    result = run("test", ok, bad)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"FAIL {bad}:1: bad",
        "    decision: expected incomplete, got eligible",
        "    reasons (- expected but did not fail, + failed but not expected):",
        "      - agent.authorization-missing",
        "2 case(s) in 2 file(s): 1 passed, 1 failed",
    ]


def test_test_coverage_lists_gaps_and_fails(run: Run, tmp_path: Path) -> None:
    ok = _case_file(tmp_path / "ok.case.yaml", {"decision": "eligible", "reasons": []})
    result = run("test", "--coverage", ok)
    assert result.exit_code == 1
    assert "  agent.authorization-missing on alibaba-domestic: no failing case" in result.stdout
    assert ("  agent.authorization-missing on amazon: no failing and no passing case"
            in result.stdout)
    assert run("test", ok).exit_code == 0


def test_test_unreadable_case_file_fails_the_run(run: Run, tmp_path: Path) -> None:
    ok = _case_file(tmp_path / "ok.case.yaml", {"decision": "eligible", "reasons": []})
    shutil.copy(FIXTURES / "bad_cases" / "bad-decision.case.yaml.txt",
                tmp_path / "bad.case.yaml")
    shutil.copy(ELIGIBLE, tmp_path / "complaint.yaml")
    result = run("test", tmp_path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"ERROR {tmp_path / 'bad.case.yaml'}:2: case 'made-up decision': expect.decision" \
        in result.stdout
    assert "1 case(s) in 2 file(s): 1 passed, 0 failed, 1 unusable case(s) or file(s)" \
        in result.stdout
    assert ok.exists()


def test_test_without_case_files_is_an_error(run: Run, tmp_path: Path) -> None:
    result = run("test", tmp_path)
    _assert_clean_error(result)
    assert "no case files" in result.stderr


# --- appeal-deadline ---------------------------------------------------------------------------


def test_appeal_deadline(run: Run, policy: eligibility.Policy) -> None:
    when = "2026-03-02T10:00:00+08:00"
    readable = run("appeal-deadline", "taobao", when)
    assert readable.exit_code == 0
    expected = policy.appeal_deadline("taobao", datetime.fromisoformat(when))
    assert expected.last_day is not None
    assert f"last day to act: {expected.last_day}" in readable.stdout
    as_json = run("appeal-deadline", "--json", "taobao", when)
    assert json.loads(as_json.stdout) == expected.model_dump(mode="json")


def test_appeal_deadline_in_chinese(run: Run) -> None:
    moved = run("appeal-deadline", "--lang", "zh-CN", "taobao", "2026-09-16T10:00:00+08:00")
    assert moved.exit_code == 0, moved.output
    assert moved.stdout.splitlines()[:2] == [
        "taobao：平台转送的不侵权声明于2026-09-16到达（时区Asia/Shanghai）",
        "  通知平台已投诉或起诉的最后一日：2026-10-08（15日；期间的最后一日2026-10-01为法定休假日，"
        "以法定休假日结束的次日为期间的最后一日）"]
    assert moved.stdout.splitlines()[2].startswith("  依据：E-Commerce Law of the PRC")
    none = run("appeal-deadline", "--lang", "zh-CN", "amazon.de", "2026-03-02T10:00:00Z")
    assert none.stdout.splitlines()[1].startswith("  无适用期限：规则集未记载DE关于")
    english = run("appeal-deadline", "taobao", "2026-09-16T10:00:00+08:00")
    assert english.stdout.splitlines()[1] == (
        "  last day to act: 2026-10-08 (15 calendar days; the count ends on 2026-10-01, "
        "a day off)")
    unknown = run("appeal-deadline", "--lang", "fr", "taobao", "2026-09-16T10:00:00+08:00")
    _assert_clean_error(unknown)
    assert "--lang: unknown language 'fr'" in unknown.stderr


def test_appeal_deadline_without_a_rule_says_why(run: Run) -> None:
    result = run("appeal-deadline", "amazon.com", "2026-03-02T10:00:00Z")
    assert result.exit_code == 0
    assert "no deadline: " in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["ebay", "2026-03-02T10:00:00Z"], "platform: unknown platform 'ebay'"),
    (["taobao", "2026-03-02T10:00:00"], "has no UTC offset"),
])
def test_appeal_deadline_bad_input(run: Run, args: list[str], message: str) -> None:
    result = run("appeal-deadline", *args)
    _assert_clean_error(result)
    assert message in result.stderr


# --- serve -------------------------------------------------------------------------------------


@pytest.fixture
def no_server_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget any imported eligibility.server, so the command imports it afresh."""
    monkeypatch.delitem(sys.modules, "eligibility.server", raising=False)
    monkeypatch.delattr(eligibility, "server", raising=False)


class _NoFastAPI(MetaPathFinder):
    """Makes importing the server fail as it does where the 'server' extra is not installed."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname == "eligibility.server":
            raise ModuleNotFoundError("No module named 'fastapi'", name="fastapi")


@pytest.mark.usefixtures("no_server_module")
def test_serve_without_the_extra_says_how_to_install_it(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "meta_path", [_NoFastAPI(), *sys.meta_path])
    result = run("serve")
    _assert_clean_error(result)
    assert "pip install 'eligibility[server]'" in result.stderr


@pytest.mark.usefixtures("no_server_module")
def test_serve_passes_its_options_to_the_server(run: Run, monkeypatch: pytest.MonkeyPatch,
                                                policy_copy: tuple[Path, Path]) -> None:
    calls: list[dict[str, Any]] = []
    fake = types.ModuleType("eligibility.server")
    fake.serve = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "eligibility.server", fake)
    monkeypatch.setattr(eligibility, "server", fake, raising=False)
    rules, juris = policy_copy
    assert run("serve").exit_code == 0
    assert run("--rules", rules, "--jurisdictions", juris, "serve", "--host", "0.0.0.0",
               "--port", "9001", "--workers", "2").exit_code == 0
    assert calls == [
        {"rules_dir": None, "jurisdictions_dir": None, "host": "127.0.0.1", "port": 8080,
         "workers": 1},
        {"rules_dir": rules, "jurisdictions_dir": juris, "host": "0.0.0.0", "port": 9001,
         "workers": 2},
    ]


# --- failures of the program itself ------------------------------------------------------------


def test_an_internal_error_is_one_line_with_its_own_status(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("engine exploded")

    policy_cls = eligibility.Policy
    monkeypatch.setattr(policy_cls, "evaluate", broken)
    result = run("check", ELIGIBLE)
    assert result.exit_code == 3
    assert result.stderr == "eligibility: internal error: RuntimeError: engine exploded\n"


# --- processes ---------------------------------------------------------------------------------


def _python(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], input=stdin, capture_output=True, text=True,
                          timeout=120, check=False)


def _printed(probe: str) -> list[str]:
    """The lines a Python snippet prints in a new interpreter, which must end without error."""
    done = _python("-c", probe)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_python_m_runs_the_command_line_without_the_web_stack() -> None:
    probe = ("import sys, runpy; sys.argv = ['eligibility', 'check', '--json', '-'];\n"
             "try:\n    runpy.run_module('eligibility', run_name='__main__')\n"
             "except SystemExit as e:\n    code = e.code\n"
             "web = sorted(m for m in sys.modules if m.split('.')[0] in "
             "('fastapi', 'uvicorn', 'starlette'))\n"
             "print('WEB', web, code)\n")
    done = _python("-c", probe, stdin=ELIGIBLE.read_text("utf-8"))
    verdict_line, report = done.stdout.splitlines()
    assert json.loads(verdict_line)["decision"] == "eligible"
    assert report == "WEB [] 0", done.stderr


@pytest.fixture
def console_script() -> Path:
    """The installed ``eligibility`` script of this interpreter (make and CI install it)."""
    script = Path(sys.executable).with_name("eligibility")
    if not script.exists():
        unavailable("the console script is not installed next to this interpreter",
                    "install the package (make installs it in the venv)")
    return script


def test_console_script_help_and_version(console_script: Path) -> None:
    done = subprocess.run([str(console_script), "--version"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0
    policy = eligibility.default_policy()
    assert done.stdout.splitlines()[:2] == [
        f"eligibility {eligibility.__version__} (Python {sys.version.split()[0]})",
        f"policy {policy.version} {policy.digest}"]
    help_text = _python("-m", "eligibility", "--help").stdout
    for command in ("check", "test", "rules", "schema", "lint", "serve", "appeal-deadline"):
        assert f"  {command}" in help_text


def test_the_console_script_answers_as_the_command_does(run: Run, console_script: Path) -> None:
    # The script sets up its own process (the collector paused while importing, objects frozen):
    # the output and the exit status must be those of the command run in-process.
    examples = sorted((ROOT / "examples").glob("*.yaml"))[:4]
    args = ["check", "--now", "2026-06-01T00:00:00Z", *map(str, examples)]
    inside = run(*args)
    for command in ([str(console_script)], [sys.executable, "-m", "eligibility"]):
        done = subprocess.run([*command, *args], capture_output=True, text=True, timeout=120,
                              check=False)
        assert (done.returncode, done.stdout) == (inside.exit_code, inside.stdout), done.stderr
    assert inside.exit_code == 1  # the examples include ineligible complaints: a real status


def test_the_library_leaves_the_garbage_collector_alone() -> None:
    # Only the command line's own process pauses and freezes the collector (__main__.py).
    probe = ("import gc, eligibility\n"
             "eligibility.default_policy()\n"
             "print(gc.isenabled(), gc.get_freeze_count(), *gc.get_threshold())\n")
    assert _printed(probe) == [" ".join(["True", "0", *map(str, gc.get_threshold())])]


def test_importing_the_package_builds_nothing_until_a_name_is_used() -> None:
    probe = ("import sys, eligibility\n"
             "print(sorted(m for m in ('pydantic', 'eligibility.models', 'eligibility.policy')\n"
             "             if m in sys.modules))\n"
             "print(eligibility.Verdict.__module__, eligibility.load_policy.__module__)\n"
             "print(set(eligibility.__all__) <= set(dir(eligibility)))\n"
             "try:\n    eligibility.nothing_of_the_sort\n"
             "except AttributeError as exc:\n    print(exc)\n")
    assert _printed(probe) == [
        "[]", "eligibility.models eligibility.policy", "True",
        "module 'eligibility' has no attribute 'nothing_of_the_sort'"]


def test_importing_never_loads_the_web_stack() -> None:
    probe = ("import sys\n"
             "def web():\n"
             "    return sorted(m for m in sys.modules\n"
             "                  if m.split('.')[0] in ('fastapi', 'uvicorn', 'starlette'))\n"
             "import eligibility\nprint(web())\nimport eligibility.cli\nprint(web())\n")
    assert _printed(probe) == ["[]", "[]"]


@pytest.mark.parametrize("where", ["before", "after", "end"])
def test_policy_options_may_stand_before_or_after_the_command(run: Run, tmp_path: Path,
                                                              policy: eligibility.Policy,
                                                              where: str) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(packaged_dirs()[0], rules)
    (rules / "policy.yaml").write_text('name: a copy\nversion: "9.9.9"\nlanguages: [en, zh-CN]\n',
                                      "utf-8")
    options = ["--rules", str(rules), "--jurisdictions", str(packaged_dirs()[1])]
    args = {"before": [*options, "check", "--json", str(ELIGIBLE)],
            "after": ["check", *options, "--json", str(ELIGIBLE)],
            "end": ["check", "--json", str(ELIGIBLE), *options]}[where]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["policy"]["version"] == "9.9.9"


def test_check_deeply_nested_json_is_invalid_input(run: Run, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    result = run("check", str(deep))
    _assert_clean_error(result)
    assert "nested too deeply" in result.stderr
