"""What the own tests of every C adapter check of ``conformance run NAME --library PATH``.

Design: the same two checks for any adapter that names a ``build_variable``
(GnuTLS's and mbedTLS's tests call them; the libssl adapters have their own,
finer ones in ``tests/test_builds.py``). Each runs the real command in a
subprocess, so that the library loaded by the run never meets another one in
the test process: a copy of the default library at another path is loaded and
named in the facts, and the run is labelled by its version; a wrong file is
refused with one line, exit 4, and no results file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["check_a_copy_is_loaded", "check_a_wrong_file_is_refused"]


def _run(name: str, library: Path, config: str, results: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "conformance", "run", name, "--library", str(library), "--clause", "use"]
    command += ["--config", config, "--results-dir", str(results)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def check_a_copy_is_loaded(name: str, default: Path, config: str, folder: Path) -> None:
    """A copy of ``default`` at another path runs, is named in the facts, labels the run."""
    copy = folder / f"copy-{default.name}"
    shutil.copyfile(default, copy)
    done = _run(name, copy, config, folder / "results")
    assert done.returncode == 0, done.stdout + done.stderr
    (written,) = (folder / "results").glob("*.jsonl")
    header = json.loads(written.read_text(encoding="utf-8").splitlines()[0])
    notes = header["adapter"]["facts"]["notes"]
    assert any(note.startswith(f"loaded {copy} (sha256 ") for note in notes), notes
    assert header["adapter"]["label"] == written.stem and written.stem.startswith(f"{name}-")


def check_a_wrong_file_is_refused(name: str, wrong: Path | None, config: str, folder: Path) -> None:
    """``wrong`` (None: a text file) is refused in one ERROR line, exit 4, no results file."""
    given = folder / "libwrong.so"
    if wrong is None:
        given.write_text("not a library\n", encoding="utf-8")
    else:
        shutil.copyfile(wrong, given)
    done = _run(name, given, config, folder / "results")
    errors = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("ERROR")]
    assert done.returncode == 4 and len(errors) == 1, done.stdout + done.stderr
    assert str(given) in errors[0] and "Traceback" not in done.stderr
    assert not list((folder / "results").glob("*.jsonl"))
