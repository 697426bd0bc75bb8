"""Results files: a header, one line per finished test, an end record; and reading them back."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from fake_adapter import FakeAdapter

from conformance import (
    CATALOGUE,
    CONFIGS,
    Outcome,
    ResultsFileError,
    RunState,
    TestResult,
    __version__,
    read_results,
)
from conformance._records import AdapterInfo
from conformance._results import SCHEMA, SCHEMA_VERSION
from conformance._results_writer import ResultsWriter, run_header

MODULE = """
    import pytest

    pytestmark = pytest.mark.clause("use", configs=("tls12-ticket",))

    def test_first(lab, config):
        lab.expect_full(lab.connect(lab.client(config), lab.server(config)), "a first handshake")

    def test_second(lab, config):
        server, client = lab.server(config), lab.client(config)
        handshake = lab.connect(client, server, session=lab.fresh_session(client, server))
        lab.expect_resumed(handshake, "the handshake with the session set")

    def test_third(lab, config):
        lab.check("the configuration", "tls12-ticket", config.id)
"""


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_run_writes_header_tests_and_end(battery) -> None:
    battery.write(MODULE)
    battery.run().assert_outcomes(passed=3)
    [path] = battery.results_dir.iterdir()
    header, *tests, end = records(path)

    assert header["kind"] == "run"
    assert (header["schema"], header["schema_version"]) == (SCHEMA, SCHEMA_VERSION)
    assert header["suite_version"] == __version__
    adapter = header["adapter"]
    assert adapter["name"] == "fake"
    assert adapter["target"] == "fake_adapter:FakeAdapter"
    assert adapter["capabilities"] == sorted(c.value for c in FakeAdapter.capabilities)
    assert adapter["facts"]["library"] == "fake" and adapter["facts"]["notes"] == [
        "a fake for the suite's own tests"
    ]
    assert adapter["unavailable"] == ""
    for key in ("python", "python_implementation", "platform", "started", "command"):
        assert header[key], key
    assert [clause["id"] for clause in header["catalogue"]] == [clause.id for clause in CATALOGUE]
    assert [config["id"] for config in header["configs"]] == [config.id for config in CONFIGS]

    assert [test["test_id"] for test in tests] == [
        f"test_battery.py::test_{name}[tls12-ticket]" for name in ("first", "second", "third")
    ]
    for test in tests:
        assert test["kind"] == "test" and test["outcome"] == "pass" and test["clauses"] == ["use"]
        assert test["rerun"] == f"conformance run fake_adapter:FakeAdapter --test '{test['test_id']}'"
    assert tests[0]["title"] == "" and tests[1]["evidence"]["steps"]

    assert end["kind"] == "end" and end["state"] == "complete"
    assert end["counts"]["pass"] == 3 and end["unexpected"] == 0
    assert end["exit_status"] == 0 and end["complete_selection"] is True
    assert end["selected"] == end["recorded"] == 3


def test_read_results_gives_back_what_was_written(battery) -> None:
    battery.write(MODULE)
    battery.run()
    run = battery.results()
    assert run.complete and run.adapter_name == "fake"
    assert [test.outcome for test in run.tests] == [Outcome.PASS] * 3


def test_a_run_killed_halfway_keeps_its_finished_tests(battery) -> None:
    # Without isolation the abort in test_second takes the whole pytest process down.
    battery.write(MODULE)
    result = battery.run_subprocess("AbortingFake", "--no-isolation")
    assert result.ret != 0
    run = battery.results("AbortingFake")
    assert not run.complete
    assert [test.test_id for test in run.tests] == ["test_battery.py::test_first[tls12-ticket]"]
    assert run.tests[0].outcome is Outcome.PASS


# -- reading, file by file ---------------------------------------------------------------
def result(test_id: str = "t.py::a", outcome: Outcome = Outcome.PASS) -> TestResult:
    return TestResult(test_id=test_id, clauses=("use",), config="tls13", outcome=outcome, duration=0.01)


def header_line() -> str:
    return run_header(AdapterInfo(name="fake"), __version__, "pytest").to_json().decode()


def write_file(path: Path, count: int = 2, state: RunState = RunState.COMPLETE) -> Path:
    writer = ResultsWriter(path, run_header(AdapterInfo(name="fake"), __version__, "pytest"))
    writer.publish()
    for number in range(count):
        writer.add(result(f"t.py::test_{number}"))
    writer.close(state, exit_status=0, selected=count, complete_selection=True, stale=[])
    return path


def test_a_file_without_its_end_is_a_lost_run(tmp_path: Path) -> None:
    path = write_file(tmp_path / "r.jsonl")
    assert read_results(path).complete
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # as if the run died before its end
    run = read_results(path)
    assert not run.complete and run.state == "lost" and len(run.tests) == 2


def test_an_interrupted_run_is_not_complete(tmp_path: Path) -> None:
    run = read_results(write_file(tmp_path / "r.jsonl", state=RunState.INTERRUPTED))
    assert not run.complete and run.state == "interrupted"
    assert run.describe_state() == "interrupted (2 test(s) recorded of 2 selected)"


def test_a_file_cut_mid_line_names_the_line(tmp_path: Path) -> None:
    path = write_file(tmp_path / "r.jsonl")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("t.py::test_1") + 5], encoding="utf-8")  # the third line, cut
    with pytest.raises(ResultsFileError, match=r"r\.jsonl, line 3: not JSON"):
        read_results(path)


TEST = '{"kind": "test", "test_id": "t.py::a", "clauses": ["use"], "outcome": "pass"}'
END = '{"kind": "end", "state": "complete"}'


@pytest.mark.parametrize(
    "lines, words",
    [
        ([], "an empty file"),
        ([TEST], "line 1: expected the run header first"),
        (
            ['{"kind": "run", "schema": "other", "schema_version": 1, "suite_version": "1", '
             '"adapter": {"name": "x"}}'],
            "expected schema 'ssl-set-session-conformance/results'",
        ),
        (["HEADER", "[1, 2]"], "line 2: a field has the wrong type or value (Expected `object`, got `array`"),
        (
            ["HEADER", '{"kind": "test", "test_id": "t", "clauses": ["use"], "outcome": "great"}'],
            "line 2: a field has the wrong type or value (Invalid enum value 'great' - at `$.outcome`)",
        ),
        (["HEADER", '{"kind": "test", "outcome": "pass"}'], "line 2: a field has the wrong type or value (Object missing required field `test_id`)"),
        (["HEADER", "", "{oops"], "line 3: not JSON"),
        # A string where a list of clause ids belongs is refused, not read as letters.
        (["HEADER", TEST.replace('["use"]', '"use"')], "Expected `array`, got `str` - at `$.clauses`"),
        (["HEADER", TEST.replace('"pass"}', '"pass", "duration": "1"}')], "Expected `float`, got `str`"),
        (["HEADER", TEST.replace('"pass"}', '"pass", "duration": 1' + "0" * 5000 + "}")], "line 2"),
        (["HEADER", TEST.replace('"pass"}', '"pass", "evidence": {"steps": [1]}}')], "$.evidence.steps[0]"),
        (["HEADER", TEST.replace('"pass"}', '"pass", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")], "line 2: nested too deeply"),
        (["HEADER", '{"kind": "surprise"}'], "line 2: a field has the wrong type or value (Invalid value 'surprise' - at `$.kind`)"),
        (["HEADER", TEST, TEST], "line 3: test 't.py::a' recorded twice (first on line 2)"),
        (["HEADER", TEST, "HEADER"], "line 3: a second run header"),
        (["HEADER", TEST, END, TEST.replace("t.py::a", "t.py::b")], "line 4: a record after the end record (line 3)"),
        (["HEADER", END.replace('"complete"', '"finished"')], "line 2: a field has the wrong type or value (Invalid enum value 'finished'"),
        (["HEADER", '{"kind": "end", "state": "complete", "counts": {"pass": -1}}'], "Expected `int` >= 0"),
    ],
    ids=[
        "empty", "no-header", "schema", "not-object", "bad-outcome", "no-test-id", "blank-then-bad",
        "clauses-a-string", "duration-a-string", "huge-integer", "step-a-number", "deep-nesting",
        "unknown-kind", "duplicate-test", "second-header", "after-end", "unknown-state", "negative-count",
    ],
)  # fmt: skip
def test_a_malformed_file_is_a_results_file_error(tmp_path: Path, lines: list[str], words: str) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("".join(line.replace("HEADER", header_line()) + "\n" for line in lines), encoding="utf-8")
    with pytest.raises(ResultsFileError) as caught:
        read_results(path)
    assert str(caught.value).startswith(str(path))
    assert words in str(caught.value)


def test_a_non_utf8_file_is_a_results_file_error(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(
        header_line().encode() + b"\n" + TEST.replace("t.py::a", "t.py::\xff").encode("latin-1") + b"\n"
    )
    with pytest.raises(ResultsFileError, match="line 2: not JSON"):
        read_results(path)


def test_a_missing_file_is_a_results_file_error(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError, match="cannot read it"):
        read_results(tmp_path / "absent.jsonl")


def test_a_test_record_round_trips() -> None:
    original = result("t.py::x[tls13]", Outcome.CRASH)
    original = msgspec.structs.replace(original, expected_outcome=Outcome.CRASH, expectation_reason="known")
    line = original.to_json()
    again = TestResult.from_json(line)
    assert again == original and again.to_json() == line and json.loads(line)["as_expected"] is True
