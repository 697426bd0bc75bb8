"""``conformance check ADAPTER``: a fast preflight of one adapter.

Design: the checks come in three stages, each check one printed line, ``ok``
or ``FIX`` with what was expected and what was seen:

1. the contract: the registry's ``contract_problems``, one line each (an
   adapter that breaks the contract goes no further: the battery refuses it);
2. the start: instantiation (``LibraryUnavailable`` carries the why) and ``facts``;
3. a few real handshakes in every configuration of ``CONFIGS`` through the ``Lab``: the core steps,
   then one probe per declared capability, then one line per method on what
   it returned (the tables are in ``_recorder``, ``_scene`` and ``_probes``).

Stages 2 and 3 run in a forked child (``_isolation``), so an adapter that
crashes or hangs is reported, not fatal; the checks travel back as
``Evidence`` checks. Whatever an adapter raises becomes a message naming the
method, never a traceback. A probe that raises ``NotObservable`` is a skip
(the adapter says why), unless it does so in every configuration.

Last, one ``need`` line per capability names the battery tests that declare
it (``@pytest.mark.needs``), so an author sees what a capability not declared
leaves not-observable.

Exit status: 0 when every check passes, 1 when any fails, 2 when the adapter
cannot be found or imported.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

from ._capabilities import Capability
from ._configs import CONFIGS, ProtocolConfig
from ._contract import Adapter, Credentials
from ._credentials import private_credentials
from ._errors import HandshakeFailed, LibraryUnavailable, NotObservable
from ._evidence import Check, Evidence
from ._isolation import run_in_child
from ._lab import Lab
from ._needs import battery_needs
from ._outcomes import Outcome
from ._probes import PROBES, check_facts
from ._recorder import RETURNS, Recorder, WrongReturn
from ._registry import NOT_INSTALLED, AdapterLoadError, FoundAdapter, contract_problems, resolve_adapter
from ._scene import CORE_STEPS, GOES_ON, Scene, Unmet

__all__ = ["check_adapter"]
#: Seconds for stages 2 and 3 together; a real adapter needs one or two.
TIME_LIMIT = 120.0


# -- recording checks ---------------------------------------------------------------------


def _passed(evidence: Evidence, what: str, seen: str) -> None:
    evidence.checks.append(Check(what, "", seen, True))


def _failed(evidence: Evidence, what: str, expected: str, seen: str) -> None:
    evidence.checks.append(Check(what, expected, seen, False))


def _failure(error: Exception, recorder: Recorder | None) -> tuple[str, str]:
    """(expected, seen) for an exception that ended a check."""
    if isinstance(error, Unmet):
        return error.expected, error.seen
    if isinstance(error, WrongReturn):
        return f"{error.method}() to return {error.expected}", error.seen
    method = f"{recorder.last_call}()" if recorder and recorder.last_call else "the adapter"
    if isinstance(error, HandshakeFailed):
        return "the handshake to complete", f"it failed: {error}"
    if isinstance(error, NotObservable):
        return (
            f"{method} to observe (it belongs to a declared capability or the core)",
            f"NotObservable: {error}",
        )
    return f"{method} to return normally", f"it raised {type(error).__name__}: {error}"


def _attempt(
    evidence: Evidence,
    what: str,
    recorder: Recorder | None,
    probe: Callable[[], str],
    passing: tuple[type[Exception], ...] = (),
) -> bool:
    """Run one check and record its line; exceptions in ``passing`` go to the caller."""
    try:
        seen = probe()
    except passing:
        raise
    except Exception as error:  # an adapter may raise anything; report it, never a traceback
        _failed(evidence, what, *_failure(error, recorder))
        return False
    _passed(evidence, what, seen)
    return True


# -- stage 2: the start ------------------------------------------------------------------


def _start(cls: type[Adapter], evidence: Evidence) -> Recorder | None:
    try:
        adapter = cls()
    except LibraryUnavailable as error:
        _failed(
            evidence, "start", f"{cls.__name__}() to make an adapter", f"the library is unavailable: {error}"
        )
        return None
    except Exception as error:
        _failed(
            evidence,
            "start",
            f"{cls.__name__}() to make an adapter",
            f"it raised {type(error).__name__}: {error}",
        )
        return None
    recorder = Recorder(adapter)
    _attempt(evidence, "facts()", recorder, lambda: check_facts(recorder.facts()))
    return recorder


# -- stage 3: handshakes and capabilities ------------------------------------------------


def _check_config(recorder: Recorder, lab: Lab, config: ProtocolConfig, unobserved: list[Capability]) -> bool:
    """The checks of one configuration; False if the adapter cannot build it."""
    evidence = lab.evidence
    scene = Scene(lab, recorder, config, unobserved=unobserved)
    try:
        scene.server, scene.client = lab.server(config), lab.client(config)
    except NotObservable as reason:
        evidence.note(f"{config.id}: the adapter cannot build this configuration ({reason})")
        return False
    except Exception as error:
        _failed(evidence, f"{config.id}: make_context()", *_failure(error, recorder))
        return True
    for name, step in CORE_STEPS:
        if not _attempt(evidence, f"{config.id}: {name}", recorder, functools.partial(step, scene)):
            if name not in GOES_ON:
                return True  # nothing after a failed core step can be observed
    for capability, probe in PROBES.items():
        if capability in recorder.capabilities:
            _probe(scene, capability, probe)
    return True


def _probe(scene: Scene, capability: Capability, probe: Callable[[Scene], str]) -> None:
    """One capability's probe; NotObservable here is a skip (the adapter says why), not a failure."""
    what = f"{scene.config.id}: {capability.value}"
    try:
        _attempt(scene.lab.evidence, what, scene.adapter, lambda: probe(scene), passing=(NotObservable,))
    except NotObservable as reason:
        scene.lab.evidence.note(f"{what}: not observable in this configuration ({reason})")
        scene.unobserved.append(capability)


def _declared_methods(recorder: Recorder) -> list[str]:
    methods = [name for name in RETURNS if name in Adapter.__abstractmethods__]
    for capability in sorted(recorder.capabilities, key=lambda c: c.value):
        methods.extend(capability.adapter_methods)
    return methods


def _return_checks(recorder: Recorder, evidence: Evidence) -> None:
    for method in _declared_methods(recorder):
        calls = recorder.calls[method]
        what = f"returns of {method}()"
        if method in recorder.wrong:
            _failed(evidence, what, RETURNS[method].expected, recorder.wrong[method])
        elif calls:
            _passed(evidence, what, f"{RETURNS[method].expected.split(':')[0]}, in {calls} call(s)")


def _handshake_stage(cls: type[Adapter], credentials: Credentials, evidence: Evidence) -> None:
    recorder = _start(cls, evidence)
    if recorder is None:
        return
    lab = Lab(recorder, credentials, evidence)  # type: ignore[arg-type]
    unobserved: list[Capability] = []
    built = [_check_config(recorder, lab, config, unobserved) for config in CONFIGS]
    if not any(built):
        _failed(
            evidence,
            "configurations",
            f"the adapter to build at least one of {', '.join(c.id for c in CONFIGS)}",
            "it raised NotObservable for each (see above)",
        )
    for capability in sorted(set(unobserved), key=lambda c: c.value):
        if unobserved.count(capability) == sum(built):
            _failed(
                evidence,
                capability.value,
                "a declared capability to observe in at least one configuration",
                "NotObservable in every one: declare only what the adapter can observe",
            )
    _return_checks(recorder, evidence)


# -- the command -------------------------------------------------------------------------


def check_adapter(spec: str) -> int:
    """Preflight the adapter ``spec`` (name or module:Class); print one line per check."""
    try:
        found = resolve_adapter(spec)
        cls = found.load()
    except AdapterLoadError as error:
        print(f"cannot check {spec!r}: {error}")
        return 2
    print(f"checking adapter {found.name!r} ({_origin(found)})")
    checks = _contract_checks(cls)
    notes: list[str] = []
    if all(check.ok for check in checks):
        evidence = Evidence()
        sys.stdout.flush()  # the child must not inherit unwritten output
        # The key's folder is made and removed here: a child that crashes cannot leave it behind.
        with private_credentials() as credentials:
            body = lambda: _handshake_stage(cls, credentials, evidence)
            ending = run_in_child(body, evidence, TIME_LIMIT)
        checks += ending.evidence.checks
        notes = ending.evidence.notes
        if ending.outcome is not Outcome.PASS:
            checks.append(Check("the checks", "them to finish", ending.reason, False))
    for line in _lines(checks, notes):
        print(line)
    for line in need_lines(cls.capabilities):
        print(line)
    return _summary(checks, found)


def need_lines(declared: frozenset[Capability]) -> list[str]:
    """One line per capability: the battery tests that declare a need of it (``_needs``)."""
    lines = []
    for capability, tests in battery_needs().items():
        if capability in declared:
            lines.append(f"need  {capability.value} (declared): {len(tests)} test(s) observe it")
        else:
            names = ", ".join(tests) or "none"
            lines.append(
                f"need  {capability.value} (not declared): not-observable in {len(tests)} test(s): {names}"
            )
    return lines


def _origin(found: FoundAdapter) -> str:
    if found.distribution == NOT_INSTALLED:
        return f"{found.target}, not installed"
    return f"{found.target}, from {found.distribution} {found.distribution_version}".rstrip()


def _contract_checks(cls: type[Adapter]) -> list[Check]:
    problems = contract_problems(cls)
    if problems:
        return [Check("contract", "", problem, False) for problem in problems]
    declared = ", ".join(sorted(c.value for c in cls.capabilities)) or "none"
    return [
        Check(
            "contract",
            "",
            f"version {cls.contract_version}, every required method; capabilities: {declared}",
            True,
        )
    ]


def _lines(checks: list[Check], notes: list[str]) -> list[str]:
    lines = [f"skip  {note}" for note in notes]
    for check in checks:
        if check.ok:
            lines.append(f"ok    {check.what}: {check.observed}")
        elif check.expected:
            lines.append(f"FIX   {check.what}: expected {check.expected}; saw {check.observed}")
        else:
            lines.append(f"FIX   {check.what}: {check.observed}")
    return lines


def _summary(checks: list[Check], found: FoundAdapter) -> int:
    failed = sum(not check.ok for check in checks)
    if failed:
        print(f"{failed} of {len(checks)} checks to fix; then run 'conformance check {found.name}' again.")
        return 1
    print(f"all {len(checks)} checks pass: run the battery with 'conformance run {found.name}'.")
    return 0
