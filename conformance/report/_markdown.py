"""summary.md: the report in Markdown, for CI job summaries and pull requests.

Design: Markdown renders inline HTML, so every value from a results file is
escaped (``md``) or put in a code span (``code``); a template can only emit raw
text through those two or its own literal text. The page stays short at any
scale: the matrix turns so that the longer of clauses and adapters runs down
the page, and at most ``UNEXPECTED_LIMIT`` unexpected outcomes are listed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from .._terminal import safe
from ._model import UNEXPECTED_KEPT, ReportModel, ReportSection
from ._templates import template_cache
from ._verdicts import ORDER, STYLES

__all__ = ["code", "md", "render_markdown"]

TEMPLATES = Path(__file__).with_name("templates")
UNEXPECTED_LIMIT = UNEXPECTED_KEPT
#: Up to this many adapters, adapters are columns and clauses rows; above it, the other way.
WIDE_LIMIT = 8


class _Raw(str):
    """Text already safe for Markdown (the output of ``md`` or ``code``)."""


def md(value: Any) -> str:
    """Escape text for Markdown: no HTML, no emphasis, links or table breaks from the input."""
    if isinstance(value, _Raw):
        return value
    text = " ".join(safe(str(value)).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "\\`*_[]|~":
        text = text.replace(char, "\\" + char)
    return _Raw(text)


def code(value: Any) -> str:
    """A code span (safe in table cells) for ids and commands: it shows any text verbatim."""
    text = " ".join(safe(str(value)).split()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    if not longest:
        return _Raw(f"`{text}`")
    fence = "`" * (longest + 1)  # longer than any run of backticks inside
    return _Raw(f"{fence} {text} {fence}")


def render_markdown(model: ReportModel, sections: Sequence[ReportSection] = ()) -> str:
    unexpected = [(column, test) for column in model.columns for test in column.unexpected_tests]
    return (
        _environment()
        .get_template("summary.md.j2")
        .render(
            model=model,
            order=[STYLES[o] for o in ORDER],
            wide=len(model.matrix_columns) <= WIDE_LIMIT,
            unexpected=unexpected[:UNEXPECTED_LIMIT],
            unexpected_total=sum(column.unexpected for column in model.columns),
            sections=[s for s in sections if s.markdown],
        )
    )


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        bytecode_cache=template_cache(),
        autoescape=False,
        finalize=md,  # every {{ value }} is escaped unless it went through md or code
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(md=md, code=code)
    environment.globals.update(style=STYLES.__getitem__, raw=_Raw)
    return environment
