"""The POLICY.md decisions written out by hand in plain Python: the yardstick and the oracle.

``BaselinePolicy.evaluate`` does everything ``Policy.evaluate`` does (the same validation, the
same fact, the same verdict construction) except the one step that matters here: instead of
asserting the fact into durable_rules it decides each rule with ordinary ``if`` statements, coded
from POLICY.md rather than from rules/*.yaml. Two uses follow:

* speed: no evaluation of this design can be cheaper than this, so the engine's cost is quoted
  as a ratio to it;
* correctness: the C core has silent wrong-answer modes, and the rule files can drift from the
  policy; a complaint on which the two disagree is a bug in one of them.

The fact gives values by engine key, absent keys meaning "not known"; names are already
normalised and dates are day numbers. A comparison with an unknown value is false, as it is for
the engine; where POLICY.md leaves that open the comments say which way it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from eligibility import InvalidComplaint, Problem, Verdict
from eligibility.judge.facts import build as build_facts
from eligibility.judge.program import Match, Program
from eligibility.jurisdiction.calendar import CalendarRangeError
from eligibility.load import loader
from eligibility.load.loader import Loaded

Fact = Mapping[str, Any]

DOMESTIC = frozenset({"alibaba-domestic"})
ALIBABA = frozenset({"alibaba-domestic", "alibaba-international"})
ALL = frozenset({"alibaba-domestic", "alibaba-international", "amazon"})
EVALUATION_REPORT_PLATFORMS = frozenset({"taobao", "tmall", "tmall.hk"})
EVALUATION_REPORT_SINCE = date(2010, 1, 1).toordinal()
# The listings one complaint may name, by filing channel (POLICY.md, "Filing channel").
MAX_LISTINGS = {"ipp_account": 300, "online_form": 10}
SUPPORTED_RIGHTS = frozenset({"trademark", "copyright", "patent"})
RIGHT_FOR_KIND = {"counterfeit": "trademark", "mark-obscuring": "trademark",
                  "piracy": "copyright", "patent": "patent"}


def _lt(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and a < b


def _differs(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a != b


# --- applicability: None means the rule always applies where its platform has it ---------------


def _agent(f: Fact) -> bool:
    return _differs(f.get("holder_name"), f.get("complainant_name"))


def _agent_with_letter(f: Fact) -> bool:
    return _agent(f) and f.get("authorization_supplied") is True


def _trademark(f: Fact) -> bool:
    return f.get("right_type") == "trademark"


def _unregistered_copyright(f: Fact) -> bool:
    # POLICY.md's own definition: type copyright, status unregistered, no office.
    return (f.get("right_type") == "copyright" and f.get("right_status") == "unregistered"
            and f.get("right_office") is None)


def _not_unregistered_copyright(f: Fact) -> bool:
    return not _unregistered_copyright(f)


def _via_designation(f: Fact) -> bool:
    return f.get("territory_via") == "designation"


def _china_utility_or_design(f: Fact) -> bool:
    # A missing filing date does not prove the patent predates 2010, so the rule applies.
    filed = f.get("right_filed_on")
    return (f.get("right_type") == "patent"
            and f.get("right_patent_kind") in ("utility_model", "design")
            and f.get("right_office_jurisdiction") == "CN"
            and (filed is None or filed >= EVALUATION_REPORT_SINCE))


# --- failure conditions ------------------------------------------------------------------------


def _type_not_supported(f: Fact) -> bool:
    return f["right_type"] not in SUPPORTED_RIGHTS


def _kind_mismatch(f: Fact) -> bool:
    return bool(RIGHT_FOR_KIND[f["infringement_kind"]] != f["right_type"])


def _registration_required(f: Fact) -> bool:
    # Unregistered, or registered with no office at all. A pending application has its own rule;
    # an unregistered copyright passes (it needs a claim statement instead).
    status = f["right_status"]
    if _unregistered_copyright(f):
        return False
    return status == "unregistered" or (f.get("right_office") is None and status != "pending")


def _application_pending(f: Fact) -> bool:
    return bool(f["right_status"] == "pending")


def _in_grace(f: Fact) -> bool:
    """The term has ended but the renewal grace period still runs on day 0."""
    end, grace = f.get("right_term_end"), f.get("right_grace_end")
    return end is not None and grace is not None and end < f["day0"] <= grace


def _not_in_force(f: Fact) -> bool:
    day0 = f["day0"]
    status = f["right_status"]
    if status == "invalidated":
        return True
    if status == "expired" and not _in_grace(f):
        return True  # the filer's word stands, even against a derived term still running
    # Past the term and any renewal grace, or registered only after day 0.
    return _lt(f.get("right_grace_end"), day0) or _lt(day0, f.get("right_registered_on"))


def _renewal_grace(f: Fact) -> bool:
    return _in_grace(f) and not f["evidence_renewal_certificate"]


def _owner_mismatch(f: Fact) -> bool:
    # No owner named on the registration: nothing contradicts the holder.
    return _differs(f.get("right_owner"), f.get("holder_name"))


def _expires_before_decision(f: Fact) -> bool:
    # Only for a right still in force on day 0; one past its term gets the rules above.
    end = f.get("right_term_end")
    return end is not None and end >= f["day0"] and _lt(end, f.get("window_latest"))


def _not_covered(f: Fact) -> bool:
    return not f["territory_covered"]


def _certificate_missing(f: Fact) -> bool:
    return not f["evidence_certificate"]


def _claim_statement_missing(f: Fact) -> bool:
    return not f["evidence_claim_statement"]


def _extension_certificate_missing(f: Fact) -> bool:
    return not f["evidence_extension_certificate"]


def _evaluation_report_missing(f: Fact) -> bool:
    return not f["evidence_evaluation_report"]


def _document_missing(f: Fact) -> bool:
    return bool(f["identity_accepted"] == 0)


def _document_expired(f: Fact) -> bool:
    return bool(f["identity_accepted"] > 0 and f["identity_unexpired"] == 0)


def _name_mismatch(f: Fact) -> bool:
    # Only documents that state a holder name can contradict the filer's name.
    return bool(f["identity_unexpired"] > 0 and f["identity_unnamed"] == 0
                and f["identity_matching"] == 0)


def _letter_missing(f: Fact) -> bool:
    return not f["authorization_supplied"]


def _letter_wrong_issuer(f: Fact) -> bool:
    return _differs(f.get("authorization_issued_by"), f.get("holder_name"))


def _letter_wrong_agent(f: Fact) -> bool:
    return _differs(f.get("authorization_issued_to"), f.get("complainant_name"))


def _letter_unsigned(f: Fact) -> bool:
    return f.get("authorization_signed") is False


def _letter_not_in_force(f: Fact) -> bool:
    day0 = f["day0"]
    return _lt(day0, f.get("authorization_issued_on")) or _lt(f.get("authorization_expires_on"),
                                                               day0)


def _letter_out_of_scope(f: Fact) -> bool:
    return (f.get("authorization_covers_right") is False
            or f.get("authorization_covers_platform") is False)


def _no_listings(f: Fact) -> bool:
    return bool(f["listings_count"] == 0)


def _listing_off_platform(f: Fact) -> bool:
    return bool(f["listings_off_platform"] > 0)


def _short_link(f: Fact) -> bool:
    return bool(f["listings_short_links"] > 0)


def _too_many_listings(f: Fact) -> bool:
    cap = MAX_LISTINGS.get(f["channel"])
    return cap is not None and bool(f["listings_count"] > cap)


Predicate = Callable[[Fact], bool]

# rule id -> (groups or platforms it applies to, applicability or None, failure condition)
RULES: dict[str, tuple[frozenset[str], Predicate | None, Predicate]] = {
    "right.type-not-supported": (ALL, None, _type_not_supported),
    "complaint.kind-mismatch": (ALL, None, _kind_mismatch),
    "right.registration-required": (ALIBABA, None, _registration_required),
    "right.application-pending": (ALIBABA, None, _application_pending),
    "right.not-in-force": (ALL, None, _not_in_force),
    "right.renewal-grace": (ALL, _trademark, _renewal_grace),
    "right.owner-mismatch": (ALL, None, _owner_mismatch),
    "right.expires-before-decision": (ALIBABA, None, _expires_before_decision),
    "territory.not-protected-in-china": (DOMESTIC, None, _not_covered),
    "territory.not-protected-in-marketplace": (frozenset({"amazon"}), None, _not_covered),
    "evidence.certificate-missing": (ALIBABA, _not_unregistered_copyright, _certificate_missing),
    "evidence.claim-statement-missing": (ALIBABA, _unregistered_copyright,
                                         _claim_statement_missing),
    "evidence.extension-certificate-missing": (DOMESTIC, _via_designation,
                                               _extension_certificate_missing),
    "evidence.evaluation-report-missing": (EVALUATION_REPORT_PLATFORMS, _china_utility_or_design,
                                           _evaluation_report_missing),
    "identity.document-missing": (ALIBABA, None, _document_missing),
    "identity.document-expired": (ALIBABA, None, _document_expired),
    "identity.name-mismatch": (ALIBABA, None, _name_mismatch),
    "agent.authorization-missing": (ALL, _agent, _letter_missing),
    "agent.authorization-wrong-issuer": (ALL, _agent_with_letter, _letter_wrong_issuer),
    "agent.authorization-wrong-agent": (ALL, _agent_with_letter, _letter_wrong_agent),
    "agent.authorization-unsigned": (ALIBABA, _agent_with_letter, _letter_unsigned),
    "agent.authorization-not-in-force": (ALL, _agent_with_letter, _letter_not_in_force),
    "agent.authorization-out-of-scope": (ALL, _agent_with_letter, _letter_out_of_scope),
    "complaint.no-listings": (ALL, None, _no_listings),
    "complaint.listing-off-platform": (ALL, None, _listing_off_platform),
    "complaint.listing-short-link": (ALL, None, _short_link),
    "complaint.too-many-listings": (ALIBABA, None, _too_many_listings),
}


def rules_for(platform: str, group: str) -> frozenset[str]:
    """The rule ids POLICY.md applies to a platform."""
    return frozenset(rule for rule, (targets, _, _) in RULES.items()
                     if platform in targets or group in targets)


class _Plan:
    """One platform's rules in the policy's order, with the names ``assemble`` reads."""

    def __init__(self, program: Program) -> None:
        profile = program.profile
        platform = profile.id
        expected = rules_for(profile.id, profile.group)
        present = {slot.rule.id for slot in program.slots}
        if present != expected:
            raise ValueError(f"{platform}: the policy checks {sorted(present ^ expected)} "
                             "differently from POLICY.md")
        self.program = program
        self.steps: list[tuple[Predicate | None, Predicate, str, str]] = []
        for slot in program.slots:
            rule = slot.rule
            _, applies, fails = RULES[rule.id]
            if (applies is None) != (not rule.conditional):
                raise ValueError(f"{platform}: {rule.id} is conditional in only one of the "
                                 "policy and POLICY.md")
            self.steps.append((applies, fails, f"a{slot.applicability}_0", f"f{slot.index}_0"))

    def fire(self, fact: Fact) -> frozenset[str]:
        fired: list[str] = []
        for applies, fails, applicable_name, failed_name in self.steps:
            if applies is not None:
                if not applies(fact):
                    continue
                fired.append(applicable_name)
            if fails(fact):
                fired.append(failed_name)
        return frozenset(fired)


class BaselinePolicy:
    """``Policy.evaluate`` with the rule engine replaced by the hand-written decisions above.

    It runs on the judge of a loaded policy (``eligibility.load.loader.load()``, the packaged one
    when none is given): the same validation, fact and verdict, only the engine step differs.
    """

    def __init__(self, loaded: Loaded | None = None) -> None:
        self.judge = (loaded or loader.load()).judge
        self.plans = {platform: _Plan(program) for platform, program in self.judge.programs.items()}

    def evaluate(self, complaint: Any, *, now: datetime | None = None) -> Verdict:
        judge = self.judge
        parsed = judge.parse(complaint)
        submitted = parsed.submitted_at or now or datetime.now(timezone.utc)
        plan = self.plans[parsed.platform]
        program = plan.program
        try:
            facts = build_facts(parsed, program.profile, judge.jurisdictions, submitted)
        except (CalendarRangeError, OverflowError) as exc:
            raise InvalidComplaint([Problem("submitted_at", f"cannot be judged: {exc}")]) from None
        fired = plan.fire(facts.engine)
        return judge.conclude(Match(program, facts, fired), judge.language(None))

    def evaluate_many(self, complaints: Iterable[Any], *,
                      now: datetime | None = None) -> list[Verdict]:
        return [self.evaluate(c, now=now) for c in complaints]

    def failed(self, complaint: Any) -> frozenset[str]:
        """The ids of the rules this complaint fails: the oracle's answer."""
        return frozenset(r.rule for r in self.evaluate(complaint).reasons)
