"""Merge and diff: result sets from several runs, and what changed between two of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report_support import result, sample_tests, write_run

from conformance import RunState
from conformance._cli import main
from conformance.report import diff_results, merge_results
from conformance.report._diff import diff_runs
from conformance.report._sources import load_runs


def edited_copy(source: Path, target: Path, test_id: str, **changes: str) -> Path:
    """A copy of a results file with one test record changed, as a person would edit it."""
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("test_id") == test_id:
            record.update(changes)
        lines.append(json.dumps(record))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def diff_of(before: Path, after: Path):
    return diff_runs(load_runs([before])[0], load_runs([after])[0])


@pytest.fixture
def run(tmp_path: Path) -> Path:
    return write_run(tmp_path / "before" / "alpha.jsonl", sample_tests(), adapter="alpha")


def test_one_outcome_made_worse_is_exactly_one_regression(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    after = edited_copy(
        run,
        tmp_path / "after" / "alpha.jsonl",
        "test_use.py::test_resumes[tls13]",
        outcome="fail",
        reason="expected resumed, observed full",
    )
    assert diff_results(run, after) == 1
    out = capsys.readouterr().out
    assert (
        "Regressions (outcomes that got worse): 1\n  alpha  test_use.py::test_resumes[tls13]: pass -> fail\n"
        in out
    )
    assert "reason: expected resumed, observed full" in out
    for empty in (
        "Fixes (now pass): 0",
        "Other changed outcomes (not worse, not to pass): 0",
        "Added tests: 0",
        "Removed tests: 0",
    ):
        assert empty in out
    assert out.rstrip().endswith("REGRESSION: 1 outcome(s) got worse, 0 run problem(s)")


def test_the_same_results_diff_clean(run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert diff_results(run, run) == 0
    assert capsys.readouterr().out.rstrip().endswith("no regression")


@pytest.mark.parametrize(
    ("test_id", "now", "kind"),
    [
        ("test_use.py::test_resumes[tls12-ticket]", "pass", "fixes"),  # fail -> pass
        ("test_replace.py::test_replace[tls13]", "fail", "changed"),  # crash -> fail: better
        ("test_use.py::test_resumes[tls13]", "refused", "regressions"),  # pass -> refused
        ("test_get.py::test_get_id[tls13]", "error", "regressions"),  # not-observable -> error
    ],
)
def test_each_change_lands_in_its_class(run: Path, tmp_path: Path, test_id: str, now: str, kind: str) -> None:
    diff = diff_of(run, edited_copy(run, tmp_path / "after.jsonl", test_id, outcome=now))
    classes = {name: getattr(diff, name) for name in ("regressions", "fixes", "changed", "added", "removed")}
    assert [c.test_id for c in classes.pop(kind)] == [test_id]
    assert not any(classes.values())
    assert diff.regressed is (kind == "regressions")


def test_added_and_removed_tests_are_listed_and_lost_tests_fail_the_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = write_run(tmp_path / "b.jsonl", [result("t.py::old"), result("t.py::kept")])
    after = write_run(tmp_path / "a.jsonl", [result("t.py::kept"), result("t.py::new", outcome="fail")])
    assert diff_results(before, after) == 1
    out = capsys.readouterr().out
    assert "Added tests: 1\n  fake  t.py::new: (absent) -> fail" in out
    assert "Removed tests: 1\n  fake  t.py::old: pass -> (absent)" in out
    assert (
        "fake: 1 test(s) that ran before are missing after; pass --allow-missing if that is intended" in out
    )
    assert diff_results(before, after, allow_missing=True) == 0
    assert "(allowed: --allow-missing)" in capsys.readouterr().out


def test_an_adapter_absent_after_fails_the_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_run(tmp_path / "b" / "fake.jsonl", [result()])
    write_run(tmp_path / "b" / "other.jsonl", [result()], adapter="other")
    write_run(tmp_path / "a" / "fake.jsonl", [result()])
    assert main(["diff", str(tmp_path / "b"), str(tmp_path / "a")]) == 1
    assert "other: ran 1 tests before, absent after" in capsys.readouterr().out
    assert main(["diff", str(tmp_path / "b"), str(tmp_path / "a"), "--allow-missing"]) == 0


@pytest.mark.parametrize("state", [RunState.INTERRUPTED, RunState.STOPPED_EARLY, RunState.CRASHED])
def test_an_after_run_that_did_not_complete_fails_the_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], state: RunState
) -> None:
    before = write_run(tmp_path / "b.jsonl", [result()])
    after = write_run(tmp_path / "a.jsonl", [result()], state=state)
    assert diff_results(before, after) == 1
    assert (
        f"fake: the after run is not complete: {state.value} (1 test(s) recorded" in capsys.readouterr().out
    )


def test_an_adapter_unavailable_after_is_a_regression(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = write_run(tmp_path / "b.jsonl", [result()])
    after = write_run(tmp_path / "a.jsonl", unavailable="libfake is not installed")
    assert diff_results(before, after) == 1
    assert "fake: ran 1 tests before, unavailable after (libfake is not installed)" in capsys.readouterr().out


def test_an_incomplete_after_run_is_a_regression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = write_run(tmp_path / "b.jsonl", [result()])
    after = write_run(tmp_path / "a.jsonl", [result()], complete=False)
    assert diff_results(before, after) == 1
    assert "fake: the after run is not complete: lost: no end record" in capsys.readouterr().out


def test_a_side_with_two_runs_of_one_adapter_compares_the_later(tmp_path: Path) -> None:
    before = write_run(tmp_path / "b.jsonl", [result()])
    write_run(
        tmp_path / "after" / "old.jsonl", [result(outcome="crash")], started="2026-01-01T09:00:00+00:00"
    )
    write_run(tmp_path / "after" / "new.jsonl", [result()], started="2026-01-01T11:00:00+00:00")
    diff = diff_of(before, tmp_path / "after")
    assert not diff.regressed
    assert diff.notes == [
        "after: 2 runs of fake; compared the one started 2026-01-01T11:00:00+00:00 (new.jsonl), "
        "set aside old.jsonl (started 2026-01-01T09:00:00+00:00)"
    ]


def test_merge_writes_a_file_that_report_and_diff_accept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_run(tmp_path / "machine1" / "alpha.jsonl", sample_tests(), adapter="alpha", python="3.12.1")
    write_run(
        tmp_path / "machine2" / "alpha.jsonl",
        [result()],
        adapter="alpha",
        python="3.13.0",
        started="2026-01-02T10:00:00+00:00",
    )
    write_run(tmp_path / "machine2" / "beta.jsonl", [result()], adapter="beta")
    merged = tmp_path / "merged.json"
    assert main(["merge", str(tmp_path / "machine1"), str(tmp_path / "machine2"), "-o", str(merged)]) == 0
    assert f"merge: 3 run(s), 9 test result(s) -> {merged}" in capsys.readouterr().out
    runs, _ = load_runs([merged])
    assert [(r.adapter_name, r.origin) for r in runs] == [
        ("alpha", "merged.json › alpha.jsonl"),
        ("alpha", "merged.json › alpha.jsonl"),
        ("beta", "merged.json › beta.jsonl"),
    ]
    assert main(["report", str(merged), "--out", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "alpha · Python 3.12.1" in page and "alpha · Python 3.13.0" in page
    # The merged file against the folders it came from: the same runs, nothing changed.
    assert main(["diff", str(tmp_path / "machine2"), str(merged)]) == 0


def test_merging_a_merged_file_with_its_sources_keeps_each_run_once(tmp_path: Path) -> None:
    write_run(tmp_path / "r" / "alpha.jsonl", [result()], adapter="alpha")
    merged = tmp_path / "merged.json"
    assert merge_results([tmp_path / "r"], merged) == 0
    assert merge_results([merged, tmp_path / "r"], tmp_path / "again.json") == 0
    assert len(json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))["runs"]) == 1
