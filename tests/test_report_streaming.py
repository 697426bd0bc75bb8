"""The report reads each results file once, a record at a time, and keeps only what its outputs need.

These tests hold the streaming path to the outputs of runs read whole (merged.json byte for
byte, JUnit in ElementTree's own shape), above the listing limit (evidence read back from the
file for the tests the page shows), and to one-line errors for files cut, malformed or changed.
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from pathlib import Path

import msgspec
import pytest
from test_report_support import result, write_run

from conformance import Outcome, RunState
from conformance._cli import main
from conformance._results import ResultsFileError, Source, stream_results
from conformance.report import _merged, make_reports
from conformance.report._build import ModelBuilder
from conformance.report._merged import MergedFile, MergedRun
from conformance.report._sources import find_files, load_runs, stream_runs

#: Above this many test records (patched in for these tests) the page lists no expected pass.
LIMIT = 20
BIG_NOTE = "error:0A000410:SSL routines::sslv3 alert handshake failure\n" * 200


def many_tests(count: int) -> list:
    """``count`` tests: mostly expected passes, every tenth a failure with a large note."""
    tests = []
    for number in range(count):
        if number % 10 == 3:
            evidence = {"steps": ["made C1"], "checks": [], "notes": [f"{number}: {BIG_NOTE}"]}
            tests.append(result(f"test_use.py::test_{number}[tls13]", "fail", reason="no", evidence=evidence))
        else:
            tests.append(result(f"test_use.py::test_{number}[tls13]"))
    return tests


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("conformance.report._build.FULL_LISTING_LIMIT", LIMIT)
    folder = tmp_path / "results"
    write_run(folder / "alpha.jsonl", many_tests(60), adapter="alpha")
    write_run(folder / "beta.jsonl", many_tests(30), adapter="beta", complete=False)
    return folder


def test_above_the_limit_the_page_shows_the_evidence_of_deviations_read_back(
    big: Path, tmp_path: Path
) -> None:
    assert make_reports([big], tmp_path / "out") == 0
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page.count("0A000410") == 9 * 200  # 6 + 3 failures, each note whole
    assert "test_use.py::test_53[tls13]" in page and "test_use.py::test_54[tls13]" not in page
    assert "54 tests passed as expected (not listed at this scale" in page
    assert "beta: run lost" in page


def test_merged_json_is_byte_for_byte_the_document_of_the_runs_read_whole(
    big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_merged, "now", lambda: "2026-01-01T00:00:00+00:00")
    assert make_reports([big], tmp_path / "out") == 0
    runs, _ = load_runs([big])
    document = MergedFile(
        created="2026-01-01T00:00:00+00:00",
        runs=[MergedRun(origin=r.origin, header=r.header, tests=r.tests, end=r.end) for r in runs],
    )
    assert (tmp_path / "out" / "merged.json").read_bytes() == document.to_json() + b"\n"
    assert not list((tmp_path / "out").glob("*.part"))


def test_junit_is_written_in_the_shape_elementtree_gives(big: Path, tmp_path: Path) -> None:
    assert make_reports([big], tmp_path / "out") == 0
    for path in (tmp_path / "out" / "junit").glob("*.xml"):
        ours = path.read_bytes()
        tree = ET.ElementTree(ET.fromstring(ours))
        ET.indent(tree)
        again = tmp_path / "again.xml"
        tree.write(again, encoding="utf-8", xml_declaration=True)
        assert again.read_bytes() == ours, path.name
    suite = ET.parse(tmp_path / "out" / "junit" / "alpha.xml").getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("60", "6")


def test_the_model_keeps_no_expected_pass_above_the_limit(big: Path, tmp_path: Path) -> None:
    builder = ModelBuilder()
    with contextlib.ExitStack() as opened:
        for run, tests in stream_runs(find_files([big]), opened):
            digest = builder.start(run)
            for test, line, source, offset in tests:
                builder.add(digest, test, source, offset, len(line))
        model = builder.model()
        kept = [ref for cell in model.cells.values() for ref in cell.tests]
        assert len(kept) == 9 and {ref.outcome for ref in kept} == {Outcome.FAIL}
        assert all(BIG_NOTE in ref.test.evidence.notes[0] for ref in kept)  # read back by offset
    assert not model.full_listing and model.test_count == 90


def test_a_big_file_cut_mid_line_is_one_line_and_leaves_no_output(
    big: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = big / "alpha.jsonl"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    assert main(["report", str(big), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and len(captured.err.strip().splitlines()) == 1
    assert f"{path}, line " in captured.err and "not JSON" in captured.err
    assert not out.exists()


def test_a_test_recorded_twice_late_in_a_file_names_both_lines(tmp_path: Path) -> None:
    path = write_run(tmp_path / "r.jsonl", many_tests(30))
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([*lines[:-1], lines[5], lines[-1]]))
    with pytest.raises(ResultsFileError, match=r"line 32: test .* recorded twice \(first on line 6\)"):
        with path.open("rb") as file:
            list(stream_results(path, file))


def test_a_test_read_back_must_be_the_one_that_was_read(tmp_path: Path) -> None:
    path = write_run(tmp_path / "r.jsonl", many_tests(5))
    with path.open("rb") as file:
        lines = [(offset, len(line), record) for offset, line, record in stream_results(path, file)]
        offset, size, record = lines[2]
        source = Source(path, file)
        assert source.test(offset, size, record.test_id) == record
        for elsewhere, length, _ in lines[:2]:  # the header; another test
            with pytest.raises(ResultsFileError, match="changed while it was being read"):
                source.test(elsewhere, length, record.test_id)


def test_the_same_run_twice_is_written_once_everywhere(big: Path, tmp_path: Path) -> None:
    assert main(["merge", str(big), "-o", str(tmp_path / "m.json")]) == 0
    assert make_reports([big, tmp_path / "m.json"], tmp_path / "out") == 0
    merged = msgspec.json.decode((tmp_path / "out" / "merged.json").read_bytes())
    assert [run["origin"] for run in merged["runs"]] == ["alpha.jsonl", "beta.jsonl"]
    assert sorted(p.name for p in (tmp_path / "out" / "junit").glob("*.xml")) == ["alpha.xml", "beta.xml"]
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "2 duplicate runs read twice and shown once" in page


def test_records_longer_than_a_read_block_read_the_same(
    big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_merged, "now", lambda: "2026-01-01T00:00:00+00:00")
    monkeypatch.setattr("conformance.report._build.now", lambda: "2026-01-01T00:00:00+00:00")
    assert make_reports([big], tmp_path / "whole") == 0
    monkeypatch.setattr("conformance._results._BLOCK", 64)  # every record spans several blocks
    assert make_reports([big], tmp_path / "blocks") == 0
    for name in ("index.html", "merged.json", "summary.md", "junit/alpha.xml", "junit/beta.xml"):
        assert (tmp_path / "blocks" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()


def test_an_interrupted_run_above_the_limit_says_so_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("conformance.report._build.FULL_LISTING_LIMIT", LIMIT)
    write_run(tmp_path / "r" / "fake.jsonl", many_tests(40), state=RunState.INTERRUPTED)
    assert make_reports([tmp_path / "r"], tmp_path / "out") == 0
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "fake: run interrupted (40 test(s) recorded of 40 selected)" in page
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "interrupted (40 test(s) recorded of 40 selected)" in summary
    case = (
        ET.parse(tmp_path / "out" / "junit" / "fake.xml").getroot().find(".//testcase[@name='run complete']")
    )
    assert case is not None and case.find("error").get("type") == "incomplete"
