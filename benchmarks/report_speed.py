"""How long ``conformance report`` takes, and how big its page is.

Prints figures for the results under reports/results (if any) and for a
synthetic set of 100 adapters x 1,000 tests (generated into a temporary folder
with the real run header and test record shapes). Run from the project root:

    python benchmarks/report_speed.py [--results reports/results] [--adapters 100] [--tests 1000] [--no-browser]

With Chromium and chromedriver installed it also prints how long the page takes
to load in headless Chromium (DOMContentLoaded) and how many elements it has.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import msgspec

from conformance import CATALOGUE, CONFIGS, Outcome, RunEnd, RunHeader, RunState, TestResult
from conformance._evidence import Check, EvidenceRecord
from conformance._records import AdapterInfo
from conformance._results_writer import run_header
from conformance.report import make_reports
from conformance.report._build import build_model
from conformance.report._html import render_html
from conformance.report._markdown import render_markdown
from conformance.report._sources import load_runs

#: Outcome mix of the synthetic runs: mostly passes, as with real libraries.
MIX = (
    (Outcome.PASS, 0.90),
    (Outcome.NOT_OBSERVABLE, 0.04),
    (Outcome.REFUSED, 0.02),
    (Outcome.FAIL, 0.02),
    (Outcome.ERROR, 0.01),
    (Outcome.TIMEOUT, 0.005),
    (Outcome.CRASH, 0.005),
)


def synthetic_test(rng: random.Random, adapter: str, number: int) -> TestResult:
    clause = CATALOGUE[number % len(CATALOGUE)]
    config = CONFIGS[(number // len(CATALOGUE)) % len(CONFIGS)]
    outcome = rng.choices([o for o, _ in MIX], [w for _, w in MIX])[0]
    test_id = f"test_{clause.id.replace('-', '_')}.py::test_case_{number // 36:03d}[{config.id}]"
    steps = [f"made connection C{i} of X{i % 2 + 1}" for i in range(1, 9)]
    passed = outcome is Outcome.PASS
    checks = [Check("reuse flag of C3", "True", str(passed), passed)]
    expected = outcome if outcome is Outcome.REFUSED else Outcome.PASS
    return TestResult(
        test_id=test_id,
        clauses=(clause.id,),
        config=config.id,
        outcome=outcome,
        reason="" if outcome is Outcome.PASS else f"{outcome.value}: synthetic reason for test {number}",
        evidence=EvidenceRecord(steps=steps, checks=checks),
        duration=rng.uniform(0.002, 0.05),
        expected_outcome=expected,
        expectation_reason="the binding refuses this call" if expected is Outcome.REFUSED else "",
        title=f"Synthetic test {number} of clause {clause.id}.",
        rerun=f"conformance run {adapter} --test '{test_id}'",
    )


def write_synthetic(folder: Path, adapters: int, tests: int, megabytes: float = 0) -> None:
    """``adapters`` results files of ``tests`` tests each (or, with ``megabytes``, one that big)."""
    rng = random.Random(1)
    for index in range(adapters):
        name = f"adapter{index:03d}"
        header = _header(name, index)
        with (folder / f"{name}.jsonl").open("wb") as file:
            file.write(header.to_json() + b"\n")
            number, written = 0, 0
            while number < tests or written < megabytes * 1e6:
                written += file.write(synthetic_test(rng, name, number).to_json() + b"\n")
                number += 1
            end = RunEnd(state=RunState.COMPLETE, finished=header.started, selected=number, recorded=number)
            file.write(end.to_json() + b"\n")


def _header(name: str, index: int) -> RunHeader:
    info = msgspec.convert(
        {
            "name": name,
            "target": "synthetic:Adapter",
            "distribution": "synthetic",
            "distribution_version": "0",
            "contract_version": 1,
            "capabilities": ["reuse-flag"],
            "unavailable": "",
            "expectations": "",
            "facts": {
                "library": "Synthetic",
                "library_version": f"1.{index}",
                "tls_library": "SynthSSL",
                "tls_library_version": "3.0",
                "notes": [],
            },
        },
        AdapterInfo,
    )
    return run_header(info, "0.1.0", f"conformance run {name}")


def measure(label: str, results: Path, out: Path, browse: bool) -> None:
    started = time.perf_counter()
    runs, dropped = load_runs([results])
    loaded = time.perf_counter()
    model = build_model(runs, dropped)
    modelled = time.perf_counter()
    html = render_html(model)
    rendered = time.perf_counter()
    render_markdown(model)
    marked = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        status = make_reports([results], out)
    total = time.perf_counter() - marked
    whole = whole_report(results, Path(str(out) + "-subprocess"))
    tests = sum(len(r.tests) for r in runs)
    print(f"{label}: {len(runs)} runs, {tests:,} test results")
    print(
        f"  read {loaded - started:.2f} s, model {modelled - loaded:.2f} s, "
        f"HTML {rendered - modelled:.2f} s, Markdown {marked - rendered:.2f} s"
    )
    print(f"  whole 'conformance report' (exit {status}): {total:.2f} s")
    print(f"  'conformance report' as a command: {whole}")
    for name in ("index.html", "summary.md", "merged.json"):
        print(f"  {name}: {(out / name).stat().st_size / 1e6:.2f} MB")
    junit = sum(p.stat().st_size for p in (out / "junit").glob("*.xml"))
    print(f"  junit/: {len(list((out / 'junit').glob('*.xml')))} files, {junit / 1e6:.2f} MB")
    print(
        f"  listed one by one: {'every test' if model.full_listing else 'all but expected passes'}; "
        f"HTML characters {len(html):,}"
    )
    if browse:
        print(f"  headless Chromium: {browser_figures(out / 'index.html')}")


def whole_report(results: Path, out: Path) -> str:
    """Wall time, CPU time and peak memory of 'conformance report' in a process of its own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [sys.executable, "-m", "conformance", "report", str(results), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    # ru_maxrss of the children is the largest child so far: this one, as the report is the largest.
    return (
        f"{wall:.2f} s wall, {cpu:.2f} s CPU, peak RSS {after.ru_maxrss / 1024:.0f} MB "
        f"(exit {done.returncode})"
    )


def browser_figures(page: Path) -> str:
    """Load time and DOM size of the page in headless Chromium, if it is installed."""
    import shutil

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        return "not measured (chromium or chromedriver not installed)"
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    with tempfile.TemporaryDirectory() as profile:
        for flag in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(
            options=options, service=webdriver.ChromeService(shutil.which("chromedriver"))
        )
        try:
            driver.get(page.as_uri())
            loaded, elements = driver.execute_script(
                "const t = performance.timing;"
                "return [t.domContentLoadedEventEnd - t.navigationStart, document.getElementsByTagName('*').length]"
            )
        finally:
            driver.quit()
    return f"DOMContentLoaded after {loaded / 1000:.2f} s, {elements:,} elements"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapters", type=int, default=100)
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--results", type=Path, default=Path("reports/results"), help="real results to time")
    parser.add_argument(
        "--no-browser", dest="browser", action="store_false", help="skip the Chromium load time"
    )
    parser.add_argument(
        "--big", type=float, default=0, metavar="MB", help="also report one results file this big"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if list(args.results.glob("**/*.jsonl")):
            measure(str(args.results), args.results, Path(scratch, "real"), args.browser)
        else:
            print(f"{args.results}: no results files (run 'conformance run ADAPTER' first)")
        synthetic = Path(scratch, "synthetic")
        synthetic.mkdir()
        started = time.perf_counter()
        write_synthetic(synthetic, args.adapters, args.tests)
        print(
            f"(generated {args.adapters} x {args.tests} synthetic results in {time.perf_counter() - started:.1f} s)"
        )
        measure(
            f"synthetic {args.adapters} adapters x {args.tests} tests",
            synthetic,
            Path(scratch, "synthetic-out"),
            args.browser,
        )
        if args.big:
            big = Path(scratch, "big")
            big.mkdir()
            write_synthetic(big, 1, 0, args.big)
            size = sum(p.stat().st_size for p in big.glob("*.jsonl")) / 1e6
            print(f"one results file of {size:.0f} MB: {whole_report(big, Path(scratch, 'big-out'))}")


if __name__ == "__main__":
    main()
