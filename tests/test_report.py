"""The report model and its outputs: index.html, summary.md, junit/, merged.json."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_report_support import result, sample_tests, write_run

from conformance import Outcome
from conformance.report import ReportSection, make_reports, render_section
from conformance.report._build import build_model
from conformance.report._sources import load_runs
from conformance.report._verdicts import is_worse, worst


def model_of(*paths: Path, limit: int = 10_000):
    runs, dropped = load_runs(list(paths))
    return build_model(runs, dropped, full_listing_limit=limit)


@pytest.fixture
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    write_run(folder / "alpha.jsonl", sample_tests(), adapter="alpha")
    write_run(folder / "beta.jsonl", [result()], adapter="beta")
    return folder


# -- the model --------------------------------------------------------------------------------


def test_outcome_ranks_put_crash_worst_and_pass_best() -> None:
    assert worst([Outcome.PASS, Outcome.FAIL, Outcome.REFUSED]) is Outcome.FAIL
    assert worst([Outcome.PASS, Outcome.NOT_OBSERVABLE]) is Outcome.PASS
    assert worst([Outcome.NOT_OBSERVABLE, Outcome.NOT_OBSERVABLE]) is Outcome.NOT_OBSERVABLE
    assert worst([Outcome.FAIL, Outcome.CRASH, Outcome.TIMEOUT]) is Outcome.CRASH
    assert worst([]) is None
    assert is_worse(Outcome.REFUSED, Outcome.PASS) and not is_worse(Outcome.FAIL, Outcome.CRASH)


def test_counts_and_score_per_adapter(results: Path) -> None:
    alpha, beta = model_of(results).columns
    assert alpha.counts == {outcome: 1 for outcome in Outcome}
    # pass / judged: fail, refused, crash and timeout count against; not-observable and error do not.
    assert (alpha.score, alpha.judged, alpha.total) == (1 / 5, 5, 7)
    assert alpha.unexpected == 4 and alpha.expected_deviations == 1
    assert beta.score == 1.0


def test_a_refusal_counts_against_the_score(tmp_path: Path) -> None:
    write_run(tmp_path / "r.jsonl", [result(outcome="refused"), result("t.py::b", outcome="pass")])
    [column] = model_of(tmp_path / "r.jsonl").columns
    assert column.score == 0.5


def test_score_is_none_when_nothing_was_judged(tmp_path: Path) -> None:
    write_run(tmp_path / "r.jsonl", [result(outcome="not-observable")])
    [column] = model_of(tmp_path / "r.jsonl").columns
    assert column.score is None and column.judged == 0


def test_a_cell_shows_the_worst_outcome_and_each_configuration(results: Path) -> None:
    model = model_of(results)
    use = model.cell("use", "alpha")
    assert use.worst is Outcome.FAIL
    assert [(config.id, outcome) for config, outcome, _ in use.by_config] == [
        ("tls12-sessionid", None),
        ("tls12-ticket", Outcome.FAIL),
        ("tls13", Outcome.PASS),
    ]
    assert use.tests[0].outcome is Outcome.FAIL  # worst first
    assert model.cell("replace", "alpha").worst is Outcome.CRASH
    assert model.cell("replace", "beta").tests == []


def test_a_cell_with_gaps_is_partial_and_says_what_it_rests_on(tmp_path: Path) -> None:
    tests = [result(f"test_use.py::test_{n}[tls13]") for n in range(6)]
    tests += [result(f"test_use.py::test_x{n}[tls13]", outcome="not-observable") for n in range(3)]
    write_run(tmp_path / "r.jsonl", tests)
    cell = model_of(tmp_path / "r.jsonl").cell("use", "fake")
    assert cell.worst is Outcome.PASS and cell.partial
    assert cell.tally == "6 of 9 pass, 3 not-observable"
    make_reports([tmp_path / "r.jsonl"], tmp_path / "out")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'class="cell o-pass partial"' in page and "6 of 9 pass, 3 not-observable" in page
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "✅ pass (partial): 6 of 9 pass, 3 not-observable" in summary


def test_clause_rows_come_from_the_catalogue_in_the_header(results: Path) -> None:
    rows = {row.id: row for row in model_of(results).clauses}
    assert rows["bad-if-open"].documented_since == "1.1.1"
    assert rows["clear-with-null"].section.startswith("DESCRIPTION")
    assert rows["use"].summary and rows["use"].known


def test_a_clause_no_catalogue_knows_still_gets_a_row(tmp_path: Path) -> None:
    write_run(tmp_path / "r.jsonl", [result(clauses=("from-the-future",))])
    row = model_of(tmp_path / "r.jsonl").clauses[-1]
    assert (row.id, row.known) == ("from-the-future", False)


def test_runs_of_one_adapter_stay_apart_named_by_what_differs(tmp_path: Path) -> None:
    write_run(tmp_path / "a.jsonl", [result()], python="3.11.9")
    write_run(
        tmp_path / "b.jsonl", [result(outcome="fail")], python="3.13.1", started="2026-01-02T10:00:00+00:00"
    )
    write_run(tmp_path / "c.jsonl", [result()], adapter="other")
    model = model_of(tmp_path)
    assert [c.key for c in model.columns] == ["fake · Python 3.11.9", "fake · Python 3.13.1", "other"]
    assert len({c.slug for c in model.columns}) == 3


def test_same_environment_runs_are_told_apart_by_start_time(tmp_path: Path) -> None:
    write_run(tmp_path / "a.jsonl", [result()], started="2026-01-01T10:00:00+00:00")
    write_run(tmp_path / "b.jsonl", [result()], started="2026-01-03T09:30:00+00:00")
    assert [c.key for c in model_of(tmp_path).columns] == [
        "fake · 2026-01-01 10:00",
        "fake · 2026-01-03 09:30",
    ]


def test_the_same_run_read_twice_is_kept_once(results: Path) -> None:
    model = model_of(results, results / "alpha.jsonl")
    assert [c.key for c in model.columns] == ["alpha", "beta"]
    assert model.duplicates_dropped == 1


def test_at_scale_expected_passes_are_counted_not_listed(results: Path) -> None:
    model = model_of(results, limit=3)
    listed = model.listed(model.cell("use", "alpha"))
    assert [(t.outcome, full) for t, full in listed] == [(Outcome.FAIL, True)]
    listed = model.listed(model.cell("get", "alpha"))
    assert [(t.outcome, full) for t, full in listed] == [
        (Outcome.REFUSED, False),
        (Outcome.NOT_OBSERVABLE, False),
    ]


# -- the outputs ------------------------------------------------------------------------------


def test_report_writes_every_output(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert make_reports([results], out) == 0
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "junit", "merged.json", "summary.md"]
    assert sorted(p.name for p in (out / "junit").iterdir()) == ["alpha.xml", "beta.xml"]
    assert "2 run(s), 8 test result(s)" in capsys.readouterr().out


def test_the_page_is_self_contained(results: Path, tmp_path: Path) -> None:
    make_reports([results], tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link\b|@import|url\(", page)
    # The only outside link is the expectation's own (https://example.org/why).
    assert re.findall(r'href="(https?:[^"]*)"', page) == ["https://example.org/why"]


def test_the_page_shows_environment_clause_facts_and_evidence(results: Path, tmp_path: Path) -> None:
    make_reports([results], tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    for text in (
        "FakeTLS 1.0",
        "FakeSSL 9.9",
        "CPython",
        "documented since 1.1.1",
        "DESCRIPTION ¶2",
        "20.0 %",
        "5 / 7",
        "test_reused_flag.py::test_true_after_a_resumed_handshake",  # the tests behind a capability
        "expected deviation",
        "the binding refuses it",
        "unexpected",
        "conformance run fake --test &#39;test_use.py::test_resumes[tls12-ticket]&#39;",
        "set session S1 on C3",
        "SIGSEGV",
    ):
        assert text in page, text
    # Every coloured verdict carries its label in text too.
    for outcome in Outcome:
        assert '<span class="verdict"><span class="sym" aria-hidden="true">' in page
        assert f"o-{outcome.value}" in page


def test_incomplete_and_unavailable_runs_are_flagged(tmp_path: Path) -> None:
    write_run(tmp_path / "r" / "cut.jsonl", [result()], adapter="cut", complete=False)
    write_run(tmp_path / "r" / "gone.jsonl", adapter="gone", unavailable="libgone is not installed")
    make_reports([tmp_path / "r"], tmp_path / "out")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "cut: run lost: no end record, the run was killed or its file cut (1 test(s) recorded)" in page
    assert '<span class="status st-lost">lost</span>' in page
    assert "gone: not run, the adapter is unavailable: libgone is not installed" in page
    assert 'data-adapter="gone" data-outcomes' not in page  # no matrix column
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "not run: libgone is not installed" in summary and "**Runs that did not complete**" in summary
    cut = ET.parse(tmp_path / "out" / "junit" / "cut.xml").getroot()
    assert cut.get("errors") == "1" and cut.find(".//error").get("type") == "incomplete"
    assert cut.find(".//error").get("message").startswith("the run did not complete: lost: no end record")
    gone = ET.parse(tmp_path / "out" / "junit" / "gone.xml").getroot()
    assert gone.get("skipped") == "1"


def test_junit_maps_outcomes_as_documented(results: Path, tmp_path: Path) -> None:
    make_reports([results], tmp_path)
    root = ET.parse(tmp_path / "junit" / "alpha.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "7",
        "2",
        "2",
        "2",
    )
    kinds = {}
    for case in root.iter("testcase"):
        child = next((c for c in case if c.tag in ("failure", "error", "skipped")), None)
        kinds[case.get("name").split("::")[1]] = (
            (child.tag, child.get("message")) if child is not None else None
        )
    assert kinds["test_resumes[tls13]"] is None
    assert kinds["test_resumes[tls12-ticket]"][0] == "failure"
    assert kinds["test_replace[tls12-sessionid]"][0] == "failure"  # timeout
    assert kinds["test_replace[tls13]"][0] == "error"  # crash
    assert kinds["test_wrong_type"][0] == "error"
    assert kinds["test_get_id[tls13]"] == ("skipped", "not-observable: needs capability session-id")
    assert kinds["test_get[tls13]"] == (
        "skipped",
        "expected deviation: refused: the binding refuses it (https://example.org/why)",
    )


def test_an_unexpected_pass_is_a_junit_failure(tmp_path: Path) -> None:
    write_run(tmp_path / "r.jsonl", [result(expected="fail", expectation_reason="known bug")])
    make_reports([tmp_path / "r.jsonl"], tmp_path / "out")
    failure = ET.parse(tmp_path / "out" / "junit" / "fake.xml").getroot().find(".//failure")
    assert failure.get("message") == "unexpected pass (expected fail: known bug)"


def test_stale_junit_files_of_this_report_go_others_stay(results: Path, tmp_path: Path) -> None:
    make_reports([results], tmp_path)
    (tmp_path / "junit" / "mine.xml").write_text("<testsuites/>", encoding="utf-8")
    make_reports([results / "beta.jsonl"], tmp_path)
    assert sorted(p.name for p in (tmp_path / "junit").iterdir()) == ["beta.xml", "mine.xml"]


def test_hidden_junit_parts_a_killed_report_left_go(results: Path, tmp_path: Path) -> None:
    make_reports([results], tmp_path)
    junit = tmp_path / "junit"
    ours = (junit / "alpha.xml").read_text(encoding="utf-8")
    # a report killed before putting its file in place
    (junit / ".gone.xml.part").write_text(ours, encoding="utf-8")
    (junit / ".theirs.xml.part").write_text("<testsuites/>", encoding="utf-8")  # not one of ours
    make_reports([results], tmp_path)
    assert sorted(p.name for p in junit.iterdir()) == [".theirs.xml.part", "alpha.xml", "beta.xml"]


def test_summary_markdown_has_the_table_the_matrix_and_the_unexpected(results: Path, tmp_path: Path) -> None:
    make_reports([results], tmp_path)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert (
        "| `alpha` | FakeTLS 1.0 | FakeSSL 9.9 | 1 | 1 | 1 | 1 | 1 | 1 | 1 | 20.0 % | 5 / 7 | **4** | complete |"
        in summary
    )
    assert "| `use` | ❌ fail: 1 of 2 pass, 1 fail (1 unexpected) | ✅ pass: 1 of 1 pass |" in summary
    assert "### Unexpected outcomes: 4" in summary
    assert "| `alpha` | `test_replace.py::test_replace[tls13]` | 💥 crash | pass |" in summary


def test_merged_json_holds_every_run_and_reads_back(results: Path, tmp_path: Path) -> None:
    make_reports([results], tmp_path / "out")
    document = json.loads((tmp_path / "out" / "merged.json").read_text(encoding="utf-8"))
    assert document["schema"] == "ssl-set-session-conformance/merged"
    assert [run["header"]["adapter"]["name"] for run in document["runs"]] == ["alpha", "beta"]
    assert [run["origin"] for run in document["runs"]] == ["alpha.jsonl", "beta.jsonl"]
    again = model_of(tmp_path / "out" / "merged.json")
    assert [c.key for c in again.columns] == ["alpha", "beta"]
    assert again.columns[0].counts == model_of(results).columns[0].counts


def test_an_extra_section_renders_escaped(results: Path, tmp_path: Path) -> None:
    body = render_section("<p>{{ mutant }} survived</p>", mutant="<b>m1</b>")
    section = ReportSection("kill-matrix", "Kill matrix", body, markdown="### Kill matrix\n\nall killed")
    make_reports([results], tmp_path, sections=[section])
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert (
        '<section id="kill-matrix" class="extra">' in page
        and '<a href="#kill-matrix">Kill matrix</a>' in page
    )
    assert "<p>&lt;b&gt;m1&lt;/b&gt; survived</p>" in page
    assert "### Kill matrix\n\nall killed" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_a_cell_shows_what_the_adapter_called_for_its_clause(tmp_path: Path) -> None:
    mapping = [{"clause": "use", "call": "lib_set_data()", "meaning": "copies the session's data"}]
    write_run(tmp_path / "r" / "mapped.jsonl", [result()], adapter="mapped", facts={"mapping": mapping})
    write_run(tmp_path / "r" / "plain.jsonl", [result()], adapter="plain")
    make_reports([tmp_path / "r"], tmp_path / "out")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="cell-mapping"') == 1
    assert "Called for this clause: <code>lib_set_data()</code>. copies the session&#39;s data" in page


# -- layering ---------------------------------------------------------------------------------


def _imports(module: str) -> set[str]:
    import ast
    import importlib

    source = Path(importlib.import_module(module).__file__).read_text(encoding="utf-8")
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


RENDERERS = ("._html", "._junit", "._markdown")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_each_renderer_reads_the_model_and_no_other_renderer(renderer: str) -> None:
    imported = _imports(f"conformance.report{renderer}")
    assert "._model" in imported
    assert not imported & set(RENDERERS), f"{renderer} imports another renderer: {imported}"


def test_the_kill_matrix_section_takes_its_format_from_the_format_module_not_the_selftest() -> None:
    imported = _imports("conformance.report._kill_matrix")
    assert ".._matrix_format" in imported
    assert ".._selftest" not in imported


def test_junit_and_summary_carry_the_page_s_score(results: Path, tmp_path: Path) -> None:
    make_reports([results], tmp_path)
    suite = ET.parse(tmp_path / "junit" / "alpha.xml").getroot().find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert (properties["conformance.score"], properties["conformance.judged"]) == ("20.0 %", "5 of 7")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "20.0 %" in page and "| 20.0 % | 5 / 7 |" in summary


# -- compiled templates -------------------------------------------------------------------------


def _page_and_summary(out: Path) -> tuple[str, ...]:
    """The page and the summary, the time they were made left out."""
    made = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?\S*")
    return tuple(made.sub("T", (out / name).read_text("utf-8")) for name in ("index.html", "summary.md"))


def test_a_cache_of_compiled_templates_that_cannot_be_made_or_written_changes_nothing(
    results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import tempfile

    from conformance.report import _html, _templates

    assert make_reports([results], tmp_path / "cached") == 0
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    (temporary / f"_jinja2-cache-{os.getuid()}").write_text("")  # where Jinja2's folder would be
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.setattr(_html, "_ENVIRONMENT", None)
    assert _templates.template_cache() is None
    assert make_reports([results], tmp_path / "uncached") == 0
    assert _page_and_summary(tmp_path / "uncached") == _page_and_summary(tmp_path / "cached")
    gone = _templates.template_cache(str(tmp_path / "gone"))  # a folder that is not there: nothing written
    assert gone is not None
    monkeypatch.setattr(_html, "template_cache", lambda: gone)
    monkeypatch.setattr(_html, "_ENVIRONMENT", None)
    assert make_reports([results], tmp_path / "unwritten") == 0
    assert _page_and_summary(tmp_path / "unwritten") == _page_and_summary(tmp_path / "cached")
    assert "error" not in capsys.readouterr().err
