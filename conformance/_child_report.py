"""What the parent reads of a test child's stream: its steps, trace entries and ending.

Design: the child (``_isolation``) writes one JSON record per line into a pipe
as it goes, so that a crash keeps the steps up to it. The parent reads until the
ending, the end of the pipe or the deadline, in linear time and bounded memory:
it keeps at most ``KEEP_BYTES`` of what the child sends, and counts what it sets
aside (a line over the limit, a line that is not a record) so that the test's
evidence can say so.
"""

from __future__ import annotations

import os
import select
import time

from ._evidence import Op
from ._records import Ending, RecordError, Step, decode_pipe_line

__all__ = ["KEEP_BYTES", "ChildReport", "collect"]

#: What the parent keeps of a child's report; the rest is counted and noted.
KEEP_BYTES = 1 << 20
_LINE_END = b"\n"


class ChildReport:
    """What the parent kept of the child's lines, in linear time and bounded memory."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.entries: dict[int, Op] = {}  # trace entries by number; the latest of each wins
        self.ending: Ending | None = None
        self.kept = 0
        self.set_aside = 0
        self._line = bytearray()
        self._overflow = False

    def feed(self, chunk: bytes) -> None:
        start = 0
        while self.ending is None:
            end = chunk.find(_LINE_END, start)
            if end < 0:
                self._add(chunk[start:])
                return
            self._add(chunk[start:end])
            self._finish_line()
            start = end + 1

    def _add(self, part: bytes) -> None:
        if self._overflow or len(self._line) + len(part) > KEEP_BYTES:
            self._overflow = True
            self.set_aside += len(part)
        else:
            self._line += part

    def _finish_line(self) -> None:
        line, overflow = bytes(self._line), self._overflow
        self._line, self._overflow = bytearray(), False
        if overflow:
            self.set_aside += len(line)
            return
        try:
            record = decode_pipe_line(line)
        except RecordError:
            self.set_aside += len(line)
            return
        if isinstance(record, Ending):
            self.ending = record
        elif self.kept + len(line) <= KEEP_BYTES:
            if isinstance(record, Step):
                self.steps.append(record.text)
            else:
                self.entries[record.at] = record.op
            self.kept += len(line)
        else:
            self.set_aside += len(line)


def collect(fd: int, timeout: float, report: ChildReport) -> bool:
    """Read until the ending, the end of the pipe, or the deadline; True when time ran out."""
    deadline = time.monotonic() + timeout
    while report.ending is None:
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return False
        report.feed(chunk)
    return False
