"""``Beside``: the JUnit part of a report in a forked child, seen by the caller as if done here."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_report_support import result, sample_tests, write_run

from conformance.report import make_reports
from conformance.report._beside import Beside, ChildLost


@pytest.fixture
def another_thread() -> Iterator[None]:
    """A thread running beside the test: a fork would copy only the test's thread."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    yield
    stop.set()
    other.join()


def test_the_work_runs_in_a_child_on_the_value_sent_and_its_result_comes_back(tmp_path: Path) -> None:
    beside = Beside(lambda received: (os.getpid(), received()))
    beside.send(tmp_path)
    pid, value = beside.result()
    assert pid != os.getpid() and value == tmp_path


def test_an_error_of_the_work_is_raised_here_as_it_was(tmp_path: Path) -> None:
    def unwritable(received: Callable[[], Any]) -> None:
        (tmp_path / "missing" / received()).write_text("")

    beside = Beside(unwritable)
    beside.send("summary.md")
    with pytest.raises(FileNotFoundError) as raised:
        beside.result()
    assert raised.value.filename == str(tmp_path / "missing" / "summary.md")


def test_cancelled_the_child_leaves_without_finishing_its_work(tmp_path: Path) -> None:
    def work(received: Callable[[], Any]) -> None:
        (tmp_path / "started").write_text("")
        (tmp_path / received()).write_text("")

    beside = Beside(work)
    beside.cancel()  # nothing sent: this process failed
    assert (tmp_path / "started").exists()  # the child was waited for
    assert list(tmp_path.iterdir()) == [tmp_path / "started"]


def test_with_another_thread_the_work_runs_here(another_thread: None) -> None:
    beside = Beside(lambda received: (os.getpid(), received()))
    beside.send("value")
    assert beside.result() == (os.getpid(), "value")


def test_a_child_that_dies_without_an_answer_is_said_so() -> None:
    beside = Beside(lambda received: os.kill(os.getpid(), signal.SIGKILL))
    beside.send("value")
    with pytest.raises(ChildLost, match="was killed by SIGKILL without an answer"):
        beside.result()
    beside = Beside(lambda received: lambda: received)  # an answer that cannot be pickled
    with pytest.raises(ChildLost, match="ended with exit status 1 without an answer"):
        beside.result()


def test_the_report_says_so_when_its_child_dies_and_leaves_no_unfinished_merged_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from conformance.report import _commands

    write_run(tmp_path / "results" / "alpha.jsonl", sample_tests(), adapter="alpha")
    monkeypatch.setattr(_commands, "_junit_and_merged", lambda *args: os.kill(os.getpid(), signal.SIGKILL))
    assert make_reports([tmp_path / "results"], tmp_path / "out") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "was killed by SIGKILL without an answer" in error
    assert "make the report again" in error
    assert not (tmp_path / "out" / "merged.json.part").exists()


def test_the_junit_files_are_the_same_made_beside_or_here(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    results = tmp_path / "results"
    write_run(results / "alpha.jsonl", sample_tests(), adapter="alpha")
    write_run(results / "beta.jsonl", [result()], adapter="beta", complete=False)
    assert make_reports([results, results / "alpha.jsonl"], tmp_path / "beside") == 0  # alpha twice
    request.getfixturevalue("another_thread")
    assert make_reports([results, results / "alpha.jsonl"], tmp_path / "here") == 0
    for name in ("alpha.xml", "beta.xml"):
        made = (tmp_path / "beside" / "junit" / name).read_bytes()
        assert made == (tmp_path / "here" / "junit" / name).read_bytes()
        assert b"<testcase" in made
    assert sorted(p.name for p in (tmp_path / "beside" / "junit").iterdir()) == ["alpha.xml", "beta.xml"]


def test_when_the_fork_fails_the_work_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    beside = Beside(lambda received: (os.getpid(), received()))
    assert not beside.forked
    beside.send("value")
    assert beside.result() == (os.getpid(), "value")


def test_no_junit_file_when_the_page_cannot_be_written_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_run(tmp_path / "results" / "alpha.jsonl", sample_tests(), adapter="alpha")
    (tmp_path / "out" / "index.html").mkdir(parents=True)  # the page cannot be written there
    assert make_reports([tmp_path / "results"], tmp_path / "out") == 2
    assert "index.html: cannot write it" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["index.html", "merged.json"]


def test_a_pass_whose_evidence_is_malformed_is_refused_and_leaves_nothing_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The child reads test records light (not their evidence); the command's own check decides."""
    path = write_run(tmp_path / "results" / "alpha.jsonl", [result("t.py::a"), result("t.py::b")])
    lines = path.read_bytes().splitlines()
    assert b'"t.py::b"' in lines[2] and b'"evidence":{' in lines[2]
    lines[2] = lines[2].replace(b'"evidence":{', b'"evidence":{"steps":5,', 1)
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert make_reports([tmp_path / "results"], tmp_path / "out") == 2
    error = capsys.readouterr().err
    assert "alpha.jsonl, line 3" in error and error.count("\n") == 1
    assert not (tmp_path / "out").exists()
