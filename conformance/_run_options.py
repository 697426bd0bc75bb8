"""The options a battery run takes, declared once for ``conformance run`` and the pytest plugin.

Design: a table. Each ``RunOption`` is one option of the run as both the
command (argparse) and the plugin (pytest) know it: ``conformance run``
declares it, reads it and hands it on to pytest word for word, and the plugin
declares it again from the same entry, so the two cannot drift apart. Options
only one side has (the plugin's ``--adapter``, ``--test-timeout``; the
command's ``--test``, ``-j``) are declared where they are used.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING, Any

from ._results import RESULTS_DIR

if TYPE_CHECKING:  # pytest is imported by the run, not by every command
    import pytest

__all__ = ["RESULTS_DIR", "SHARED_OPTIONS", "RunOption"]


@dataclasses.dataclass(frozen=True)
class RunOption:
    """One option of a run: ``kind`` is "value", "repeated" (appended) or "switch"."""

    flag: str
    kind: str
    help: str
    metavar: str | None = None
    default: str | None = None

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def _keywords(self) -> dict[str, Any]:
        if self.kind == "switch":
            return {"action": "store_true", "help": self.help}
        keywords: dict[str, Any] = {"help": self.help, "metavar": self.metavar}
        if self.kind == "repeated":
            keywords.update(action="append", default=[])
        elif self.default is not None:
            keywords["default"] = self.default
        return keywords

    def add_to_command(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(self.flag, **self._keywords())

    def add_to_plugin(self, group: pytest.OptionGroup) -> None:
        group.addoption(self.flag, **self._keywords())

    def words(self, args: argparse.Namespace) -> list[str]:
        """The option as ``conformance run`` hands it to pytest (nothing when not given)."""
        value = getattr(args, self.dest)
        if self.kind == "switch":
            return [self.flag] if value else []
        if self.kind == "repeated":
            return [f"{self.flag}={item}" for item in value]
        return [self.flag, str(value)] if value is not None else []


SHARED_OPTIONS: tuple[RunOption, ...] = (
    RunOption("--clause", "repeated", "only tests of this clause (repeatable)", "CLAUSE"),
    RunOption("--config", "repeated", "only this protocol configuration (repeatable)", "CONFIG"),
    RunOption(
        "--library",
        "value",
        "load this build of the adapter's library instead of its default "
        "(a libssl; wolfSSL: its one library)",
        "PATH",
    ),
    RunOption(
        "--label", "value", "name the run: results file and report column (default: ADAPTER[-VERSION])"
    ),
    RunOption("--results-dir", "value", "where the results file goes", "DIR", str(RESULTS_DIR)),
    RunOption("--expectations", "value", "an expectations file instead of the adapter's own", "FILE"),
    RunOption("--no-expectations", "switch", "expect every test to pass"),
)
