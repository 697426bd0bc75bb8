"""The ``conformance`` command: clear messages for bad input, listings, selection."""

from __future__ import annotations

import os
import sys

import pytest
from conftest import TESTS

from conformance import CATALOGUE, read_results
from conformance._cli import main
from conformance._registry import find_adapters


@pytest.fixture
def cli(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """Run ``python -m conformance ...`` in a subprocess that can import fake_adapter."""
    monkeypatch.setenv("PYTHONPATH", str(TESTS), prepend=os.pathsep)
    # The command relies on the plugin's entry point: plugin autoloading must stay on.
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)

    def run(*args: str) -> pytest.RunResult:
        return pytester.run(sys.executable, "-m", "conformance", *args)

    return run


def message_lines(result: pytest.RunResult) -> list[str]:
    return [line for line in result.stderr.lines + result.outlines if line.strip()]


def test_an_unknown_adapter_is_one_line_listing_the_installed_ones(cli) -> None:
    result = cli("run", "nosuchadapter")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    [line] = message_lines(result)
    assert line.startswith("ERROR: no adapter named 'nosuchadapter' is installed (installed: ")
    for found in find_adapters():
        assert found.name in line


def test_an_adapter_module_that_does_not_import_is_one_line(cli) -> None:
    result = cli("run", "no_such_module_here:Adapter")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    [line] = message_lines(result)
    assert "importing 'no_such_module_here' failed with ModuleNotFoundError" in line


def test_clause_and_config_select_from_the_battery(cli, pytester: pytest.Pytester) -> None:
    results = pytester.path / "results"
    cli(
        "run",
        "fake_adapter:FakeAdapter",
        "--clause",
        "use",
        "--config",
        "tls13",
        "--results-dir",
        str(results),
    )
    run = read_results(results / "fake.jsonl")
    assert run.tests, "the battery has tests of the 'use' clause in tls13"
    assert {(test.config, "use" in test.clauses) for test in run.tests} == {("tls13", True)}
    assert run.complete and run.end.complete_selection is False


def test_clauses_lists_every_catalogue_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clauses"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines() if line[:1].strip()}
    assert listed == {clause.id for clause in CATALOGUE}


def test_no_command_prints_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    out = capsys.readouterr().out
    for command in ("run", "adapters", "clauses", "check", "report"):
        assert command in out


def test_extra_arguments_are_refused_outside_run(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["clauses", "--bogus"])
    assert caught.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
