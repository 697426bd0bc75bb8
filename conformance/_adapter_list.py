"""``conformance adapters``: every installed adapter, and whether it can run.

Design: each adapter found in the entry-point group goes through the same
stages as a run does (import, contract, instantiation), in a forked child of
its own (``_isolation``): one adapter's library can crash the process or clash
with another's, and the listing still shows every adapter, that one as
``crashes`` with its signal. The first stage that fails says why, in one
status with the reason under it; nothing is
allowed to end the listing with a traceback. The stages are a table: a
stage returns a status and a reason, or nothing to let the next one go.

Exit status: 0 when every adapter listed is usable or only lacks its library
(an optional library that is not installed is normal); 1 when an adapter is
broken (its import fails, it breaks the contract, it names no usable class,
or it crashes), so the command can guard an installation in CI.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from ._contract import Adapter
from ._errors import LibraryUnavailable
from ._evidence import Evidence
from ._isolation import run_in_child
from ._outcomes import Outcome
from ._registry import AdapterLoadError, FoundAdapter, contract_problems, find_adapters

__all__ = ["AdapterStatus", "adapter_statuses", "print_adapters"]

AVAILABLE = "available"
UNAVAILABLE = "library unavailable"
IMPORT_FAILED = "import failed"
BREAKS_CONTRACT = "breaks the contract"
FAILS_TO_START = "fails to start"
CRASHES = "crashes"
#: Seconds for one adapter's import, contract check and start, in its child.
CHILD_TIME_LIMIT = 60.0

#: Statuses that mean the adapter itself is broken (exit status 1).
BROKEN = frozenset({IMPORT_FAILED, BREAKS_CONTRACT, FAILS_TO_START, CRASHES})


@dataclasses.dataclass
class AdapterStatus:
    """One installed adapter and how far it got."""

    found: FoundAdapter
    status: str
    #: What the library is (when available), or why the adapter cannot run, one line each.
    details: list[str]
    #: Another installed distribution registers the same name.
    clash: bool = False

    @property
    def broken(self) -> bool:
        return self.status in BROKEN or self.clash


def adapter_statuses() -> list[AdapterStatus]:
    found = find_adapters()
    names = [item.name for item in found]
    statuses = [_status_in_child(item) for item in found]
    for status in statuses:
        status.clash = names.count(status.found.name) > 1
    return statuses


def _status_in_child(found: FoundAdapter) -> AdapterStatus:
    """``_status`` in a child of its own: an adapter that crashes the process (two libraries that
    cannot share one) is listed as broken, with its signal, and the others are still listed."""
    evidence = Evidence()

    def body() -> None:
        status = _status(found)
        evidence.note(json.dumps([status.status, status.details]))

    sys.stdout.flush()
    ending = run_in_child(body, evidence, CHILD_TIME_LIMIT)
    if ending.outcome is Outcome.PASS and ending.evidence.notes:
        status, details = json.loads(ending.evidence.notes[-1])
        return AdapterStatus(found, status, details)
    kind = CRASHES if ending.outcome is Outcome.CRASH else FAILS_TO_START
    return AdapterStatus(found, kind, [ending.reason.split("; last step")[0]])


def _status(found: FoundAdapter) -> AdapterStatus:
    try:
        cls = found.load()
    except AdapterLoadError as error:
        return AdapterStatus(found, IMPORT_FAILED, [_strip_name(found, str(error))])
    problems = contract_problems(cls)
    if problems:
        return AdapterStatus(found, BREAKS_CONTRACT, problems)
    return _instantiate(found, cls)


def _instantiate(found: FoundAdapter, cls: type[Adapter]) -> AdapterStatus:
    try:
        adapter = cls()
    except LibraryUnavailable as error:
        return AdapterStatus(found, UNAVAILABLE, [str(error) or "(the adapter gave no reason)"])
    except Exception as error:  # an adapter may break in any way; say how, not where
        return AdapterStatus(found, FAILS_TO_START, [f"{cls.__name__}() raised {_show(error)}"])
    try:
        facts = adapter.facts()
        about = (
            f"{facts.library} {facts.library_version} over {facts.tls_library} {facts.tls_library_version}"
        )
    except Exception as error:
        return AdapterStatus(found, FAILS_TO_START, [f"facts() raised {_show(error)}"])
    return AdapterStatus(found, AVAILABLE, [about])


def _strip_name(found: FoundAdapter, message: str) -> str:
    # The registry's messages start with "adapter 'NAME': "; the listing already shows the name.
    prefix = f"adapter {found.name!r}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _show(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def print_adapters() -> int:
    """Print the table of installed adapters; 1 if any is broken, else 0."""
    out = print
    statuses = adapter_statuses()
    if not statuses:
        out("No adapter is installed. Install one with pip (for example the stdlib adapter:")
        out("pip install adapters/stdlib), or pass module:Class to 'conformance run' and 'check'.")
        return 0
    for line in _table(statuses):
        out(line)
    broken = [s.found.name for s in statuses if s.broken]
    if broken:
        out("")
        out(f"{len(broken)} adapter(s) cannot run: {', '.join(broken)}. Fix or uninstall them;")
        out("'conformance check NAME' says what an adapter lacks.")
    return 1 if broken else 0


_COLUMNS = ("NAME", "DISTRIBUTION", "VERSION", "STATUS")


def _table(statuses: list[AdapterStatus]) -> list[str]:
    rows = [_COLUMNS] + [
        (s.found.name, s.found.distribution, s.found.distribution_version, _status_text(s)) for s in statuses
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if index:
            status = statuses[index - 1]
            lines.extend(f"    {detail}" for detail in _details(status))
    return lines


def _status_text(status: AdapterStatus) -> str:
    text = status.status
    if status.status == AVAILABLE and status.details:
        text += f": {status.details[0]}"
    return text


def _details(status: AdapterStatus) -> list[str]:
    details = [] if status.status == AVAILABLE else [f"- {line}" for line in status.details]
    if status.clash:
        details.append(
            f"- another installed distribution also registers {status.found.name!r}: uninstall one of them"
        )
    return details
