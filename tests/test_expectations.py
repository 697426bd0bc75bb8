"""Expectations: known deviations make a run pass; anything unexpected, or a stale entry, fails it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import Outcome
from conformance._expectations import ExpectationsError, load_expectations

#: Against RefusingFake, the set_session tests are refused; the other one passes.
MODULE = """
    import pytest

    pytestmark = pytest.mark.clause("use", configs=("tls12-sessionid", "tls13"))

    def test_set_and_resume(lab, config):
        server, client = lab.server(config), lab.client(config)
        handshake = lab.connect(client, server, session=lab.fresh_session(client, server))
        lab.expect_resumed(handshake, "the handshake with the session set")

    def test_full_handshake(lab, config):
        lab.expect_full(lab.connect(lab.client(config), lab.server(config)), "a handshake with no session")
"""

REFUSED = """
[[deviation]]
test = "test_battery.py::test_set_and_resume*"
outcome = "refused"
reason = "The fake refuses every set_session."
link = "https://example.invalid/fake"
"""


def run_with(battery, expectations: str, adapter: str = "RefusingFake", *options: str) -> pytest.RunResult:
    battery.write(MODULE)
    path = battery.pytester.path / "expectations.toml"
    path.write_text(expectations, encoding="utf-8")
    return battery.run(adapter, "--expectations", str(path), *options)


def test_a_matching_deviation_passes_the_run_as_xfailed(battery) -> None:
    result = run_with(battery, REFUSED)
    result.assert_outcomes(passed=2, xfailed=2)
    assert result.ret == pytest.ExitCode.OK
    run = battery.results("RefusingFake")
    refused = [test for test in run.tests if test.outcome is Outcome.REFUSED]
    assert len(refused) == 2
    for test in refused:
        assert test.as_expected and test.expected_outcome is Outcome.REFUSED
        assert test.expectation_reason == "The fake refuses every set_session."
        assert test.expectation_link == "https://example.invalid/fake"
    assert run.end.unexpected == 0 and run.end.stale_expectations == []


def test_without_the_deviation_the_refusal_fails_the_run(battery) -> None:
    result = run_with(battery, "")
    result.assert_outcomes(passed=2, failed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*unexpected refused: set_session was refused: fake library*"])


def test_an_unexpected_pass_fails_the_run(battery) -> None:
    # The well-behaved fake passes where the file expects a refusal.
    result = run_with(battery, REFUSED, "FakeAdapter")
    result.assert_outcomes(passed=2, failed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*unexpected pass (expected refused: The fake refuses every set_session.)*"])
    run = battery.results()
    assert run.end.unexpected == 2
    assert {t.as_expected for t in run.tests if t.test_id.startswith("test_battery.py::test_set")} == {False}


def test_another_outcome_than_the_expected_one_fails_the_run(battery) -> None:
    result = run_with(battery, REFUSED.replace('"refused"', '"crash"'))
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["*unexpected refused*"])


STALE = (
    REFUSED
    + """
[[deviation]]
test = "test_battery.py::test_that_was_removed*"
outcome = "fail"
reason = "An old deviation."
"""
)


def test_a_stale_deviation_fails_a_complete_run(battery) -> None:
    result = run_with(battery, STALE)
    result.assert_outcomes(passed=2, xfailed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["STALE expectation (matches no test): test_battery.py::test_that_was_removed* -> fail"]
    )
    stale = battery.results("RefusingFake").end.stale_expectations
    assert [(s.test, s.outcome, s.reason) for s in stale] == [
        ("test_battery.py::test_that_was_removed*", Outcome.FAIL, "An old deviation.")
    ]


def test_a_stale_deviation_is_not_judged_on_a_partial_run(battery) -> None:
    result = run_with(battery, STALE, "RefusingFake", "--config", "tls13")
    result.assert_outcomes(passed=1, xfailed=1)
    assert result.ret == pytest.ExitCode.OK


def test_the_adapters_own_file_is_used_and_no_expectations_ignores_it(battery) -> None:
    battery.write(MODULE)
    as_expected = battery.run("DeviatingFake")
    as_expected.assert_outcomes(passed=2, xfailed=2)
    assert as_expected.ret == pytest.ExitCode.OK
    assert battery.results("DeviatingFake").header.adapter.expectations.endswith("fake_expectations.toml")

    strict = battery.run("DeviatingFake", "--no-expectations")
    strict.assert_outcomes(passed=2, failed=2)
    assert strict.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.parametrize(
    "content, words",
    [
        ("[[deviation]\n", "not valid TOML"),
        ('[[deviation]]\ntest = "x"\noutcome = "fail"\n', "deviation #1: 'reason' is required"),
        (
            '[[deviation]]\ntest = "x"\noutcome = "fail"\nreason = "  "\n',
            "'reason' is required and must not be empty",
        ),
        (
            '[[deviation]]\ntest = "x"\noutcome = "broken"\nreason = "r"\n',
            "outcome 'broken' is not one of pass, fail",
        ),
        (
            '[[deviation]]\ntest = "x"\noutcome = "not-observable"\nreason = "r"\n',
            "not-observable is not a deviation",
        ),
        (
            '[[deviation]]\ntest = "x"\noutcome = "fail"\nreason = "r"\nwhy = "w"\n',
            "unknown field(s) ['why']",
        ),
    ],
    ids=["toml", "no-reason", "blank-reason", "bad-outcome", "not-observable", "unknown-field"],
)
def test_a_malformed_file_says_what_to_fix(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "expectations.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExpectationsError) as caught:
        load_expectations(path)
    assert str(caught.value).startswith(str(path))
    assert words in str(caught.value)


def test_a_malformed_file_is_a_usage_error_of_the_run(battery) -> None:
    result = run_with(battery, '[[deviation]]\ntest = "x"\noutcome = "fale"\nreason = "r"\n')
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *expectations.toml, deviation #1: outcome 'fale' is not one of *"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_no_file_means_no_deviations(tmp_path: Path) -> None:
    assert load_expectations(None).deviations == []
    assert load_expectations(tmp_path / "absent.toml").deviations == []


def test_the_first_matching_deviation_decides(tmp_path: Path) -> None:
    path = tmp_path / "expectations.toml"
    path.write_text(
        '[[deviation]]\ntest = "t.py::a*"\noutcome = "fail"\nreason = "first"\n'
        '[[deviation]]\ntest = "t.py::*"\noutcome = "refused"\nreason = "second"\n',
        encoding="utf-8",
    )
    expectations = load_expectations(path)
    assert expectations.for_test("t.py::ab[tls13]").reason == "first"
    assert expectations.for_test("t.py::b").reason == "second"
    assert expectations.for_test("u.py::a") is None
    assert expectations.stale() == []
