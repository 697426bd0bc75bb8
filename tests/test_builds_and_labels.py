"""Builds and labels: --library and --label in a run, label columns, version-aware verdicts, diff by label."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from test_report_support import result, write_run

from conformance import Outcome
from conformance.report import diff_results, make_reports
from conformance.report._build import build_model
from conformance.report._sources import load_runs

BUILT_ADAPTER = """
    import os
    from pathlib import Path

    from fake_adapter import FakeAdapter
    from conformance import Facts, LibraryUnavailable

    class BuiltFake(FakeAdapter):
        build_variable = "FAKE_TLS_BUILD"

        def __init__(self):
            super().__init__()
            build = os.environ.get(self.build_variable)
            self.version = Path(build).read_text().strip() if build else "0"
            if self.version == "bad":
                raise LibraryUnavailable(f"{build} is not a fake-tls build")

        def facts(self):
            return Facts("fake", self.version, "fake-tls", self.version)
"""

MODULE = """
    import pytest

    pytestmark = pytest.mark.clause("use", configs=("tls13",))

    def test_one(lab, config):
        lab.check("the configuration", "tls13", config.id)
"""


@pytest.fixture
def built(battery, monkeypatch):
    # The plugin sets the build variable in this process: make sure it is gone afterwards.
    monkeypatch.setenv("FAKE_TLS_BUILD", "")
    monkeypatch.delenv("FAKE_TLS_BUILD")
    battery.write(MODULE)
    battery.pytester.makepyfile(built_adapter=textwrap.dedent(BUILT_ADAPTER))
    battery.pytester.syspathinsert()
    return battery


def _run(battery, adapter: str, *args: str):
    options = battery.options("X", *args)
    options[1] = adapter
    return battery.pytester.runpytest(*options)


def _header(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8").splitlines()[0])


def test_a_build_labels_the_run_with_the_version_it_reports(built) -> None:
    library = built.pytester.path / "libfake.so"
    library.write_text("2.5.1\n")
    _run(built, "built_adapter:BuiltFake", "--library", str(library)).assert_outcomes(passed=1)
    [path] = built.results_dir.iterdir()
    assert path.name == "fake-2.5.1.jsonl"
    header = _header(path)
    assert header["adapter"]["label"] == "fake-2.5.1"
    assert header["adapter"]["facts"]["tls_library_version"] == "2.5.1"
    test = json.loads(path.read_text(encoding="utf-8").splitlines()[1])
    assert f"--library '{library}'" in test["rerun"]


def test_label_names_the_run_and_its_file(built) -> None:
    _run(built, "built_adapter:BuiltFake", "--label", "my-branch").assert_outcomes(passed=1)
    assert _header(built.results_dir / "my-branch.jsonl")["adapter"]["label"] == "my-branch"


def test_without_a_build_the_label_is_the_adapter_name(built) -> None:
    _run(built, "built_adapter:BuiltFake").assert_outcomes(passed=1)
    assert _header(built.results_dir / "fake.jsonl")["adapter"]["label"] == "fake"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--label", "../elsewhere"), "--label '../elsewhere': use letters, digits"),
        (("--library", "x.so"), "adapter 'fake' takes no --library"),
    ],
)
def test_bad_build_options_are_one_line(battery, args, message) -> None:
    battery.write(MODULE)
    outcome = battery.run("FakeAdapter", *args)
    assert outcome.ret == pytest.ExitCode.USAGE_ERROR
    outcome.stderr.fnmatch_lines([f"ERROR: {message}*"])
    assert not battery.results_dir.exists()


def test_a_build_that_does_not_load_is_refused_not_skipped(built) -> None:
    library = built.pytester.path / "libother.so"
    library.write_text("bad\n")
    outcome = _run(built, "built_adapter:BuiltFake", "--library", str(library))
    assert outcome.ret == pytest.ExitCode.USAGE_ERROR
    outcome.stderr.fnmatch_lines([f"ERROR: adapter 'fake': {library} is not a fake-tls build"])


# -- the report ---------------------------------------------------------------------------------


def _model(folder: Path):
    runs, dropped = load_runs([folder])
    return build_model(runs, dropped)


def _openssl(version: str) -> dict:
    return {"tls_library": "OpenSSL", "tls_library_version": version, "library_version": version}


def test_columns_of_one_adapter_stand_together_ordered_by_version(tmp_path: Path) -> None:
    write_run(tmp_path / "a.jsonl", [result()], adapter="ref", label="ref-3.5.9", facts=_openssl("3.5.9"))
    write_run(tmp_path / "b.jsonl", [result()], adapter="ref", facts=_openssl("3.0.19"))
    write_run(tmp_path / "c.jsonl", [result()], adapter="ref", label="ref-1.1.1r", facts=_openssl("1.1.1r"))
    write_run(tmp_path / "d.jsonl", [result()], adapter="alpha")
    keys = [column.key for column in _model(tmp_path).columns]
    assert keys == ["alpha", "ref-1.1.1r", "ref", "ref-3.5.9"]


def test_clauses_newer_than_the_runs_documentation_are_marked_and_not_scored(tmp_path: Path) -> None:
    tests = [
        result("test_use.py::test_a[tls13]"),
        result("test_clear.py::test_b[tls13]", "fail", clauses=("clear-with-null",), reason="kept"),
    ]
    write_run(
        tmp_path / "results" / "old.jsonl", tests, adapter="ref", label="ref-1.1.1r", facts=_openssl("1.1.1r")
    )
    write_run(
        tmp_path / "results" / "new.jsonl", tests, adapter="ref", label="ref-3.5.9", facts=_openssl("3.5.9")
    )
    model = _model(tmp_path / "results")
    old, new = model.columns
    assert (old.documentation, old.undocumented, old.unscored) == (
        "1.1.1r",
        frozenset({"clear-with-null"}),
        1,
    )
    assert old.counts[Outcome.FAIL] == 1 and old.score == 1.0  # the fail is shown, not scored
    assert new.score == 0.5 and new.unscored == 0
    assert not model.cell("clear-with-null", old.key).documented
    assert model.cell("clear-with-null", new.key).documented and model.cell("use", old.key).documented

    assert make_reports([tmp_path / "results"], tmp_path / "out") == 0
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page.count("not documented for this version</span>") >= 2  # the matrix and the builds section
    assert "1 test not documented for 1.1.1r, not scored" in page
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "❌ fail: 0 of 1 pass, 1 fail (1 unexpected) (not documented for this version)" in summary


@pytest.mark.parametrize(
    ("facts", "undocumented"),
    [
        ({}, frozenset()),  # FakeSSL, not OpenSSL: judged by the newest pages
        ({"openssl_documentation": "3.0"}, frozenset({"clear-with-null"})),
        ({"openssl_documentation": "1.0.2"}, frozenset({"clear-with-null", "bad-if-open"})),
    ],
)
def test_other_libraries_are_judged_by_the_pages_they_name(tmp_path: Path, facts, undocumented) -> None:
    write_run(tmp_path / "r.jsonl", [result()], adapter="other", facts=facts)
    [column] = _model(tmp_path).columns
    assert column.undocumented == undocumented


def test_builds_compared_shows_only_the_clauses_that_differ(tmp_path: Path) -> None:
    same = result("test_use.py::test_a[tls13]")
    write_run(
        tmp_path / "a.jsonl",
        [same, result("test_r.py::t[tls13]", clauses=("replace",))],
        adapter="ref",
        label="ref-1",
        facts=_openssl("1.1.1"),
    )
    write_run(
        tmp_path / "b.jsonl",
        [same, result("test_r.py::t[tls13]", "crash", clauses=("replace",))],
        adapter="ref",
        label="ref-3",
        facts=_openssl("3.5"),
    )
    write_run(tmp_path / "c.jsonl", [same], adapter="alpha")
    [group] = _model(tmp_path).build_groups
    assert group.name == "ref" and [c.key for c in group.columns] == ["ref-1", "ref-3"]
    assert [clause.id for clause in group.differing] == ["replace"]


def test_diff_compares_two_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "results"
    write_run(folder / "ref-1.jsonl", [result()], adapter="ref", label="ref-1")
    write_run(folder / "ref-3.jsonl", [result(outcome="fail")], adapter="ref", label="ref-3")
    assert diff_results(Path("ref-1"), Path("ref-3"), folder) == 1
    out = capsys.readouterr().out
    assert "ref-1 -> ref-3  test_use.py::test_resumes[tls13]: pass -> fail" in out
    assert "compared two labels: ref-1 (before) with ref-3 (after)" in out
    assert diff_results(Path("ref-3"), Path("ref-1"), folder) == 0
