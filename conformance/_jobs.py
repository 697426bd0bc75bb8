"""N test children at once (``conformance run -j N``), results still in test order.

Design: pytest runs the battery's tests one after another, and the plugin
writes each result when its test's turn comes. With N jobs, when a test's turn
comes the plugin also forks the children of the next N-1 tests, so that they
run while it waits for this one; each later test then finds its child already
running (or done). Every test still has its own child forked from the warm
parent, results are written in test order by the parent alone, and the
expectations are weighed once, in the parent: the same outcomes as a serial run.

A test is started ahead only if all it asks for is the lab and its parameters
(every battery test) and no skip marker holds it back; any other test runs
when its turn comes, as in a serial run. Children started ahead of a run that
stops early (``-x``, an interrupt) are killed and reaped at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from ._isolation import Child, Ending, start_child
from ._lab import Lab

__all__ = ["Jobs"]


class Jobs:
    """Children of the tests to come, started ahead (see the module doc)."""

    def __init__(self, jobs: int, items: Sequence[pytest.Item]) -> None:
        self.jobs = jobs
        self.items = list(items)
        self.order = {item.nodeid: index for index, item in enumerate(self.items)}
        self.running: dict[str, Child] = {}

    def ending(self, item: pytest.Function, lab: Lab, new_lab: Callable[[], Lab], timeout: float) -> Ending:
        """The ending of ``item``'s child (started now, or earlier ahead of its turn)."""
        child = self.running.pop(item.nodeid, None)
        if child is None:
            child = start_child(_body(item, lab), lab.evidence)
        index = self.order.get(item.nodeid)
        if index is not None:
            for later in self.items[index + 1 : index + self.jobs]:
                if (
                    later.nodeid not in self.running
                    and isinstance(later, pytest.Function)
                    and _startable(later)
                ):
                    ahead = new_lab()
                    self.running[later.nodeid] = start_child(_body(later, ahead), ahead.evidence)
        return child.finish(timeout)

    def close(self) -> None:
        for child in self.running.values():
            child.abandon()
        self.running.clear()


def _startable(item: pytest.Function) -> bool:
    if item.get_closest_marker("clause") is None:
        return False
    if item.get_closest_marker("skip") or item.get_closest_marker("skipif"):
        return False
    params = item.callspec.params if hasattr(item, "callspec") else {}
    return all(name == "lab" or name in params for name in item._fixtureinfo.argnames)


def _body(item: pytest.Function, lab: Lab) -> Callable[[], None]:
    params = item.callspec.params if hasattr(item, "callspec") else {}
    arguments = {name: lab if name == "lab" else params[name] for name in item._fixtureinfo.argnames}
    return lambda: item.obj(**arguments)
