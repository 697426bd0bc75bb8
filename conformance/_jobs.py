"""Test children: forked by the fork server, N at a time (``conformance run -j N``), results in test order.

Design: pytest runs the battery's tests one after another, and the plugin
writes each result when its test's turn comes. When a test's turn comes, its
child is started (or found running) and read to its ending. With N jobs, the
plugin also starts the children of the next N-1 tests, so that they run while
it waits for this one. Every test still has its own child, with a lab of its
own made from the test alone; results are written in test order by the parent
alone, and the expectations are weighed once, in the parent: the same outcomes
as a serial run.

Children come from the fork server (``_forkserver``), started at the first
test, once the parent is warm. A test can be started by the server, or ahead
of its turn, only if all it asks for is the lab and its parameters (every
battery test) and no skip marker holds it back; any other test is forked by
the parent when its turn comes, with the fixtures pytest made for it. So is
every test once the server is gone; a test whose child died with the server
before reporting its ending is run again that way, and its evidence says so
(its first child's exit status went with the server). Children started ahead
of a run that stops early (``-x``, an interrupt) are killed and reaped at the end.

What a server's child needs of its test (the function, its parameters, its
declared needs) is read off the pytest items once, in the parent, before the
server is forked: a child that walked pytest's nodes and marks itself would
copy every page they touch (some 90 page faults a test).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from ._capabilities import Capability
from ._evidence import Evidence
from ._forkserver import ForkServer, ForkServerGone
from ._isolation import Child, Ending, start_child
from ._items import declared_needs
from ._lab import Lab

__all__ = ["Jobs", "LabFactory", "fixtures_body", "startable"]

#: A fresh lab with a test's declared needs, made where the test runs.
LabFactory = Callable[[dict[Capability, str]], Lab]


class Jobs:
    """The test children of a run (see the module doc)."""

    def __init__(self, jobs: int, items: Sequence[pytest.Item]) -> None:
        self.jobs = jobs
        self.items = list(items)
        self.order = {item.nodeid: index for index, item in enumerate(self.items)}
        self.running: dict[str, Child] = {}
        self.server: ForkServer | None = None
        self._server_wanted = True  # one server per run: if it goes, the parent forks
        #: The factory of the first test's turn, for the turns that follow (``_protocol``).
        self.new_lab: LabFactory | None = None

    def ending(self, item: pytest.Item, lab: Lab | None, new_lab: LabFactory, timeout: float) -> Ending:
        """The ending of ``item``'s child (started now, or earlier ahead of its turn).

        ``lab`` is the one pytest made for ``item`` in this process; ``new_lab`` makes
        one for any test, in the child that runs it.
        """
        self.new_lab = self.new_lab or new_lab
        self._start_server(new_lab)
        child = self.running.pop(item.nodeid, None) or self._start(item, lab, new_lab)
        index = self.order.get(item.nodeid)
        if index is not None:
            for later in self.items[index + 1 : index + self.jobs]:
                if later.nodeid not in self.running and startable(later):
                    self.running[later.nodeid] = self._start(later, None, new_lab)
        try:
            return child.finish(timeout)
        except ForkServerGone as gone:  # the child died with the server, before its ending
            self._lose_server()
            again = self._start(item, None, new_lab)  # now forked by this process
            ending = again.finish(timeout)
            ending.evidence.notes.append(
                f"run a second time, in a child of the run's own process: the first child died "
                f"with the fork server that forked it, before reporting an ending ({gone})"
            )
            return ending

    def close(self) -> None:
        for child in self.running.values():
            child.abandon()
        self.running.clear()
        self._lose_server()

    # -- starting children ------------------------------------------------------------
    def _start_server(self, new_lab: LabFactory) -> None:
        if not self._server_wanted:
            return
        self._server_wanted = False
        plans = [_Plan.of(item) if startable(item) else None for item in self.items]

        def body_of(number: int) -> tuple[Callable[[], None], Evidence]:
            plan = plans[number]
            assert plan is not None  # the server is asked only for startable tests
            made = new_lab(plan.needs)
            return plan.body(made), made.evidence

        try:
            self.server = ForkServer.start(body_of)
        except OSError:
            self.server = None

    def _start(self, item: pytest.Item, lab: Lab | None, new_lab: LabFactory) -> Child:
        by_server = startable(item)
        if self.server is not None and by_server:
            try:
                return self.server.start_child(self.order[item.nodeid])
            except ForkServerGone:
                self._lose_server()
        assert isinstance(item, pytest.Function)
        if lab is None:
            lab = new_lab(declared_needs(item))  # made in this process, for a child forked from it
        return start_child(_Plan.of(item).body(lab) if by_server else fixtures_body(item), lab.evidence)

    def _lose_server(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None


def startable(item: pytest.Item) -> bool:
    if not isinstance(item, pytest.Function) or item.get_closest_marker("clause") is None:
        return False
    if item.get_closest_marker("skip") or item.get_closest_marker("skipif"):
        return False
    params = item.callspec.params if hasattr(item, "callspec") else {}
    return all(name == "lab" or name in params for name in item._fixtureinfo.argnames)


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What a child needs of a startable test: its function, its arguments but the lab, its needs."""

    function: Callable[..., Any]
    names: tuple[str, ...]  # the function's arguments, in order, the lab's among them
    params: dict[str, Any]
    needs: dict[Capability, str]

    @classmethod
    def of(cls, item: pytest.Item) -> _Plan:
        assert isinstance(item, pytest.Function)
        params = item.callspec.params if hasattr(item, "callspec") else {}
        names = tuple(item._fixtureinfo.argnames)
        return cls(
            item.obj, names, {name: params[name] for name in names if name != "lab"}, declared_needs(item)
        )

    def body(self, lab: Lab) -> Callable[[], None]:
        arguments = {name: lab if name == "lab" else self.params[name] for name in self.names}
        return lambda: self.function(**arguments)


def fixtures_body(item: pytest.Function) -> Callable[[], None]:
    """The body with the fixtures pytest made for it in this process."""
    arguments = {name: item.funcargs[name] for name in item._fixtureinfo.argnames}
    return lambda: item.obj(**arguments)
