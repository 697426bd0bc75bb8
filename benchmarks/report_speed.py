"""How long ``conformance report`` takes, how much memory, and how big its outputs are.

Prints figures for the results under reports/results (if any), for a
synthetic set of 100 adapters x 1,000 tests, and for one results file of
200 MB whose records carry large evidence (a trace of every call, library
error text), both generated into a temporary folder with the real run header
and test record shapes. Run from the project root:

    python benchmarks/report_speed.py [--results reports/results] [--adapters 100] [--tests 1000]
                                      [--big 200] [--no-browser] [--repeat 5] [--baseline TREE]

For each set, first the figure that counts: ``conformance report`` as a
command of its own, as a user types it (interpreter start and imports
included), making every output: the median of ``--repeat`` runs of its wall
seconds, CPU seconds (its own and its children's) and peak RSS, and the load
average. With ``--baseline TREE`` (a checkout of another commit, e.g. made with
``git worktree add``), the command of that tree's ``conformance`` package runs
too, interleaved run for run with this one, so that both see the same load.
Then the CPU seconds of each part in this process (reading; then, each on top
of that one shared read, the model, JUnit and merged.json; the page and the
Markdown from the model) and the whole report in this process (wall and CPU).

With Chromium and chromedriver installed it also prints how long the page takes
to load in headless Chromium (DOMContentLoaded) and how many elements it has.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec

from conformance import CATALOGUE, CONFIGS, Outcome, RunEnd, RunHeader, RunState, TestResult
from conformance._evidence import Check, EvidenceRecord, Op
from conformance._records import AdapterInfo
from conformance._results_writer import run_header
from conformance.report import make_reports
from conformance.report._build import ModelBuilder
from conformance.report._html import write_html
from conformance.report._junit import JUnitWriter
from conformance.report._markdown import render_markdown
from conformance.report._merged import MergedWriter
from conformance.report._sources import StreamedTest, find_files, stream_runs

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


def realistic_test(rng: random.Random, adapter: str, number: int) -> TestResult:
    """A test record with the evidence a real C-API run leaves: every call traced, and for a
    deviation the library's error queue in the notes (about 6 KB a record, 20 KB a deviation)."""
    test = synthetic_test(rng, adapter, number)
    config = test.config or "tls13"
    trace, steps = [], []
    for round_ in range(3):
        client, server = f"C{2 * round_ + 1}", f"C{2 * round_ + 2}"
        trace += [
            Op("context", {"side": "server", "config": config}, f"X{2 * round_ + 1}"),
            Op("context", {"side": "client", "config": config}, f"X{2 * round_ + 2}"),
            Op("connection", {"context": f"X{2 * round_ + 2}"}, client),
            Op("connection", {"context": f"X{2 * round_ + 1}"}, server),
            Op(
                "handshake",
                {"client": client, "server": server, "exchange": True},
                None,
                f"resumed on the wire: the server sent {rng.randint(150, 5000)} bytes",
                "resumed",
                {"resumed": True, "server_bytes": rng.randint(150, 5000)},
            ),
            Op("get_session", {"connection": client}, f"S{round_ + 1}", f"S{round_ + 1}", f"S{round_ + 1}"),
            Op("shutdown", {"connection": client}),
            Op("release", {"handle": client}),
        ]
        steps += [
            f"made server context X{2 * round_ + 1} ({config})",
            f"made client context X{2 * round_ + 2} ({config})",
            f"handshake {client} with {server}: resumed on the wire: the server sent 181 bytes "
            "(the leaf certificate alone is 4615)",
            f"got session S{round_ + 1} from {client}",
        ]
    notes = []
    if test.outcome is not Outcome.PASS:
        queue = "".join(
            f"error:{rng.randrange(1 << 32):08X}:SSL routines:ssl3_read_bytes:sslv3 alert handshake "
            f"failure:ssl/record/rec_layer_s3.c:{rng.randint(100, 2000)}:SSL alert number 40\n"
            for _ in range(120)
        )
        notes.append(f"the library's error queue after the call:\n{queue}")
    checks = [*test.evidence.checks, Check("session of C3 after the handshake", "S1", "S1", True)]
    evidence = EvidenceRecord(steps=steps, checks=checks, notes=notes, trace=trace)
    return msgspec.structs.replace(test, evidence=evidence)


def write_synthetic(
    folder: Path, adapters: int, tests: int, megabytes: float = 0, make: Any = synthetic_test
) -> None:
    """``adapters`` results files of ``tests`` tests each (or, with ``megabytes``, one that big)."""
    rng = random.Random(1)
    for index in range(adapters):
        name = f"adapter{index:03d}"
        header = _header(name, index)
        with (folder / f"{name}.jsonl").open("wb") as file:
            file.write(header.to_json() + b"\n")
            number, written = 0, 0
            while number < tests or written < megabytes * 1e6:
                written += file.write(make(rng, name, number).to_json() + b"\n")
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


def measure(label: str, results: Path, out: Path, browse: bool, repeat: int, baseline: Path | None) -> None:
    print(f"{label}:")
    commands = {"this tree": None} if baseline is None else {"this tree": None, "baseline": baseline}
    figures: dict[str, list[tuple[float, float, float, int]]] = {name: [] for name in commands}
    load = os.getloadavg()[0]
    for _ in range(repeat):  # interleaved, so that both see the same load; each into its own folder again
        for number, (name, tree) in enumerate(commands.items()):
            figures[name].append(whole_report(results, Path(f"{out}-command-{number}"), tree))
    for name, runs in figures.items():
        wall, cpu, peak = (statistics.median(run[index] for run in runs) for index in range(3))
        print(
            f"  'conformance report' as a command ({name}), median of {repeat}: {wall:.2f} s wall "
            f"(min {min(r[0] for r in runs):.2f}, max {max(r[0] for r in runs):.2f}), {cpu:.2f} s CPU, "
            f"peak RSS {peak:.0f} MB (exit {', '.join(sorted({str(r[3]) for r in runs}))})"
        )
    print(
        f"  load average (1 min) before, after: {load:.2f}, {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    files = find_files([results])
    phases = out / "phases"
    phases.mkdir(parents=True, exist_ok=True)

    def read() -> None:
        _stream(files, [])

    def model_only() -> None:
        _stream(files, [_ModelPart(ModelBuilder())])

    def model_and_junit() -> None:
        builder = ModelBuilder()
        with JUnitWriter() as junit:
            _stream(files, [_ModelPart(builder), _JUnitPart(junit)])
            junit.write(builder.model().columns, phases / "junit")

    def merged_only() -> None:
        with MergedWriter(phases / "merged.json") as merged:
            _stream(files, [_MergedPart(merged)])

    reading = _best(read, repeat)
    modelled = _best(model_only, repeat)
    junit = _best(model_and_junit, repeat) - modelled
    merged = _best(merged_only, repeat) - reading
    with contextlib.ExitStack() as opened:  # the page reads listed tests back from their files
        builder = ModelBuilder()
        _stream(files, [_ModelPart(builder)], opened)
        model = builder.model()
        html = _best(lambda: write_html(model, phases / "index.html"), repeat)
    markdown = _best(lambda: render_markdown(model), repeat)
    wall, cpu, status = 1e9, 1e9, 0
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            status = make_reports([results], out)
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - cpu_started)
    print(f"  {len(model.columns)} runs, {model.test_count:,} test results")
    print(
        f"  CPU s in this process (best of {repeat}): read {reading:.2f}; on top of it: model "
        f"{modelled - reading:.2f}, JUnit {junit:.2f}, merged.json {merged:.2f}; from the model: "
        f"HTML {html:.2f}, Markdown {markdown:.2f}"
    )
    print(
        f"  whole report in this process (exit {status}, best of {repeat}): {wall:.2f} s wall, "
        f"{cpu:.2f} s CPU of this process (a forked child reads the inputs beside it for JUnit and merged.json)"
    )
    for name in ("index.html", "summary.md", "merged.json"):
        print(f"  {name}: {(out / name).stat().st_size / 1e6:.2f} MB")
    junit_files = list((out / "junit").glob("*.xml"))
    size = sum(p.stat().st_size for p in junit_files)
    print(f"  junit/: {len(junit_files)} files, {size / 1e6:.2f} MB")
    print(f"  listed one by one: {'every test' if model.full_listing else 'all but expected passes'}")
    if browse:
        print(f"  headless Chromium: {browser_figures(out / 'index.html')}")


def _best(work: Any, repeat: int) -> float:
    """The least CPU time of ``repeat`` runs of ``work`` (the machine may be shared)."""
    best = 1e9
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def _stream(files: list[Path], parts: list[Any], opened: contextlib.ExitStack | None = None) -> None:
    """Read every run once, handing each test to ``parts`` (as ``make_reports`` does)."""
    with contextlib.ExitStack() as own:
        for run, tests in stream_runs(files, opened or own):
            for part in parts:
                part.start(run)
            for test in tests:
                for part in parts:
                    part.add(test)
            for part in parts:
                part.end(run)


class _ModelPart:
    def __init__(self, builder: ModelBuilder) -> None:
        self.builder = builder

    def start(self, run: Any) -> None:
        self.digest = self.builder.start(run)

    def add(self, test: StreamedTest) -> None:
        self.builder.add(self.digest, test[0], test[2], test[3], len(test[1]))

    def end(self, run: Any) -> None:
        pass


class _JUnitPart:
    def __init__(self, junit: JUnitWriter) -> None:
        self.junit = junit

    def start(self, run: Any) -> None:
        self.suite = self.junit.start(run)

    def add(self, test: StreamedTest) -> None:
        self.junit.add(self.suite, test[0])

    def end(self, run: Any) -> None:
        self.junit.end(self.suite)


class _MergedPart:
    def __init__(self, merged: MergedWriter) -> None:
        self.merged = merged

    def start(self, run: Any) -> None:
        self.merged.start(run)

    def add(self, test: StreamedTest) -> None:
        self.merged.add(test[1])

    def end(self, run: Any) -> None:
        self.merged.end(run)


def whole_report(results: Path, out: Path, tree: Path | None = None) -> tuple[float, float, float, int]:
    """Wall and CPU seconds, peak RSS (MB) and exit status of 'conformance report' as a process
    of its own (its rusage from wait4: its own and its children's, not that of this process's
    other children, such as Chromium), with ``tree``'s ``conformance`` package if given."""
    # `python -m` puts the current folder first on the path: run in the tree whose package is meant.
    env = dict(os.environ, PYTHONPATH=str(tree.resolve())) if tree else None
    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "conformance",
        "report",
        str(results.resolve()),
        "--out",
        str(out.resolve()),
    ]
    child = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=tree.resolve() if tree else None,
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode


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
        "--repeat",
        type=int,
        default=5,
        help="runs of each figure: medians, or bests in this process (default 5)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a source tree of another commit whose 'conformance report' runs interleaved with this one",
    )
    parser.add_argument(
        "--big",
        type=float,
        default=200,
        metavar="MB",
        help="also report one results file this big, of records with large evidence (0: not)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if list(args.results.glob("**/*.jsonl")):
            measure(
                str(args.results),
                args.results,
                Path(scratch, "real"),
                args.browser,
                args.repeat,
                args.baseline,
            )
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
            args.repeat,
            args.baseline,
        )
        if args.big:
            big = Path(scratch, "big")
            big.mkdir()
            write_synthetic(big, 1, 0, args.big, make=realistic_test)
            size = sum(p.stat().st_size for p in big.glob("*.jsonl")) / 1e6
            measure(
                f"one results file of {size:.0f} MB",
                big,
                Path(scratch, "big-out"),
                False,
                args.repeat,
                args.baseline,
            )


if __name__ == "__main__":
    main()
