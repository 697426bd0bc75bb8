"""A third party's adapter, end to end, following only the author's guide.

The guide's worked example (docs/writing-an-adapter.md) is written out file by
file into a temporary folder and pip-installed, as its own distribution, into a
virtual environment made for these tests. The environment sees this
interpreter's packages (the suite among them) through a ``.pth`` file, and
nothing is installed into this interpreter's own environment. The example then
goes through the guide's commands: ``conformance adapters`` lists it,
``conformance check`` passes, ``conformance run`` writes its results file where
the guide says, and ``conformance report`` includes it. At the end the
distribution is uninstalled and the folder goes.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import site
import subprocess
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from guide_example import write_example

from conformance import Outcome, read_results

DISTRIBUTION = "conformance-example-adapter"
NAME = "example"
#: The guide's "try it" run: clean with the example's expectations.
RUN = ["--clause", "use", "--clause", "clear-with-null"]


@dataclasses.dataclass
class Environment:
    python: Path
    folder: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), *args],
            cwd=self.folder,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            timeout=300,
        )

    def conformance(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "conformance", *args)


def _can_build_without_isolation() -> str:
    """Why pip cannot build the example here without fetching build tools, or ''."""
    import setuptools

    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    if (major, minor) >= (70, 1) or importlib.util.find_spec("wheel"):
        return ""
    return (
        f"setuptools {setuptools.__version__} builds wheels only with the 'wheel' package: "
        "install wheel (or setuptools>=70.1) in the test environment"
    )


def _make_environment(folder: Path) -> Path:
    """A virtual environment of its own that also sees this interpreter's packages."""
    venv.create(folder, with_pip=False, symlinks=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parents = [*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])]
    # addsitedir (not a bare path) so that the parents' own .pth files work: editable installs.
    lines = [f"import site; site.addsitedir({parent!r})" for parent in parents if Path(parent).is_dir()]
    Path(purelib, "_parent_environment.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return python


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    problem = _can_build_without_isolation()
    if problem:
        pytest.fail(problem, pytrace=False)
    folder = tmp_path_factory.mktemp("third-party")
    source = write_example(folder / DISTRIBUTION)
    environment = Environment(_make_environment(folder / "venv"), folder)
    install = environment.run(
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--disable-pip-version-check",
        "--quiet",
        str(source),
    )
    assert install.returncode == 0, install.stdout + install.stderr
    yield environment
    uninstall = environment.run("-m", "pip", "uninstall", "--yes", "--quiet", DISTRIBUTION)
    assert uninstall.returncode == 0, uninstall.stdout + uninstall.stderr
    left = environment.run("-c", f"import importlib.metadata as m; m.distribution({DISTRIBUTION!r})")
    assert left.returncode != 0, "the example distribution is still installed after the uninstall"


@pytest.fixture(scope="module")
def results_dir(installed: Environment) -> Path:
    """The guide's run of the battery, once for the tests that read its results."""
    results = installed.folder / "results"
    run = installed.conformance("run", NAME, *RUN, "--results-dir", str(results))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return results


def test_the_example_is_not_installed_here(installed: Environment) -> None:
    """The install went into the test's own environment, not the one running the tests."""
    assert importlib.util.find_spec("conformance_example") is None


def test_adapters_lists_it_with_its_distribution(installed: Environment) -> None:
    listing = installed.conformance("adapters")
    row = next((line for line in listing.stdout.splitlines() if line.split()[:1] == [NAME]), "")
    assert row.split()[1:4] == [DISTRIBUTION, "0.1.0", "available:"], listing.stdout
    assert "Traceback" not in listing.stdout + listing.stderr


def test_check_passes(installed: Environment) -> None:
    check = installed.conformance("check", NAME)
    assert check.returncode == 0, check.stdout + check.stderr
    assert not [line for line in check.stdout.splitlines() if line.startswith("FIX")]
    assert f"run the battery with 'conformance run {NAME}'" in check.stdout


def test_the_run_writes_its_results_file(installed: Environment, results_dir: Path) -> None:
    run = read_results(results_dir / f"{NAME}.jsonl")
    adapter = run.header.adapter
    assert (adapter.name, adapter.distribution, adapter.distribution_version) == (
        NAME,
        DISTRIBUTION,
        "0.1.0",
    )
    assert adapter.expectations.endswith("expectations.toml")
    assert run.complete and run.end.unexpected == 0
    seen = {
        (test.clauses[0], test.outcome) for test in run.tests if test.outcome is not Outcome.NOT_OBSERVABLE
    }
    assert seen == {("use", Outcome.PASS), ("clear-with-null", Outcome.REFUSED)}


def test_the_report_includes_it(installed: Environment, results_dir: Path) -> None:
    if importlib.util.find_spec("conformance.report") is None:
        pytest.skip("this suite has no 'conformance report' yet")
    out = installed.folder / "report"
    report = installed.conformance("report", str(results_dir), "--out", str(out))
    assert report.returncode == 0, report.stdout + report.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert NAME in page and DISTRIBUTION in page
