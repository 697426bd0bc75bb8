"""Bad input to report, merge and diff: one clear line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_report_support import result, write_run

from conformance._cli import main


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_run(tmp_path / "good.jsonl", [result(), result("t.py::two")])


def test_a_path_that_does_not_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    assert main(["report", str(missing), "--out", str(tmp_path / "out")]) == 2
    assert error_line(capsys) == (
        f"conformance report: error: {missing}: no such file or folder; expected a results file (*.jsonl), "
        "a merged file (from 'conformance merge') or a folder of results files"
    )
    assert not (tmp_path / "out").exists()


def test_an_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["diff", str(tmp_path / "empty"), str(tmp_path / "empty")]) == 2
    assert "expected results files (*.jsonl) in this folder, found none" in error_line(capsys)


def test_a_truncated_file(good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = good.read_text(encoding="utf-8")
    cut = tmp_path / "cut.jsonl"
    cut.write_text(text[: len(text) - 40], encoding="utf-8")  # the end record cut mid-line
    assert main(["report", str(cut), "--out", str(tmp_path / "out")]) == 2
    line = error_line(capsys)
    assert f"{cut}, line 4: not JSON" in line and "Was the file cut" in line


def test_a_file_that_is_not_a_results_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "notes.jsonl"
    other.write_text('{"hello": "world"}\n', encoding="utf-8")
    assert main(["merge", str(other), "-o", str(tmp_path / "m.json")]) == 2
    assert "line 1: expected a results file, whose first line is the run header" in error_line(capsys)


def test_a_binary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "image.jsonl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert main(["report", str(binary), "--out", str(tmp_path / "out")]) == 2
    assert f"{binary}, line 1: expected a results file, whose first line is the run header" in error_line(
        capsys
    )


def test_a_header_without_an_adapter_name(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header, *rest = good.read_text(encoding="utf-8").splitlines()
    record = json.loads(header)
    del record["adapter"]["name"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([json.dumps(record), *rest]) + "\n", encoding="utf-8")
    assert main(["report", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert error_line(capsys) == (
        f"conformance report: error: {bad}, line 1: expected a results file, whose first line is the run "
        'header ({"kind": "run", ...}); a field has the wrong type or value (Object missing required '
        "field `name` - at `$.adapter`)."
    )


def test_an_unknown_outcome(good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        good.read_text(encoding="utf-8").replace('"outcome":"pass"', '"outcome":"great"', 1),
        encoding="utf-8",
    )
    assert main(["diff", str(good), str(bad)]) == 2
    line = error_line(capsys)
    assert (
        f"{bad}, line 2: a field has the wrong type or value (Invalid enum value 'great' - at `$.outcome`)"
        in line
    )


def test_a_merged_file_of_another_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    merged = tmp_path / "merged.json"
    merged.write_text(
        json.dumps(
            {
                "kind": "merged",
                "schema": "ssl-set-session-conformance/merged",
                "schema_version": 99,
                "runs": [],
            }
        ),
        encoding="utf-8",
    )
    assert main(["report", str(merged), "--out", str(tmp_path / "out")]) == 2
    assert (
        "expected a merged file of schema 'ssl-set-session-conformance/merged' version 2; found"
        in error_line(capsys)
    )


def test_a_merged_file_with_a_broken_test(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    merged = tmp_path / "merged.json"
    assert main(["merge", str(good), "-o", str(merged)]) == 0
    document = json.loads(merged.read_text(encoding="utf-8"))
    del document["runs"][0]["tests"][1]["test_id"]
    merged.write_text(json.dumps(document), encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", str(merged), str(good)]) == 2
    assert (
        f"{merged}: a field has the wrong type or value (Object missing required field `test_id` - at "
        "`$.runs[0].tests[1]`)" in error_line(capsys)
    )


def test_an_output_folder_that_is_a_file(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(good), "--out", str(good)]) == 2
    assert error_line(capsys) == (
        f"conformance report: error: {good}: is a file; expected a folder for the reports (--out DIR)"
    )


def test_a_merge_target_that_is_a_folder(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["merge", str(good), "-o", str(tmp_path)]) == 2
    assert "is a folder; expected the path of the merged file to write (-o FILE)" in error_line(capsys)


def test_the_command_line_shows_no_traceback(pytester: pytest.Pytester) -> None:
    """The whole command, as a user runs it, on a missing default folder."""
    outcome = pytester.run(sys.executable, "-m", "conformance", "report")
    assert outcome.ret == 2
    assert outcome.errlines == [
        "conformance report: error: reports/results: no such file or folder; expected a results file (*.jsonl), "
        "a merged file (from 'conformance merge') or a folder of results files"
    ]


@pytest.mark.parametrize("command", ["report", "merge", "diff"])
@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda text: text.replace('"duration":0.012', '"duration":1' + "0" * 5000, 1), "line 2"),
        (
            lambda text: text.replace('"title":', '"x":' + "[" * 50_000 + "]" * 50_000 + ',"title":', 1),
            "nested",
        ),
        (lambda text: text.replace('"clauses":["use"]', '"clauses":"use"', 1), "Expected `array`, got `str`"),
        (lambda text: text.replace('"reason":""', '"reason":7', 1), "Expected `str`, got `int`"),
        (lambda text: _with_line(text, 2, text.splitlines()[1]), "recorded twice"),
        (lambda text: _with_line(text, 2, text.splitlines()[0]), "a second run header"),
    ],
    ids=["huge-integer", "deep-nesting", "clauses-a-string", "reason-a-number", "duplicate", "second-header"],
)
def test_hostile_results_are_one_line_for_every_command(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, edit, words: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(edit(good.read_text(encoding="utf-8")), encoding="utf-8")
    arguments = {
        "report": ["report", str(bad), "--out", str(tmp_path / "out")],
        "merge": ["merge", str(bad), "-o", str(tmp_path / "m.json")],
        "diff": ["diff", str(good), str(bad)],
    }[command]
    assert main(arguments) == 2
    line = error_line(capsys)
    assert str(bad) in line and words in line


def _with_line(text: str, index: int, line: str) -> str:
    lines = text.splitlines()
    return "\n".join([*lines[:index], line, *lines[index:]]) + "\n"
