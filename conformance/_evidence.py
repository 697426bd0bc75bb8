"""Evidence: what a test did, what it observed, and what it expected.

Design: every test writes into one ``Evidence`` as it goes: a step for each
call it makes, a check for each comparison with the documented behaviour. A
check that does not hold raises ``Contradiction``, which becomes the ``fail``
outcome; its expected and observed values travel with the result. Passes
carry their checks too, so a reader can see why a pass is a pass.

Beside the prose steps, the evidence keeps a structured trace: one ``Op`` per
call the lab made (the operation, handles by label, arguments, what came
back), so that a reproducer can be written later, elsewhere, from the results
file alone (``conformance reproduce``). Each check names the trace entry it
observed (``observed_from``) and, where the expected value was itself observed
(a session id), the entry that gave it (``expected_from``); the link is made
here, by matching the checked value against what the latest entries returned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import msgspec

__all__ = ["Check", "Contradiction", "Evidence", "EvidenceRecord", "Op"]


class Check(msgspec.Struct):
    """One comparison with the documented behaviour."""

    what: str
    expected: str
    observed: str
    ok: bool
    #: The index of the trace entry whose result is the observed value (None: not traced).
    observed_from: int | None = None
    #: Which part of that entry's result ("return_value", "errors"); "" for the whole.
    observed_field: str = ""
    #: The index of the trace entry whose result is the expected value, if it was observed too.
    expected_from: int | None = None
    #: True when the caller judged the check (``check_that``); then, with ``expected_from``,
    #: the check is that the observed value differs from that entry's ("an id other than X").
    judged: bool = False


class Op(msgspec.Struct, omit_defaults=True):
    """One call of the lab: ``op`` on handles named by label, with what came back.

    ``args`` holds labels ("C1", "S2"), None for no handle, and plain JSON values;
    ``made`` the label of a new handle the call returned; ``result`` a JSON value,
    ``shown`` that value as checks show it, ``fields`` named parts of it.
    """

    op: str
    args: dict[str, Any] = {}
    made: str | None = None
    result: Any = None
    shown: str | None = None
    fields: dict[str, Any] = {}

    def to_json(self) -> dict[str, Any]:
        """As JSON values (the empty parts left out), for the child's pipe and the results file."""
        record: dict[str, Any] = msgspec.to_builtins(self)
        record.setdefault("args", {})
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Op:
        return msgspec.convert(record, cls)

    def returned(self, result: Any, shown: Any = None, **fields: Any) -> Any:
        """Record what the call returned (shown as checks show it); returns ``result``."""
        self.result = _json(result)
        self.shown = _show(result if shown is None else shown)
        self.fields = {key: _json(value) for key, value in fields.items()}
        return result


class Contradiction(Exception):
    """An observation contradicts the documentation."""

    def __init__(self, check: Check) -> None:
        super().__init__(f"{check.what}: expected {check.expected}, observed {check.observed}")
        self.check = check


@dataclasses.dataclass
class Evidence:
    steps: list[str] = dataclasses.field(default_factory=list)
    checks: list[Check] = dataclasses.field(default_factory=list)
    #: Free-form remarks for the report ("refused, which the clause allows").
    notes: list[str] = dataclasses.field(default_factory=list)
    #: The structured trace: one entry per call of the lab (see ``Op``).
    trace: list[Op] = dataclasses.field(default_factory=list)
    #: Called with each step as it happens (crash isolation streams steps to the parent).
    on_step: Callable[[str], None] | None = dataclasses.field(default=None, repr=False)
    #: Called with (index, entry) when an entry is made, before its call, and again when the
    #: next one is made, complete (crash isolation streams the trace to the parent).
    on_op: Callable[[int, Op], None] | None = dataclasses.field(default=None, repr=False)

    def did(self, step: str) -> None:
        self.steps.append(step)
        if self.on_step is not None:
            self.on_step(step)

    def op(self, name: str, made: str | None = None, **args: Any) -> Op:
        """Record a call in the trace, before it is made (so a crash keeps it)."""
        entry = Op(name, {key: _json(value) for key, value in args.items()}, made)
        if self.on_op is not None and self.trace:
            self.on_op(len(self.trace) - 1, self.trace[-1])
        self.trace.append(entry)
        if self.on_op is not None:
            self.on_op(len(self.trace) - 1, entry)
        return entry

    def note(self, remark: str) -> None:
        self.notes.append(remark)

    def check(self, what: str, expected: Any, observed: Any) -> None:
        """Record a comparison; raise ``Contradiction`` if ``observed != expected``."""
        check = Check(what, _show(expected), _show(observed), observed == expected)
        self._link(check, expected, observed)
        self.checks.append(check)
        if not check.ok:
            raise Contradiction(check)

    def check_that(self, what: str, holds: bool, expected: str, observed: str) -> None:
        """Record a comparison whose outcome the caller computed."""
        check = Check(what, expected, observed, bool(holds), judged=True)
        self._link(check, expected, observed)
        self.checks.append(check)
        if not check.ok:
            raise Contradiction(check)

    def _link(self, check: Check, expected: Any, observed: Any) -> None:
        """Name the trace entries a check observed: the newest since the previous check that match."""
        start = max((c.observed_from for c in self.checks if c.observed_from is not None), default=-1) + 1
        recent = list(range(len(self.trace) - 1, start - 1, -1))
        for index in recent:
            field = _matching_field(self.trace[index], observed)
            if field is not None:
                check.observed_from, check.observed_field = index, field
                break
        # Only values that were themselves observed (ids, counts) can come from the trace;
        # a True or a 1 in a check is the documentation's.
        for index in range(len(self.trace) - 1, -1, -1):
            if index != check.observed_from and _names(self.trace[index], expected, check.judged):
                check.expected_from = index
                break

    def record(self) -> EvidenceRecord:
        """The evidence as a results file holds it."""
        return EvidenceRecord(
            steps=list(self.steps), checks=list(self.checks), notes=list(self.notes), trace=list(self.trace)
        )

    def to_json(self) -> dict[str, Any]:
        return msgspec.to_builtins(self.record())


class EvidenceRecord(msgspec.Struct, kw_only=True):
    """Evidence as a results file holds it (see ``_records``): what a test did and saw."""

    steps: list[str] = []
    checks: list[Check] = []
    notes: list[str] = []
    #: The structured trace (see ``Op``).
    trace: list[Op] = []


def _names(entry: Op, expected: Any, judged: bool) -> bool:
    """Whether ``expected`` is (or, for a judged check, mentions) what ``entry`` returned."""
    if judged:
        return bool(entry.shown) and entry.op == "session_id" and str(entry.shown) in str(expected)
    return isinstance(expected, (bytes, tuple)) and _matching_field(entry, expected) == ""


def _matching_field(entry: Op, value: Any) -> str | None:
    """The empty name if ``value`` is the entry's result, a field's name if it is that field, else None."""
    if entry.shown is None:
        return None
    if _show(value) == entry.shown:
        return ""
    seen = _json(value)
    for name, field in entry.fields.items():
        if type(seen) is type(field) and seen == field:
            return name
    return None


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex() or "(empty)"
    return str(value)


def _json(value: Any) -> Any:
    """A JSON form of a traced value: bytes as hex, tuples as lists."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (tuple, list)):
        return [_json(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
