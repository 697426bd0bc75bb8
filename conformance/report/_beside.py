"""Part of a report made beside the rest: the JUnit files, in a forked child on the other core.

Design: the JUnit files need every test record (a test case each) and, at the
end, the report model's columns (slugs, scores); the page needs the records
and the model too. ``Beside`` forks a child that reads the inputs on its own
(``work``) while this process reads them for the model, the page, the summary
and merged.json; ``send`` hands the child the one value it waits for (the
columns), ``result`` gives back what the child returned, or raises the
exception it raised, both pickled through a pipe. The caller sees what it saw
when all was done in one process: the same outputs, the same messages, its own
errors first. ``cancel`` (this process failed) lets the child end without
writing. Without ``fork``, with other threads running (a fork copies only this
one), if the fork fails, or if the child dies without an answer, ``work`` runs here in
``result``.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, NoReturn, TypeVar

__all__ = ["Beside"]

T = TypeVar("T")
#: ``work`` takes a function that returns the value this process sends.
Work = Callable[[Callable[[], Any]], T]


class Beside(Generic[T]):
    """``work`` in a forked child, beside this process, from now until ``result`` or ``cancel``."""

    def __init__(self, work: Work[T]) -> None:
        self._work = work
        self._sent: list[Any] = []
        self._pid = 0
        self._forked = hasattr(os, "fork") and threading.active_count() == 1
        if not self._forked:
            return
        from_parent, self._to_child = os.pipe()
        self._from_child, to_parent = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            self._pid = os.fork()
        except OSError:  # no process to spare: the work is done here
            for end in (from_parent, self._to_child, self._from_child, to_parent):
                os.close(end)
            self._forked = False
            return
        if not self._pid:
            os.close(self._to_child)
            os.close(self._from_child)
            _child(work, from_parent, to_parent)
        os.close(from_parent)
        os.close(to_parent)

    @property
    def forked(self) -> bool:
        """Whether ``work`` runs in a child (else it runs here, in ``result``)."""
        return self._forked

    def send(self, value: Any) -> None:
        """The value ``work`` waits for (once)."""
        self._sent.append(value)
        if self._pid:
            try:
                with open(self._to_child, "wb") as pipe:
                    pipe.write(pickle.dumps(value))
            except BrokenPipeError:  # the child is gone: ``result`` does the work here
                pass

    def result(self) -> T:
        """What ``work`` returned; the exception it raised, raised again."""
        answer = self._end()
        if answer is None:
            return self._work(lambda: self._sent[0])
        done, value = answer
        if not done:
            raise value
        return value

    def cancel(self) -> None:
        """This process failed: the child ends without finishing its work."""
        self._end()

    def _end(self) -> tuple[bool, Any] | None:
        if not self._pid:
            return None
        if not self._sent:
            os.close(self._to_child)
        with open(self._from_child, "rb") as pipe:
            answer = pipe.read()
        os.waitpid(self._pid, 0)
        self._pid = 0
        try:
            return pickle.loads(answer)
        except Exception:  # the child died before it answered
            return None


class _Cancelled(Exception):
    """This process sent nothing: it failed, and the child's work is not wanted."""


def _child(work: Work[Any], from_parent: int, to_parent: int) -> NoReturn:
    def receive() -> Any:
        with open(from_parent, "rb") as pipe:
            data = pipe.read()
        if not data:
            raise _Cancelled
        return pickle.loads(data)

    status = 0
    try:
        try:
            result: tuple[bool, Any] = (True, work(receive))
        except _Cancelled:
            raise
        except BaseException as error:  # handed to this process, which raises it
            result = (False, error)
        with open(to_parent, "wb") as pipe:
            pipe.write(pickle.dumps(result))
    except BaseException:  # cancelled, or an answer that cannot be pickled: no answer
        status = 1
    finally:
        os._exit(status)
