"""The self-test's judging of mutants, and the kill matrix: synthetic results files, no battery runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_adapter import FakeAdapter
from test_report_support import result, write_run

from conformance import read_results
from conformance._catalogue import CATALOGUE
from conformance._matrix_format import MATRIX_FILE
from conformance._mutants import Kill, Mutant, MutantError, judge, load_mutant
from conformance._selftest import run_selftest
from conformance.report import make_reports

CONFIGS = ("tls12-sessionid", "tls12-ticket", "tls13")
BASELINE = "fake_adapter:FakeAdapter"


# Mutants of the fake, one per clause, importable as test_selftest:Breaks_<clause>.
def _mutant_class(clause: str, **extra: object) -> type[FakeAdapter]:
    attributes = {
        "__module__": __name__,
        "name": f"mutant-{clause}",
        "breaks": clause,
        "how": f"breaks {clause} <b>somehow</b>",
    }
    return type(f"Breaks_{clause.replace('-', '_')}", (FakeAdapter,), {**attributes, **extra})


for _clause in CATALOGUE:
    globals()[_mutant_class(_clause.id).__name__] = _mutant_class(_clause.id)
Breaks_use_narrowly = _mutant_class("use", name="mutant-use-narrow", configs=("tls13",))
Breaks_nothing_known = _mutant_class("no-such-clause", name="mutant-unknown")
Breaks_outside_its_clause = _mutant_class("use", name="mutant-stray", configs=("tls99",))
Misnamed = _mutant_class("use", name="mutant-other-name")


class MutantishAdapter(FakeAdapter):
    """An adapter whose name starts with "mutant" but breaks nothing: a baseline all the same."""

    name = "mutantish"


Breaks_use_of_mutantish = type(
    "Breaks_use_of_mutantish",
    (Breaks_use_narrowly, MutantishAdapter),
    {"__module__": __name__, "name": "mutant-use-of-mutantish"},
)


COLLECTION = (globals()["Breaks_use"], globals()["Breaks_replace"])


def entry(clause: str) -> tuple[str, str]:
    return f"mutant-{clause}", f"test_selftest:Breaks_{clause.replace('-', '_')}"


def battery_results(failing: dict[str, str] | None = None, config_less: bool = False) -> list:
    """One test per clause and configuration; ``failing`` maps "clause@config" to an outcome."""
    failing = failing or {}
    tests = [
        result(
            f"test_{c.id}.py::test_it[{config}]",
            failing.get(f"{c.id}@{config}", "pass"),
            clauses=(c.id,),
            config=config,
        )
        for c in CATALOGUE
        for config in CONFIGS
    ]
    if config_less:
        tests.append(
            result("test_use.py::test_anywhere", failing.get("use@-", "pass"), clauses=("use",), config=None)
        )
    return tests


def run_of(tmp_path: Path, name: str, tests: list, complete: bool = True):
    return read_results(write_run(tmp_path / f"{name}.jsonl", tests, adapter=name, complete=complete))


def mutant(clause: str = "use", configs: tuple[str, ...] = CONFIGS) -> Mutant:
    name, target = entry(clause)
    return Mutant(name, target, BASELINE, clause, "how", configs)


def judged(
    tmp_path: Path, failing: dict[str, str], baseline_failing: dict[str, str] | None = None, **kw
) -> Kill:
    config_less = kw.pop("config_less", False)
    baseline = run_of(tmp_path, "baseline", battery_results(baseline_failing, config_less))
    run = run_of(tmp_path, "mutant", battery_results(failing, config_less), complete=kw.pop("complete", True))
    return judge(kw.pop("mutant", mutant()), run, baseline)


# -- judging one mutant ---------------------------------------------------------------------


def test_a_mutant_failed_by_its_clause_in_every_configuration_is_killed(tmp_path: Path) -> None:
    kill = judged(tmp_path, {f"use@{config}": "fail" for config in CONFIGS})
    assert kill.killed and kill.survived_in == [] and kill.only_by_others == []
    assert kill.own["tls13"] == ["test_use.py::test_it[tls13]"]


@pytest.mark.parametrize("outcome", ["refused", "crash", "timeout"])
def test_refused_crash_and_timeout_kill_too(tmp_path: Path, outcome: str) -> None:
    assert judged(tmp_path, {f"use@{config}": outcome for config in CONFIGS}).killed


def test_a_configuration_without_a_kill_is_survived(tmp_path: Path) -> None:
    kill = judged(tmp_path, {"use@tls12-sessionid": "fail", "use@tls13": "fail"})
    assert not kill.killed and kill.survived_in == ["tls12-ticket"] and kill.only_by_others == []


def test_a_survivor_killed_only_by_other_clauses_is_noted(tmp_path: Path) -> None:
    failing = {
        "use@tls12-sessionid": "fail",
        "use@tls13": "fail",
        "get@tls12-ticket": "fail",
        "get@tls13": "fail",
    }
    kill = judged(tmp_path, failing)
    assert kill.survived_in == ["tls12-ticket"] and kill.only_by_others == ["tls12-ticket"]
    assert kill.others == {
        "tls12-ticket": ["test_get.py::test_it[tls12-ticket]"],
        "tls13": ["test_get.py::test_it[tls13]"],
    }


def test_an_error_is_no_kill_and_is_listed(tmp_path: Path) -> None:
    kill = judged(tmp_path, {f"use@{config}": "error" for config in CONFIGS})
    assert not kill.killed and kill.survived_in == list(CONFIGS) and kill.own == {}
    assert len(kill.errors) == 3 and kill.errors[0].startswith("test_use.py::test_it[tls12-sessionid]")


def test_not_observable_is_no_kill(tmp_path: Path) -> None:
    assert not judged(tmp_path, {f"use@{config}": "not-observable" for config in CONFIGS}).killed


def test_a_test_the_baseline_does_not_pass_kills_nothing(tmp_path: Path) -> None:
    failing = {f"use@{config}": "fail" for config in CONFIGS}
    kill = judged(tmp_path, failing, baseline_failing={"use@tls13": "fail"})
    assert kill.survived_in == ["tls13"]


def test_a_mutant_is_judged_only_where_its_bug_can_show(tmp_path: Path) -> None:
    kill = judged(tmp_path, {"use@tls13": "fail"}, mutant=mutant(configs=("tls13",)))
    assert kill.killed


def test_a_test_without_configuration_kills_in_every_one(tmp_path: Path) -> None:
    assert judged(tmp_path, {"use@-": "fail"}, config_less=True).killed


def test_a_survivor_of_a_cut_run_is_not_judged(tmp_path: Path) -> None:
    kill = judged(tmp_path, {"use@tls13": "fail"}, complete=False)
    assert not kill.killed and "stopped before its end" in kill.problem
    assert judged(tmp_path, {f"use@{c}": "fail" for c in CONFIGS}, complete=False).killed  # a kill is a kill


# -- loading mutants --------------------------------------------------------------------------


def test_a_mutant_is_compared_with_the_adapter_it_derives_from() -> None:
    loaded = load_mutant(*entry("replace"))
    assert (loaded.baseline, loaded.breaks, loaded.configs) == (BASELINE, "replace", CONFIGS)
    assert load_mutant("mutant-use-narrow", "test_selftest:Breaks_use_narrowly").configs == ("tls13",)


def test_a_mutant_is_a_class_that_breaks_something_whatever_its_ancestors_are_named() -> None:
    loaded = load_mutant("mutant-use-of-mutantish", "test_selftest:Breaks_use_of_mutantish")
    assert loaded.baseline == "test_selftest:MutantishAdapter"


def test_each_distribution_names_its_collection_of_mutants_once(monkeypatch) -> None:
    from importlib import metadata

    from conformance import _mutants

    entries = [
        metadata.EntryPoint("fakes", "test_selftest:COLLECTION", _mutants.MUTANT_GROUP),
        metadata.EntryPoint("broken", "no_such_module:MUTANTS", _mutants.MUTANT_GROUP),
    ]
    monkeypatch.setattr(_mutants.metadata, "entry_points", lambda group: entries)
    found = dict(_mutants.find_mutants())
    assert found == {
        "mutant-use": "test_selftest:Breaks_use",
        "mutant-replace": "test_selftest:Breaks_replace",
        "broken": "no_such_module:MUTANTS",
    }
    with pytest.raises(MutantError, match="importing 'no_such_module' failed"):
        load_mutant("broken", found["broken"])


@pytest.mark.parametrize(
    ("name", "target", "message"),
    [
        ("mutant-unknown", "test_selftest:Breaks_nothing_known", "breaks = 'no-such-clause' is no clause id"),
        (
            "mutant-stray",
            "test_selftest:Breaks_outside_its_clause",
            "configs names tls99, where clause 'use' does not apply",
        ),
        ("mutant-use", "test_selftest:Misnamed", "its class says name = 'mutant-other-name'"),
        ("mutant-gone", "test_selftest:Nowhere", "has no attribute 'Nowhere'"),
    ],
)
def test_a_mutant_that_cannot_be_judged_says_why(name: str, target: str, message: str) -> None:
    with pytest.raises(MutantError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_mutant(name, target)


# -- the whole self-test, with a battery that writes synthetic results ----------------------------


Battery = Callable[[str, Path], Path]


def fake_battery(results: dict[str, list]) -> Battery:
    def run(target: str, folder: Path) -> Path:
        return write_run(folder / "run.jsonl", results[target], adapter=target)

    return run


def killed_everywhere(clause: str) -> list:
    return battery_results({f"{clause}@{config}": "fail" for config in CONFIGS})


def full_results(survivor: str = "") -> dict[str, list]:
    results = {BASELINE: battery_results()}
    for clause in CATALOGUE:
        target = entry(clause.id)[1]
        results[target] = (
            battery_results({"get@tls13": "fail"}) if clause.id == survivor else killed_everywhere(clause.id)
        )
    return results


def selftest(tmp_path: Path, results: dict[str, list], **kw) -> tuple[int, dict]:
    entries = kw.pop("found", [entry(clause.id) for clause in CATALOGUE])
    status = run_selftest(tmp_path, jobs=2, found=entries, battery=fake_battery(results), **kw)
    matrix = tmp_path / MATRIX_FILE
    return status, json.loads(matrix.read_text()) if matrix.exists() else {}


def test_every_mutant_killed_and_every_clause_covered_exits_0(tmp_path: Path, capsys) -> None:
    status, matrix = selftest(tmp_path, full_results())
    assert status == 0 and matrix["survivors"] == [] and matrix["clauses_without_mutants"] == []
    assert [m["breaks"] for m in matrix["mutants"]] == [c.id for c in CATALOGUE]  # catalogue order
    assert "12 of 12 mutants killed" in capsys.readouterr().out


def test_a_survivor_exits_1_and_says_which_tests_are_too_weak(tmp_path: Path, capsys) -> None:
    status, matrix = selftest(tmp_path, full_results(survivor="replace"))
    out = capsys.readouterr().out
    assert status == 1 and matrix["survivors"] == ["mutant-replace"]
    [record] = [m for m in matrix["mutants"] if m["name"] == "mutant-replace"]
    assert record["survived_in"] == list(CONFIGS) and record["only_by_others"] == ["tls13"]
    assert "SURVIVOR mutant-replace" in out and "in tls13 only other clauses' tests killed it" in out
    # Tests that killed no mutant: the replace tests, and get's tests outside tls13.
    assert "test_replace.py::test_it[tls13]" in matrix["idle_tests"]


def test_a_clause_without_a_mutant_exits_1(tmp_path: Path, capsys) -> None:
    found = [entry(clause.id) for clause in CATALOGUE if clause.id != "one-context"]
    status, matrix = selftest(tmp_path, full_results(), found=found)
    assert status == 1 and matrix["clauses_without_mutants"] == ["one-context"]
    assert "NO MUTANT breaks these clauses" in capsys.readouterr().out


def test_a_selection_is_judged_alone(tmp_path: Path) -> None:
    status, matrix = selftest(tmp_path, full_results(), only=["mutant-use"])
    assert status == 0 and matrix["partial"] and [m["name"] for m in matrix["mutants"]] == ["mutant-use"]


def test_a_mutant_that_cannot_be_loaded_is_not_judged(tmp_path: Path, capsys) -> None:
    found = [entry(clause.id) for clause in CATALOGUE] + [("mutant-gone", "test_selftest:Nowhere")]
    status, matrix = selftest(tmp_path, full_results(), found=found)
    assert status == 1 and "mutant-gone" in matrix["survivors"]
    assert "NOT JUDGED mutant-gone" in capsys.readouterr().out


def test_a_baseline_that_cannot_run_leaves_its_mutants_unjudged(tmp_path: Path, capsys) -> None:
    def broken(target: str, folder: Path) -> Path:
        if target == BASELINE:
            raise MutantError("the battery run of the baseline wrote no results file")
        return fake_battery(full_results())(target, folder)

    status = run_selftest(tmp_path, found=[entry("use")], only=["mutant-use"], battery=broken)
    out = capsys.readouterr().out
    assert (
        status == 1 and "baseline fake_adapter:FakeAdapter: NOT RUN" in out and "NOT JUDGED mutant-use" in out
    )


def test_an_interrupted_selftest_says_so_and_writes_no_matrix(tmp_path: Path, monkeypatch, capsys) -> None:
    from conformance import _selftest

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_selftest, "fork_each", interrupted)
    assert run_selftest(tmp_path, found=[entry("use")], battery=fake_battery({})) == 130
    assert "selftest: interrupted" in capsys.readouterr().err and not (tmp_path / MATRIX_FILE).exists()


@pytest.mark.parametrize(
    ("found", "only", "message"),
    [([], [], "no mutants are installed"), (None, ["nope"], "no mutant named nope")],
)
def test_nothing_to_run_exits_2(tmp_path: Path, capsys, found, only, message) -> None:
    entries = [entry("use")] if found is None else found
    assert run_selftest(tmp_path, found=entries, only=only, battery=fake_battery({})) == 2
    assert message in capsys.readouterr().err


# -- the kill matrix in the report -------------------------------------------------------------


def test_the_report_shows_the_kill_matrix_with_survivors_highlighted(tmp_path: Path) -> None:
    selftest(tmp_path, full_results(survivor="replace"))
    write_run(tmp_path / "results" / "fake.jsonl", [result()])
    assert make_reports([tmp_path / "results"], tmp_path) == 0
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    section = page.split('<section id="kill-matrix" class="extra">', 1)[1].split("</section>", 1)[0]
    assert "11 of 12</strong> mutants killed" in section
    assert (
        section.count('class="survivor"') == 1 and '<span class="tag unexpected">survivor</span>' in section
    )
    assert section.count(">SURVIVED*</td>") == 1 and section.count(">killed (1)</td>") == 11 * 3
    assert "&lt;b&gt;somehow&lt;/b&gt;" in section and "<b>somehow" not in section  # escaped
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert (
        "| **mutant-replace** (survivor) | `replace` | ❌ SURVIVED | ❌ SURVIVED | ❌ SURVIVED\\* |"
        in summary
    )


def test_no_kill_matrix_no_section(tmp_path: Path) -> None:
    write_run(tmp_path / "results" / "fake.jsonl", [result()])
    make_reports([tmp_path / "results"], tmp_path)
    assert 'id="kill-matrix"' not in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_a_kill_matrix_that_cannot_be_read_is_bad_input(tmp_path: Path, capsys) -> None:
    write_run(tmp_path / "results" / "fake.jsonl", [result()])
    (tmp_path / MATRIX_FILE).parent.mkdir(parents=True)
    (tmp_path / MATRIX_FILE).write_text('{"schema": "something else"}')
    assert make_reports([tmp_path / "results"], tmp_path) == 2
    assert "expected a kill matrix written by 'conformance selftest'" in capsys.readouterr().err


# -- the libssl mutants, where that adapter is installed -------------------------------------------


def test_every_libssl_mutant_is_registered_and_breaks_a_known_clause() -> None:
    mutants = pytest.importorskip("conformance_libssl.mutants")
    from conformance._mutants import find_mutants

    registered = dict(find_mutants())
    for cls in mutants.MUTANTS:
        assert registered.get(cls.name) == f"{cls.__module__}:{cls.__qualname__}", cls.name
        loaded = load_mutant(cls.name, registered[cls.name])
        assert loaded.baseline == "conformance_libssl._libraries:ReferenceAdapter"
    assert {cls.breaks for cls in mutants.MUTANTS} == {clause.id for clause in CATALOGUE}
    assert len({cls.name for cls in mutants.MUTANTS}) == len(mutants.MUTANTS)
