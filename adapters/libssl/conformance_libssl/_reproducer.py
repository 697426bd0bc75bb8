"""C reproducers: one C program per test, over the same dialect table as the adapter.

Design: the program declares the prototypes it uses (no -dev headers), each
``op_*`` name defined from the dialect entry the ctypes adapter resolves
(``Fn``: a prototype and a ``#define``; ``Ctrl``/``ExIndex``: a small wrapper
filling in the command or class, as OpenSSL's macros do), so each operation has
one definition. The runtime (``_c_runtime``) mirrors the adapter's methods;
``CALLS`` maps each traced operation to one C statement. The test certificate
is made here, with the suite's own recipe (trustme), and embedded, marked as
such. Library-specific pieces follow the dialect: a ``set_allocators`` entry
means the lifetime is watched through the free hook, ``ctx_set_new_cb`` means
BoringSSL's new-session callback, ``ctx_use_session_ticket`` wolfSSL's ticket
opt-in; the cache remove callback follows the adapter's capabilities.

Only the three library adapters themselves get a C program: a subclass (a
mutant) changes what the adapter does around the C calls, so a C program of
the library alone would not show it; those get the Python script instead.
"""

from __future__ import annotations

import ctypes
import re
import shlex
import tempfile
from pathlib import Path
from typing import Any

from conformance import Capability
from conformance._credentials import make_credentials
from conformance._evidence import Check
from conformance._scenario import Event, Reproducer, Scenario

from ._adapter import SESSION_ID_CONTEXT
from ._c_runtime import RUNTIME
from ._dialects import Ctrl, Dialect, ExIndex, Fn

__all__ = ["c_reproducer"]

#: ctypes types in C. ctypes aliases fixed-width types to the platform's own (on LP64 Linux
#: c_uint32 is c_uint, c_uint64 and c_size_t are c_ulong), so the later entries win.
_C_TYPES: dict[Any, str] = {
    None: "void",
    ctypes.c_void_p: "void *",
    ctypes.c_char_p: "const char *",
    ctypes.c_int: "int",
    ctypes.c_long: "long",
    ctypes.c_uint16: "uint16_t",
    ctypes.c_ulonglong: "unsigned long long",
    ctypes.c_uint: "unsigned int",
    ctypes.c_ulong: "unsigned long",
    ctypes.POINTER(ctypes.c_uint): "unsigned int *",
}


#: Each traced operation as C; {placeholders} are handle labels and literals.
CALLS: dict[str, str] = {
    "context": "Ctx *{made} = make_context({server}, {version}, {tickets}, {server_cache});",
    "connection": "Conn *{made} = make_connection({context});",
    "set_session": "set_session({connection}, {session}, {allowed});",
    "set_session_raw": "Raw v{index} = set_session_raw({connection}, {session});",
    "empty_session": "void *{made} = {empty_session};",
    "get_session": "void *{made} = get_session({connection});",
    "release": "{release}",
    "collect_garbage": "/* C has no garbage collector: nothing to do */",
    "shutdown": "shutdown_connection({connection});",
    "set_sent_shutdown": "op_ssl_set_shutdown({connection}->ssl, op_ssl_get_shutdown({connection}->ssl) | SENT_SHUTDOWN);",
    "handshake": "long v{index} = handshake({client}, {server}, {exchange});",
    "reused": "int v{index} = op_ssl_session_reused({connection}->ssl);",
    "session_id": "char v{index}[80]; show_id({session}, v{index}, sizeof v{index});",
    "same_session": "int v{index} = {a} == {b};",
    "cache": 'char v{index}[64]; snprintf(v{index}, sizeof v{index}, "(%ld, %ld)", (long)op_ctx_sess_number({context}->ctx), removals_of({context}->ctx));',
    "flush_cache": "op_ctx_flush({context}->ctx, FLUSH_ALL_TIME);",
    "track": "{made} = track({session});",
    "freed": "int v{index} = freed_tokens[{probe}];",
}

#: How a check shows the observed value of a call (by operation and field), as C.
SHOWN: dict[tuple[str, str], str] = {
    ("reused", ""): "show_bool(v{index})",
    ("same_session", ""): "show_bool(v{index})",
    ("freed", ""): "show_bool(v{index})",
    ("session_id", ""): "v{index}",
    ("cache", ""): "v{index}",
    ("get_session", "present"): "show_bool({made} != NULL)",
    ("set_session_raw", "errors"): "v{index}.errors",
}


def c_reproducer(
    scenario: Scenario, dialect: Dialect, capabilities: frozenset[Capability]
) -> Reproducer | None:
    """The C program for ``scenario``, or None if a call cannot be written in C."""
    body: list[str] = []
    for event in scenario.events:
        lines = _event(event, scenario.events, dialect)
        if lines is None:
            return None
        body += lines
    flags = _flags(dialect, capabilities)
    probes = sorted({_c_name(e.op.made) for e in scenario.events if e.op.op == "track" and e.op.made})
    declared = [f"int {probe} = 0;" for probe in probes]
    main = "\n    ".join(_start(dialect) + declared + body + ["finish();", "return 0;"])
    program = "int main(void) {\n    " + main + "\n}\n"
    used = sorted(set(re.findall(r"\bop_(\w+)", RUNTIME + program)))
    link = scenario.library_files
    text = "\n".join(
        [
            _header(scenario, link),
            "#include <stddef.h>\n#include <stdint.h>",
            *[f"#define {flag} 1" for flag in flags],
            _prototypes(dialect, used),
            _constants(dialect),
            _certificate(),
            RUNTIME,
            program,
        ]
    )
    return Reproducer("c", text, link)


def _flags(dialect: Dialect, capabilities: frozenset[Capability]) -> list[str]:
    flags = []
    if "set_allocators" in dialect.operations:
        flags.append("HAVE_ALLOCATOR_HOOK")
    if "ctx_set_new_cb" in dialect.operations:
        flags.append("HAVE_NEW_SESSION_CB")
    if "ctx_use_session_ticket" in dialect.operations:
        flags.append("HAVE_USE_SESSION_TICKET")
    if Capability.CACHE_EVENTS in capabilities:
        flags.append("HAVE_CACHE_EVENTS")
    return flags


def _header(scenario: Scenario, link: tuple[str, ...]) -> str:
    lines = scenario.header_lines()
    lines += [
        "",
        "Standalone: no -dev headers; the prototypes below are declared here. Build and run:",
        f"    {shlex.join(Reproducer('c', '', link).build_command('repro.c', 'repro'))}",
        "    ./repro",
        "It prints, for each check, what the man page leads one to expect and what was observed,",
        "and exits 1 while the library deviates (or dies of the signal the run died of).",
    ]
    return "/*\n" + "\n".join(f" * {line}".rstrip() for line in lines).replace("*/", "* /") + "\n */"


def _prototypes(dialect: Dialect, used: list[str]) -> str:
    lines = [f"/* The {dialect.name} calls, from the adapter's dialect table (one definition each). */"]
    for operation in used:
        source = dialect.operations.get(operation)
        if source is None:
            continue
        lines += _definition(operation, source)
    return "\n".join(lines)


def _definition(operation: str, source: Fn | Ctrl | ExIndex) -> list[str]:
    if isinstance(source, Fn):
        arguments = ", ".join(_C_TYPES[kind] for kind in source.argtypes) or "void"
        return [
            f"{_C_TYPES[source.restype]} {source.symbol}({arguments});",
            f"#define op_{operation} {source.symbol}",
        ]
    if isinstance(source, Ctrl):
        prototype = f"long {source.symbol}(void *, int, long, void *);"
        if source.takes == "larg":
            wrapper = f"static long op_{operation}(void *h, long v) {{ return {source.symbol}(h, {source.command}, v, NULL); }}"
        elif source.takes == "parg":
            wrapper = f"static long op_{operation}(void *h, const void *p) {{ return {source.symbol}(h, {source.command}, 0, (void *)p); }}"
        else:
            wrapper = f"static long op_{operation}(void *h) {{ return {source.symbol}(h, {source.command}, 0, NULL); }}"
        return [prototype, wrapper]
    return [
        f"int {source.symbol}(int, long, void *, void *, void *, void *);",
        f"static int op_{operation}(long argl, void *argp, void *n, void *d, void *f) "
        f"{{ return {source.symbol}({source.class_index}, argl, argp, n, d, f); }}",
    ]


def _constants(dialect: Dialect) -> str:
    c = dialect.constants
    values = {
        "OP_NO_TICKET": c.op_no_ticket,
        "SESS_CACHE_OFF": c.sess_cache_off,
        "SESS_CACHE_CLIENT": c.sess_cache_client,
        "SESS_CACHE_SERVER": c.sess_cache_server,
        "FILETYPE_PEM": c.filetype_pem,
        "VERIFY_PEER": c.verify_peer,
        "SENT_SHUTDOWN": c.sent_shutdown,
        "ERROR_WANT_READ": c.error_want_read,
        "ERROR_WANT_WRITE": c.error_want_write,
        "ERROR_ZERO_RETURN": c.error_zero_return,
        "FLUSH_ALL_TIME": c.flush_all_time,
    }
    lines = [f"#define {name} {value:#x}" for name, value in values.items()]
    lines += [f"#define TLS{version.replace('.', '_')} {number:#06x}" for version, number in c.tls_versions]
    lines += [
        f'#define SESSION_ID_CONTEXT "{SESSION_ID_CONTEXT.decode()}"',
        '#define SERVER_NAME "server.conformance.test"',
    ]
    return "\n".join(lines)


def _certificate() -> str:
    credentials = make_credentials(Path(tempfile.mkdtemp(prefix="repro-certificate-")))
    lines = [
        "/* TEST CERTIFICATE: a throwaway CA and server certificate, made with trustme for this",
        " * reproducer only (the server's is padded with names so that a full handshake, which sends",
        " * it, is longer than a resumed one). Never use them for anything else. */",
        f"#define LEAF_DER_LENGTH {credentials.leaf_der_length}",
    ]
    for name, pem in (
        ("TEST_CA_PEM", credentials.ca_pem),
        ("TEST_CHAIN_PEM", credentials.cert_chain_pem),
        ("TEST_KEY_PEM", credentials.key_pem),
    ):
        body = "\n".join(f'    "{line}\\n"' for line in pem.decode().splitlines())
        lines.append(f"#define {name} \\\n" + body.replace("\n", " \\\n"))
    return "\n".join(lines)


def _start(dialect: Dialect) -> list[str]:
    source = dialect.operations["version_text"]
    version_call = "op_version_text(0)" if isinstance(source, Fn) and source.argtypes else "op_version_text()"
    return [
        "setvbuf(stdout, NULL, _IONBF, 0);",
        "signal(SIGABRT, on_signal); signal(SIGSEGV, on_signal); signal(SIGBUS, on_signal); signal(SIGILL, on_signal);",
        "write_certificates();",
        "start_lifetime();",
        f'printf("library: %s\\n", {version_call});',
    ]


def _event(event: Event, events: tuple[Event, ...], dialect: Dialect) -> list[str] | None:
    op = event.op
    if op.args.get("not_a_handle") or (
        op.op in ("set_session", "set_session_raw") and str(op.args.get("session", "")).startswith("C")
    ):
        return None  # a string or a connection as a session: C's compiler rejects that call
    values: dict[str, Any] = {
        key: _c_name(value) for key, value in op.args.items() if isinstance(value, str) or value is None
    }
    values.update(index=event.index, made=_c_name(op.made), exchange=int(bool(op.args.get("exchange"))))
    if op.op == "context":
        config = _config(op.args["config"])
        values.update(
            server=int(op.args["side"] == "server"),
            version=f"TLS{config.tls_version.replace('.', '_')}",
            tickets=int(config.tickets),
            server_cache=int(config.server_cache),
        )
    values["allowed"] = int(op.op == "set_session" and op.result is None and not event.ended_the_run)
    values["empty_session"] = _empty_session(dialect)
    values["release"] = _release(str(op.args.get("handle", "")))
    step = f"{event.index}: {op.op} " + ", ".join(f"{k}={v}" for k, v in op.args.items())
    if op.made:
        step += f" -> {op.made}"
    made = _c_name(op.made) if op.made else f"v{event.index}"
    lines = [f"step({_c_string(step)});", CALLS[op.op].format(**values)]
    if op.op == "get_session" and not op.made:
        lines[-1] = f"void *v{event.index} = get_session({values['connection']});"
    for check in event.checks:
        lines.append(_check(check, event, made, events))
    return lines


def _config(config_id: str) -> Any:
    from conformance import config_by_id

    return config_by_id(config_id)


def _empty_session(dialect: Dialect) -> str:
    source = dialect.operations["session_new"]
    if isinstance(source, Fn) and source.argtypes:  # BoringSSL: SSL_SESSION_new(const SSL_CTX *)
        return "op_session_new(op_ctx_new(op_tls_method()))"
    return "op_session_new()"


def _release(label: str) -> str:
    kind = label[:1]
    name = _c_name(label)
    if kind == "C":
        return f"release_connection({name});"
    if kind == "X":
        return f"op_ctx_free({name}->ctx);"
    return f"op_session_free({name}); {name} = NULL;"


def _check(check: Check, event: Event, made: str, events: tuple[Event, ...]) -> str:
    what, field, op = check.what, check.observed_field, event.op.op
    expected = _c_string(check.expected)
    source = check.expected_from
    if source is not None and events[source].op.op == op and op in ("session_id", "cache"):
        expected = f"v{source}"
    if op == "handshake" and not field:
        return f"check_wire({_c_string(what)}, {expected}, v{event.index});"
    if op == "set_session_raw" and not field:
        return f"check_raw({_c_string(what)}, {expected}, v{event.index});"
    if check.judged:
        if source is None or events[source].op.op != op:
            return f"/* not replayed in C: {what} (judged by the battery) */"
        template = _c_string(check.expected.replace("%", "%%").replace(events[source].op.shown or "", "%s"))
        return (
            f"{{ char expected[512]; snprintf(expected, sizeof expected, {template}, v{source}); "
            f"report({_c_string(what)}, expected, v{event.index}, strcmp(v{source}, v{event.index}) != 0); }}"
        )
    if op == "set_session_raw" and field == "return_value":
        return (
            f'{{ char shown[16]; snprintf(shown, sizeof shown, "%d", v{event.index}.ret); '
            f"check({_c_string(what)}, {expected}, shown); }}"
        )
    shown = SHOWN.get((op, field))
    if shown is None:
        return f"/* not replayed in C: {what} */"
    return f"check({_c_string(what)}, {expected}, {shown.format(index=event.index, made=made)});"


def _c_name(label: str | None) -> str:
    if label is None:
        return "NULL"
    return label.replace("(", "_").replace(")", "")


def _c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
