"""A battery test's short turn (``_protocol``) tells pytest what its full protocol would have."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

# Each behaviour twice: "short" (lab and parameters only: the short turn, after the first test)
# and "full" (it also asks for pytest's `request` fixture: pytest's own protocol, always).
MODULE = """
    import pytest
    from conformance import NotObservable, Refused

    pytestmark = pytest.mark.clause("use", configs=("tls13",))

    def test_0_first(lab, config):
        lab.check("the first test goes through pytest's protocol", 1, 1)

    def test_pass_short(lab, config):
        lab.check("one", 1, 1)

    def test_pass_full(lab, config, request):
        lab.check("one", 1, 1)

    def test_fail_short(lab, config):
        lab.check("one", 1, 2)

    def test_fail_full(lab, config, request):
        lab.check("one", 1, 2)

    def test_unseen_short(lab, config):
        raise NotObservable("nothing to see")

    def test_unseen_full(lab, config, request):
        raise NotObservable("nothing to see")

    def test_deviation_short(lab, config):
        raise Refused("set_session", "as expected")

    def test_deviation_full(lab, config, request):
        raise Refused("set_session", "as expected")
"""

EXPECTATIONS = """
[[deviation]]
test = "test_battery.py::test_deviation_*"
outcome = "refused"
reason = "a known deviation"
"""


def junit_cases(path) -> dict[str, tuple[str, str]]:
    """test name -> (what the case holds: passed/failure/skipped, its message)."""
    cases = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "").split("[")[0]
        child = next(iter(case), None)
        kind = "passed" if child is None else child.tag
        message = "" if child is None else (child.get("message") or child.text or "")
        cases[name] = (kind, message.replace("test_battery.py:", "").strip())
    return cases


#: Records each test pytest set up with its own protocol (the short turn sets up nothing).
CONFTEST = """
    def pytest_runtest_setup(item):
        with open("set-up.txt", "a") as file:
            file.write(item.name.split("[")[0] + "\\n")
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_short_turn_reports_as_pytest_would(battery, jobs: str) -> None:
    battery.write(MODULE)
    battery.pytester.makeconftest(CONFTEST)
    expectations = battery.pytester.makefile(".toml", expectations=EXPECTATIONS)
    junit = battery.pytester.path / "junit.xml"
    result = battery.run_subprocess(
        "FakeAdapter", "--expectations", str(expectations), "--jobs", jobs, f"--junitxml={junit}", "-rA"
    )
    result.assert_outcomes(passed=3, failed=2, skipped=2, xfailed=2)
    cases = junit_cases(junit)
    for behaviour in ("pass", "fail", "unseen", "deviation"):
        short, full = cases[f"test_{behaviour}_short"], cases[f"test_{behaviour}_full"]
        assert short[0] == full[0], (behaviour, short, full)
        assert short[1] == full[1], (behaviour, short, full)
    summary = [
        line for line in result.stdout.lines if line.startswith(("PASSED", "FAILED", "SKIPPED", "XFAIL"))
    ]
    for behaviour in ("pass", "fail", "deviation"):  # the same words, but for the name (and the cut)
        short = [line.split(" - ")[-1][:24] for line in summary if f"test_{behaviour}_short" in line]
        full = [line.split(" - ")[-1][:24] for line in summary if f"test_{behaviour}_full" in line]
        assert short == full, (short, full)
    set_up = (battery.pytester.path / "set-up.txt").read_text().split()
    assert set_up == ["test_0_first"] + [f"test_{b}_full" for b in ("pass", "fail", "unseen", "deviation")]
    skipped = [line for line in summary if line.startswith("SKIPPED")]
    assert skipped and all(" test_battery.py:" in line for line in skipped), skipped  # at the test


def test_a_failure_in_a_short_turn_stops_a_run_under_x(battery) -> None:
    battery.write(MODULE)
    result = battery.run_subprocess("FakeAdapter", "--no-expectations", "-x")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    run = battery.results("FakeAdapter")
    assert [test.test_id.split("::")[1].split("[")[0] for test in run.tests][-1] == "test_fail_short"
    assert run.end.state.value == "stopped-early"
