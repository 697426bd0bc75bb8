"""Expectations: an adapter's known deviations from the documentation.

Design: a TOML file of ``[[deviation]]`` tables, each naming tests by a pattern
over test ids (``test_use.py::test_name[tls13]``) in which only ``*`` is special
(any run of characters; brackets are literal), the outcome expected there,
a reason (required) and a link (optional). An outcome that matches its
expectation is as expected; any other, an unexpected pass included, makes
the run fail. A deviation that matches no test of a complete run is stale,
and fails the run too, so the file stays true. ``not-observable`` is never a
deviation: it follows from the declared capabilities.

    [[deviation]]
    test = "test_replace_after_use.py::*"
    outcome = "refused"
    reason = "CPython refuses to set a session once the handshake is done."
    link = "https://docs.python.org/3/library/ssl.html#ssl.SSLSocket.session"
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

from ._outcomes import Outcome

__all__ = ["Deviation", "Expectations", "ExpectationsError", "load_expectations"]

_FIELDS = {"test", "outcome", "reason", "link"}


class ExpectationsError(Exception):
    """An expectations file that cannot be used; the message says what to fix."""


@dataclasses.dataclass(frozen=True)
class Deviation:
    test: str
    outcome: Outcome
    reason: str
    link: str = ""

    def matches(self, test_id: str) -> bool:
        pattern = ".*".join(re.escape(part) for part in self.test.split("*"))
        return re.fullmatch(pattern, test_id) is not None


@dataclasses.dataclass
class Expectations:
    source: Path | None
    deviations: list[Deviation]
    used: set[int] = dataclasses.field(default_factory=set)

    def for_test(self, test_id: str) -> Deviation | None:
        for index, deviation in enumerate(self.deviations):
            if deviation.matches(test_id):
                self.used.add(index)
                return deviation
        return None

    def stale(self) -> list[Deviation]:
        return [d for i, d in enumerate(self.deviations) if i not in self.used]


def load_expectations(path: Path | None) -> Expectations:
    if path is None or not path.exists():
        return Expectations(path, [])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ExpectationsError(f"{path}: not valid TOML ({error})") from None
    except UnicodeDecodeError as error:
        raise ExpectationsError(f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    except OSError as error:
        raise ExpectationsError(f"{path}: cannot read it ({error.strerror or error})") from None
    entries = data.get("deviation", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ExpectationsError(f"{path}: expected [[deviation]] tables; found deviation = {entries!r}"[:300])
    return Expectations(path, [_deviation(path, n, entry) for n, entry in enumerate(entries, 1)])


def _deviation(path: Path, number: int, entry: dict) -> Deviation:
    where = f"{path}, deviation #{number}"
    unknown = set(entry) - _FIELDS
    if unknown:
        raise ExpectationsError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_FIELDS)}")
    for field in sorted(entry):
        if not isinstance(entry[field], str):
            shown = repr(entry[field])[:80]
            raise ExpectationsError(f"{where}: {field!r} must be a string (in quotes); found {shown}")
    for field in ("test", "outcome", "reason"):
        if not entry.get(field, "").strip():
            raise ExpectationsError(f"{where}: {field!r} is required and must not be empty")
    try:
        outcome = Outcome(entry["outcome"])
    except ValueError:
        allowed = ", ".join(o.value for o in Outcome if o is not Outcome.NOT_OBSERVABLE)
        raise ExpectationsError(f"{where}: outcome {entry['outcome']!r} is not one of {allowed}") from None
    if outcome is Outcome.NOT_OBSERVABLE:
        raise ExpectationsError(
            f"{where}: not-observable is not a deviation; it follows from the adapter's capabilities"
        )
    return Deviation(entry["test"], outcome, entry["reason"].strip(), entry.get("link", ""))
