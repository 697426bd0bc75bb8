"""One battery run against one adapter: the per-run pytest plugin.

Design: ``ConformanceRun`` is registered by the entry-point plugin when
``--adapter`` is given. It loads the adapter (a wrong ``--library`` build is a
usage error; a missing library skips every test, or stops the run under
``--require-library``), names the run (its label), and goes through the
results file's life (``_results.ResultsWriter``): locked and temporary from
the start, published once the selection is valid, closed with the run's
``RunState``. Each battery test body runs in a child forked by the fork
server (``_jobs``, ``_forkserver``, ``_isolation``); its ending is judged
(``_test_result``), written at once, and told to pytest. An adapter that
breaks outside any test ends the run with ``ADAPTER_FAULT``.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from pathlib import Path
from typing import Any, NoReturn, cast

import msgspec
import pytest

from . import _version
from ._contract import Adapter, Credentials
from ._errors import LibraryUnavailable
from ._evidence import Evidence
from ._expectations import Expectations, ExpectationsError, load_expectations
from ._isolation import run_in_child, run_in_process
from ._items import declared_needs, select
from ._jobs import Jobs, fixtures_body, startable
from ._lab import Lab
from ._needs import NeedsError
from ._outcomes import describe_exception
from ._protocol import run_turn
from ._records import AdapterInfo, Ending, FactsRecord, RunHeader, RunState, StaleExpectation, TestResult
from ._registry import AdapterLoadError, load_adapter
from ._results import ResultsFileError
from ._results_writer import ResultsWriter, python_command, run_header
from ._terminal import safe
from ._test_result import judged_result, tell_pytest
from ._warmup import PreparedContexts, warm_parent

__all__ = ["ADAPTER_FAULT", "REQUIRE_LIBRARY_VARIABLE", "ConformanceRun"]

REQUIRE_LIBRARY_VARIABLE = "CONFORMANCE_REQUIRE_LIBRARY"
#: The exit status of a run whose adapter broke outside any test (construction, facts()).
ADAPTER_FAULT = 6


class ConformanceRun:
    """The state of one battery run against one adapter.

    Its results file goes through ``_results.ResultsWriter``'s life: locked and
    temporary from the start, moved into place at ``pytest_collection_finish``
    when tests will run, closed with the ``RunState`` at ``pytest_sessionfinish``.
    """

    def __init__(self, config: pytest.Config, spec: str) -> None:
        self.config = config
        self.spec = spec
        self.jobs: Jobs | None = None
        if config.getoption("jobs") < 1:
            raise pytest.UsageError(
                f"--jobs expects 1 or more test children at once; got {config.getoption('jobs')}"
            )
        if getattr(config.option, "numprocesses", None) or hasattr(config, "workerinput"):
            raise pytest.UsageError(
                "pytest-xdist cannot run the battery (its workers would each write the one results "
                "file and weigh the expectations against part of the tests); use --jobs N "
                "('conformance run NAME -j N', or '-n N', which it takes as -j N)"
            )
        if config.getoption("jobs") > 1 and config.getoption("no_isolation"):
            raise pytest.UsageError("--jobs runs tests in children at once; it cannot go with --no-isolation")
        self.timeout = _timeout(config.getoption("test_timeout"))
        try:
            self.found, adapter_class = load_adapter(spec)
        except AdapterLoadError as error:
            raise pytest.UsageError(str(error)) from None
        if ":" in spec:  # module:Class: the run is named by the class, as an installed one would be
            self.found = dataclasses.replace(self.found, name=adapter_class.name)
        self.unavailable = ""
        build = _name_build(adapter_class, config.getoption("library"))
        self.instance = self._instance(adapter_class, build)
        self.facts = self._facts()
        self.label = _label(config.getoption("label"), self.found.name, self.facts if build else None)
        self.expectations = self._expectations(config, adapter_class)
        self.results_path = Path(config.getoption("results_dir")) / f"{self.label}.jsonl"
        try:
            self.writer = ResultsWriter(self.results_path, self._header(adapter_class))
        except ResultsFileError as error:
            raise pytest.UsageError(str(error)) from None
        self.selected = 0
        self.skipped = 0
        self.selection_valid = False
        # Naming a file or a single test (path::name) is a partial run, as is deselecting any.
        self.complete_selection = all(Path(str(arg)).is_dir() for arg in config.args)
        self._prepared: PreparedContexts | None = None

    # -- setup -----------------------------------------------------------------------
    def _expectations(self, config: pytest.Config, adapter_class: type[Adapter]) -> Expectations:
        if config.getoption("no_expectations"):
            return Expectations(None, [])
        chosen = config.getoption("expectations")
        if chosen and not Path(chosen).is_file():
            raise pytest.UsageError(
                f"--expectations {chosen}: no such file; name an expectations file (TOML), "
                "or pass --no-expectations"
            )
        path = Path(chosen) if chosen else adapter_class.expectations_file
        try:
            return load_expectations(path)
        except ExpectationsError as error:
            raise pytest.UsageError(str(error)) from None

    def _instance(self, adapter_class: type[Adapter], build: bool) -> Adapter | None:
        try:
            return adapter_class()
        except LibraryUnavailable as error:
            if build:  # the user's own build: a wrong one is refused, not skipped
                raise pytest.UsageError(f"adapter {self.found.name!r}: {error}") from None
            self.unavailable = f"adapter {self.found.name!r}: {error}"
            return None
        except BaseException as error:  # the adapter's fault, outside any test
            _adapter_fault(f"{adapter_class.__name__}() raised {describe_exception(error)}", self.found.name)

    def _facts(self) -> FactsRecord:
        if self.instance is None:
            return FactsRecord()
        try:
            facts = self.instance.facts()
        except BaseException as error:  # the adapter's fault, outside any test
            _adapter_fault(f"facts() raised {describe_exception(error)}", self.found.name)
        try:
            return msgspec.convert(dataclasses.asdict(facts), FactsRecord)
        except (TypeError, msgspec.ValidationError) as error:
            shown = type(facts).__name__
            _adapter_fault(f"facts() returned {shown}, not a valid Facts ({error})", self.found.name)

    def _header(self, adapter_class: type[Adapter]) -> RunHeader:
        adapter = AdapterInfo(
            name=self.found.name,
            label=self.label,
            target=self.found.target,
            distribution=self.found.distribution,
            distribution_version=self.found.distribution_version,
            contract_version=adapter_class.contract_version,
            capabilities=sorted(c.value for c in adapter_class.capabilities),
            facts=self.facts,
            unavailable=self.unavailable,
            expectations=_where(self.expectations.source),
        )
        return run_header(adapter, _version.__version__, python_command())

    # -- collection ------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        select(config, items)
        for item in items:
            try:
                declared_needs(item)
            except NeedsError as error:
                raise pytest.UsageError(str(error)) from None
        if self.unavailable:
            if config.getoption("require_library") or os.environ.get(REQUIRE_LIBRARY_VARIABLE) == "1":
                raise pytest.UsageError(self.unavailable)
            for item in items:
                item.add_marker(pytest.mark.skip(reason=self.unavailable))
        self.selection_valid = True  # pytest calls collection_finish even after a UsageError here

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "setup" and report.skipped:  # a skip marker: no test ran, none was lost
            self.skipped += 1

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.complete_selection = False

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """The selection is valid: the results file takes the place of any earlier one."""
        battery = [item for item in session.items if item.get_closest_marker("clause")]
        if not self.selection_valid or session.testsfailed or self.config.option.collectonly or not battery:
            return
        self.selected = 0 if self.unavailable else len(battery)
        self.writer.publish()
        if not self.config.getoption("no_isolation"):
            self.jobs = Jobs(self.config.getoption("jobs"), session.items)

    # -- running -----------------------------------------------------------------------
    def prepared(self, adapter: Adapter, credentials: Credentials) -> PreparedContexts | None:
        """Contexts made ahead by the warm parent, for tests run in children (never in-process)."""
        if self.config.getoption("no_isolation"):
            return None
        if self._prepared is None:
            self._prepared = warm_parent(adapter, credentials)
        return self._prepared

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        marker = pyfuncitem.get_closest_marker("clause")
        if marker is None:
            return None
        lab = cast(Lab, pyfuncitem.funcargs["lab"])
        body = fixtures_body(pyfuncitem)
        started = time.perf_counter()
        timeout = self.timeout
        if self.config.getoption("no_isolation"):
            ending = run_in_process(body, lab.evidence)
        elif self.jobs is not None:
            prepared = self.prepared(lab.adapter, lab.credentials)
            new_lab = lambda needs: Lab(lab.adapter, lab.credentials, Evidence(), prepared, needs=needs)
            ending = self.jobs.ending(pyfuncitem, lab, new_lab, timeout)
        else:
            ending = run_in_child(body, lab.evidence, timeout)
        tell_pytest(self._record(pyfuncitem, marker, ending, started))
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
        """A battery test the fork server can start, once the first has run: a short turn."""
        jobs = self.jobs
        if jobs is None or jobs.new_lab is None or jobs.server is None or not startable(item):
            return None
        new_lab = jobs.new_lab

        def result() -> TestResult:
            started = time.perf_counter()
            ending = jobs.ending(item, None, new_lab, self.timeout)
            return self._record(item, cast(pytest.Mark, item.get_closest_marker("clause")), ending, started)

        run_turn(item, nextitem, result)
        return True

    def _record(self, item: pytest.Item, marker: pytest.Mark, ending: Ending, started: float) -> TestResult:
        """The test's result, judged and written."""
        rerun = f"conformance run {self.spec}{self._build_options()}"
        result = judged_result(item, marker, ending, time.perf_counter() - started, self.expectations, rerun)
        self.writer.add(result)
        return result

    def _build_options(self) -> str:
        library, label = self.config.getoption("library"), self.config.getoption("label")
        return (f" --library '{library}'" if library else "") + (f" --label '{label}'" if label else "")

    # -- the end -----------------------------------------------------------------------
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.jobs is not None:
            self.jobs.close()  # children started ahead of a run that stopped early
        self.state = self._state(session)
        complete = (
            self.writer.published
            and self.state is RunState.COMPLETE
            and self.complete_selection
            and not self.unavailable
        )
        self.stale = self.expectations.stale() if complete else []
        if self.stale and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        self.writer.close(
            self.state,
            exit_status=int(session.exitstatus),
            selected=max(0, self.selected - self.skipped),
            complete_selection=self.complete_selection,
            stale=[StaleExpectation(test=d.test, outcome=d.outcome, reason=d.reason) for d in self.stale],
        )

    def _state(self, session: pytest.Session) -> RunState:
        if session.exitstatus == pytest.ExitCode.INTERRUPTED:
            return RunState.INTERRUPTED
        if session.exitstatus == pytest.ExitCode.INTERNAL_ERROR:
            return RunState.CRASHED
        if session.shouldfail or session.shouldstop:
            return RunState.STOPPED_EARLY
        if self.writer.recorded + self.skipped < self.selected:  # tests the harness could not run
            return RunState.CRASHED
        return RunState.COMPLETE

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.writer.discard()  # a session that never finished: no file replaced, the lock released

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        write = lambda line: terminalreporter.write_line(safe(line))
        terminalreporter.section(safe(f"conformance: {self.label}"))
        if self.unavailable:
            write(f"NOT RUN: {self.unavailable}")
        counts = self.writer.counts
        write("outcomes: " + (", ".join(f"{n} {o.value}" for o, n in counts.items() if n) or "none"))
        for deviation in getattr(self, "stale", []):
            write(f"STALE expectation (matches no test): {deviation.test} -> {deviation.outcome.value}")
        if not self.writer.published:
            write(f"results: none written (no test ran); {self.results_path} left as it was")
            return
        state = getattr(self, "state", None)
        if state is not None and state is not RunState.COMPLETE:
            recorded = f"{self.writer.recorded} of {self.selected} tests recorded"
            write(f"run {state.value.upper()}: {recorded}; the results file says so")
        write(f"results: {self.results_path}")


def _timeout(value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise pytest.UsageError(f"--test-timeout {value:g}: expected a number of seconds above 0, such as 20")
    return value


def _adapter_fault(message: str, name: str) -> NoReturn:
    pytest.exit(f"adapter {name!r} broke outside any test: {message}", returncode=ADAPTER_FAULT)


def _where(path: Path | None) -> str:
    """An expectations file named by its package folder and name, not by this machine's path."""
    return f"{path.parent.name}/{path.name}" if path else ""


def _file_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def _name_build(adapter_class: type[Adapter], library: str | None) -> bool:
    """Point the adapter at ``--library`` (through its build variable); True if a build is named."""
    variable = adapter_class.build_variable
    if library:
        if variable is None:
            raise pytest.UsageError(
                f"adapter {adapter_class.name!r} takes no --library: its library is not chosen at run time"
            )
        os.environ[variable] = str(Path(library).absolute())
    return bool(variable and os.environ.get(variable))


def _label(chosen: str | None, name: str, built: FactsRecord | None) -> str:
    """The run's label: ``--label``, else the adapter's name, plus the version of a named build."""
    if chosen:
        if _file_name(chosen) != chosen or chosen.startswith("."):
            raise pytest.UsageError(
                f"--label {chosen!r}: use letters, digits, '.', '-' and '_' only (it names the results file)"
            )
        return chosen
    version = built.tls_library_version if built is not None else ""
    return _file_name(f"{name}-{version}" if version else name)
