"""Parametrization: a clause test runs once per protocol configuration where its clause means something."""

from __future__ import annotations

import dataclasses

import pytest

from conformance import CATALOGUE, CONFIGS, _catalogue
from conformance._catalogue import clause_by_id

ALL_CONFIG_IDS = [config.id for config in CONFIGS]

MODULE = """
    import pytest

    @pytest.mark.clause("use")
    def test_everywhere(lab, config):
        lab.check("a configuration of the contract", True, config.id in ("tls12-sessionid", "tls12-ticket", "tls13"))

    @pytest.mark.clause("use", configs=("tls13",))
    def test_tls13_only(lab, config):
        lab.check("the TLS version", "1.3", config.tls_version)

    @pytest.mark.clause("return-value")
    def test_without_a_handshake(lab):
        lab.check("a check", True, True)
"""


def test_a_clause_test_runs_once_per_configuration(battery) -> None:
    battery.write(MODULE)
    result = battery.run()
    result.assert_outcomes(passed=len(CONFIGS) + 2)
    by_test: dict[str, list[str | None]] = {}
    for test in battery.results().tests:
        by_test.setdefault(test.test_id.split("[")[0], []).append(test.config)
    assert by_test == {
        "test_battery.py::test_everywhere": ALL_CONFIG_IDS,
        "test_battery.py::test_tls13_only": ["tls13"],
        "test_battery.py::test_without_a_handshake": [None],
    }


def test_test_ids_name_the_configuration(battery) -> None:
    battery.write(MODULE)
    result = battery.run("FakeAdapter", "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [f"test_battery.py::test_everywhere[[]{config_id}[]]" for config_id in ALL_CONFIG_IDS]
        + ["test_battery.py::test_tls13_only[[]tls13[]]", "test_battery.py::test_without_a_handshake"]
    )


def test_a_clause_restricted_by_the_catalogue_runs_only_there(battery, monkeypatch) -> None:
    # A clause whose catalogue entry names fewer configurations is parametrized over those.
    narrowed = tuple(
        dataclasses.replace(clause, configs=("tls12-ticket",)) if clause.id == "get" else clause
        for clause in _catalogue.CATALOGUE
    )
    monkeypatch.setattr(_catalogue, "CATALOGUE", narrowed)
    battery.write(
        """
        import pytest

        @pytest.mark.clause("get")
        def test_get(lab, config):
            lab.check("the configuration", "tls12-ticket", config.id)
        """
    )
    result = battery.run()
    result.assert_outcomes(passed=1)
    assert [test.config for test in battery.results().tests] == ["tls12-ticket"]


def test_the_clauses_of_a_test_are_recorded(battery) -> None:
    battery.write(
        """
        import pytest

        @pytest.mark.clause("replace", "replace-after-use", configs=("tls13",))
        def test_two_clauses(lab, config):
            lab.check("a check", True, True)
        """
    )
    battery.run().assert_outcomes(passed=1)
    [test] = battery.results().tests
    assert test.clauses == ("replace", "replace-after-use")


def test_an_unknown_clause_fails_collection_listing_the_known_ids(battery) -> None:
    battery.write(
        """
        import pytest

        @pytest.mark.clause("no-such-clause")
        def test_unknown(lab, config):
            pass
        """
    )
    result = battery.run()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*ERROR collecting test_battery.py*", "*unknown clause 'no-such-clause'*"])
    known = ", ".join(clause.id for clause in CATALOGUE)
    assert f"expected one of: {known}" in result.stdout.str()


def test_battery_tests_without_an_adapter_are_a_usage_error(battery) -> None:
    battery.write(MODULE)
    result = battery.pytester.runpytest("-p", "conformance._pytest_plugin", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: these are battery tests: choose an adapter with --adapter NAME*"])


@pytest.mark.parametrize(
    "options, expected",
    [
        (
            ["--clause", "use"],
            {("test_everywhere", c) for c in ALL_CONFIG_IDS} | {("test_tls13_only", "tls13")},
        ),
        (["--config", "tls13"], {("test_everywhere", "tls13"), ("test_tls13_only", "tls13")}),
        (["--clause", "return-value"], {("test_without_a_handshake", None)}),
        (["--clause", "use", "--config", "tls12-ticket"], {("test_everywhere", "tls12-ticket")}),
    ],
)
def test_clause_and_config_options_select(battery, options: list[str], expected: set) -> None:
    battery.write(MODULE)
    battery.run("FakeAdapter", *options).assert_outcomes(passed=len(expected))
    run = battery.results()
    assert {(test.test_id.split("::")[1].split("[")[0], test.config) for test in run.tests} == expected
    assert run.end is not None and run.end.complete_selection is False


@pytest.mark.parametrize(
    "option, words",
    [
        ("--clause=nope", "ERROR: unknown clause 'nope'; expected one of: use, get*"),
        (
            "--config=tls14",
            "ERROR: unknown protocol configuration 'tls14'; expected one of: tls12-sessionid*",
        ),
    ],
)
def test_an_unknown_selection_is_a_usage_error(battery, option: str, words: str) -> None:
    battery.write(MODULE)
    result = battery.run("FakeAdapter", option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([words])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_clause_by_id_lists_the_known_ids() -> None:
    with pytest.raises(KeyError) as caught:
        clause_by_id("nope")
    assert all(clause.id in caught.value.args[0] for clause in CATALOGUE)
