"""Test children at once (--jobs N): the same outcomes, in the same order, in one valid results file."""

from __future__ import annotations

import pytest

from conformance._cli import _xdist_jobs

MODULE = """
    import pytest

    pytestmark = pytest.mark.clause("use", configs=("tls12-ticket", "tls13"))

    def test_full(lab, config):
        lab.expect_full(lab.connect(lab.client(config), lab.server(config)), "a first handshake")

    def test_resumed(lab, config):
        server, client = lab.server(config), lab.client(config)
        handshake = lab.connect(client, server, session=lab.fresh_session(client, server))
        lab.expect_resumed(handshake, "the handshake with the session set")

    @pytest.mark.parametrize("word", ["a", "b"])
    def test_parametrized(lab, config, word):
        lab.check("the word", word, word)

    @pytest.mark.skip(reason="held back")
    def test_skipped(lab, config):
        lab.check("never run", 1, 2)
"""


def outcomes(run) -> list[tuple[str, str]]:
    return [(test.test_id, test.outcome.value) for test in run.tests]


@pytest.mark.parametrize("adapter", ["FakeAdapter", "AbortingFake"])
def test_jobs_give_the_serial_outcomes_in_test_order(battery, adapter: str) -> None:
    battery.write(MODULE)
    battery.run_subprocess(adapter, "--no-expectations")
    serial = battery.results(adapter)
    result = battery.run_subprocess(adapter, "--no-expectations", "--jobs", "3")
    parallel = battery.results(adapter)
    assert outcomes(parallel) == outcomes(serial)
    assert len(parallel.tests) == 8, result.stdout.str()
    assert parallel.complete
    if adapter == "AbortingFake":  # a crash ends one test, in any job
        assert "crash" in {outcome for _, outcome in outcomes(parallel)}


def test_a_run_stopped_early_reaps_the_children_started_ahead(battery) -> None:
    battery.write(MODULE)
    result = battery.run_subprocess("RefusingFake", "--no-expectations", "--jobs", "4", "-x")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert len(battery.results("RefusingFake").tests) < 8


def test_jobs_and_no_isolation_do_not_go_together(battery) -> None:
    battery.write(MODULE)
    result = battery.run("FakeAdapter", "--jobs", "2", "--no-isolation")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--jobs*cannot go with --no-isolation*"])


@pytest.mark.parametrize(
    ("extra", "rest", "jobs"),
    [
        (["--", "-n", "2"], [], 2),
        (["-n2", "-q"], ["-q"], 2),
        (["--numprocesses=3"], [], 3),
        (["--", "-k", "use"], ["-k", "use"], 1),
    ],
)
def test_xdist_n_is_taken_as_jobs(extra: list[str], rest: list[str], jobs: int) -> None:
    assert _xdist_jobs(extra, 1) == (rest, jobs)


SERVER_KILLER = """
    import os
    import signal
    import time

    import pytest

    pytestmark = pytest.mark.clause("use", configs=("tls13",))

    def test_a_first(lab, config):
        lab.check("ran", 1, 1)

    def test_b_kills_the_fork_server(lab, config):
        if not os.path.exists("killed"):  # once: run again, its parent is the run's own process
            open("killed", "w").close()
            os.kill(os.getppid(), signal.SIGKILL)  # the process that forked this test child
            time.sleep(30)  # killed with it, before any ending
        lab.check("ran", 1, 1)

    @pytest.mark.parametrize("n", range(3))
    def test_c_later(lab, config, n):
        lab.check("ran", n, n)
"""


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_a_run_whose_fork_server_dies_goes_on_with_children_of_its_own(battery, jobs: str) -> None:
    battery.write(SERVER_KILLER)
    battery.run_subprocess("FakeAdapter", "--no-expectations", "--jobs", jobs)
    run = battery.results("FakeAdapter")
    assert run.complete
    by_test = {test.test_id.split("::")[1]: test for test in run.tests}
    assert [test.outcome.value for test in run.tests] == ["pass"] * 5
    again = by_test["test_b_kills_the_fork_server[tls13]"].evidence.notes
    assert any("died with the fork server" in note for note in again), again
