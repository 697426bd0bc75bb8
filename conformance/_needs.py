"""Declared capability needs: ``@pytest.mark.needs(Capability.X, why=...)`` on a battery test.

Design: a battery test declares each capability it observes, with why, as a
pytest mark (on the test, or on one ``pytest.param`` of it). The plugin reads
the marks at collection and hands them to the test's ``Lab``, which enforces
each need right before the observation (so the documented call comes first).
The same marks are read here without running anything, so ``conformance
check``, the author's guide and the report can list the tests behind each
capability. A mark that names no ``Capability`` or gives no ``why`` is a
usage error, told at collection.

The report's capability legend reads ``_needs_table``, the same lists written
out by ``python -m conformance._needs`` (``table_source``), so that a report
imports neither pytest nor the battery; a test fails when the table and the
marks differ.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._capabilities import Capability

__all__ = ["MARK", "NeedsError", "battery_needs", "needs_of_marks", "table_source"]

MARK = "needs"
MARKER_LINE = "needs(*capabilities, why): the capabilities a battery test observes, and why"


class NeedsError(ValueError):
    """A ``needs`` mark that names no capability or says no why."""


def needs_of_marks(marks: Iterable[Any], where: str) -> dict[Capability, str]:
    """Capability -> why, from the ``needs`` marks among ``marks``."""
    needs: dict[Capability, str] = {}
    for mark in marks:
        if mark.name != MARK:
            continue
        why = mark.kwargs.get("why")
        if not isinstance(why, str) or not why.strip():
            raise NeedsError(f"{where}: @pytest.mark.needs(...) needs why='what the test observes'")
        if not mark.args:
            raise NeedsError(f"{where}: @pytest.mark.needs(...) names no capability")
        for capability in mark.args:
            if not isinstance(capability, Capability):
                known = ", ".join(f"Capability.{c.name}" for c in Capability)
                raise NeedsError(f"{where}: needs {capability!r}, which is not one of {known}")
            needs.setdefault(capability, why)
    return needs


def battery_needs(package: str = "conformance.battery") -> dict[Capability, list[str]]:
    """Capability -> the battery tests that declare it (``file.py::test`` or ``file.py::test[param]``)."""
    found: dict[Capability, list[str]] = {capability: [] for capability in Capability}
    battery = importlib.import_module(package)
    for info in pkgutil.iter_modules(battery.__path__):
        if not info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("test_") and function.__module__ == module.__name__:
                for capability, test in _function_needs(function, f"{info.name}.py::{name}"):
                    found[capability].append(test)
    return found


def _function_needs(function: Any, test: str) -> list[tuple[Capability, str]]:
    marks = list(getattr(function, "pytestmark", []))
    pairs = [(capability, test) for capability in needs_of_marks(marks, test)]
    for mark in marks:
        if mark.name != "parametrize" or len(mark.args) < 2:
            continue
        for value in mark.args[1]:
            if hasattr(value, "marks") and hasattr(value, "values"):  # a pytest.param
                variant = f"{test}[{'-'.join(str(v) for v in value.values)}]"
                pairs += [(c, variant) for c in needs_of_marks(value.marks, variant)]
    return pairs


TABLE = Path(__file__).with_name("_needs_table.py")

_TABLE_HEAD = '''"""The battery tests that declare a need of each capability (by its value), as the battery's
``needs`` marks say: the report's capability legend, without importing pytest or the battery.

Written by ``python -m conformance._needs`` from the marks (``_needs.table_source``); do not
edit it by hand: tests/test_needs_table.py fails when it and the marks differ.
"""

BATTERY_NEEDS: dict[str, tuple[str, ...]] = {
'''


def table_source(needs: dict[Capability, list[str]]) -> str:
    """The source of ``_needs_table`` for ``needs`` (as ``battery_needs`` gives it), formatted as
    ruff formats it."""
    lines = [_TABLE_HEAD]
    for capability, tests in needs.items():
        key = json.dumps(capability.value)
        one = f"    {key}: ({json.dumps(tests[0])},),\n" if len(tests) == 1 else ""
        if not tests:
            lines.append(f"    {key}: (),\n")
        elif one and len(one) <= 111:
            lines.append(one)
        else:
            listed = "".join(f"        {json.dumps(test)},\n" for test in tests)
            lines.append(f"    {key}: (\n{listed}    ),\n")
    return "".join(lines) + "}\n"


if __name__ == "__main__":  # pragma: no cover
    TABLE.write_text(table_source(battery_needs()), encoding="utf-8")
    print(f"wrote {TABLE.name}")
