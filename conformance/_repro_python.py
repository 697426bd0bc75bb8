"""The fallback reproducer: a Python script that drives the adapter directly, without the battery.

Design: one line of straight code per traced call (``CALLS``, a table of
templates over handle labels), each followed by the checks made on what it
returned; a short prelude makes a test certificate with trustme, pumps the
handshake in memory and prints expected vs observed. The script imports the
adapter's class and the suite's error vocabulary (which the adapter needs
anyway), never the battery, the lab or pytest.
"""

from __future__ import annotations

from typing import Any

from ._configs import CONFIGS
from ._evidence import Check
from ._scenario import Event, Reproducer, Scenario

__all__ = ["python_reproducer"]

#: Each traced operation as a Python expression over the adapter ``A`` and handles by label.
CALLS: dict[str, str] = {
    "context": "A.make_context(Side.{SIDE}, config_by_id({config!r}), CREDENTIALS)",
    "connection": "A.make_connection({context})",
    "set_session": "A.set_session({connection}, {session})",
    "set_session_raw": "A.set_session_raw({connection}, {session})",
    "empty_session": "A.make_empty_session()",
    "get_session": "A.get_session({connection})",
    "release": "A.release({handle})",
    "collect_garbage": "gc.collect()",
    "shutdown": "A.shutdown({connection})",
    "set_sent_shutdown": "A.set_sent_shutdown({connection})",
    "handshake": "handshake({client}, {server}, exchange={exchange})",
    "reused": "A.session_reused({connection})",
    "session_id": "A.session_id({session})",
    "same_session": "A.same_session({a}, {b})",
    "cache": "(A.cache_size({context}), A.cache_removals({context}))",
    "flush_cache": "A.flush_cache({context})",
    "track": "A.track_session({session})",
    "freed": "{probe}()",
}

#: The fallback's imports: the adapter's class and the suite's error vocabulary.
ADAPTER_IMPORTS = """
import faulthandler
import gc
import hashlib
import sys
import tempfile
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from conformance import Credentials, HandshakeFailed, LibraryFault, Refused, Side, config_by_id
from {module} import {cls} as Library
"""

#: For a script over the library alone: the suite's vocabulary, written out (configurations
#: from ``CONFIGS``), so that the script imports nothing of the suite.
VOCABULARY = """
import collections
import enum
import faulthandler
import gc
import hashlib
import sys
import tempfile
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding


class Refused(Exception):
    def __init__(self, call, library_error):
        super().__init__(f"{{call}} was refused: {{library_error}}")
        self.library_error = library_error


class HandshakeFailed(Exception):
    pass


class LibraryFault(Exception):
    pass


Side = enum.Enum("Side", "CLIENT SERVER")
Config = collections.namedtuple("Config", "id tls_version tickets server_cache")
CONFIGS = {{
{configs}
}}
config_by_id = CONFIGS.__getitem__
Credentials = collections.namedtuple(
    "Credentials",
    "server_name ca_pem cert_chain_pem key_pem ca_file cert_chain_file key_file leaf_der_length",
)
Facts = collections.namedtuple("Facts", "tls_library tls_library_version")
"""

#: What every script shares: the test certificate, the checks, the handshake pump.
HELPERS = '''
faulthandler.enable()  # a crash prints its signal
DEVIATIONS = []


def make_credentials():
    """A TEST CERTIFICATE, made at start-up: a throwaway CA and a server certificate padded with
    names, so that a full handshake (which sends it) is longer than a resumed one."""
    folder = Path(tempfile.mkdtemp(prefix="repro-certs-"))
    ca = trustme.CA()
    names = [hashlib.sha256(str(i).encode()).hexdigest()[:40] + ".pad.conformance.test" for i in range(64)]
    server = ca.issue_cert("server.conformance.test", *names)
    chain = b"".join(blob.bytes() for blob in server.cert_chain_pems)
    for name, blob in (("ca.pem", ca.cert_pem.bytes()), ("chain.pem", chain),
                       ("key.pem", server.private_key_pem.bytes())):
        (folder / name).write_bytes(blob)
    leaf = x509.load_pem_x509_certificate(server.cert_chain_pems[0].bytes())
    return Credentials("server.conformance.test", ca.cert_pem.bytes(), chain,
                       server.private_key_pem.bytes(), folder / "ca.pem", folder / "chain.pem",
                       folder / "key.pem", len(leaf.public_bytes(Encoding.DER)))


def show(value):
    if isinstance(value, bytes):
        return value.hex() or "(empty)"
    return str(value)


def report(what, expected, observed, ok):
    print(f"CHECK {what}\\n  expected: {expected}\\n  observed: {observed}\\n  -> "
          + ("as documented" if ok else "DEVIATES"), flush=True)
    if not ok:
        DEVIATIONS.append(what)


def check(what, expected, observed):
    report(what, expected, observed, expected == observed)


def wire(server_bytes):
    kind = "resumed" if server_bytes < CREDENTIALS.leaf_der_length else "full"
    return (f"{kind} on the wire: the server sent {server_bytes} bytes "
            f"(the leaf certificate alone is {CREDENTIALS.leaf_der_length})")


def check_differs(what, expected, other, observed):
    report(what, expected.replace("%s", other), observed, observed != other)


def check_wire(what, expected, server_bytes):
    resumed = server_bytes < CREDENTIALS.leaf_der_length
    report(what, expected, wire(server_bytes), resumed == (expected == "a resumed handshake"))


def check_raw(what, expected, raw):
    queue = "; ".join(raw.errors) or "empty"
    ok = (raw.return_value == 1 and not raw.errors) or (raw.return_value == 0 and bool(raw.errors))
    report(what, expected, f"{raw.return_value} with error queue: {queue}", ok)


def call(step, function, refusal_allowed=False):
    """Run one step; a refusal, a failed handshake or a broken call is the observation."""
    print(step, flush=True)
    try:
        return function()
    except Refused as error:
        if refusal_allowed:
            print(f"  refused, which this clause allows: {error.library_error}")
            return None
        report(step, "the call is accepted", f"refused: {error}", False)
    except HandshakeFailed as error:
        report(step, "the handshake completes", f"it failed: {error}", False)
    except LibraryFault as error:
        report(step, "a designed answer: success, or a clear error",
               f"the library broke inside the call: {error}", False)
    finish()


def handshake(client, server, exchange=True):
    """The handshake in memory, then (exchange) data both ways; the bytes the server sent."""
    counts, done = {"client": 0, "server": 0}, {"client": False, "server": False}
    for _ in range(20):
        moved = 0
        for me, peer, role in ((client, server, "client"), (server, client, "server")):
            if not done[role]:
                done[role] = A.do_handshake(me)
            data = A.take_outgoing(me)
            counts[role] += len(data)
            moved += len(data)
            if data:
                A.put_incoming(peer, data)
        if done["client"] and done["server"] and not moved:
            break
    else:
        raise HandshakeFailed("the handshake did not finish in 20 rounds")
    if exchange:
        for sender, receiver, role, data in ((server, client, "server", b"from-server"),
                                             (client, server, "client", b"from-client")):
            A.write(sender, data)
            received = b""
            for _ in range(20):
                wire_bytes = A.take_outgoing(sender)
                counts[role] += len(wire_bytes)
                if wire_bytes:
                    A.put_incoming(receiver, wire_bytes)
                received += A.read(receiver)
                back = A.take_outgoing(receiver)
                if back:
                    A.put_incoming(sender, back)
                if received == data:
                    break
            else:
                raise HandshakeFailed(f"the peer did not receive {data!r}")
    return counts["server"]


def finish():
    print("RESULT: " + (f"DEVIATES ({len(DEVIATIONS)}: {'; '.join(DEVIATIONS)})" if DEVIATIONS
                        else "as documented"), flush=True)
    sys.exit(1 if DEVIATIONS else 0)


A = Library()
CREDENTIALS = make_credentials()
print("library:", A.facts().tls_library, A.facts().tls_library_version, flush=True)
'''


def python_reproducer(scenario: Scenario, library: str = "", needs: str = "") -> Reproducer:
    """A script of ``scenario``: over the adapter (default), or over ``library``.

    ``library`` is Python text that imports the library and defines ``Library``, a class
    with the contract's methods over the library alone, raising ``Refused``,
    ``HandshakeFailed`` and ``LibraryFault`` (defined before it, with ``Side``,
    ``config_by_id``, ``Credentials`` and ``Facts``: ``VOCABULARY``); ``needs`` says what
    the script needs installed.
    """
    module, _, cls = scenario.target.partition(":")
    configs = "\n".join(
        f"    {c.id!r}: Config({c.id!r}, {c.tls_version!r}, {c.tickets}, {c.server_cache})," for c in CONFIGS
    )
    imports = (
        VOCABULARY.format(configs=configs) + library
        if library
        else ADAPTER_IMPORTS.format(module=module, cls=cls)
    )
    needs = needs or f"the adapter's distribution ({scenario.target}) and trustme"
    lines = ["#!/usr/bin/env python3", '"""' + "\n".join(scenario.header_lines())]
    lines += ["", f"Run: python3 THIS_FILE (needs {needs})."]
    lines += ['"""', imports, HELPERS]
    for event in scenario.events:
        lines += _event(event, scenario.events)
    lines += ["finish()", ""]
    return Reproducer("python", "\n".join(lines))


def _name(label: str | None) -> str:
    """A Python name for a handle label: S1 stays S1, freed(S1) becomes freed_S1."""
    if label is None:
        return "None"
    return label.replace("(", "_").replace(")", "")


def _event(event: Event, events: tuple[Event, ...]) -> list[str]:
    op = event.op
    args: dict[str, Any] = {
        key: _name(value) if isinstance(value, str) else value for key, value in op.args.items()
    }
    if op.op == "context":
        args["SIDE"] = str(op.args["side"]).upper()
        args["config"] = op.args["config"]
    if "session" in op.args:
        args["session"] = '"not a session"' if op.args.get("not_a_handle") else _name(op.args["session"])
    expression = CALLS[op.op].format(**args)
    target = _name(op.made) if op.made else f"v{event.index}"
    allowed = op.op == "set_session" and op.result is None and not event.ended_the_run
    step = f"{event.index}: {op.op} {_describe(op)}"
    call = f"call({step!r}, lambda: {expression}" + (", refusal_allowed=True)" if allowed else ")")
    lines = [f"{target} = {call}"]
    if op.op == "release" and op.args.get("handle"):
        lines.append(f"{_name(op.args['handle'])} = None  # the caller's reference goes too")
    for check in event.checks:
        lines.append(_check(check, target, op.op, events))
    return lines


def _describe(op: Any) -> str:
    made = f" -> {op.made}" if op.made else ""
    return ", ".join(f"{key}={value}" for key, value in op.args.items()) + made


def _check(check: Check, value: str, op: str, events: tuple[Event, ...]) -> str:
    what, field = check.what, check.observed_field
    expected = repr(check.expected)
    source = check.expected_from
    if source is not None:
        expected = f"show({_name(events[source].op.made) if events[source].op.made else f'v{source}'})"
    if op == "handshake" and not field:
        return f"check_wire({what!r}, {expected}, {value})"
    if op == "set_session_raw" and not field:
        return f"check_raw({what!r}, {expected}, {value})"
    if check.judged:
        if source is None:
            return f"# not replayed: {what} (judged by the battery)"
        template = repr(check.expected.replace("%", "%%").replace(events[source].op.shown or "", "%s"))
        return f"check_differs({what!r}, {template}, show(v{source}), show({value}))"
    observed = {
        "": f"show({value})",
        "present": f"show({value} is not None)",
        "return_value": f"show({value}.return_value)",
        "errors": f"show(tuple({value}.errors))",
    }.get(field, f"show({value})")
    return f"check({what!r}, {expected}, {observed})"
