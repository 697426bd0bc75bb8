"""Hostile text never reaches the terminal raw; the commands end in one line whatever happens.

An adapter whose name, facts and library error carry ESC sequences (``fault_adapters.EscapingFake``)
goes through ``check``, ``run``, ``report`` (Markdown and JUnit): no raw control byte comes out.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance._terminal import safe

TESTS = Path(__file__).resolve().parent
ESCAPING = "fault_adapters:EscapingFake"


def conformance(*args: str, cwd: Path, **options) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **options}
    return subprocess.run([sys.executable, "-m", "conformance", *args], cwd=cwd, env=env, **streams)


def test_safe_shows_control_characters_escaped() -> None:
    assert safe("a\x1b]0;x\x07b\tc\nd\x9be\x7f") == "a\\x1b]0;x\\x07b\tc\nd\\x9be\\x7f"


def test_check_prints_no_raw_escape(tmp_path: Path) -> None:
    done = conformance("check", ESCAPING, cwd=tmp_path)
    output = done.stdout + done.stderr
    assert b"\x1b" not in output and b"\x07" not in output
    assert b"\\x1b" in output  # shown, escaped


def test_run_and_its_reports_carry_no_raw_escape(tmp_path: Path) -> None:
    results = tmp_path / "results"
    run = conformance(
        "run", ESCAPING, "--clause", "use", "--config", "tls13", "--results-dir", str(results), cwd=tmp_path
    )
    assert b"\x1b" not in run.stdout + run.stderr, (run.stdout + run.stderr)[-3000:]
    assert b"\\x1b" in run.stdout  # the library's error, shown escaped
    report = conformance("report", str(results), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert b"\x1b" not in report.stdout + report.stderr
    assert b"\x1b" not in (tmp_path / "out" / "summary.md").read_bytes()
    for junit in (tmp_path / "out" / "junit").glob("*.xml"):
        assert b"\x1b" not in junit.read_bytes() and b"\\x1b" in junit.read_bytes()


def test_a_reader_that_leaves_early_is_no_traceback(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # `conformance clauses | head -0`: nobody reads
    try:
        done = conformance("clauses", cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr
    assert done.returncode == 1


@pytest.mark.parametrize("command", ["check", "run"])
def test_an_adapter_that_exits_on_import_is_one_line(tmp_path: Path, command: str) -> None:
    (tmp_path / "exiting_adapter.py").write_text("import sys\nsys.exit(0)\n", encoding="utf-8")
    env_path = {"PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "conformance", command, "exiting_adapter:Adapter"],
        cwd=tmp_path,
        env={**os.environ, **env_path},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "importing 'exiting_adapter' failed with SystemExit: 0" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
