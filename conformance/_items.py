"""What the plugin reads off a collected battery test: its id, its declared needs, its selection.

Design: a battery test is a pytest item marked ``clause``; its stable id is
``file.py::name[params]`` (what results files, expectations and ``--test``
name); its ``needs`` marks say which capabilities it observes (``_needs``);
``--clause`` and ``--config`` keep the items of the chosen clauses and
configurations, and a mistyped one is a usage error, not a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._capabilities import Capability
from ._catalogue import clause_by_id
from ._configs import config_by_id
from ._needs import MARK, needs_of_marks

__all__ = ["battery_test_id", "declared_needs", "select"]


def battery_test_id(item: pytest.Item) -> str:
    """The stable id of a battery test: ``file.py::name[params]``."""
    return f"{Path(str(item.path)).name}::{item.name}"


def declared_needs(item: pytest.Item) -> dict[Capability, str]:
    """The test's ``needs`` marks (read at collection, where a bad one is a usage error)."""
    return needs_of_marks(item.iter_markers(MARK), battery_test_id(item))


def select(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep only the tests of the chosen clauses and configurations, if any were chosen."""
    clauses, configs = set(config.getoption("clause")), set(config.getoption("config"))
    try:
        for clause_id in clauses:
            clause_by_id(clause_id)
        for config_id in configs:
            config_by_id(config_id)
    except KeyError as error:  # a mistyped --clause or --config: a message, not a traceback
        raise pytest.UsageError(error.args[0]) from None

    def chosen(item: pytest.Item) -> bool:
        marker = item.get_closest_marker("clause")
        if marker is None:
            return True
        params = getattr(item, "callspec", None)
        item_config = getattr(params.params.get("config"), "id", None) if params else None
        return (not clauses or bool(clauses & set(marker.args))) and (not configs or item_config in configs)

    kept = [item for item in items if chosen(item)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if not chosen(item)])
        items[:] = kept
