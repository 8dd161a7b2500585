"""The rule catalog as Markdown (docs/rules.md), rendered from a loaded policy.

The catalog is generated rather than written so it can never disagree with rules/: a test
renders it afresh and fails when the committed file differs. Everything shown comes from the
policy's data, in the policy's own order, so the output is the same byte for byte on every run.
"""

from __future__ import annotations

from .judge.records import RuleInfo
from .judge.vocabulary import FIELDS, Field
from .policy import Policy

SEVERITY_MEANING = {
    "blocking": "the complaint is ineligible; no document can fix it",
    "missing": "the complaint is incomplete; the filer can supply or correct evidence",
    "warning": "reported only; never changes the decision",
}
REGENERATE = "eligibility rules --markdown > docs/rules.md"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _platform_rows(policy: Policy) -> list[str]:
    rows = ["| platform | name | group | protection needed in | listing domains "
            "| short-link domains | channels | response window |",
            "|---|---|---|---|---|---|---|---|"]
    for pid, spec in policy.platforms.items():
        if spec.business_days is None:
            window = "none published"
        else:
            first, last = spec.business_days
            window = f"{first}-{last} business days, {spec.calendar} calendar"
        territory = spec.territory or "any recognised office"
        listing, short, channels = (", ".join(f"`{v}`" for v in values) or "(none)" for values in
                                    (spec.listing_domains, spec.short_link_domains, spec.channels))
        rows.append(f"| `{pid}` | {_cell(spec.name)} | `{spec.group}` | {territory} | {listing} "
                    f"| {short} | {channels} | {window} |")
    return rows


def _applies(info: RuleInfo) -> str:
    return ", ".join(f"`{t}`" for t in info.applies_to)


def render_markdown(policy: Policy) -> str:
    """The whole catalog: severities, platforms, a summary table and one section per rule."""
    lines = [
        "# Rule catalog",
        "",
        f"<!-- Generated from rules/ by `{REGENERATE}`. Do not edit by hand. -->",
        "",
        f"Policy version {policy.version}: {len(policy.catalog)} rules over "
        f"{len(policy.platforms)} platforms. Rule ids are a public contract: they never change "
        "meaning once shipped.",
        "",
        "## Severities",
        "",
        "| severity | when the rule fails |",
        "|---|---|",
        *[f"| `{s}` | {meaning} |" for s, meaning in SEVERITY_MEANING.items()],
        "",
        "## Platforms",
        "",
        *_platform_rows(policy),
        "",
        "Groups:",
        "",
        *[f"- `{gid}`: {_cell(title)}" for gid, title in policy.groups.items()],
        "",
        "## Rules",
        "",
        "| id | severity | applies to | title |",
        "|---|---|---|---|",
        *[f"| [`{r.id}`](#{_anchor(r.id)}) | {r.severity} | {_applies(r)} | {_cell(r.title)} |"
          for r in policy.catalog],
    ]
    current_file = None
    for info in policy.catalog:
        if info.file != current_file:
            current_file = info.file
            lines += ["", f"## {info.file}"]
        lines += ["", f"### {info.id}", "", f"**{_cell(info.title)}**, severity `{info.severity}`.",
                  "", f"- Applies to: {_applies(info)} (platforms: "
                  f"{', '.join(f'`{p}`' for p in info.platforms) or 'none'})"]
        if info.platforms:
            lines += [f"- Message: {_cell(info.message)}",
                      f"- Remedy: {_cell(info.remediation)}"]
        lines.append(f"- Source: {_cell(info.source)}")
    lines += ["", *_field_rows()]
    return "\n".join(lines) + "\n"


_KIND_MEANING = {
    "bool": "true/false",
    "int": "whole number",
    "day": "date (YYYY-MM-DD)",
    "str": "text",
    "report": "shown only",
}


def _values(f: Field) -> str:
    if isinstance(f.values, str):
        return f"a code of the policy's {f.values}"
    if f.values:
        return ", ".join(f"`{v}`" for v in f.values)
    return ""


def _field_rows() -> list[str]:
    rows = [
        "## Fact fields",
        "",
        "What a condition can test (`field:`) and a rule can show in its reasons (`report:`). "
        "Fields of type \"shown only\" can be reported but not tested. A field that may "
        "be absent makes every test of it false (so `not` of a test holds); test presence "
        "with `exists`.",
        "",
        "| field | type | may be absent | values | meaning |",
        "|---|---|---|---|---|",
    ]
    for f in FIELDS:
        rows.append(f"| `{f.name}` | {_KIND_MEANING[f.kind]} | {'yes' if f.optional else ''} "
                    f"| {_values(f)} | {_cell(f.doc)} |")
    return rows


def _anchor(rule_id: str) -> str:
    """The heading anchor GitHub-style renderers give ``### rule.id``: dots are dropped."""
    return "".join(ch for ch in rule_id.lower() if ch.isalnum() or ch in "-_")
