"""Text from adapters and libraries, made safe for terminals and plain-text reports.

Design: adapter names, facts, library error text and test ids are untrusted:
an ESC sequence in them could retitle a terminal window or clear the screen.
``safe`` shows every control character but newline and tab escaped, as Python
writes it in a string (``\\x1b``). The ``conformance`` commands other than
``run`` write through ``SafeStream``, so nothing they print can carry a raw
control character; ``run`` leaves pytest's own colours alone and escapes the
text it hands to pytest (``_pytest_plugin``). Markdown and JUnit use ``safe``
too.
"""

from __future__ import annotations

import io
import re
from typing import TextIO

__all__ = ["SafeStream", "safe"]

#: C0 controls but tab and newline, DEL, and the C1 controls (which some terminals obey too).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """``text`` with every control character but newline and tab shown escaped (``\\x1b``)."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


class SafeStream(io.TextIOBase):
    """A text stream that writes ``safe(text)`` to another."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(safe(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return self._stream.isatty()
