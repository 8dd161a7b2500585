"""The ``eligibility`` command: check complaints, run case fixtures, show and lint the policy.

A thin face over the library: every judgement comes from a loaded Policy. What this module adds
is reading files, choosing the policy folders, wording the output for people (or JSON for
programs), and exit codes a CI job can act on:

- 0: every complaint is eligible, every case passed, the policy is sound;
- 1: a complaint is incomplete or ineligible, or a case failed, or ``--coverage`` found gaps;
- 2: the input or the policy could not be read (a clear message, never a traceback);
- 3: an internal error (a bug): reported in one line, so scripts can tell it from the above.

The HTTP server is imported only inside ``serve``: checking a complaint must not need (or pay
for importing) the optional web stack.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .errors import InvalidComplaint, PolicyError, listed
from .judge.records import Language
from .jurisdiction.appeal import AppealDeadline
from .load.loader import resolve_dirs
from .load.yaml import parse_complaint_file
from .models import Verdict, parse_aware_datetime, verdicts_json
from .policy import Policy, load_policy

if TYPE_CHECKING:
    from .diff import DiffReport, Side

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3
STDIN = "-"

_DECISION_COLOURS = {"eligible": "green", "incomplete": "yellow", "ineligible": "red"}
F = TypeVar("F", bound=Callable[..., Any])

_SEVERITY_COLOURS = {"blocking": "red", "missing": "yellow", "warning": "cyan"}
_OUTCOMES = (*_DECISION_COLOURS, "invalid")


class Failure(click.ClickException):
    """A problem with what the user gave us: printed as one clear message, exit status 2."""

    exit_code = EXIT_INVALID

    def show(self, file: Any = None) -> None:
        click.echo(f"eligibility: {self.format_message()}", err=True)


@dataclass
class State:
    """What the group-level options chose; the policy is loaded on first use, once."""

    rules: Path | None = None
    jurisdictions: Path | None = None
    _policy: Policy | None = field(default=None, repr=False)

    def policy(self) -> Policy:
        if self._policy is None:
            try:
                self._policy = load_policy(self.rules, self.jurisdictions)
            except PolicyError as exc:
                raise Failure(f"the policy cannot be loaded: {exc}") from None
        return self._policy


pass_state = click.make_pass_decorator(State)


def parse_aware(value: str, what: str) -> datetime:
    """An ISO 8601 date and time that must carry a UTC offset (day 0 depends on it)."""
    try:
        return parse_aware_datetime(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: {exc}", param_hint=what) from None


def _aware_option(ctx: click.Context, param: click.Parameter, value: str | None,
                  ) -> datetime | None:
    if value is None:
        return None
    hint = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
    return parse_aware(value, hint)


_folder = click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)

now_option = click.option(
    "--now", default=None, metavar="DATETIME", callback=_aware_option,
    help="Submission time for complaints without submitted_at (ISO 8601 with offset).")
lang_option = click.option(
    "--lang", default=None, metavar="CODE",
    help="Language of messages, remediations and titles: a code of the policy's `languages` "
         "(en, zh-CN); default: the policy's first.")


def checked_lang(policy: Policy, lang: str | None) -> str:
    """The language code to word the output in, or a clear error naming those available."""
    try:
        return policy.language(lang).code
    except ValueError as exc:
        raise Failure(f"--lang: {exc}") from None


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: wide (e.g. Chinese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows aligned in columns; the last column is left ragged."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(pad(cell, w) for cell, w in zip(row, widths, strict=False)),
                                row[-1]]).rstrip() for row in rows)


class _Group(click.Group):
    """The command group; a bug in a command is reported in one line, with its own status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException, OSError):
            raise  # click reports these itself (OSError: a closed pipe, e.g. `| head`)
        except Exception as exc:
            raise InternalError(f"internal error: {type(exc).__name__}: {exc}") from exc


class InternalError(Failure):
    exit_code = EXIT_INTERNAL


def _policy_folder_option(name: str, help_text: str) -> Callable[[F], F]:
    """The same policy option on a command, so it may follow the command's name as well."""

    def remember(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
        if value is not None:
            setattr(ctx.ensure_object(State), name, value)

    return click.option(f"--{name}", type=_folder, default=None, metavar="DIR",
                        expose_value=False, callback=remember, help=help_text)


def policy_options(command: F) -> F:
    """`--rules` / `--jurisdictions` accepted before or after the command name."""
    command = _policy_folder_option("jurisdictions", "Jurisdictions folder to use.")(command)
    return _policy_folder_option("rules", "Rules folder to use.")(command)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True, no_args_is_help=True)
@click.option("--rules", type=_folder, default=None, metavar="DIR",
              help="Rules folder to use instead of the packaged policy's.")
@click.option("--jurisdictions", type=_folder, default=None, metavar="DIR",
              help="Jurisdictions folder to use instead of the packaged policy's.")
@click.option("--color/--no-color", default=None,
              help="Colour the output (default: only on a terminal, and not when NO_COLOR is set).")
@click.option("--version", "show_version", is_flag=True,
              help="Show the version and the policy's version and digest, then exit.")
@click.pass_context
def cli(ctx: click.Context, rules: Path | None, jurisdictions: Path | None,
        color: bool | None, show_version: bool) -> None:
    """Decide whether IP takedown complaints are eligible, and test the policy that decides."""
    if color is None and os.environ.get("NO_COLOR"):
        color = False
    ctx.color = color
    ctx.obj = State(rules=rules, jurisdictions=jurisdictions)
    # --version is an ordinary flag, not an eager one, so that it sees --rules and
    # --jurisdictions wherever they stand on the line.
    if show_version:
        click.echo(render_version(ctx.obj.policy(), ctx.obj.rules, ctx.obj.jurisdictions))
        ctx.exit()
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit()


def render_version(policy: Policy, rules: Path | None, jurisdictions: Path | None) -> str:
    """The program's version and the policy it judges with: what a bug report needs."""
    rules_dir, juris_dir = resolve_dirs(rules, jurisdictions)
    return (f"eligibility {__version__} (Python {sys.version.split()[0]})\n"
            f"policy {policy.version} {policy.digest}\n"
            f"rules: {rules_dir}\n"
            f"jurisdictions: {juris_dir}")


# --- check -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One complaint read from the input: where it came from and the data (or why not)."""

    label: str
    data: Any = None
    error: str | None = None


def _read_source(name: str) -> Any:
    """The complaint (or list of them) in a file, or on standard input for ``-``."""
    if name == STDIN:
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            raise ValueError(f"cannot be read: {exc.strerror or exc}") from None
    return parse_complaint_file(raw, name)


def _items(names: Sequence[str]) -> Iterator[_Item]:
    for name in names:
        label = "<stdin>" if name == STDIN else name
        try:
            data = _read_source(name)
        except ValueError as exc:
            yield _Item(label, error=str(exc))
            continue
        if isinstance(data, list):
            for index, entry in enumerate(data):
                yield _Item(f"{label}[{index}]", entry)
        else:
            yield _Item(label, data)


def _facts_text(facts: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False, default=str)}"
                     for k, v in facts.items())


def render_verdict(label: str, verdict: Verdict, policy: Policy, language: Language, *,
                   explain_day0: bool = False) -> str:
    """A verdict for a person, in ``language``: decision first, then each reason with its fix,
    then the window.

    ``explain_day0`` spells out what day 0 is, for the first verdict of a run only; the policy
    says whether a verdict without a window is so because its platform publishes none.
    """
    text = language.text
    decision = verdict.decision.value
    head = click.style(text(f"decision.{decision}").upper(), fg=_DECISION_COLOURS[decision],
                       bold=True)
    platform = policy.platforms.get(verdict.platform)
    if explain_day0 and platform is not None:
        lines = [text("verdict.head_explained", label=label, decision=head,
                      platform=verdict.platform, day0=verdict.day0, timezone=platform.timezone)]
    else:
        lines = [text("verdict.head", label=label, decision=head, platform=verdict.platform,
                      day0=verdict.day0)]
    indent = " " * 11
    for reason in verdict.reasons:
        severity = click.style(pad(text(f"severity.{reason.severity}"), 8),
                               fg=_SEVERITY_COLOURS[reason.severity])
        lines.append(f"  {severity} {click.style(reason.rule, bold=True)}")
        lines.append(f"{indent}{reason.message}")
        lines.append(indent + text("verdict.fix", text=reason.remediation))
        if reason.facts:
            lines.append(indent + text("verdict.facts", text=_facts_text(reason.facts)))
        lines.append(indent + text("verdict.source", text=reason.source))
    if verdict.due is not None:
        due = verdict.due
        first, last = due.business_days
        note = " " + text("verdict.provisional") if due.provisional else ""
        lines.append("  " + text("verdict.due", earliest=due.earliest, latest=due.latest,
                                 first=first, last=last, calendar=due.calendar,
                                 timezone=due.timezone) + note)
    elif platform is not None and platform.business_days is None:
        name = language.platforms.get(platform.id, platform.name)
        lines.append("  " + text("verdict.no_window", platform=name))
    counts = {s: sum(1 for c in verdict.checks if c.status == s)
              for s in ("passed", "failed", "not_applicable")}
    lines.append("  " + text("verdict.checked", total=len(verdict.checks), **counts))
    return "\n".join(lines)


def render_totals(tally: Counter[str], language: Language) -> str:
    """The closing count of a batch, every outcome named even when none had it."""
    return language.text("run.totals", total=sum(tally.values()),
                         **{outcome: tally[outcome] for outcome in _OUTCOMES})


@cli.command(short_help="Judge complaints from files or standard input.")
@policy_options
@click.argument("files", nargs=-1, required=True, metavar="FILE|-...",
                type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True,
              help="Print the verdict JSON, one line per complaint (JSON Lines).")
@now_option
@lang_option
@pass_state
def check(state: State, files: tuple[str, ...], as_json: bool, now: datetime | None,
          lang: str | None) -> None:
    """Judge complaints (JSON or YAML files, or - for standard input).

    A file may hold one complaint or a list of them. With --json, each complaint gives one line:
    its verdict, or {"source", "error", "problems"} when it could not be read.
    Exit 0 when all are eligible, 1 when any is incomplete or ineligible, 2 when any is invalid.
    """
    policy = state.policy()
    code = checked_lang(policy, lang)
    language = policy.language(code)
    worst = EXIT_OK
    tally: Counter[str] = Counter()
    for item in _items(files):
        problems: list[dict[str, str]] | None = None
        if item.error is not None:
            problems = [{"path": "", "message": item.error}]
        else:
            try:
                verdict = policy.evaluate(item.data, now=now, lang=code)
            except InvalidComplaint as exc:
                problems = exc.errors()
        if problems is not None:
            worst = EXIT_INVALID
            tally["invalid"] += 1
            _report_invalid(item.label, problems, as_json)
            continue
        if verdict.decision.value != "eligible":
            worst = max(worst, EXIT_FAILED)
        if as_json:
            click.echo(verdict.model_dump_json())
        else:
            first = not any(tally[outcome] for outcome in _DECISION_COLOURS)
            click.echo(("" if first else "\n") + render_verdict(
                item.label, verdict, policy, language, explain_day0=first))
        tally[verdict.decision.value] += 1
    if not as_json:  # JSON Lines stay one verdict per line; each verdict carries the policy
        if sum(tally.values()) > 1:
            click.echo("\n" + render_totals(tally, language))
        if sum(tally.values()) > tally["invalid"]:  # the policy behind the verdicts shown
            click.echo(language.text("run.policy", version=policy.version,
                                     digest=policy.digest))
    sys.exit(worst)


@cli.command(short_help="Where could this complaint be filed? Judge it on every platform.")
@policy_options
@click.argument("file", metavar="FILE|-",
                type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True,
              help="Print {platform: verdict} as one JSON object.")
@now_option
@lang_option
@pass_state
def where(state: State, file: str, as_json: bool, now: datetime | None,
          lang: str | None) -> None:
    """Judge one complaint (JSON or YAML, or - for standard input) on every platform.

    The same filer, right, documents and letter are judged on each platform; the listing rules
    do not apply (listings belong to one platform), and `platform` may be left out. One line per
    platform: its decision, the failed rule ids and the answer window.
    Exit 0 when at least one platform finds it eligible, 1 otherwise, 2 for invalid input.
    """
    policy = state.policy()
    code = checked_lang(policy, lang)
    label = "<stdin>" if file == STDIN else file
    try:
        data = _read_source(file)
    except ValueError as exc:
        _report_invalid(label, [{"path": "", "message": str(exc)}], as_json)
        sys.exit(EXIT_INVALID)
    try:
        everywhere = policy.evaluate_everywhere(data, now=now, lang=code)
    except InvalidComplaint as exc:
        _report_invalid(label, exc.errors(), as_json)
        sys.exit(EXIT_INVALID)
    if as_json:
        click.echo(verdicts_json(everywhere))
    else:
        header = sys.stdout.isatty()
        click.echo(render_where(everywhere, policy.language(code), header=header))
    eligible = any(v.decision.value == "eligible" for v in everywhere.values())
    sys.exit(EXIT_OK if eligible else EXIT_FAILED)


def render_where(everywhere: Mapping[str, Verdict], language: Language, *,
                 header: bool = True) -> str:
    """One row per platform: the platform, its decision, the window, the failed rules; under
    a header row naming the columns when ``header`` (on a terminal: piped, the output is one
    line per platform and nothing else)."""
    text = language.text
    rows = [(text("where.platform"), text("where.decision"), text("where.due"),
             text("where.failed"))]
    for platform, verdict in everywhere.items():
        decision = verdict.decision.value
        due = verdict.due
        window = f"{due.earliest} .. {due.latest}" if due is not None else text("where.none")
        failed = ", ".join(r.rule for r in verdict.reasons) or text("where.none")
        rows.append((platform, text(f"decision.{decision}"), window, failed))
    lines = table(rows).splitlines()
    coloured = [click.style(line, fg=_DECISION_COLOURS[v.decision.value])
                for line, v in zip(lines[1:], everywhere.values(), strict=True)]
    return "\n".join([click.style(lines[0], bold=True)] * header + coloured)


def _report_invalid(label: str, problems: list[dict[str, str]], as_json: bool) -> None:
    lines = [f"eligibility: {label}: invalid complaint, no verdict:"]
    lines += [f"  {p['path'] or '(complaint)'}: {p['message']}" for p in problems]
    click.echo("\n".join(lines), err=True)
    if as_json:
        click.echo(json.dumps({"source": label, "error": "invalid complaint",
                               "problems": problems}, ensure_ascii=False))


# --- test --------------------------------------------------------------------------------------


@cli.command("test", short_help="Run case fixtures; --coverage checks every rule.")
@policy_options
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--coverage", is_flag=True,
              help="Also list rules lacking a failing or a passing case on a platform group "
                   "they apply to; exit 1 if any.")
@pass_state
def test_command(state: State, paths: tuple[Path, ...], coverage: bool) -> None:
    """Run case fixtures (*.case.yaml files, or folders searched for them).

    Prints a line and a diff for each failing case, then a summary. Exit 0 when every case
    passes, 1 when any fails, a case file cannot be used, or --coverage finds gaps.
    """
    from .cases import CaseFileError, coverage_gaps, find_case_files, run_files

    try:
        case_files = find_case_files(paths)
    except CaseFileError as exc:
        raise Failure(str(exc)) from None
    if not case_files:
        raise Failure("no case files (*.case.yaml) under " + ", ".join(str(p) for p in paths))
    policy = state.policy()
    judged: list[Verdict] = []  # of passing cases: what coverage counts
    passed = failed = broken = 0
    for outcome in run_files(policy, case_files):
        if isinstance(outcome, CaseFileError):
            broken += 1
            click.echo(click.style("ERROR ", fg="red", bold=True) + str(outcome))
        elif outcome.passed:
            passed += 1
            judged += outcome.verdicts
        else:
            failed += 1
            case = outcome.case
            click.echo(click.style("FAIL ", fg="red", bold=True) + f"{case.where}: {case.name}")
            for line in outcome.mismatches:
                click.echo(f"    {line}")
    total = passed + failed
    summary = f"{total} case(s) in {len(case_files)} file(s): {passed} passed, {failed} failed"
    if broken:
        summary += f", {broken} unusable case(s) or file(s)"
    click.echo(summary)
    status = EXIT_FAILED if broken or failed else EXIT_OK
    if coverage:
        gaps = coverage_gaps(policy, judged)
        if gaps:
            click.echo(f"coverage: {len(gaps)} gap(s) (rule on platform group: what is lacking)")
            for gap in gaps:
                click.echo(f"  {gap}")
            status = max(status, EXIT_FAILED)
        else:
            click.echo(f"coverage: each of {len(policy.catalog)} rules has a failing and a "
                       "passing case on every platform group it applies to")
    sys.exit(status)


# --- rules, schema, lint -----------------------------------------------------------------------


@cli.command(short_help="List the rule catalog.")
@policy_options
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as a JSON list.")
@click.option("--markdown", is_flag=True, help="Print the catalog as Markdown (docs/rules.md).")
@lang_option
@pass_state
def rules(state: State, as_json: bool, markdown: bool, lang: str | None) -> None:
    """List the policy's rules: id, severity, platforms and title."""
    policy = state.policy()
    code = checked_lang(policy, lang)
    if as_json and markdown:
        raise Failure("choose one of --json and --markdown")
    if markdown:
        from .catalog import render_markdown

        click.echo(render_markdown(policy, code), nl=False)
        return
    if as_json:
        from .catalog import rule_entries

        click.echo(json.dumps(rule_entries(policy, code), indent=2, ensure_ascii=False))
        return
    rows = [("ID", "SEVERITY", "PLATFORMS", "TITLE")]
    rows += [(r.id, r.severity, ",".join(r.platforms), r.texts[code].title)
             for r in policy.catalog]
    click.echo(table(rows))


@cli.command(short_help="Print the complaint's JSON Schema.")
@policy_options
@pass_state
def schema(state: State) -> None:
    """Print the JSON Schema of a complaint under the selected policy."""
    click.echo(json.dumps(state.policy().complaint_schema(), indent=2, ensure_ascii=False))


@cli.command(short_help="Check policy folders; list every problem.")
@policy_options
@click.pass_context
def lint(ctx: click.Context) -> None:
    """Check a policy's folders (--rules, --jurisdictions) and report every problem found.

    Exit 0 when the policy loads, 2 otherwise, with one line per problem: file, rule, problem.
    """
    from .load.loader import check as check_policy

    state = ctx.find_object(State)
    assert state is not None  # the group always sets it
    try:
        result = check_policy(state.rules, state.jurisdictions)
    except PolicyError as exc:  # the packaged policy itself is missing
        raise Failure(str(exc)) from None
    loaded = result.loaded
    if loaded is None:
        for problem in result.problems:
            rule = f": rule {problem.rule}" if problem.rule else ""
            click.echo(f"{problem.file}{rule}: {problem.problem}", err=True)
        click.echo(f"eligibility: {len(result.problems)} problem(s) found", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"ok: {len(loaded.catalog)} rules, {len(loaded.platforms)} platforms, "
               f"{len(loaded.jurisdictions.by_code)} jurisdictions from {loaded.rules_dir} and "
               f"{loaded.jurisdictions_dir}; policy {loaded.version} {loaded.digest}")
    for code, keys in loaded.borrowed.items():
        if keys:
            click.echo(f"note: {len(keys)} {code} interface text(s) taken from the packaged "
                       f"policy, which this policy's files leave out: {listed(keys, 8)}")


# --- diff --------------------------------------------------------------------------------------


@cli.command(short_help="Which complaints change verdict between two policies.")
@policy_options
@click.option("--base-rules", type=_folder, required=True, metavar="DIR",
              help="Rules folder of the policy to compare against (e.g. the published one).")
@click.option("--base-jurisdictions", type=_folder, default=None, metavar="DIR",
              help="Jurisdictions folder of the base policy (default: the current policy's).")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print the changes as a JSON list of {file, name, before, after}.")
@click.option("--now", default=None, metavar="DATETIME", callback=_aware_option,
              help="Submission time for complaints with neither submitted_at nor a case's now "
                   "(ISO 8601 with offset; default: the time the run starts).")
@pass_state
def diff(state: State, base_rules: Path, base_jurisdictions: Path | None,
         paths: tuple[Path, ...], as_json: bool, now: datetime | None) -> None:
    """Judge every complaint in case files and complaint files under PATHS with the base policy
    (--base-rules) and the current one (--rules/--jurisdictions, or the packaged policy), and list
    each complaint whose decision or failed rule ids change, grouped by rule.

    Exit 0 when nothing changes, 1 when something does, 2 when an input or a policy cannot be
    read.
    """
    from .diff import diff_policies

    current = state.policy()
    try:
        base = load_policy(base_rules, base_jurisdictions or state.jurisdictions)
    except PolicyError as exc:
        raise Failure(f"the base policy cannot be loaded: {exc}") from None
    report = diff_policies(base, current, paths, now=now)
    for error in report.errors:
        name = f" {error.name}:" if error.name else ""
        click.echo(f"eligibility: {error.file}:{name} {error.message}", err=True)
    if as_json:
        click.echo(json.dumps([c.to_json() for c in report.changes], indent=2,
                              ensure_ascii=False))
    else:
        click.echo(render_diff(report, base, current))
    if report.errors:
        sys.exit(EXIT_INVALID)
    sys.exit(EXIT_FAILED if report.changes else EXIT_OK)


def render_diff(report: DiffReport, base: Policy, current: Policy) -> str:
    """The changes for a person: each complaint old -> new, then per rule, then the totals."""

    def side(s: Side) -> str:
        return f"{s.decision} [{', '.join(s.reasons)}]" if s.reasons else s.decision

    lines = [f"base policy {base.version} {base.digest[:19]} -> current {current.version} "
             f"{current.digest[:19]}"]
    for change in report.changes:
        lines.append(f"{change.file}: {change.name}")
        lines.append(f"  {side(change.before)} -> {side(change.after)}")
    groups = report.by_rule()
    if groups:
        lines.append("by rule:")
        for rule, (now_fails, no_longer) in groups.items():
            counts = []
            if now_fails:
                counts.append(f"+{len(now_fails)} now fail")
            if no_longer:
                counts.append(f"-{len(no_longer)} no longer fail")
            lines.append(f"  {rule}: {', '.join(counts)}")
            lines += [f"    + {c.file}: {c.name}" for c in now_fails]
            lines += [f"    - {c.file}: {c.name}" for c in no_longer]
    moves = report.by_decision()
    if moves:
        lines.append("by decision:")
        lines += [f"  {old} -> {new}: {n}" for (old, new), n in sorted(moves.items())]
    lines.append(f"{len(report.changes)} of {report.compared} complaint(s) in {report.files} "
                 f"file(s) change" + (f"; {len(report.errors)} could not be compared"
                                      if report.errors else ""))
    return "\n".join(lines)


# --- serve, appeal-deadline --------------------------------------------------------------------

_SERVER_PACKAGES = ("fastapi", "uvicorn", "starlette", "anyio", "h11")


@cli.command(short_help="Run the HTTP service.")
@policy_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes.")
@click.option("--decision-log", default=None, metavar="FILE|-",
              help="Append one JSON line per judged complaint to FILE (- for standard output). "
                   "Default: $ELIGIBILITY_DECISION_LOG, else none.")
@click.option("--decision-log-input", is_flag=True, default=None,
              help="Also write each complaint itself (personal data) in the decision log.")
@click.option("--metrics-public", is_flag=True, default=None,
              help="Serve GET /metrics without an API key (for a scraper on a private network).")
@pass_state
def serve(state: State, host: str, port: int, workers: int, decision_log: str | None,
          decision_log_input: bool | None, metrics_public: bool | None) -> None:
    """Run the HTTP service (needs the 'server' extra: pip install 'eligibility[server]').

    Settings not given here are read from ELIGIBILITY_* environment variables
    (docs/service.md)."""
    try:
        from . import server
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing in _SERVER_PACKAGES:
            raise Failure(f"the HTTP service needs the 'server' extra ({missing} is not "
                          "installed): pip install 'eligibility[server]'") from None
        if exc.name == f"{__package__}.server":
            raise Failure("this installation has no HTTP service") from None
        raise
    # Only what was given: the rest falls back to the ELIGIBILITY_* environment variables.
    given = {"decision_log": decision_log, "decision_log_input": decision_log_input or None,
             "metrics_public": metrics_public or None}
    options: dict[str, Any] = {name: value for name, value in given.items()
                               if value is not None}
    try:  # the server checks its settings and loads the policy before it opens the port
        server.serve(rules_dir=state.rules, jurisdictions_dir=state.jurisdictions,
                     host=host, port=port, workers=workers, **options)
    except PolicyError as exc:
        raise Failure(f"the policy cannot be loaded: {exc}") from None
    except ValueError as exc:
        raise Failure(str(exc)) from None


@cli.command("appeal-deadline", short_help="Last day to act after a counter-notice.")
@policy_options
@click.argument("platform")
@click.argument("forwarded_at", metavar="DATETIME", callback=_aware_option)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@lang_option
@pass_state
def appeal_deadline(state: State, platform: str, forwarded_at: datetime, as_json: bool,
                    lang: str | None) -> None:
    """The last day to act after a seller's counter-notice, forwarded at DATETIME, reaches you."""
    policy = state.policy()
    language = policy.language(checked_lang(policy, lang))
    try:
        answer = policy.appeal_deadline(platform, forwarded_at, lang=language.code)
    except InvalidComplaint as exc:
        raise Failure("; ".join(str(p) for p in exc.problems)) from None
    click.echo(answer.model_dump_json() if as_json else render_appeal(answer, language))


def render_appeal(answer: AppealDeadline, language: Language) -> str:
    """The deadline for a person, in ``language``: the day to act, how it was counted, and the
    law behind it."""
    text = language.text
    head = text("appeal.head", platform=answer.platform, received_on=answer.received_on,
                timezone=answer.timezone)
    if answer.last_day is None or answer.days is None:
        return f"{head}\n  " + text("appeal.none", reason=answer.reason)
    if answer.nominal_last_day not in (None, answer.last_day):
        count = text("appeal.count.moved", days=answer.days,
                     nominal_last_day=answer.nominal_last_day)
    else:
        count = text(f"appeal.count.{answer.day_kind}", days=answer.days)
    line = "  " + text("appeal.last_day", last_day=click.style(str(answer.last_day), bold=True),
                       count=count)
    if answer.provisional:
        line += " " + text("verdict.provisional")
    lines = [head, line]
    if answer.source:
        lines.append("  " + text("verdict.source", text=answer.source))
    return "\n".join(lines)


# --- entry point -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; the console script and ``python -m eligibility`` call this from
    ``eligibility.__main__``, which sets up their process first."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="eligibility")
