"""Finding a table's entry by its id, with the one error message every table gives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

__all__ = ["by_id"]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_HasId)


def by_id(entries: Iterable[T], wanted: str, what: str) -> T:
    """The entry of ``entries`` whose id is ``wanted``; else ``KeyError`` naming ``what`` and the known ids."""
    entries = list(entries)
    for entry in entries:
        if entry.id == wanted:
            return entry
    known = ", ".join(entry.id for entry in entries)
    raise KeyError(f"unknown {what} {wanted!r}; expected one of: {known}")
