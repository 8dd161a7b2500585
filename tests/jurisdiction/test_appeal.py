"""Appeal deadlines: the last day a complainant can act once a seller's counter-notice reaches
them (China's E-Commerce Law, art. 43), and the reasons other platforms have none."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

import eligibility
from eligibility.load.loader import packaged_dirs

CHINA = holidays.country_holidays("CN")
SHANGHAI = timedelta(hours=8)


def oracle_last_day(received_on: date, days: int = 15) -> date:
    """Day ``days`` after receipt; a day off there moves it forward one day at a time."""
    day = received_on + timedelta(days=days)
    while not CHINA.is_working_day(day):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize(("forwarded_at", "received_on", "nominal", "last"), [
    # An ordinary Tuesday: 2 March + 15 days.
    ("2026-03-02T10:00:00+08:00", date(2026, 3, 2), date(2026, 3, 17), date(2026, 3, 17)),
    # Day 15 is Saturday 21 March: the period ends on Monday 23.
    ("2026-03-06T10:00:00+08:00", date(2026, 3, 6), date(2026, 3, 21), date(2026, 3, 23)),
    # Day 15 is in the Spring Festival break (15-23 February 2026): Tuesday 24.
    ("2026-02-01T10:00:00+08:00", date(2026, 2, 1), date(2026, 2, 16), date(2026, 2, 24)),
    # Day 15 is Saturday 10 October 2026, a make-up working day: it stays.
    ("2026-09-25T10:00:00+08:00", date(2026, 9, 25), date(2026, 10, 10), date(2026, 10, 10)),
    # National Day 2025 (1-8 October off): Sunday 5 October moves to Thursday 9.
    ("2025-09-20T10:00:00+08:00", date(2025, 9, 20), date(2025, 10, 5), date(2025, 10, 9)),
    # Forwarded on Sunday evening in New York: Monday morning in Shanghai is the day received.
    ("2026-03-01T20:00:00-05:00", date(2026, 3, 2), date(2026, 3, 17), date(2026, 3, 17)),
])
def test_pinned_deadlines(policy: eligibility.Policy, forwarded_at: str, received_on: date,
                          nominal: date, last: date) -> None:
    result = policy.appeal_deadline("taobao", forwarded_at)
    assert (result.received_on, result.nominal_last_day, result.last_day) == (
        received_on, nominal, last)
    assert result.days == 15
    assert result.day_kind == "calendar"
    assert result.jurisdiction == "CN"
    assert result.reason is None
    assert result.provisional is False
    assert result.source is not None
    assert "art. 43" in result.source
    assert "十五日" in result.source
    assert result.counting_source is not None
    assert "art. 203" in result.counting_source


@pytest.mark.parametrize("platform", ["taobao", "tmall", "1688"])
def test_every_china_domestic_platform_has_the_rule(policy: eligibility.Policy,
                                                    platform: str) -> None:
    result = policy.appeal_deadline(platform, datetime(2026, 3, 2, 10, tzinfo=timezone.utc))
    assert result.last_day == date(2026, 3, 17)
    assert result.platform == platform


def test_a_last_day_in_an_unpublished_year_is_provisional(policy: eligibility.Policy) -> None:
    # 20 December 2026 + 15 = Monday 4 January 2027: whether that is a working day depends on
    # the 2027 schedule, not yet official.
    late = policy.appeal_deadline("tmall", "2026-12-20T10:00:00+08:00")
    assert (late.last_day, late.provisional) == (date(2027, 1, 4), True)
    early = policy.appeal_deadline("tmall", "2026-12-10T10:00:00+08:00")
    assert (early.last_day, early.provisional) == (date(2026, 12, 25), False)


@pytest.mark.parametrize(("platform", "jurisdiction", "words"), [
    ("amazon.com", "US", "no rule in US"),
    ("amazon.de", "DE", "no rule in DE"),
    ("aliexpress", None, "no single territory"),
    ("alibaba.com", None, "no single territory"),
])
def test_platforms_without_the_rule_say_why(policy: eligibility.Policy, platform: str,
                                            jurisdiction: str | None, words: str) -> None:
    result = policy.appeal_deadline(platform, "2026-03-02T10:00:00+08:00")
    assert result.last_day is None
    assert result.nominal_last_day is None
    assert result.jurisdiction == jurisdiction
    assert result.reason is not None
    assert words in result.reason
    assert result.source is None


def test_received_on_is_the_date_in_the_platform_zone(policy: eligibility.Policy) -> None:
    moment = "2026-03-02T02:00:00+08:00"  # 2 March in Shanghai, still 1 March in Los Angeles
    assert policy.appeal_deadline("taobao", moment).received_on == date(2026, 3, 2)
    amazon = policy.appeal_deadline("amazon.com", moment)
    assert (amazon.received_on, amazon.timezone) == (date(2026, 3, 1), "America/Los_Angeles")


def test_before_the_law_was_in_force(policy: eligibility.Policy) -> None:
    before = policy.appeal_deadline("taobao", "2018-12-31T15:59:00Z")  # 23:59 in Shanghai
    assert before.last_day is None
    assert before.reason is not None
    assert "2019-01-01" in before.reason
    assert before.days == 15  # the rule is named, with why it does not apply
    after = policy.appeal_deadline("taobao", "2018-12-31T16:00:00Z")  # midnight in Shanghai
    assert after.received_on == date(2019, 1, 1)
    assert after.last_day == date(2019, 1, 16)


def test_json_form_is_stable(policy: eligibility.Policy) -> None:
    result = policy.appeal_deadline("taobao", "2026-02-01T10:00:00+08:00")
    data = result.model_dump(mode="json")
    assert data["last_day"] == "2026-02-24"
    assert data["nominal_last_day"] == "2026-02-16"
    assert data["forwarded_at"] == "2026-02-01T10:00:00+08:00"
    assert json.loads(result.model_dump_json()) == data
    again = policy.appeal_deadline("taobao", datetime(2026, 2, 1, 10, tzinfo=ZoneInfo(
        "Asia/Shanghai")))
    assert again.last_day == result.last_day
    assert eligibility.AppealDeadline.model_validate(data) == result


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("platform", "forwarded_at", "expected"), [
    ("ebay", "2026-03-02T10:00:00+08:00", [("platform", "unknown platform 'ebay'")]),
    ("taobao", "2026-03-02T10:00:00", [("forwarded_at", "no UTC offset")]),
    ("taobao", datetime(2026, 3, 2, 10), [("forwarded_at", "no UTC offset")]),
    ("taobao", "2026-03-02", [("forwarded_at", "no UTC offset")]),
    ("taobao", "next tuesday", [("forwarded_at", "expected an ISO 8601 date and time")]),
    ("taobao", 1772416800, [("forwarded_at", "got int")]),
    ("ebay", "soon", [("platform", "unknown platform"),
                      ("forwarded_at", "expected an ISO 8601")]),
    ("taobao", "2101-01-02T10:00:00+08:00", [("forwarded_at", "1950 to 2100; 2101")]),
    ("taobao", "2100-12-25T10:00:00+08:00", [("forwarded_at", "2101 is outside")]),
    ("taobao", "9999-12-31T23:00:00-12:00", [("forwarded_at", "cannot be judged")]),
])
def test_bad_input_names_the_field(policy: eligibility.Policy, platform: str, forwarded_at: Any,
                                   expected: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError, match="problem") as caught:
        policy.appeal_deadline(platform, forwarded_at)
    assert isinstance(caught.value, eligibility.InvalidComplaint)
    found = caught.value.problems
    assert [p.path for p in found] == [path for path, _ in expected]
    for problem, (_, words) in zip(found, expected, strict=True):
        assert words in problem.message


# -- properties ---------------------------------------------------------------------------------


moments = st.builds(
    lambda local, minutes: local.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(2019, 1, 2), max_value=datetime(2030, 12, 31, 23, 59)),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)


@given(moment=moments)
def test_deadline_matches_a_day_by_day_walk(policy: eligibility.Policy,
                                            moment: datetime) -> None:
    received_on = (moment.replace(tzinfo=None) - moment.utcoffset() + SHANGHAI).date()  # type: ignore[operator]
    result = policy.appeal_deadline("taobao", moment)
    assert result.received_on == received_on
    assert result.nominal_last_day == received_on + timedelta(days=15)
    assert result.last_day == oracle_last_day(received_on)


@given(first=moments, later_by=st.timedeltas(min_value=timedelta(0),
                                             max_value=timedelta(days=30)))
def test_deadline_never_moves_earlier(policy: eligibility.Policy, first: datetime,
                                      later_by: timedelta) -> None:
    a = policy.appeal_deadline("tmall", first).last_day
    b = policy.appeal_deadline("tmall", first + later_by).last_day
    assert a is not None
    assert b is not None
    assert a <= b


# -- the rule as data ---------------------------------------------------------------------------


def edited_appeal(tmp_path: Path, **changes: Any) -> Path:
    folder = tmp_path / "jurisdictions"
    shutil.copytree(packaged_dirs()[1], folder)
    path = folder / "cn.yaml"
    lines = path.read_text("utf-8").splitlines()
    start = lines.index("appeal:")
    for key, value in changes.items():
        prefix = f"  {key}:"
        index = next(i for i in range(start, len(lines)) if lines[i].startswith(prefix))
        end = index + 1
        while end < len(lines) and lines[end].startswith("    "):
            end += 1
        lines[index:end] = [f"{prefix} {json.dumps(value)}"]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def test_days_and_their_kind_are_data(tmp_path: Path) -> None:
    folder = edited_appeal(tmp_path, days=10, day_kind="business")
    edited = eligibility.load_policy(packaged_dirs()[0], folder)
    result = edited.appeal_deadline("taobao", "2026-02-01T10:00:00+08:00")
    # 10 working days after Sunday 1 February 2026: 2-13 February (10 weekdays).
    assert (result.days, result.day_kind, result.last_day) == (10, "business", date(2026, 2, 13))


def test_without_moving_past_days_off_the_last_day_is_the_count(tmp_path: Path) -> None:
    folder = edited_appeal(tmp_path, last_day_moves_past_days_off=False)
    edited = eligibility.load_policy(packaged_dirs()[0], folder)
    result = edited.appeal_deadline("taobao", "2026-03-06T10:00:00+08:00")
    assert result.last_day == result.nominal_last_day == date(2026, 3, 21)


@pytest.mark.parametrize(("changes", "message"), [
    ({"counting_source": None}, "needs a counting_source"),
    ({"days": 0}, "days"),
    ({"day_kind": "lunar"}, "day_kind"),
    ({"source": ""}, "source"),
])
def test_bad_appeal_data_fails_the_load(tmp_path: Path, changes: dict[str, Any],
                                        message: str) -> None:
    folder = edited_appeal(tmp_path, **changes)
    with pytest.raises(eligibility.PolicyError) as caught:
        eligibility.load_policy(packaged_dirs()[0], folder)
    assert caught.value.file.endswith("cn.yaml")
    assert message in caught.value.problem


def test_business_days_need_a_calendar(tmp_path: Path) -> None:
    folder = tmp_path / "jurisdictions"
    shutil.copytree(packaged_dirs()[1], folder)
    us = folder / "us.yaml"
    us.write_text(us.read_text("utf-8") + "appeal: {days: 10, day_kind: business, "
                                           "source: a rule invented for this test}\n", "utf-8")
    with pytest.raises(eligibility.PolicyError) as caught:
        eligibility.load_policy(packaged_dirs()[0], folder)
    assert caught.value.file.endswith("us.yaml")
    assert "needs a calendar" in caught.value.problem


@pytest.mark.parametrize("written", [1688, 1688.0])
def test_an_unquoted_1688_is_the_platform_1688(policy: eligibility.Policy,
                                               written: float) -> None:
    # As in a complaint: YAML and JSON read an unquoted 1688 as a number.
    moment = "2026-03-02T10:00:00+08:00"
    assert policy.appeal_deadline(written, moment) == policy.appeal_deadline("1688", moment)  # type: ignore[arg-type]


@pytest.mark.parametrize(("platform", "moment", "reason"), [
    ("amazon.com", "2026-03-02T10:00:00+08:00",
     "规则集未记载US关于亚马逊美国站（Amazon.com）在不侵权声明到达权利人后一定期限内终止所采取措施的规则"),
    ("aliexpress", "2026-03-02T10:00:00+08:00",
     "全球速卖通不面向单一法域，规则集不对其适用任何法域的不侵权声明规则"),
    ("taobao", "2018-03-02T10:00:00+08:00",
     "CN的该规则适用于2019-01-01起到达的不侵权声明；本声明于2018-03-02到达"),
])
def test_a_reason_is_worded_in_the_language_asked(policy: eligibility.Policy, platform: str,
                                                  moment: str, reason: str) -> None:
    chinese = policy.appeal_deadline(platform, moment, lang="zh-CN")
    english = policy.appeal_deadline(platform, moment)
    assert chinese.reason == reason
    assert english.reason is not None
    assert english.reason != reason
    # Only the words change: every other field is the same in both languages.
    assert chinese.model_copy(update={"reason": english.reason}) == english


def test_a_deadline_is_the_same_in_every_language(policy: eligibility.Policy) -> None:
    answers = {policy.appeal_deadline("taobao", "2026-09-16T10:00:00+08:00", lang=code)
               for code in policy.languages}
    assert len(answers) == 1
    (answer,) = answers
    assert (answer.last_day, answer.nominal_last_day) == (date(2026, 10, 8), date(2026, 10, 1))


def test_problems_are_worded_in_the_language_asked(policy: eligibility.Policy) -> None:
    with pytest.raises(eligibility.InvalidComplaint) as err:
        policy.appeal_deadline("ebay", "2026-03-02", lang="zh-CN")
    messages = {p.path: p.message for p in err.value.problems}
    assert messages["platform"].startswith("未知平台 'ebay'；可用平台：")
    assert messages["forwarded_at"] == "该日期时间缺少 UTC 时差；请补上，例如 +08:00。"
    with pytest.raises(eligibility.InvalidComplaint) as err:
        policy.appeal_deadline("ebay", "2026-03-02")
    assert [p.code for p in err.value.problems] == ["unknown_platform", "datetime_naive"]


def test_an_unknown_language_is_named(policy: eligibility.Policy) -> None:
    with pytest.raises(ValueError, match="en, zh-CN"):
        policy.appeal_deadline("taobao", "2026-03-02T10:00:00+08:00", lang="fr")
