"""Outcomes: how a battery test's ending becomes pass, fail, refused, not-observable, error,
crash or timeout, with its evidence in the results file."""

from __future__ import annotations

import pytest

from conformance import ContractError, HandshakeFailed, LibraryFault, NotObservable, Outcome, Refused
from conformance._evidence import Check, Contradiction
from conformance._outcomes import outcome_of_exception

HEADER = """
    import pytest
    from conformance import Capability

    pytestmark = pytest.mark.clause("use", configs=("tls13",))
"""

ENDINGS = (
    HEADER
    + """
    def test_pass(lab, config):
        server, client = lab.server(config), lab.client(config)
        session = lab.fresh_session(client, server)
        lab.expect_resumed(lab.connect(client, server, session=session), "the resumption")

    def test_fail(lab, config):
        server, client = lab.server(config), lab.client(config)
        lab.expect_resumed(lab.connect(client, server), "a handshake with no session set")

    def test_refused(lab, config):
        lab.adapter.misbehave("set_session", "refuse")
        server, client = lab.server(config), lab.client(config)
        lab.connect(client, server, session=lab.fresh_session(client, server))

    def test_error(lab, config):
        lab.adapter.misbehave("set_session", "raise")
        server, client = lab.server(config), lab.client(config)
        lab.connect(client, server, session=lab.fresh_session(client, server))
"""
)

#: Each test ends the process or outlives its limit; the ones around it must not care.
DEATHS = (
    HEADER
    + """
    def test_a_before(lab, config):
        lab.expect_full(lab.connect(lab.client(config), lab.server(config)), "a first handshake")

    def test_b_abort(lab, config):
        server, client = lab.server(config), lab.client(config)
        lab.connect(client, server, session=lab.fresh_session(client, server))

    def test_c_hang(lab, config):
        lab.adapter.misbehave("set_session", "hang")
        server, client = lab.server(config), lab.client(config)
        lab.connect(client, server, session=lab.fresh_session(client, server))

    def test_d_after(lab, config):
        lab.expect_full(lab.connect(lab.client(config), lab.server(config)), "a last handshake")
"""
)


@pytest.fixture
def endings(battery):
    battery.write(ENDINGS)
    result = battery.run()
    return result, {test.test_id.split("::")[1].split("[")[0]: test for test in battery.results().tests}


def test_each_ending_gets_its_outcome(endings) -> None:
    result, tests = endings
    assert {name: test.outcome for name, test in tests.items()} == {
        "test_pass": Outcome.PASS,
        "test_fail": Outcome.FAIL,
        "test_refused": Outcome.REFUSED,
        "test_error": Outcome.ERROR,
    }
    result.assert_outcomes(passed=1, failed=3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_pass_carries_its_checks(endings) -> None:
    _, tests = endings
    [check] = tests["test_pass"].evidence.checks
    assert check.ok is True and check.expected == "a resumed handshake"


def test_a_fail_records_expected_and_observed(endings) -> None:
    result, tests = endings
    fail = tests["test_fail"]
    assert fail.expected == "a resumed handshake"
    assert fail.observed.startswith("full on the wire")
    assert fail.reason.startswith("a handshake with no session set: expected a resumed handshake")
    result.stdout.fnmatch_lines(
        ["*unexpected fail: *", "  expected: a resumed handshake", "  observed: full on the wire*"]
    )


def test_a_refusal_keeps_the_library_message(endings) -> None:
    _, tests = endings
    refused = tests["test_refused"]
    assert refused.reason == "set_session was refused: fake library: set_session is not allowed today"
    assert refused.evidence.steps[-1] == "set session S1 on C3"


def test_an_error_carries_a_traceback_note(endings) -> None:
    _, tests = endings
    error = tests["test_error"]
    assert error.reason == "fake_adapter.FakeLibraryBug: fake library bug in set_session"
    [note] = [n for n in error.evidence.notes if n.startswith("traceback:")]
    assert "Traceback (most recent call last)" in note and "in set_session" in note


def test_missing_capabilities_are_not_observable_naming_the_capability(battery) -> None:
    battery.write(
        HEADER
        + """
    @pytest.mark.needs(Capability.SESSION_LIFETIME, why="when the session is freed")
    def test_needs_lifetime(lab, config):
        server, client = lab.server(config), lab.client(config)
        lab.track(lab.fresh_session(client, server))()

    @pytest.mark.needs(Capability.REUSE_FLAG, why="the reuse flag")
    def test_needs_the_flag(lab, config):
        handshake = lab.connect(lab.client(config), lab.server(config))
        lab.reused(handshake.client)
    """
    )
    result = battery.run("BareFake", "-rs")
    result.assert_outcomes(skipped=2)
    assert result.ret == pytest.ExitCode.OK  # not-observable is never unexpected
    needs, flag = battery.results("BareFake").tests
    assert needs.outcome is flag.outcome is Outcome.NOT_OBSERVABLE
    assert "'session-lifetime'" in needs.reason and "when the session is freed" in needs.reason
    assert "'fake-bare'" in needs.reason
    assert "'reuse-flag'" in flag.reason
    result.stdout.fnmatch_lines(["SKIPPED * not-observable: adapter 'fake-bare' lacks capability*"])


def test_an_undeclared_need_is_an_error_of_the_test(battery) -> None:
    battery.write(
        HEADER
        + """
    def test_calls_without_declaring(lab, config):
        handshake = lab.connect(lab.client(config), lab.server(config))
        lab.check("reuse flag", False, lab.reused(handshake.client))
    """
    )
    battery.run("BareFake").assert_outcomes(failed=1)
    [test] = battery.results("BareFake").tests
    assert test.outcome is Outcome.ERROR
    assert "without declaring it: add @pytest.mark.needs(Capability.REUSE_FLAG, why=...)" in test.reason


def test_a_bad_needs_mark_is_a_usage_error(battery) -> None:
    battery.write(
        HEADER
        + """
    @pytest.mark.needs("reuse-flag", why="the flag")
    def test_names_a_string(lab, config):
        lab.check("a check", True, True)
    """
    )
    result = battery.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: test_battery.py::test_names_a_string*: needs 'reuse-flag', which is not*"]
    )


def test_a_test_that_checked_nothing_is_an_error_never_a_pass(battery) -> None:
    battery.write(
        HEADER
        + """
    def test_returns_early(lab, config):
        lab.connect(lab.client(config), lab.server(config))
    """
    )
    battery.run().assert_outcomes(failed=1)
    [test] = battery.results().tests
    assert test.outcome is Outcome.ERROR
    assert test.reason.startswith("the test checked nothing")


def test_a_configuration_the_library_cannot_build_is_not_observable(battery) -> None:
    battery.write(HEADER + "\n    def test_any(lab, config):\n        lab.server(config)\n")
    battery.run("UnbuildableFake").assert_outcomes(skipped=1)
    [test] = battery.results("UnbuildableFake").tests
    assert test.outcome is Outcome.NOT_OBSERVABLE and "'1.3'" in test.reason


def test_a_crash_and_a_hang_spare_the_rest_of_the_run(battery) -> None:
    battery.write(DEATHS)
    result = battery.run_subprocess("AbortingFake", "--test-timeout", "0.5")
    result.assert_outcomes(passed=2, failed=2)
    run = battery.results("AbortingFake")
    tests = {test.test_id.split("::")[1].split("[")[0]: test for test in run.tests}
    assert [t.outcome for t in tests.values()] == [Outcome.PASS, Outcome.CRASH, Outcome.TIMEOUT, Outcome.PASS]
    crash, hang = tests["test_b_abort"], tests["test_c_hang"]
    assert "signal SIGABRT" in crash.reason and "last step: set session S1 on C3" in crash.reason
    assert crash.evidence.steps[-1] == "set session S1 on C3"  # the steps up to the crash are kept
    assert "past its 0.5 s limit" in hang.reason and "last step: set session S1 on C3" in hang.reason
    assert run.complete and run.end.counts[Outcome.CRASH] == run.end.counts[Outcome.TIMEOUT] == 1


# -- the table, exception by exception --------------------------------------------------
@pytest.mark.parametrize(
    "error, outcome",
    [
        (Contradiction(Check("x", "1", "2", False)), Outcome.FAIL),
        (HandshakeFailed("stuck"), Outcome.FAIL),
        (LibraryFault("broke inside the call"), Outcome.FAIL),
        (Refused("set_session", "no"), Outcome.REFUSED),
        (NotObservable("cannot"), Outcome.NOT_OBSERVABLE),
        (ContractError("wrong type"), Outcome.ERROR),
        (AssertionError("a bare assert"), Outcome.ERROR),
        (ZeroDivisionError(), Outcome.ERROR),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else value.value,
)
def test_outcome_of_exception(error: BaseException, outcome: Outcome) -> None:
    assert outcome_of_exception(error) is outcome


def test_only_library_verdicts_speak_of_the_library() -> None:
    assert {o for o in Outcome if not o.is_library_verdict} == {Outcome.ERROR, Outcome.NOT_OBSERVABLE}
