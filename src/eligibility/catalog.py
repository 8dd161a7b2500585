"""The rule catalog as Markdown (docs/rules.md), rendered from a loaded policy.

The catalog is generated rather than written so it can never disagree with rules/: a test
renders it afresh and fails when the committed file differs. Everything shown comes from the
policy's data, in the policy's own order, so the output is the same byte for byte on every run.
"""

from __future__ import annotations

from typing import Any, get_args

from .judge.records import Language
from .judge.vocabulary import FIELDS, Field
from .models import Severity
from .policy import Policy

SEVERITIES: tuple[Severity, ...] = get_args(Severity)  # in the order of their gravity


def regenerate_command(lang: str, source: str) -> str:
    """The command that writes the catalog of a language (docs/rules.md for the source one)."""
    if lang == source:
        return "eligibility rules --markdown > docs/rules.md"
    return f"eligibility rules --markdown --lang {lang} > docs/rules.{lang}.md"



def rule_entries(policy: Policy, lang: str) -> list[dict[str, Any]]:
    """The catalog as JSON-ready entries, titles in ``lang`` (``rules --json``, ``/v1/rules``)."""
    return [{"id": r.id, "title": r.texts[lang].title, "severity": r.severity,
             "platforms": list(r.platforms), "applies_to": list(r.applies_to),
             "source": r.source, "file": r.file} for r in policy.catalog]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _codes(values: tuple[str, ...], none: str) -> str:
    return ", ".join(f"`{v}`" for v in values) or none


def _platform_rows(policy: Policy, language: Language) -> list[str]:
    text = language.text
    columns = text("catalog.platform_columns")
    rows = [f"| {columns} |", "|" + "---|" * (columns.count("|") + 1)]
    none = text("catalog.none")
    for pid, spec in policy.platforms.items():
        if spec.business_days is None:
            window = text("catalog.no_window")
        else:
            first, last = spec.business_days
            window = text("catalog.window", first=first, last=last, calendar=spec.calendar)
        territory = spec.territory or text("catalog.any_office")
        name = language.platforms.get(pid, spec.name)
        rows.append(f"| `{pid}` | {_cell(name)} | `{spec.group}` | {territory} "
                    f"| {_codes(spec.listing_domains, none)} "
                    f"| {_codes(spec.short_link_domains, none)} "
                    f"| {_codes(spec.channels, none)} | {window} |")
    return rows


def render_markdown(policy: Policy, lang: str | None = None) -> str:
    """The whole catalog in one language of the policy (its first by default): severities,
    platforms, a summary table and one section per rule."""
    language = policy.language(lang)
    code = language.code
    text = language.text
    command = regenerate_command(code, policy.languages[0])
    severity_columns = text("catalog.severity_columns")
    rule_columns = text("catalog.rule_columns")
    lines = [
        f"# {text('catalog.title')}",
        "",
        f"<!-- {text('catalog.generated', command=command)} -->",
        "",
        text("catalog.intro", version=policy.version, rules=len(policy.catalog),
             platforms=len(policy.platforms)),
        "",
        f"## {text('catalog.severities')}",
        "",
        f"| {severity_columns} |",
        "|---|---|",
        *[f"| `{s}` | {text(f'catalog.meaning.{s}')} |" for s in SEVERITIES],
        "",
        f"## {text('catalog.platforms')}",
        "",
        *_platform_rows(policy, language),
        "",
        text("catalog.groups"),
        "",
        *[f"- `{gid}`: {_cell(language.groups.get(gid, title))}"
          for gid, title in policy.groups.items()],
        "",
        f"## {text('catalog.rules')}",
        "",
        f"| {rule_columns} |",
        "|---|---|---|---|",
        *[f"| [`{r.id}`](#{_anchor(r.id)}) | {r.severity} | {_codes(r.applies_to, '')} "
          f"| {_cell(r.texts[code].title)} |" for r in policy.catalog],
    ]
    current_file = None
    for info in policy.catalog:
        texts = info.texts[code]
        if info.file != current_file:
            current_file = info.file
            lines += ["", f"## {info.file}"]
        platforms = _codes(info.platforms, text("catalog.none"))
        lines += ["", f"### {info.id}", "",
                  text("catalog.rule_head", title=_cell(texts.title), severity=info.severity),
                  "", "- " + text("catalog.applies", targets=_codes(info.applies_to, ""),
                                          platforms=platforms)]
        if info.platforms:
            lines += ["- " + text("catalog.message", text=_cell(texts.message)),
                      "- " + text("catalog.remedy", text=_cell(texts.remediation))]
        lines.append("- " + text("catalog.source", text=_cell(info.source)))
    lines += ["", *_field_rows(language)]
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


def _field_rows(language: Language) -> list[str]:
    """The fact-field reference: a technical table for rule authors, its columns and the
    fields' descriptions in English in every edition."""
    rows = [
        f"## {language.text('catalog.fields')}",
        "",
        language.text("catalog.fields_intro"),
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
