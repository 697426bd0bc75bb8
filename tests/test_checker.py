"""``conformance check``: each broken adapter is told what to fix, and a sound one passes.

The adapters are the guide's worked example (real handshakes with CPython's
ssl), broken one way each, written into a pytester folder and checked through
the real command line, so that what the user reads, tracebacks included, is
what is tested.
"""

from __future__ import annotations

import sys
import textwrap

import pytest
from guide_example import write_example

BROKEN = '''
"""The guide's example adapter, broken one way per class."""

import dataclasses
import os
import ssl

from conformance import Adapter, CallMapping, LibraryUnavailable, NotObservable
from conformance_example import ExampleAdapter


def without(method):
    """The example as if its author had left ``method`` out."""
    skip = {method, "__qualname__", "__abstractmethods__", "_abc_impl"}
    members = {key: value for key, value in vars(ExampleAdapter).items() if key not in skip}
    return type(f"Without_{method}", (Adapter,), members)


MissingRead = without("read")


class CStyleHandshake(ExampleAdapter):
    """do_handshake answers 1 or 0, as the C call would, instead of a bool."""

    def do_handshake(self, connection):
        return int(super().do_handshake(connection))


class ReuseFlagFromTheWrongPlace(ExampleAdapter):
    """Declares reuse-flag but reports "has a session", true after a full handshake too."""

    def session_reused(self, connection):
        return connection.tls.session is not None


class OlderContract(ExampleAdapter):
    contract_version = 0


class Unavailable(ExampleAdapter):
    def __init__(self):
        raise LibraryUnavailable("libexample.so.1 is missing: apt-get install libexample1")


class CrashesInTheHandshake(ExampleAdapter):
    def do_handshake(self, connection):
        os.abort()


class RaisesInTake(ExampleAdapter):
    def take_outgoing(self, connection):
        raise KeyError("outgoing")


class NoSessionIds(ExampleAdapter):
    """Declares session-id but can never observe one."""

    def session_id(self, session):
        raise NotObservable("this library keeps no session ids")


class MapsAnUnknownClause(ExampleAdapter):
    """Maps a clause the catalogue does not have."""

    def facts(self):
        mapping = (CallMapping("resume", "ssl.SSLObject.session", "the attribute setter"),)
        return dataclasses.replace(super().facts(), mapping=mapping)


class IgnoresTheTicketsField(ExampleAdapter):
    """Builds every context with tickets on, whatever the configuration says."""

    def make_context(self, side, config, credentials):
        return super().make_context(side, dataclasses.replace(config, tickets=True), credentials)


class PinsNoVersion(ExampleAdapter):
    """Lets the library pick its newest version in every configuration."""

    def make_context(self, side, config, credentials):
        context = super().make_context(side, config, credentials)
        context.ssl_context.maximum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED
        context.ssl_context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context


class NoTls13SessionIds(ExampleAdapter):
    """Cannot observe the id of ticket sessions: a skip, not a failure."""

    def session_id(self, session):
        if session.has_ticket:
            raise NotObservable("no id for a session that came with a ticket")
        return session.id
'''


@pytest.fixture
def check(pytester: pytest.Pytester):
    write_example(pytester.path)
    pytester.makepyfile(broken_adapters=textwrap.dedent(BROKEN))

    def run(spec: str) -> pytest.RunResult:
        result = pytester.run(sys.executable, "-m", "conformance", "check", spec, timeout=120)
        assert "Traceback" not in result.stdout.str() + result.stderr.str()
        return result

    return run


def test_the_guide_example_passes(check) -> None:
    result = check("conformance_example:ExampleAdapter")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "ok    contract: version 1, every required method; capabilities: reuse-flag, session-id",
            "ok    tls12-sessionid: reuse-flag: a bool; False on a new connection*",
            "ok    tls13: resumption: set_session() then a handshake: resumed on the wire*",
            "ok    returns of do_handshake(): a bool, in * call(s)",
            "need  reuse-flag (declared): 6 test(s) observe it",
            "need  session-lifetime (not declared): not-observable in 7 test(s): test_clear_with_null.py::*",
            "all * checks pass: run the battery with 'conformance run conformance_example:ExampleAdapter'.",
        ]
    )
    assert "FIX" not in result.stdout.str()


# -- the three broken adapters --------------------------------------------------------------


def test_a_missing_method_is_named_with_how_it_is_called(check) -> None:
    result = check("broken_adapters:MissingRead")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "FIX   contract: implement read(connection) -> bytes (required by the contract: "
            'Application data received so far (b"" if none yet))',
            "1 of 1 checks to fix; then run 'conformance check broken_adapters:MissingRead' again.",
        ]
    )


def test_a_wrong_return_type_names_the_method_and_both_types(check) -> None:
    result = check("broken_adapters:CStyleHandshake")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "FIX   tls13: full handshake: expected do_handshake() to return a bool: True once the "
            "handshake is complete, False while it waits for the peer; saw int 0",
            "FIX   returns of do_handshake(): expected a bool: *; saw int 0",
        ]
    )


def test_a_capability_that_does_not_work_says_what_it_saw(check) -> None:
    result = check("broken_adapters:ReuseFlagFromTheWrongPlace")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "FIX   tls12-sessionid: reuse-flag: expected session_reused() of the client after a full "
            "handshake to be False; saw True",
            "ok    tls13: resumption: *",
            "FIX   tls13: reuse-flag: expected session_reused() of the client after a full handshake "
            "to be False; saw True",
        ]
    )


def test_a_configuration_the_adapter_does_not_honour_shows_on_the_wire(check) -> None:
    tickets = check("broken_adapters:IgnoresTheTicketsField")
    assert tickets.ret == 1
    tickets.stdout.fnmatch_lines(
        [
            "FIX   tls12-sessionid: configuration on the wire: expected a session ticket sent by the server "
            "in tls12-sessionid to be False; saw True",
            "ok    tls12-ticket: configuration on the wire: TLS 1.2, a session ticket",
        ]
    )
    version = check("broken_adapters:PinsNoVersion")
    assert version.ret == 1
    version.stdout.fnmatch_lines(
        [
            "FIX   tls12-sessionid: configuration on the wire: expected the TLS version negotiated in *1.2*; saw *1.3*"
        ]
    )


# -- other ways to go wrong -------------------------------------------------------------------


def test_a_mapping_of_an_unknown_clause_is_to_fix(check) -> None:
    result = check("broken_adapters:MapsAnUnknownClause")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["FIX   facts(): expected Facts.mapping to name clauses of the catalogue (*); saw resume"]
    )


def test_an_adapter_for_an_older_contract_is_told_to_update(check) -> None:
    result = check("broken_adapters:OlderContract")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "FIX   contract: it declares contract_version = 0: it was written for another version of "
            "the contract; this suite speaks version 1. *then set contract_version = 1",
        ]
    )


def test_a_missing_library_gives_the_adapters_reason(check) -> None:
    result = check("broken_adapters:Unavailable")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "FIX   start: expected Unavailable() to make an adapter; saw the library is unavailable: "
            "libexample.so.1 is missing: apt-get install libexample1",
        ]
    )


def test_an_exception_from_the_adapter_is_a_message_naming_the_method(check) -> None:
    result = check("broken_adapters:RaisesInTake")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "FIX   tls13: full handshake: expected take_outgoing() to return normally; "
            "saw it raised KeyError: 'outgoing'",
        ]
    )


def test_a_crash_is_reported_and_the_check_ends(check) -> None:
    result = check("broken_adapters:CrashesInTheHandshake")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "FIX   the checks: expected them to finish; saw the process died of signal SIGABRT*",
        ]
    )


def test_a_crash_leaves_no_key_file_behind(pytester: pytest.Pytester) -> None:
    write_example(pytester.path)
    pytester.makepyfile(broken_adapters=textwrap.dedent(BROKEN))
    tmpdir = pytester.path / "tmp"
    tmpdir.mkdir()
    pytester._monkeypatch.setenv("TMPDIR", str(tmpdir))
    result = pytester.run(
        sys.executable, "-m", "conformance", "check", "broken_adapters:CrashesInTheHandshake"
    )
    assert result.ret == 1
    assert list(tmpdir.iterdir()) == []  # the credentials' folder, made by the parent, went with the check


def test_a_capability_never_observable_is_to_fix(check) -> None:
    result = check("broken_adapters:NoSessionIds")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "skip  tls13: session-id: not observable in this configuration (this library keeps no session ids)",
            "FIX   session-id: expected a declared capability to observe in at least one configuration; "
            "saw NotObservable in every one: declare only what the adapter can observe",
        ]
    )


def test_a_capability_not_observable_in_one_configuration_is_a_skip(check) -> None:
    result = check("broken_adapters:NoTls13SessionIds")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "skip  tls13: session-id: not observable in this configuration "
            "(no id for a session that came with a ticket)",
            "ok    tls12-sessionid: session-id: bytes (32 of them)",
        ]
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "no-such-adapter",
            "cannot check 'no-such-adapter': no adapter named 'no-such-adapter' is installed*",
        ),
        (
            "no_such_module:X",
            "cannot check 'no_such_module:X': adapter 'no_such_module:X': importing "
            "'no_such_module' failed with ModuleNotFoundError*",
        ),
        ("broken_adapters:Nothing", "*module 'broken_adapters' has no attribute 'Nothing'"),
    ],
)
def test_an_adapter_that_cannot_be_loaded_exits_2(check, spec: str, message: str) -> None:
    result = check(spec)
    assert result.ret == 2
    result.stdout.fnmatch_lines([message])
