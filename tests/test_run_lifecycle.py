"""A run never lies about itself: how it ended, what it replaced, what it left running (issue 10).

The results file is written to a temporary file and moved into place only when
tests will run; the end record says complete / interrupted / stopped-early /
crashed; a killed run leaves no process behind; two runs into one file: the
second stops at once with a clear message.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance import RunState
from conformance._cli import main

SLOW = "fault_adapters:SlowFake"

MODULE = """
    import pytest

    pytestmark = pytest.mark.clause("use", configs=("tls13",))

    def test_a(lab, config):
        lab.evidence.check("a check", True, True)

    def test_b(lab, config):
        lab.evidence.check("a check", True, True)
"""

#: Tests that call set_session, so that a slow or hanging fault adapter shows.
SETTING = """
    import pytest

    pytestmark = pytest.mark.clause("use", configs=("tls13",))

""" + "".join(
    f"""
    def test_{number:02d}(lab, config):
        server, client = lab.server(config), lab.client(config)
        lab.connect(client, server, session=lab.fresh_session(client, server))
        lab.evidence.check("a check", True, True)
"""
    for number in range(12)
)


@pytest.fixture
def earlier(battery) -> bytes:
    """A good, complete results file of an earlier run."""
    battery.write(MODULE)
    battery.run().assert_outcomes(passed=2)
    return battery.results_path().read_bytes()


@pytest.mark.parametrize(
    "options",
    [
        ["--clause", "uze"],
        ["--config", "tls14"],
        ["--collect-only"],
        ["--test-timeout", "0"],
        ["--test-timeout", "-5"],
        ["--test-timeout", "nan"],
        ["--test-timeout", "inf"],
        ["-k", "no_such_test"],
        ["--expectations", "no-such-file.toml"],
    ],
    ids=[
        "clause-typo",
        "config-typo",
        "collect-only",
        "timeout-0",
        "timeout-neg",
        "nan",
        "inf",
        "none",
        "exp",
    ],
)
def test_a_run_that_runs_nothing_leaves_the_earlier_file_byte_for_byte(
    battery, earlier: bytes, options: list[str]
) -> None:
    result = battery.run("FakeAdapter", *options)
    assert (result.ret == 0) is ("--collect-only" in options)  # only collecting is no failure
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert battery.results_path().read_bytes() == earlier
    assert [p.name for p in battery.results_dir.iterdir()] == ["fake.jsonl"]  # no temporary, no lock


def test_a_test_id_that_does_not_exist_leaves_the_earlier_file(battery, earlier: bytes) -> None:
    result = battery.pytester.runpytest(*battery.options("FakeAdapter"), "test_battery.py::test_zzz")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert battery.results_path().read_bytes() == earlier


def test_the_options_are_checked_with_one_line(battery) -> None:
    battery.write(MODULE)
    result = battery.run("FakeAdapter", "--test-timeout", "-5")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: --test-timeout -5: expected a number of seconds above 0, such as 20"]
    )
    result = battery.run("FakeAdapter", "--expectations", "missing.toml")
    result.stderr.fnmatch_lines(["ERROR: --expectations missing.toml: no such file; *"])


def test_a_file_selection_is_partial(battery) -> None:
    battery.write(MODULE)
    battery.pytester.runpytest(*battery.options("FakeAdapter"), "test_battery.py").assert_outcomes(passed=2)
    run = battery.results()
    assert run.complete and run.partial_selection


def test_stopping_at_the_first_failure_is_stopped_early(battery) -> None:
    battery.write(MODULE)
    result = battery.run("RefusingFake", "-x")
    battery.write(SETTING)
    result = battery.run("RefusingFake", "-x")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    run = battery.results("RefusingFake")
    assert run.end is not None and run.end.state is RunState.STOPPED_EARLY
    assert (run.end.recorded, run.end.selected) == (1, 12) and not run.complete
    result.stdout.fnmatch_lines(["run STOPPED-EARLY: 1 of 12 tests recorded; the results file says so"])


def test_a_results_folder_that_cannot_be_written_is_one_line(battery) -> None:
    battery.write(MODULE)
    blocker = battery.pytester.path / "blocker"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    result = battery.pytester.runpytest(*battery.options("FakeAdapter"), "--results-dir", str(blocker / "r"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.stderr.fnmatch_lines(
        [f"ERROR: {blocker / 'r'}: cannot write results there (Not a directory); choose*"]
    )


# -- real processes --------------------------------------------------------------------------


def start(battery, adapter: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "pytest", *battery.options(adapter, *args)]
    environment = {**os.environ, **(env or {})}
    return subprocess.Popen(
        command,
        cwd=battery.pytester.path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def recorded_tests(path: Path) -> int:
    return path.read_text(encoding="utf-8").count('"kind":"test"') if path.exists() else 0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")  # a zombie is dead


def test_sigint_mid_run_keeps_every_finished_test_and_says_interrupted(battery, tmp_path: Path) -> None:
    battery.write(SETTING)
    path = battery.results_path(SLOW)
    process = start(battery, SLOW)
    wait_for(lambda: recorded_tests(path) >= 3, "three finished tests")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == pytest.ExitCode.INTERRUPTED, out + err
    run = battery.results(SLOW)
    assert run.end is not None and run.end.state is RunState.INTERRUPTED and not run.complete
    assert 3 <= len(run.tests) < 12 and run.end.recorded == len(run.tests) and run.end.selected == 12
    assert run.end.stale_expectations == []
    assert "run INTERRUPTED" in out

    # The report says so, and a diff against a complete run fails.
    assert main(["report", str(path), "--out", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert f"run interrupted ({len(run.tests)} test(s) recorded of 12 selected)" in page
    assert '<span class="status st-interrupted">interrupted</span>' in page
    complete = tmp_path / "complete"
    battery.pytester.runpytest(*battery.options(SLOW, "--results-dir", str(complete)), "-q")
    assert main(["diff", str(complete), str(path)]) == 1
    assert main(["diff", str(complete), str(path), "--allow-missing"]) == 0


def test_a_killed_run_leaves_no_process_and_a_lost_file(battery, tmp_path: Path) -> None:
    battery.write(SETTING)
    pids = tmp_path / "pids"
    adapter = "fault_adapters:HangingForeverFake"
    process = start(battery, adapter, env={"FAULT_PID_FILE": str(pids)})
    wait_for(lambda: pids.exists() and pids.read_text().strip(), "the hanging child")
    child = int(pids.read_text().split()[0])
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    wait_for(lambda: not alive(child), "the child to die with its parent", limit=10)
    run = battery.results(adapter)
    assert run.end is None and run.state == "lost"


def test_a_grandchild_holding_the_pipe_is_ended_with_its_test(battery, tmp_path: Path) -> None:
    battery.write(SETTING.replace("range(12)", "range(1)"))
    pids = tmp_path / "pids"
    adapter = "fault_adapters:GrandchildFake"
    process = start(
        battery, adapter, "--test-timeout", "30", "-k", "test_00", env={"FAULT_PID_FILE": str(pids)}
    )
    out, err = process.communicate(timeout=60)
    [test] = battery.results(adapter).tests
    assert test.outcome.value == "pass", out + err
    assert test.duration < 10
    for pid in map(int, pids.read_text().split()):
        wait_for(lambda pid=pid: not alive(pid), "the grandchild to be ended", limit=10)


def test_two_runs_into_one_file_the_second_stops_with_a_clear_message(battery) -> None:
    battery.write(SETTING)
    path = battery.results_path(SLOW)
    first = start(battery, SLOW, env={"FAULT_DELAY": "0.2"})
    wait_for(lambda: recorded_tests(path) >= 1, "the first run's first test")
    second = battery.pytester.runpytest_subprocess(*battery.options(SLOW))
    assert second.ret == pytest.ExitCode.USAGE_ERROR
    second.stderr.fnmatch_lines(
        [f"ERROR: {path}: another run (pid {first.pid}, started *) is writing this results file; wait for*"]
    )
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err
    run = battery.results(SLOW)
    assert run.complete and len(run.tests) == 12
    assert sorted(p.name for p in battery.results_dir.iterdir()) == [path.name]


def test_only_collecting_reports_no_stale_expectation(battery) -> None:
    battery.write(MODULE)
    result = battery.run("DeviatingFake", "--collect-only")
    assert result.ret == pytest.ExitCode.OK
    assert "STALE" not in result.stdout.str()
