"""The self-test's battery runs: forked children of one warm process, each answering on a pipe."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from conformance._mutants import MutantError
from conformance._selftest_runs import default_jobs, fork_each, run_battery


def test_each_target_runs_in_a_child_of_its_own_and_answers_in_the_order_given(tmp_path: Path) -> None:
    def run(target: str) -> Path:
        path = tmp_path / f"{target}-{os.getpid()}"
        path.write_text(str(os.getppid()), encoding="utf-8")
        return path

    targets = ["c", "a", "b", "d"]
    answers = fork_each(run, targets, jobs=2)
    assert list(answers) == targets
    pids = set()
    for target, path in answers.items():
        assert isinstance(path, Path) and path.name.startswith(f"{target}-")
        assert path.read_text(encoding="utf-8") == str(os.getpid())  # a child of this process
        pids.add(path.name.partition("-")[2])
    assert len(pids) == len(targets) and str(os.getpid()) not in pids


def test_at_most_jobs_children_run_at_once(tmp_path: Path) -> None:
    def run(target: str) -> Path:
        mine = tmp_path / f"running-{target}"
        mine.touch()
        seen = len(list(tmp_path.glob("running-*")))
        os.sched_yield()
        mine.unlink()
        return tmp_path / str(seen)

    answers = fork_each(run, [str(n) for n in range(6)], jobs=1)
    assert {path.name for path in answers.values() if isinstance(path, Path)} == {"1"}


def test_a_run_that_fails_answers_why_in_one_line(tmp_path: Path) -> None:
    def run(target: str) -> Path:
        raise MutantError(f"the battery run of {target} wrote no results file")

    assert fork_each(run, ["m"], jobs=1) == {"m": "the battery run of m wrote no results file"}


@pytest.mark.parametrize(
    ("ending", "said"),
    [
        (lambda: os._exit(3), "ended with exit status 3"),
        (lambda: os.kill(os.getpid(), signal.SIGKILL), "SIGKILL"),
    ],
)
def test_a_child_that_dies_without_answering_is_a_run_that_cannot_be_judged(ending, said: str) -> None:
    def run(target: str) -> Path:
        ending()
        return Path()

    [answer] = fork_each(run, ["m"], jobs=1).values()
    assert isinstance(answer, str) and answer.startswith("the battery run of m ") and said in answer


def test_a_run_that_writes_no_results_file_shows_the_end_of_its_output(tmp_path: Path, capfd) -> None:
    with pytest.raises(MutantError) as raised:
        run_battery("no_such_module:Nothing", tmp_path / "results")
    message = str(raised.value)
    assert message.startswith("the battery run of no_such_module:Nothing wrote no results file (exit ")
    assert "no_such_module" in message.partition("):")[2]  # the run's own words
    assert capfd.readouterr() == ("", "")  # nothing leaked to this process's output


def test_one_run_per_core_by_default() -> None:
    assert default_jobs() == len(os.sched_getaffinity(0)) if sys.platform == "linux" else default_jobs() >= 1


def test_an_interrupted_parent_ends_and_reaps_the_runs_still_going(tmp_path: Path) -> None:
    def run(target: str) -> Path:
        (tmp_path / target).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(30)
        return tmp_path

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with pytest.raises(KeyboardInterrupt):
            fork_each(run, ["a", "b", "c"], jobs=2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    started = sorted(path.name for path in tmp_path.iterdir())
    assert started == ["a", "b"]  # the third never started
    for name in started:
        with pytest.raises(ChildProcessError):  # killed and reaped: no child of ours left
            os.waitpid(int((tmp_path / name).read_text(encoding="utf-8")), os.WNOHANG)
