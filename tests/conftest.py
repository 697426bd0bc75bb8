"""Fixtures for the suite's own tests: a fake adapter, a lab on it, and battery runs.

Battery-style runs happen in pytester: ``battery.write`` puts a test module in
the pytester folder, ``battery.run`` runs it with ``--adapter
fake_adapter:NAME`` (in process, or in a subprocess for crashes and hangs), and
``battery.results`` reads the results file back. ``fake_adapter`` is found
through PYTHONPATH in subprocesses and through ``sys.modules`` in process.
"""

from __future__ import annotations

import importlib
import os
import textwrap
from pathlib import Path

import pytest
from fake_adapter import FakeAdapter, fake_credentials

from conformance import Credentials, Run, read_results
from conformance._evidence import Evidence
from conformance._lab import Lab

TESTS = Path(__file__).resolve().parent
#: The inner runs treat warnings as errors too (as this project's own run does).
INNER_INI = "[pytest]\nfilterwarnings =\n    error\n"
#: The inner runs hand the fake its own credentials: making real ones costs more than the tests.
INNER_CONFTEST = """
import pytest
from fake_adapter import fake_credentials

@pytest.fixture(scope="session")
def credentials(tmp_path_factory):
    return fake_credentials(tmp_path_factory.mktemp("credentials"))
"""


@pytest.fixture(name="fake_credentials")
def fake_credentials_fixture(tmp_path: Path) -> Credentials:
    return fake_credentials(tmp_path)


@pytest.fixture
def fake() -> FakeAdapter:
    return FakeAdapter()


@pytest.fixture
def lab(fake: FakeAdapter, fake_credentials: Credentials) -> Lab:
    return Lab(fake, fake_credentials, Evidence())


class Battery:
    """Battery-style test modules run against a fake adapter in pytester."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.results_dir = pytester.path / "results"
        pytester.makeini(INNER_INI)
        pytester.makeconftest(INNER_CONFTEST)

    def write(self, source: str, name: str = "test_battery") -> Path:
        return self.pytester.makepyfile(**{name: textwrap.dedent(source)})

    def options(self, adapter: str, *args: str) -> list[str]:
        return [
            "--adapter",
            adapter if ":" in adapter else f"fake_adapter:{adapter}",
            "--results-dir",
            str(self.results_dir),
            "-p",
            "no:cacheprovider",
            "-p",
            "conformance._pytest_plugin",
            *args,
        ]

    def run(self, adapter: str = "FakeAdapter", *args: str) -> pytest.RunResult:
        """In process: fast; for runs where no test crashes or hangs the whole process."""
        return self.pytester.runpytest(*self.options(adapter, *args))

    def run_subprocess(self, adapter: str = "FakeAdapter", *args: str) -> pytest.RunResult:
        return self.pytester.runpytest_subprocess(*self.options(adapter, *args))

    def results(self, adapter: str = "FakeAdapter") -> Run:
        return read_results(self.results_path(adapter))

    def results_path(self, adapter: str = "FakeAdapter") -> Path:
        # A module:Class adapter is named by its class's name ("fake_adapter:FakeAdapter" -> fake.jsonl).
        module, _, name = adapter.rpartition(":")
        return (
            self.results_dir
            / f"{getattr(importlib.import_module(module or 'fake_adapter'), name).name}.jsonl"
        )


@pytest.fixture
def battery(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Battery:
    monkeypatch.setenv("PYTHONPATH", str(TESTS), prepend=os.pathsep)
    # Only this project's plugin: other installed plugins slow every inner run down.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return Battery(pytester)
