"""Reproducers of a fresh run, built and run: they show what the results file says.

- wolfssl and boringssl: every fail and crash gets a C program, built with cc and
  run; it prints the same observed value (wire checks: the same kind, resumed or
  full, since the byte counts depend on the certificate; session ids: any id) or
  dies of the same signal. All are built and run, two at a time.
- pyopenssl: every fail gets a script over pyOpenSSL and trustme alone; the same check.
- stdlib: every refusal gets a script over ssl and trustme alone; the same refusal.
- reference (all pass): one reproducer per clause, a C program, exits 0.
- a mutant: its reproducer (the Python script: the bug lives in the adapter, not
  in libssl) shows the bug, where the C program of the same test exits 0.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import read_results
from conformance._reproduce import Reproducer, make_reproducer, scenario_of

REQUIRED = os.environ.get("CONFORMANCE_REQUIRE_LIBRARY") == "1"


def _fresh_run(adapter: str, folder: Path, *options: str) -> Path:
    command = [sys.executable, "-m", "conformance", "run", adapter, "--results-dir", str(folder), "-q"]
    completed = subprocess.run([*command, *options], capture_output=True, text=True, check=False)
    written = sorted(folder.glob("*.jsonl"))
    assert len(written) == 1, completed.stdout[-2000:] + completed.stderr[-2000:]
    run = read_results(written[0])
    if run.header.adapter.unavailable:
        if REQUIRED:
            pytest.fail(run.header.adapter.unavailable)
        pytest.skip(run.header.adapter.unavailable)
    assert run.complete, completed.stdout[-2000:] + completed.stderr[-2000:]
    return run.path


def _cc() -> None:
    if shutil.which("cc") is None:
        if REQUIRED:
            pytest.fail("no C compiler: install gcc (.ci/run does)")
        pytest.skip("no C compiler (cc)")


def _replay(results: Path, test_id: str, folder: Path) -> tuple[Reproducer, subprocess.CompletedProcess[str]]:
    """Write, build and run the reproducer of one test."""
    scenario = scenario_of(read_results(results), test_id, "conformance reproduce (test)")
    reproducer = make_reproducer(scenario)
    name = re.sub(r"\W+", "_", test_id)
    source, program = folder / f"{name}{reproducer.suffix}", folder / name
    source.write_text(reproducer.text)
    build = reproducer.build_command(str(source), str(program))
    if build:
        built = subprocess.run(build, capture_output=True, text=True, check=False)
        assert built.returncode == 0, f"{test_id}: {built.stderr[-3000:]}"
    command = [str(program)] if reproducer.language == "c" else [sys.executable, str(source)]
    return reproducer, subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _observed(output: str) -> str:
    """The observed value of the last deviating check the reproducer printed."""
    found = re.findall(r"observed: (.*)\n  -> DEVIATES", output)
    return found[-1] if found else f"(no deviation printed; output ends {output[-300:]!r})"


def _same(text: str) -> str:
    """A value with what depends on the run (byte counts, ids) left out."""
    wire = re.match(r"(resumed|full) on the wire", text)
    if wire:
        return wire.group(1)
    return re.sub(r"\b[0-9a-f]{16,}\b", "<id>", text)


def _signal(reason: str) -> int:
    return int(re.search(r"signal \w+ \((\d+)\)", reason).group(1))  # type: ignore[union-attr]


def _shows_the_same(results: Path, outcomes: tuple[str, ...], folder: Path, language: str) -> int:
    run = read_results(results)
    chosen = [test for test in run.tests if test.outcome.value in outcomes]
    assert chosen, f"{results}: no test ended in {outcomes}; the reproducer check would be empty"
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        replays = list(pool.map(lambda test: _replay(results, test.test_id, folder), chosen))
    problems = []
    for test, (reproducer, completed) in zip(chosen, replays, strict=True):
        if reproducer.language != language:
            problems.append(f"{test.test_id}: a {reproducer.language} reproducer, expected {language}")
        elif test.outcome.value == "crash":
            if completed.returncode != -_signal(test.reason):
                problems.append(f"{test.test_id}: exit {completed.returncode}, the run: {test.reason}")
        else:
            observed = _observed(completed.stdout)
            seen = test.observed or f"refused: {test.reason}"
            if completed.returncode != 1 or _same(observed) != _same(str(seen)):
                problems.append(
                    f"{test.test_id}: exit {completed.returncode}; observed {observed!r}, "
                    f"the run observed {test.observed!r}"
                )
    assert not problems, "\n".join(problems)
    return len(chosen)


@pytest.mark.parametrize("adapter", ["wolfssl", "boringssl"])
def test_every_fail_and_crash_is_reproduced_in_c(adapter: str, tmp_path: Path) -> None:
    _cc()
    results = _fresh_run(adapter, tmp_path)
    assert _shows_the_same(results, ("fail", "crash"), tmp_path, "c") > 0


def test_every_pyopenssl_fail_is_reproduced_by_a_script(tmp_path: Path) -> None:
    pytest.importorskip("conformance_pyopenssl")
    results = _fresh_run("pyopenssl", tmp_path)
    assert _shows_the_same(results, ("fail",), tmp_path, "python") > 0
    reproducer, _ = _replay(results, read_results(results).tests[0].test_id, tmp_path)
    assert "import conformance" not in reproducer.text and "from conformance" not in reproducer.text


def test_every_stdlib_refusal_is_reproduced_by_a_script_of_ssl_alone(tmp_path: Path) -> None:
    results = _fresh_run("stdlib", tmp_path)
    assert _shows_the_same(results, ("refused",), tmp_path, "python") > 0
    reproducer, _ = _replay(results, read_results(results).tests[0].test_id, tmp_path)
    assert "import conformance" not in reproducer.text and "from conformance" not in reproducer.text


def test_reference_reproducers_exit_zero_one_per_clause(tmp_path: Path) -> None:
    _cc()
    results = _fresh_run("reference", tmp_path)
    run = read_results(results)
    first: dict[str, str] = {}
    for test in run.tests:
        if test.outcome.value == "pass" and test.evidence.trace:
            first.setdefault(test.clauses[0], test.test_id)
    assert len(first) == len(run.header.catalogue)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        replays = dict(
            zip(first, pool.map(lambda test_id: _replay(results, test_id, tmp_path), first.values()))
        )
    failing = {
        clause: completed.stdout[-800:]
        for clause, (reproducer, completed) in replays.items()
        if completed.returncode != 0 or reproducer.language != "c"
    }
    assert not failing


def test_a_mutants_reproducer_shows_its_bug(tmp_path: Path) -> None:
    """The reproducer can fail: the mutant's shows the bug; the library's own C program does not."""
    _cc()
    test_id = "test_reused_flag.py::test_false_right_after_a_set[tls13]"
    mutant = "conformance_libssl._mutants_setting:ReusedFlagAlways"
    mutant_results = _fresh_run(mutant, tmp_path / "mutant", "--test", test_id, "--no-expectations")
    reproducer, completed = _replay(mutant_results, test_id, tmp_path)
    assert reproducer.language == "python"
    assert "from conformance_libssl._mutants_setting import ReusedFlagAlways" in reproducer.text
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert _observed(completed.stdout) == "True"
    reference_results = _fresh_run("reference", tmp_path / "reference", "--test", test_id)
    reproducer, completed = _replay(reference_results, test_id, tmp_path)
    assert (reproducer.language, completed.returncode) == ("c", 0), completed.stdout
