"""Diff: what changed between two result sets, and whether anything got worse.

Design: tests are matched by run label (the adapter name, plus the library
version of a named build, or ``--label``) and test id; when each side holds
one label and they differ (two builds, two versions: ``conformance diff
reference-1.1.1r reference-3.5.9``), those two runs are compared. A side that
holds several runs of one label (a merged file from several machines) is
reduced to the run that started last, and the diff says which runs it set
aside. Each
matched pair falls in one class, decided by the outcome ranks of
``_verdicts`` (the table of ``_CLASSES`` below, first match wins):

==========  ===========================================================
class       rule
==========  ===========================================================
regression  the after outcome ranks worse than the before one
fix         the after outcome is pass (and before was not)
changed     any other change: to a better-ranked outcome that is not pass
==========  ===========================================================

Tests only before are removed, tests only after are added. The diff fails
(exit 1) on a regression, and also on a run problem: an adapter that ran
before is unavailable or absent after, an after run did not end ``complete``
(interrupted, stopped early, crashed, lost), or tests that ran before are
missing after. A run that could not show its outcomes cannot show that nothing
got worse. ``allow_missing`` (``--allow-missing``) turns the last three into
notes, for a deliberate subset.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable

from .._outcomes import Outcome
from .._records import TestResult
from .._results import Run
from ._verdicts import is_worse

__all__ = ["Change", "Diff", "diff_runs", "format_diff"]

LIST_LIMIT = 50  # added or removed tests listed per adapter; the rest are counted


@dataclasses.dataclass(frozen=True)
class Change:
    adapter: str
    test_id: str
    before: TestResult | None
    after: TestResult | None

    def describe(self) -> str:
        was = self.before.outcome.value if self.before else "(absent)"
        now = self.after.outcome.value if self.after else "(absent)"
        return f"{self.adapter}  {self.test_id}: {was} -> {now}"


_CLASSES: tuple[tuple[str, Callable[[Outcome, Outcome], bool]], ...] = (
    ("regressions", lambda before, after: is_worse(after, before)),
    ("fixes", lambda before, after: after is Outcome.PASS),
    ("changed", lambda before, after: True),
)


@dataclasses.dataclass
class Diff:
    regressions: list[Change] = dataclasses.field(default_factory=list)
    fixes: list[Change] = dataclasses.field(default_factory=list)
    changed: list[Change] = dataclasses.field(default_factory=list)
    added: list[Change] = dataclasses.field(default_factory=list)
    removed: list[Change] = dataclasses.field(default_factory=list)
    #: Failures that are not a test's outcome: "wolfssl: unavailable after (...)".
    run_problems: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def regressed(self) -> bool:
        return bool(self.regressions or self.run_problems)


def diff_runs(before: list[Run], after: list[Run], allow_missing: bool = False) -> Diff:
    diff = Diff()
    old, new = _by_adapter(before, "before", diff), _by_adapter(after, "after", diff)
    if len(old) == len(new) == 1 and old.keys() != new.keys():
        (was, run_before), (now, run_after) = *old.items(), *new.items()
        diff.notes.append(f"compared two labels: {was} (before) with {now} (after)")
        _diff_adapter(diff, f"{was} -> {now}", run_before, run_after, allow_missing)
        return diff
    for name in sorted(old.keys() | new.keys()):
        _diff_adapter(diff, name, old.get(name), new.get(name), allow_missing)
    return diff


def _by_adapter(runs: list[Run], side: str, diff: Diff) -> dict[str, Run]:
    groups: dict[str, list[Run]] = collections.defaultdict(list)
    for run in runs:
        groups[run.label].append(run)
    chosen = {}
    for name, group in groups.items():
        group.sort(key=lambda r: r.header.started)
        chosen[name] = newest = group[-1]
        for other in group[:-1]:
            diff.notes.append(
                f"{side}: {len(group)} runs of {name}; compared the one started "
                f"{newest.header.started or '?'} ({newest.origin}), "
                f"set aside {other.origin} (started {other.header.started or '?'})"
            )
    return chosen


def _diff_adapter(
    diff: Diff, name: str, old_run: Run | None, new_run: Run | None, allow_missing: bool
) -> None:
    _check_after_run(diff, name, old_run, new_run, allow_missing)
    old = {t.test_id: t for t in (old_run.tests if old_run else [])}
    new = {t.test_id: t for t in (new_run.tests if new_run else [])}
    for test_id in sorted(old.keys() | new.keys()):
        a, b = old.get(test_id), new.get(test_id)
        if a is None:
            diff.added.append(Change(name, test_id, None, b))
        elif b is None:
            diff.removed.append(Change(name, test_id, a, None))
        elif a.outcome is not b.outcome:
            kind = next(kind for kind, rule in _CLASSES if rule(a.outcome, b.outcome))
            getattr(diff, kind).append(Change(name, test_id, a, b))


def _check_after_run(
    diff: Diff, name: str, old_run: Run | None, new_run: Run | None, allow_missing: bool
) -> None:
    ran_before = len(old_run.tests) if old_run else 0
    if new_run is None:
        if ran_before:
            _problem(diff, allow_missing, f"{name}: ran {ran_before} tests before, absent after")
        return
    reason = new_run.header.adapter.unavailable
    if reason:
        if ran_before:
            _problem(
                diff, allow_missing, f"{name}: ran {ran_before} tests before, unavailable after ({reason})"
            )
        return
    if not new_run.complete:
        _problem(diff, allow_missing, f"{name}: the after run is not complete: {new_run.describe_state()}")
    elif new_run.partial_selection:
        diff.notes.append(f"after: {name} ran a subset of the battery; tests outside it show as removed")
    if old_run is not None:
        missing = len({t.test_id for t in old_run.tests} - {t.test_id for t in new_run.tests})
        if missing:
            _problem(diff, allow_missing, f"{name}: {missing} test(s) that ran before are missing after")


def _problem(diff: Diff, allowed: bool, text: str) -> None:
    if allowed:
        diff.notes.append(f"{text} (allowed: --allow-missing)")
    else:
        diff.run_problems.append(f"{text}; pass --allow-missing if that is intended")


def format_diff(diff: Diff, before_label: str, after_label: str) -> str:
    lines = [f"before: {before_label}", f"after:  {after_label}", ""]
    lines += _block("Regressions (outcomes that got worse)", diff.regressions, _with_reason)
    lines += _block("Fixes (now pass)", diff.fixes, _with_reason)
    lines += _block("Other changed outcomes (not worse, not to pass)", diff.changed, _with_reason)
    lines += _grouped("Added tests", diff.added)
    lines += _grouped("Removed tests", diff.removed)
    if diff.run_problems:
        lines += [f"Run problems: {len(diff.run_problems)}", *[f"  {p}" for p in diff.run_problems], ""]
    lines += [f"note: {note}" for note in diff.notes]
    verdict = (
        f"REGRESSION: {len(diff.regressions)} outcome(s) got worse, {len(diff.run_problems)} run problem(s)"
        if diff.regressed
        else "no regression"
    )
    return "\n".join([*lines, verdict])


def _with_reason(change: Change) -> list[str]:
    lines = [f"  {change.describe()}"]
    if change.after and change.after.reason:
        lines.append(f"      reason: {' '.join(change.after.reason.split())[:300]}")
    return lines


def _block(title: str, changes: list[Change], describe: Callable[[Change], list[str]]) -> list[str]:
    lines = [f"{title}: {len(changes)}"]
    for change in changes:
        lines += describe(change)
    return [*lines, ""]


def _grouped(title: str, changes: list[Change]) -> list[str]:
    lines = [f"{title}: {len(changes)}"]
    by_adapter: dict[str, list[Change]] = collections.defaultdict(list)
    for change in changes:
        by_adapter[change.adapter].append(change)
    for name, group in by_adapter.items():
        for change in group[:LIST_LIMIT]:
            lines.append(f"  {change.describe()}")
        if len(group) > LIST_LIMIT:
            lines.append(f"  {name}: ...and {len(group) - LIST_LIMIT} more")
    return [*lines, ""]
