"""The kill matrix's format: its file, its schema, and what one of its cells says.

Design: ``conformance selftest`` writes the kill matrix (``_selftest``) and the
report shows it (``report._kill_matrix``); both take from here the file's place
under ``--out``, the schema name, the key of kills by tests that take no
protocol configuration, and the one rule that turns a mutant's kills into a
cell. Neither imports the other.

A cell, for one mutant and one configuration:

=================================================  ==============
the mutant's kills there                           the cell
=================================================  ==============
the configuration is not among the mutant's own    ``n/a``
tests of its own clause killed it (N of them)      ``killed (N)``
only tests of other clauses killed it              ``SURVIVED*``
nothing killed it                                  ``SURVIVED``
=================================================  ==============
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

__all__ = ["ANY_CONFIG", "MATRIX_FILE", "MATRIX_SCHEMA", "Cell", "CellState", "cell", "kills_in"]

MATRIX_SCHEMA = "ssl-set-session-conformance/kill-matrix"
MATRIX_FILE = Path("selftest") / "kill-matrix.json"
#: The key of kills by a test that takes no protocol configuration: they count in every one.
ANY_CONFIG = "-"


class CellState(enum.Enum):
    KILLED = "killed"
    SURVIVED = "survived"
    ONLY_OTHERS = "only-others"
    NOT_APPLICABLE = "n/a"


_TEXT = {
    CellState.KILLED: "killed ({})",
    CellState.SURVIVED: "SURVIVED",
    CellState.ONLY_OTHERS: "SURVIVED*",
    CellState.NOT_APPLICABLE: "n/a",
}


@dataclasses.dataclass(frozen=True)
class Cell:
    state: CellState
    #: How many tests of the mutant's own clause killed it there.
    kills: int = 0

    @property
    def text(self) -> str:
        return _TEXT[self.state].format(self.kills)


def kills_in(kills: Mapping[str, Sequence[str]], config: str) -> list[str]:
    """The tests in ``kills`` (configuration -> tests) that killed the mutant in ``config``."""
    return [*kills.get(config, ()), *kills.get(ANY_CONFIG, ())]


def cell(
    config: str,
    own: Mapping[str, Sequence[str]],
    required: Collection[str],
    only_by_others: Collection[str],
) -> Cell:
    """The cell of one mutant in ``config``: ``own`` are its own clause's kills, ``required`` its
    configurations, ``only_by_others`` those where only other clauses' tests killed it."""
    if config not in required:
        return Cell(CellState.NOT_APPLICABLE)
    killers = kills_in(own, config)
    if killers:
        return Cell(CellState.KILLED, len(killers))
    return Cell(CellState.ONLY_OTHERS if config in only_by_others else CellState.SURVIVED)
