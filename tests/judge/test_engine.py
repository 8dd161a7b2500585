"""The engine's C core has traps that crash the process or answer wrongly (DURABLE_RULES.md).
Each test here shows one of them cannot be reached through the public API."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import eligibility
from eligibility.judge import core, engine
from eligibility.judge.vocabulary import ENGINE_FIELDS, RESERVED_KEYS
from eligibility.load import loader

SRC = Path(eligibility.__file__).resolve().parent


def test_only_the_engine_module_drives_durable_rules() -> None:
    # judge/core.py imports the extension (so that a broken build is explained on import);
    # judge/engine.py is the only module that takes it from there.
    importers = sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
                       if re.search(r"^\s*(import|from)\s+durable", p.read_text(), re.M))
    assert importers == ["judge/core.py"]
    users = sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
                   if p.name != "core.py" and "durable_rules_engine" in p.read_text())
    assert users == ["judge/engine.py"]


def test_property_name_hash_collisions_are_refused() -> None:
    # These two names share a 32-bit FNV-1a hash: the core would match one for the other.
    assert engine.fnv1a_32("f6059") == engine.fnv1a_32("f264602")
    with pytest.raises(engine.CompileError, match="collide"):
        engine.check_property_names(["f6059", "f264602"])
    engine.check_property_names([f.key for f in ENGINE_FIELDS] + list(RESERVED_KEYS))


def test_oversized_rulesets_are_refused() -> None:
    pattern = {"all": [{"m": {"$and": [{"fact": "complaint"}, {"listings_count": 1}]}}]}
    with pytest.raises(engine.CompileError, match="at most"):
        engine.build({f"r{i}": pattern for i in range(engine.MAX_RULES_PER_RULESET + 1)})


def test_patterns_outside_the_vocabulary_are_refused() -> None:
    with pytest.raises(engine.CompileError, match="outside the vocabulary"):
        engine.build({"r": {"all": [{"m": {"$and": [{"fact": "complaint"}, {"x": 1}]}}]}})


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ({"listings_count": "9"}, "unexpected str"),  # the core would compare as text
        ({"listings_count": True}, "unexpected bool"),
        ({"evidence_certificate": 1}, "unexpected int"),
        ({"listings_count": 2**64}, "out of range"),  # the core saturates past 64 bits
        ({"holder_name": "a" * 70_000}, "longer than"),  # the core truncates at 64 KiB
        ({"holder_name": "\U0001f600" * 5_000}, "longer than"),
        ({"nonsense": 1}, "not in the vocabulary"),
    ],
)
def test_facts_the_core_would_misjudge_never_reach_it(fact: dict[str, Any], message: str) -> None:
    ruleset = engine.build({}, label="guard")
    with pytest.raises(engine.EngineError, match=message):
        ruleset.fire(fact)


def test_a_shape_checked_once_still_has_each_value_checked() -> None:
    # Keys and types are checked once per shape of fact; lengths and ranges never are.
    ruleset = engine.build({}, label="shapes")
    fine = {"listings_count": 2, "holder_name": "acme"}
    assert ruleset.fire(fine) == frozenset()
    with pytest.raises(engine.EngineError, match="out of range"):
        ruleset.fire({**fine, "listings_count": -(2**63)})
    with pytest.raises(engine.EngineError, match="longer than"):
        ruleset.fire({**fine, "holder_name": "\U0001f600" * 5_000})
    assert ruleset.fire({"listings_count": 2, "holder_name": None}) == frozenset()
    with pytest.raises(engine.EngineError, match="unexpected bool"):
        ruleset.fire({"listings_count": True, "holder_name": None})


def test_a_fact_matching_no_rule_still_completes_its_session() -> None:
    # Deleting a session that never ran an action can crash the core: the rule that matches
    # every fact guarantees one, and nothing else fires here.
    ruleset = engine.build({}, label="empty")
    for _ in range(2_000):
        assert ruleset.fire({"listings_count": 1}) == frozenset()


def test_sessions_never_accumulate(policy: eligibility.Policy,
                                  complaint: dict[str, Any]) -> None:
    # The core refuses a 1,025th live session per ruleset; 3,000 evaluations on one platform
    # would hit it if a single session were left behind.
    for n in range(3_000):
        complaint["infringement"]["listings"] = [f"https://item.taobao.com/item.htm?id={n}"]
        assert policy.evaluate(complaint).decision == "eligible"


def test_non_bmp_names_compare_correctly(policy: eligibility.Policy,
                                        complaint: dict[str, Any]) -> None:
    name = "\U0001d518\U0001d52b\U0001d526 " * 60  # 240 characters, 4 bytes each
    complaint["rights_holder"]["name"] = name
    complaint["authorization"]["issued_by"] = name
    complaint["ip_right"]["owner"] = name
    assert policy.evaluate(complaint).decision == "eligible"
    complaint["ip_right"]["owner"] = name[:-5] + "\U0001d519"
    assert [r.rule for r in policy.evaluate(complaint).reasons] == ["right.owner-mismatch"]


def test_an_engine_failure_is_an_error_never_a_verdict(policy: eligibility.Policy,
                                                       complaint: dict[str, Any],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    extension = core.durable_rules_engine

    def refuse(*_: object) -> None:
        raise extension.error("simulated refusal")

    monkeypatch.setattr(extension, "assert_fact", refuse)
    with pytest.raises(engine.EngineError):
        policy.evaluate(complaint)


def test_two_policies_live_side_by_side(complaint: dict[str, Any]) -> None:
    first, second = loader.load(), loader.load()
    assert first.digest == second.digest
    names = {p.judge.programs["taobao"].ruleset.name for p in (first, second)}
    assert len(names) == 2
    same = first.judge.evaluate(complaint, None, "en").model_dump_json()
    assert same == second.judge.evaluate(complaint, None, "en").model_dump_json()


def test_the_host_layer_is_never_loaded() -> None:
    # durable.lang's host crashes under threads; the package must never import it.
    code = ("import sys, eligibility, yaml; "
            "p = eligibility.default_policy(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'durable'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_a_discarded_policy_gives_its_sessions_back(complaint: dict[str, Any]) -> None:
    import gc

    extra = eligibility.load_policy()
    extra.evaluate(complaint)  # leaves the taobao ruleset's session alive for reuse
    del extra
    gc.collect()
    assert engine.abandoned_sessions(), "the discarded ruleset's live session was not handed over"
    eligibility.default_policy().evaluate(complaint)
    assert engine.abandoned_sessions() == 0


def test_a_build_without_the_313_flag_is_explained_on_import() -> None:
    # The symptom on Python 3.13+ when durable-rules was compiled without the flag: the
    # extension is there but fails to load. Simulated in a fresh interpreter by a finder that
    # answers the import with that error.
    code = """
import sys
class Broken:
    def find_spec(self, name, path=None, target=None):
        if name == "durable_rules_engine":
            raise ImportError("durable_rules_engine.so: undefined symbol: PyEval_CallObject")
sys.meta_path.insert(0, Broken())
try:
    import eligibility
except ImportError as exc:
    print(exc)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "built without the flag Python 3.13 and later need" in out
    assert "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject pip install" in out
    assert "undefined symbol: PyEval_CallObject" in out


def test_other_import_errors_are_left_as_they_are() -> None:
    error = ImportError("No module named 'durable_rules_engine'")
    assert core.explain(error) is error


def test_an_action_for_a_rule_the_ruleset_lacks_is_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    ruleset = engine.build({}, label="names")
    extension = core.durable_rules_engine
    real = extension.start_action_for_state

    def stranger(handle: int, state: str) -> Any:
        found = real(handle, state)
        return (found[0], '{"f9_0":' + found[1][len('{"_always":'):]) if found else found

    monkeypatch.setattr(extension, "start_action_for_state", stranger)
    with pytest.raises(engine.EngineError, match="unexpected action message"):
        ruleset.fire({"listings_count": 1})
    monkeypatch.undo()
    assert ruleset.fire({"listings_count": 1}) == frozenset()  # the session was renewed
