"""The facade: load a policy, then judge complaints with it.

Everything a caller does goes through :class:`Policy`: it hides the loader (``load/``), the judge
(``judge/``) and the jurisdiction data (``jurisdiction/``) behind the names CONTRACT.md fixes. A
loaded Policy is immutable, carries the digest of the files it came from, and owns its own
durable_rules rulesets (named afresh, so several policies live side by side in one process).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import InvalidComplaint
from .judge.batch import check_workers, evaluate_in_order, evaluate_in_processes
from .judge.records import Language, PlatformInfo
from .jurisdiction.appeal import AppealDeadline, deadline
from .load import loader
from .models import POLICY_CODES, Complaint, Verdict, check_now, platform_id


class Policy:
    """A loaded, compiled policy. Evaluate complaints with :meth:`evaluate`.

    Public attributes (docs/api.md): ``version``, ``digest``, ``catalog`` (a RuleInfo per rule,
    in policy order), ``platforms`` (platform id -> PlatformInfo, in policy order), ``groups``
    (platform group id -> title) and ``languages`` (the language codes verdicts can be worded
    in, the rule files' own first).
    """

    def __init__(self, loaded: loader.Loaded) -> None:
        self.version = loaded.version
        self.digest = loaded.digest
        self.catalog = loaded.catalog
        self.platforms: Mapping[str, PlatformInfo] = dict(loaded.platforms)
        self.groups: Mapping[str, str] = dict(loaded.groups)
        self.languages: tuple[str, ...] = tuple(loaded.languages)
        self._texts = dict(loaded.languages)
        self._judge = loaded.judge
        self._jurisdictions = loaded.jurisdictions
        self._calendars = loaded.calendars

    def __repr__(self) -> str:
        return f"<Policy {self.version} {self.digest[:19]}… {len(self.catalog)} rules>"

    # -- evaluation --

    def parse(self, complaint: Complaint | Mapping[str, Any]) -> Complaint:
        """Validate a complaint against the model and this policy's codes."""
        return self._judge.parse(complaint)

    def evaluate(self, complaint: Complaint | Mapping[str, Any], *,
                 now: datetime | str | None = None, lang: str | None = None) -> Verdict:
        """Judge one complaint. ``now`` stands in for a missing ``submitted_at``; ``lang`` (one
        of :attr:`languages`, the first by default) words the messages and remediations."""
        code = self._judge.language(lang)
        try:
            return self._judge.evaluate(complaint, check_now(now), code)
        except InvalidComplaint as exc:
            raise self._worded(exc, code) from None

    def evaluate_many(self, complaints: Iterable[Complaint | Mapping[str, Any]], *,
                      now: datetime | str | None = None, workers: int = 1,
                      lang: str | None = None) -> list[Verdict]:
        """Judge complaints in order; the first invalid one raises, naming its position.
        ``workers`` > 1 spreads a large batch over that many forked processes."""
        moment = check_now(now)
        code = self._judge.language(lang)
        try:
            if check_workers(workers) != 1:
                return evaluate_in_processes(self._judge, complaints, now=moment,
                                             workers=workers, lang=code)
            return evaluate_in_order(self._judge, complaints, moment, code)
        except InvalidComplaint as exc:
            raise self._worded(exc, code) from None

    def iter_evaluate(self, complaints: Iterable[Complaint | Mapping[str, Any]], *,
                      now: datetime | str | None = None,
                      lang: str | None = None) -> Iterator[Verdict | InvalidComplaint]:
        """Judge complaints lazily, yielding a verdict or the InvalidComplaint for each."""
        moment = check_now(now)
        code = self._judge.language(lang)
        for complaint in complaints:
            try:
                yield self.evaluate(complaint, now=moment, lang=code)
            except InvalidComplaint as exc:
                yield exc

    def evaluate_everywhere(self, complaint: Complaint | Mapping[str, Any], *,
                            now: datetime | str | None = None,
                            lang: str | None = None) -> dict[str, Verdict]:
        """Where could this complaint be filed? ``{platform id: verdict}`` for every platform,
        in policy order. ``platform`` may be left out; the same filer, right, documents and
        letter are judged on each platform, and the rules of one filing (the listings, the
        channel) are not applicable."""
        code = self._judge.language(lang)
        try:
            return self._judge.everywhere(complaint, check_now(now), code)
        except InvalidComplaint as exc:
            raise self._worded(exc, code) from None

    def _worded(self, error: InvalidComplaint, lang: str) -> InvalidComplaint:
        """The problems of a complaint in the language its verdict would have had."""
        if lang == self.languages[0]:
            return error
        return error.reworded(self._texts[lang].problem)

    def language(self, lang: str | None = None) -> Language:
        """The policy's texts in one language (the first of :attr:`languages` by default):
        platform names, group titles, rule texts and the faces' interface texts."""
        return self._texts[self._judge.language(lang)]

    # -- introspection --

    def complaint_schema(self) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of a complaint, with this policy's platforms, offices
        and identity document types listed where the model marks them.

        It is generated from the very model that validates complaints, so the two agree except
        where a field's ``description`` names a check only the service makes (tested in
        tests/test_schema_agreement.py)."""
        context = self._judge.context
        codes: dict[str, list[Any]] = {
            "platforms": sorted(self._judge.programs),
            "offices": sorted(context["offices"]),
            "document_types": sorted(context["document_types"]),
        }
        # An all-digit platform id (1688) may also be written as a JSON or YAML number.
        codes["platforms"] += [int(p) for p in codes["platforms"] if p.isdigit()
                               and str(int(p)) == p]

        def listed(node: Any) -> Any:
            if isinstance(node, dict):
                kind = node.get(POLICY_CODES)
                if isinstance(kind, str):
                    described = {k: node[k] for k in ("title", "description") if k in node}
                    return {"enum": codes[kind], **described}
                return {key: listed(value) for key, value in node.items()}
            if isinstance(node, list):
                return [listed(value) for value in node]
            return node

        schema: dict[str, Any] = listed(Complaint.model_json_schema())
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        # A platform that takes fewer channels than the model knows says so, as validation does.
        every = set(schema["properties"].get("channel", {}).get("enum", ()))
        narrower = [{"if": {"properties": {"platform": {"const": platform}},
                            "required": ["platform"]},
                     "then": {"properties": {"channel": {"enum": sorted(taken)}}}}
                    for platform, taken in sorted(context["channels"].items()) if taken < every]
        if narrower:
            schema["allOf"] = narrower
        return schema

    def appeal_deadline(self, platform: str, forwarded_at: datetime | str, *,
                        lang: str | None = None) -> AppealDeadline:
        """The last day to act once a seller's counter-notice reaches the complainant, or why
        there is none (the reason worded in ``lang``); a bad platform or a naive time raises
        InvalidComplaint naming it, an unknown language ValueError."""
        words = self.language(lang)
        try:
            return deadline(platform_id(platform), forwarded_at, platforms=self.platforms,
                            jurisdictions=self._jurisdictions, calendars=self._calendars,
                            words=words)
        except InvalidComplaint as exc:
            raise self._worded(exc, words.code) from None


def load_policy(rules_dir: str | Path | None = None,
                jurisdictions_dir: str | Path | None = None) -> Policy:
    """Load and compile a policy; the packaged one when no folder is given."""
    return Policy(loader.load(rules_dir, jurisdictions_dir))
