"""A fork server: one warm process that forks the test children, so the run's own process need not.

Design: every battery test runs in a child of its own (``_isolation``). Forked
from the pytest process, each child costs that process more than the fork: the
fork marks every page it holds copy-on-write, and pytest's bookkeeping between
two tests writes to over a thousand of them, each write a page fault. So, once
the parent is warm (``_warmup``) and the tests are collected, it forks a
server. The server holds the same warm memory, writes almost none of it, and
does one thing: for a test's number (and the write end of that test's pipe,
passed over a socket), it forks a test child, which builds the test's lab and
runs its body exactly as a child forked by the parent would (``_isolation``'s
child: its own process group, dying with its parent, streaming its steps and
ending into the pipe); it answers with the child's pid. The parent reads the
pipe as before. A child whose ending came is killed with whatever it left
behind and released: the server reaps it once it is gone, while the parent goes
on. Only a child with no ending (a crash, a hang) is waited for: the parent
asks the server for its exit status. Either way the server reaps a child only
when the parent says so, so a pid the parent may still signal is never reused.

The server leads a process group of its own (a Ctrl-C at the terminal is the
parent's to handle) and dies with the parent (SIGKILL on the parent's death),
and its children die with it. It ends when the parent closes its socket. If it
is gone, the parent forks its children itself again (``ForkServerGone``).
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import struct
from collections.abc import Callable

from ._evidence import Evidence
from ._isolation import Child, bound_lifetime, fork, run_child

__all__ = ["ForkServer", "ForkServerGone", "TestBody"]

#: A test's body and the evidence it records, made in the test child from the test's number.
TestBody = Callable[[int], tuple[Callable[[], None], Evidence]]

#: One request or answer: a letter and a number ("R" test number -> "P" pid; "W" pid -> "S" status;
#: "F" pid, no answer: reap it when it is gone).
_MESSAGE = struct.Struct("=cq")
#: How often the server looks for released children that are gone, while it waits (s).
_REAP_EVERY = 0.01


class ForkServerGone(ChildProcessError):
    """The fork server did not answer: it died, or was closed. Its children died with it
    (each asked for SIGKILL at its parent's death); their exit statuses are lost."""


class ForkServer:
    """The parent's handle on a running fork server (see the module doc)."""

    def __init__(self, pid: int, channel: socket.socket) -> None:
        self.pid = pid
        self._channel = channel

    @classmethod
    def start(cls, body_of: TestBody) -> ForkServer:
        """Fork the server now: it holds this process's memory as it is at this moment."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        parent = os.getpid()
        pid = fork()
        if pid == 0:  # the server
            ours.close()
            _serve(theirs, body_of, parent)
        theirs.close()
        return cls(pid, ours)

    def start_child(self, number: int) -> Child:
        """Fork the child of test ``number``; read its pipe with ``Child.finish`` as usual."""
        read_end, write_end = os.pipe()
        try:
            try:
                socket.send_fds(self._channel, [_MESSAGE.pack(b"R", number)], [write_end])
            except OSError as error:
                raise ForkServerGone(f"the fork server did not take a request: {error}") from None
            finally:
                os.close(write_end)
            pid = self._answer(b"P")
        except BaseException:
            os.close(read_end)
            raise
        return Child(pid, read_end, reap=self.reap, release=self.release)

    def reap(self, pid: int) -> int:
        """The exit status of a child of the server (the server waits for it now)."""
        self._send(_MESSAGE.pack(b"W", pid))
        return self._answer(b"S")

    def release(self, pid: int) -> None:
        """Have the server reap a killed child in its own time; no answer is awaited.

        If the server is gone, so is the child (init reaps it): nothing is lost.
        """
        with contextlib.suppress(ForkServerGone):
            self._send(_MESSAGE.pack(b"F", pid))

    def close(self) -> None:
        """End the server (it exits when its socket closes) and reap it."""
        self._channel.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)

    def _send(self, message: bytes) -> None:
        try:
            self._channel.send(message)
        except OSError as error:
            raise ForkServerGone(f"the fork server did not take a request: {error}") from None

    def _answer(self, kind: bytes) -> int:
        try:
            message = self._channel.recv(_MESSAGE.size)
        except OSError as error:
            raise ForkServerGone(f"the fork server did not answer: {error}") from None
        if len(message) != _MESSAGE.size:
            raise ForkServerGone("the fork server ended")
        got, number = _MESSAGE.unpack(message)
        if got != kind:
            raise ForkServerGone(f"the fork server answered {got!r}, expected {kind!r}")
        return int(number)


# -- the server -----------------------------------------------------------------------------


def _serve(channel: socket.socket, body_of: TestBody, parent: int) -> None:
    """Answer the parent's requests until it closes the socket; never returns."""
    try:
        bound_lifetime(parent)
        server = os.getpid()
        released: set[int] = set()  # killed children, reaped as soon as they are gone
        while True:
            released -= {pid for pid in released if os.waitpid(pid, os.WNOHANG)[0]}
            if released and not select.select([channel], [], [], _REAP_EVERY)[0]:
                continue
            message, fds, _, _ = socket.recv_fds(channel, _MESSAGE.size, 1)
            if len(message) != _MESSAGE.size:
                break  # the parent closed its end: the run is over
            kind, number = _MESSAGE.unpack(message)
            if kind == b"R" and fds:
                channel.send(_MESSAGE.pack(b"P", _fork_test(channel, body_of, number, fds[0], server)))
            elif kind == b"F":
                released.add(number)
            elif kind == b"W":
                _, status = os.waitpid(number, 0)
                channel.send(_MESSAGE.pack(b"S", status))
            for fd in fds:
                os.close(fd)
    finally:
        os._exit(0)  # never run the parent's cleanup (pytest, atexit) here


def _fork_test(channel: socket.socket, body_of: TestBody, number: int, write_end: int, server: int) -> int:
    pid = fork()
    if pid == 0:  # the test child
        try:
            channel.close()
            body, evidence = body_of(number)
        except BaseException as error:  # reported as the test's ending, like an error in its body
            body, evidence = _raising(error), Evidence()
        run_child(body, evidence, write_end, server)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also done by the child: whichever runs first
    return pid


def _raising(error: BaseException) -> Callable[[], None]:
    def body() -> None:
        raise error

    return body
