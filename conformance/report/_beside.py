"""Part of a report made beside the rest: merged.json and JUnit, in a forked child on the other core.

Design: the JUnit files need every test record (a test case each) and, at the
end, the report model's columns (slugs, scores); the page needs the records
and the model too. ``Beside`` forks a child that does its part on its own
(``work``: it reads the inputs for merged.json and JUnit) while this process
reads them for the model, the page and the summary; ``send`` hands the child
the values it waits for in turn (the columns; then the go-ahead, once the other
outputs are written), ``result`` gives back what the child returned, or raises
the exception it raised, all pickled through pipes. The caller sees what it saw
when all was done in one process: the same outputs, the same messages, its own
errors first (``_commands`` says which output waits for which message).
``cancel`` (this process failed) lets the child end without putting anything
in place. Without ``fork``, with other threads running (a fork copies only this
one), or if the fork fails, ``work`` runs here, in ``result``. A child that
dies without an answer (killed) is ``ChildLost``: its work cannot be done
again here, as what it had written is unknown.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import IO, Any, Generic, NoReturn, TypeVar

__all__ = ["Beside", "ChildLost"]

T = TypeVar("T")
#: ``work`` takes a function that returns the next value this process sends.
Work = Callable[[Callable[[], Any]], T]


class ChildLost(Exception):
    """The child ended without an answer; the message says how it ended."""


class Beside(Generic[T]):
    """``work`` in a forked child, beside this process, from now until ``result`` or ``cancel``."""

    def __init__(self, work: Work[T]) -> None:
        self._work = work
        self._sent: list[Any] = []
        self._pid = 0
        self._to_child: IO[bytes] | None = None
        self._forked = hasattr(os, "fork") and threading.active_count() == 1
        if not self._forked:
            return
        from_parent, to_child = os.pipe()
        self._from_child, to_parent = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            self._pid = os.fork()
        except OSError:  # no process to spare: the work is done here
            for end in (from_parent, to_child, self._from_child, to_parent):
                os.close(end)
            self._forked = False
            return
        if not self._pid:
            os.close(to_child)
            os.close(self._from_child)
            _child(work, from_parent, to_parent)
        os.close(from_parent)
        os.close(to_parent)
        self._to_child = open(to_child, "wb")  # closed in _end

    @property
    def forked(self) -> bool:
        """Whether ``work`` runs in a child (else it runs here, in ``result``)."""
        return self._forked

    def send(self, value: Any) -> None:
        """The next value ``work`` waits for."""
        self._sent.append(value)
        if self._pid and self._to_child is not None:
            try:
                self._to_child.write(pickle.dumps(value))
                self._to_child.flush()
            except BrokenPipeError:  # the child has answered already (it failed), or died
                self._close_pipe()

    def result(self) -> T:
        """What ``work`` returned; the exception it raised, raised again."""
        if not self._forked:
            return self._work(iter(self._sent).__next__)
        done, value = self._end()
        if not done:
            raise value
        return value

    def cancel(self) -> None:
        """This process failed: the child ends without finishing its work."""
        with contextlib.suppress(ChildLost):
            self._end()

    def _close_pipe(self) -> None:
        pipe, self._to_child = self._to_child, None
        if pipe is not None:
            try:
                pipe.close()
            except BrokenPipeError:  # what was left in its buffer cannot be sent: the child is gone
                pass

    def _end(self) -> tuple[bool, Any]:
        """The child's answer, once it has ended (``ChildLost`` without one)."""
        if not self._pid:
            return True, None
        self._close_pipe()
        with open(self._from_child, "rb") as pipe:
            answer = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        try:
            return pickle.loads(answer)
        except Exception:
            if os.WIFSIGNALED(status):
                ending = f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
            else:
                ending = f"ended with exit status {os.waitstatus_to_exitcode(status)}"
            raise ChildLost(
                f"the process forked to work beside this one {ending} without an answer"
            ) from None


class _Cancelled(Exception):
    """This process sent nothing: it failed, and the child's work is not wanted."""


def _child(work: Work[Any], from_parent: int, to_parent: int) -> NoReturn:
    values = open(from_parent, "rb")  # the child leaves by os._exit

    def receive() -> Any:
        try:
            return pickle.load(values)
        except EOFError:
            raise _Cancelled from None

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
    except BaseException:  # cancelled, or an answer that cannot be pickled: no answer (ChildLost)
        status = 1
    finally:
        os._exit(status)
