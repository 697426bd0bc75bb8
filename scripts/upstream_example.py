"""Regenerate the example of docs/reporting-upstream.md: a wolfSSL deviation, as a C reproducer.

Runs one battery test against the wolfssl adapter, writes its reproducer with
``conformance reproduce``, builds it with cc and runs it; the program and its
output go to docs/examples/. Run from the repository root, with the suite and
adapters/libssl installed (``tox -e tests`` has them) and libwolfssl35 and gcc present.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

TEST_ID = "test_get.py::test_reported_session_is_the_set_object[tls13]"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "examples"
NAME = "wolfssl-reported-session-is-a-copy"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        conformance = [sys.executable, "-m", "conformance"]
        run = [*conformance, "run", "wolfssl", "--test", TEST_ID, "--results-dir", "reports/results", "-q"]
        subprocess.run(run, cwd=work, capture_output=True, check=False)
        made = subprocess.run(
            [*conformance, "reproduce", "reports/results/wolfssl.jsonl", TEST_ID, "-o", "repro.c"],
            cwd=work,
            capture_output=True,
            text=True,
            check=True,
        )
        build = next(line for line in made.stdout.splitlines() if line.startswith("build: "))
        subprocess.run(shlex.split(build.removeprefix("build: ")), cwd=work, check=True)
        output = subprocess.run(["./repro"], cwd=work, capture_output=True, text=True, check=False)
        DOCS.mkdir(parents=True, exist_ok=True)
        (DOCS / f"{NAME}.c").write_text((work / "repro.c").read_text())
        (DOCS / f"{NAME}.txt").write_text(
            f"$ ./repro; echo exit $?\n{output.stdout}exit {output.returncode}\n"
        )
    print(f"wrote {DOCS / NAME}.c and .txt (the reproducer exited {output.returncode})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
