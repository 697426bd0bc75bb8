"""The pytest plugin that turns battery tests into conformance outcomes (the entry point).

Design: inert unless ``--adapter`` is given. It declares the options and
markers, parametrizes each ``@clause`` test over the protocol configurations
where its clause means something, and gives battery tests their fixtures
(the adapter behind the contract's return types, private credentials, a
fresh lab). With ``--adapter`` it registers a ``ConformanceRun`` (``_run``),
which runs each test in a forked child and writes the results.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest

from ._catalogue import clause_by_id
from ._configs import config_by_id
from ._contract import Adapter, Credentials
from ._credentials import private_credentials
from ._evidence import Evidence
from ._items import declared_needs
from ._lab import Lab
from ._needs import MARKER_LINE
from ._recorder import Recorder
from ._run import REQUIRE_LIBRARY_VARIABLE, ConformanceRun
from ._run_options import SHARED_OPTIONS

__all__ = ["adapter", "credentials", "lab"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "SSL_set_session() conformance battery")
    group.addoption("--adapter", help="run the battery against this adapter (name or module:Class)")
    for option in SHARED_OPTIONS:
        option.add_to_plugin(group)
    group.addoption("--test-timeout", type=float, default=20.0, help="seconds per test (default 20)")
    group.addoption("--no-isolation", action="store_true", help="run tests in-process (no crash isolation)")
    group.addoption(
        "--jobs", type=int, default=1, help="test children at once, results in test order (default 1)"
    )
    group.addoption(
        "--require-library",
        action="store_true",
        help=f"fail if the adapter's library is missing (also: {REQUIRE_LIBRARY_VARIABLE}=1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clause(*ids, configs=None): the clauses a battery test checks")
    config.addinivalue_line("markers", MARKER_LINE)
    spec = config.getoption("adapter", None)
    if spec:
        config.pluginmanager.register(ConformanceRun(config, spec), "conformance-run")


# -- fixtures: module level, so that they exist only once per run -------------------------


def _run_of(config: pytest.Config) -> ConformanceRun:
    run = config.pluginmanager.get_plugin("conformance-run")
    if run is None:
        raise pytest.UsageError("battery fixtures need an adapter: pass --adapter NAME")
    return run


@pytest.fixture(scope="session")
def adapter(request: pytest.FixtureRequest) -> Adapter:
    """The adapter under test, behind the contract's return types (``_recorder.RETURNS``).

    A value of the wrong type (``None`` from ``do_handshake``, the string ``"False"`` from
    ``session_reused``) is the adapter's bug: ``WrongReturn``, a ``ContractError``, so the test
    ends as ``error`` naming the method, never as the library's ``fail``.
    """
    instance = _run_of(request.config).instance
    assert instance is not None  # tests are skipped when the library is unavailable
    return cast(Adapter, Recorder(instance))


@pytest.fixture(scope="session")
def credentials() -> Iterator[Credentials]:
    """The CA and server certificate, made once per run in a private folder removed after it."""
    with private_credentials() as made:
        yield made


@pytest.fixture
def lab(request: pytest.FixtureRequest, adapter: Adapter, credentials: Credentials) -> Lab:
    """A fresh lab (and evidence) for one test, holding the capabilities the test declared;
    its contexts come from a warm parent if isolated."""
    prepared = _run_of(request.config).prepared(adapter, credentials)
    return Lab(adapter, credentials, Evidence(), prepared, needs=declared_needs(request.node))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("clause")
    if marker is None:
        return
    for clause_id in marker.args:
        clause_by_id(clause_id)  # an unknown id fails collection with the known ones listed
    if "config" in metafunc.fixturenames:
        ids = clause_by_id(marker.args[0]).configs
        wanted = marker.kwargs.get("configs")
        if callable(wanted):  # a property of the configuration, never a comparison of ids
            configs = [config for config in map(config_by_id, ids) if wanted(config)]
        else:
            configs = [config_by_id(config_id) for config_id in wanted or ids]
        metafunc.parametrize("config", configs, ids=[c.id for c in configs])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.pluginmanager.has_plugin("conformance-run"):
        return
    if any(item.get_closest_marker("clause") for item in items):
        raise pytest.UsageError(
            "these are battery tests: choose an adapter with --adapter NAME "
            "(see 'conformance adapters'), or run 'conformance run NAME'"
        )
