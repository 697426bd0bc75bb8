"""What a reproducer is made of: the scenario of one test, and the program written from it.

Design: data only, shared by ``_reproduce`` (which reads a results file into a
``Scenario`` and picks a generator) and by every generator (``_repro_python``,
an adapter's own ``write_reproducer``), so no generator imports the command
that calls it. ``MAN_PAGE`` holds the sentence each clause tests, for the
reproducer's header.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ._catalogue import clause_by_id
from ._configs import ProtocolConfig
from ._evidence import Check, Op
from ._records import FactsRecord

__all__ = ["MAN_PAGE", "Event", "Reproducer", "Scenario"]

_LOADED = re.compile(r"loaded (.+?)(?: \(sha256 [0-9a-f]+\))?$")

#: The sentence of the man page each clause tests (SSL_set_session(3), OpenSSL 1.1.1;
#: clear-with-null: OpenSSL 3.5's page).
MAN_PAGE: dict[str, str] = {
    "use": "SSL_set_session() sets session to be used when the TLS/SSL connection is to be established.",
    "get": "SSL_set_session() sets session to be used when the TLS/SSL connection is to be "
    "established. (SEE ALSO SSL_get_session)",
    "client-only": "SSL_set_session() is only useful for TLS/SSL clients.",
    "ref-taken": "When the session is set, the reference count of session is incremented by 1.",
    "ref-dropped-on-miss": "If the session is not reused, the reference count is decremented again "
    "during SSL_connect().",
    "reused-flag": "Whether the session was reused can be queried with the SSL_session_reused(3) call.",
    "replace": "If there is already a session set inside ssl (because it was set with SSL_set_session() "
    "before ...), SSL_SESSION_free() will be called for that session.",
    "replace-after-use": "If there is already a session set inside ssl (... because the same ssl was "
    "already used for a connection), SSL_SESSION_free() will be called for that session.",
    "bad-if-open": "If that old session is still open, it is considered bad and will be removed from the "
    "session cache (if used). A session is considered open, if SSL_shutdown(3) was not called for the "
    "connection (or at least SSL_set_shutdown(3) was used to set the SSL_SENT_SHUTDOWN state).",
    "one-context": "One SSL_SESSION object, regardless of its reference count, must therefore only be "
    "used with one SSL_CTX object (and the SSL objects created from this SSL_CTX object).",
    "return-value": "0: The operation failed; check the error stack to find out the reason. "
    "1: The operation succeeded.",
    "clear-with-null": "If session is NULL, the session set inside ssl (if any) is cleared (OpenSSL 3.5's "
    "page; the older pages do not say it).",
}


@dataclasses.dataclass(frozen=True)
class Event:
    """One call of the trace (``op``), with the checks made on what it returned."""

    index: int
    op: Op
    #: Checks as recorded, made right after this call.
    checks: tuple[Check, ...] = ()
    #: True for the last call of a run that ended with it raising (refused, failed, crashed).
    ended_the_run: bool = False


@dataclasses.dataclass(frozen=True)
class Scenario:
    """What a generator needs to write a reproducer of one test."""

    test_id: str
    title: str
    clauses: tuple[str, ...]
    config: ProtocolConfig | None
    outcome: str
    reason: str
    #: How the run ended, as the results say it: expected and observed ("" for a pass).
    expected: str
    observed: str
    events: tuple[Event, ...]
    #: Checks whose observed value the trace does not name (the battery computed it).
    unreplayed: tuple[Check, ...]
    adapter: str
    #: module:Class of the adapter, as the results header names it.
    target: str
    facts: FactsRecord
    #: The command that made the reproducer.
    command: str

    @property
    def library_files(self) -> tuple[str, ...]:
        """The library files the run loaded (from the adapter's facts: "loaded PATH (sha256 ...)")."""
        found = (_LOADED.match(note) for note in self.facts.notes)
        return tuple(match.group(1) for match in found if match)

    def header_lines(self) -> list[str]:
        """The reproducer's header, one line each, without comment markers."""
        facts = self.facts
        lines = [f"Reproducer of {self.test_id}: {self.title}".rstrip(": ")]
        for clause in self.clauses:
            known = clause_by_id(clause)
            lines += [f"Clause {clause} ({known.section}): {known.summary}"]
            lines += [f'Man page, SSL_set_session(3): "{MAN_PAGE.get(clause, "")}"']
        lines += [
            f"Library: {facts.tls_library or '?'} {facts.tls_library_version or '?'} "
            f"(adapter {self.adapter!r}: {facts.library or '?'} {facts.library_version or '?'})",
        ]
        if self.config is not None:
            lines += [f"Configuration: {self.config.id}: {self.config.description}"]
        lines += [f"Outcome in the run: {self.outcome}" + (f": {self.reason}" if self.reason else "")]
        if self.expected or self.observed:
            lines += [f"  expected: {self.expected}", f"  observed: {self.observed}"]
        lines += [f"Made by: {self.command}"]
        if self.unreplayed:
            whats = "; ".join(check.what for check in self.unreplayed)
            lines += [f"Not replayed (the battery computed the observed value): {whats}"]
        return lines


@dataclasses.dataclass(frozen=True)
class Reproducer:
    """A program, its language ("c" or "python") and what it links (C)."""

    language: str
    text: str
    #: Library files a C program is linked with, in order.
    link: tuple[str, ...] = ()

    @property
    def suffix(self) -> str:
        return ".c" if self.language == "c" else ".py"

    def build_command(self, source: str, program: str) -> list[str]:
        """The command that builds it (C), or [] (Python)."""
        if self.language != "c":
            return []
        folders = dict.fromkeys(str(Path(library).parent) for library in self.link)
        return ["cc", source, "-o", program, *self.link, *(f"-Wl,-rpath,{folder}" for folder in folders)]

    def run_command(self, source: str, program: str) -> list[str]:
        return [program] if self.language == "c" else ["python3", source]
