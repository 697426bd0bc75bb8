"""The generated parts of the author's guide: ``python -m conformance.docs [--check] [GUIDE]``.

Design: ``docs/writing-an-adapter.md`` is prose written by hand, with sections
between markers that are made from the code, so that they cannot drift from
it: the capabilities glossary (each ``Capability``, its ``meaning``, its
``adapter_methods`` and the battery tests that declare a need of it) and the contract at a glance (every method of
``Adapter``, as the battery calls it). ``SECTIONS`` maps a marker name to the
function that renders it. Without ``--check`` the sections are rewritten in
place; with it, nothing is written and the exit status says whether the file
is up to date (0) or not (1), for the project's tests and CI.

    <!-- generated: capabilities (python -m conformance.docs) -->
    ...
    <!-- end: capabilities -->
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ._capabilities import Capability
from ._contract import Adapter
from ._needs import battery_needs
from ._registry import call_signature

__all__ = [
    "DEFAULT_GUIDE",
    "SECTIONS",
    "GuideError",
    "render_capabilities",
    "render_contract",
    "stale_sections",
    "update_guide",
]

DEFAULT_GUIDE = Path("docs/writing-an-adapter.md")


class GuideError(Exception):
    """The guide cannot be updated; the message says why and what to do."""


def render_capabilities() -> str:
    """The glossary: one entry per capability, in the order of the enum, with the tests behind it."""
    entries = []
    needs = battery_needs()
    for capability in Capability:
        methods = ", ".join(f"`{call_signature(method)}`" for method in capability.adapter_methods)
        tests = ", ".join(f"`{test}`" for test in needs[capability]) or "none"
        entries.append(
            f"- **`{capability.value}`** (`Capability.{capability.name}`): {capability.meaning}\n"
            f"  Implement: {methods}.\n"
            f"  Needed by ({len(needs[capability])}): {tests}."
        )
    return "\n".join(entries)


def render_contract() -> str:
    """Every contract method, as called, with the first line of its docstring."""
    rows = ["| method | needed | what it does |", "|---|---|---|"]
    owners = {method: capability for capability in Capability for method in capability.adapter_methods}
    for name, member in vars(Adapter).items():  # in the order of the contract's source
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        needed = f"`{owners[name].value}`" if name in owners else "always"
        summary = (inspect.getdoc(member) or "").splitlines()[0].replace("``", "`")
        if name in owners:  # "REUSE_FLAG: the library's ..." -> "The library's ..."
            summary = summary.removeprefix(f"{owners[name].name}: ")
            summary = summary[:1].upper() + summary[1:]
        rows.append(f"| `{_cell(call_signature(name))}` | {needed} | {_cell(summary)} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


#: Marker name -> what renders the section.
SECTIONS: dict[str, Callable[[], str]] = {
    "capabilities": render_capabilities,
    "contract": render_contract,
}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- generated: {name} \(python -m conformance\.docs\) -->\n)(.*?)(<!-- end: {name} -->)",
        re.DOTALL,
    )


def _rendered(text: str, path: Path) -> str:
    for name, render in SECTIONS.items():
        pattern = _pattern(name)
        if not pattern.search(text):
            raise GuideError(
                f"{path}: no section {name!r}; expected the lines "
                f"'<!-- generated: {name} (python -m conformance.docs) -->' and "
                f"'<!-- end: {name} -->' around it"
            )
        text = pattern.sub(_splicer(render()), text)
    return text


def _splicer(body: str) -> Callable[[re.Match[str]], str]:
    """A replacement that puts ``body`` between a section's opening and closing lines."""
    return lambda match: f"{match.group(1)}{body}\n{match.group(3)}"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise GuideError(
            f"cannot read the guide {path} ({error.strerror}); run from the project's folder "
            "or pass the guide's path"
        ) from None


def stale_sections(path: Path) -> list[str]:
    """The generated sections of the guide at ``path`` that differ from the code."""
    text = _read(path)
    fresh = _rendered(text, path)
    return [name for name in SECTIONS if _section(text, name) != _section(fresh, name)]


def _section(text: str, name: str) -> str:
    match = _pattern(name).search(text)
    return match.group(2) if match else ""


def update_guide(path: Path) -> list[str]:
    """Rewrite the generated sections of the guide at ``path``; return those that changed."""
    stale = stale_sections(path)
    if stale:
        path.write_text(_rendered(_read(path), path), encoding="utf-8")
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.docs", description=__doc__.splitlines()[0])
    parser.add_argument(
        "guide", nargs="?", type=Path, default=DEFAULT_GUIDE, help=f"default: {DEFAULT_GUIDE}"
    )
    parser.add_argument("--check", action="store_true", help="only say whether the guide is up to date")
    args = parser.parse_args(argv)
    try:
        stale = stale_sections(args.guide) if args.check else update_guide(args.guide)
    except GuideError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check and stale:
        print(f"{args.guide}: out of date: {', '.join(stale)}; run 'python -m conformance.docs'")
        return 1
    verb = "rewrote" if stale else "up to date:"
    print(f"{args.guide}: {verb} {', '.join(stale) or 'every generated section'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
