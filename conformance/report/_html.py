"""index.html: one self-contained page (inline CSS, a little inline JS, no fetches).

Design: Jinja2 with autoescape on, because adapter names, library versions and
above all library error text are untrusted input; nothing from a results file
is ever marked safe. Links from results files become ``<a href>`` only when
they are http(s). The page reads fully without JavaScript (cells and tests
open with ``<details>``); the script only adds filters. Other parts of the
suite can add a section (the kill matrix of the suite's mutation testing) as a
``ReportSection``, whose body they render with ``render_section`` so that it
is escaped the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ._html_cells import matrix_cell
from ._model import ReportModel, ReportSection
from ._templates import template_cache
from ._verdicts import ORDER, STYLES, config_label

__all__ = ["render_section", "write_html"]

TEMPLATES = Path(__file__).with_name("templates")


def render_section(template_source: str, **context: Any) -> Markup:
    """Render a section body from Jinja2 source with the report's (escaping) environment."""
    return Markup(_environment().from_string(template_source).render(**context))


def write_html(model: ReportModel, path: Path, sections: Sequence[ReportSection] = ()) -> None:
    """Write the page as it is rendered (it is never whole in memory)."""
    with path.open("w", encoding="utf-8") as file:
        file.writelines(_chunks(model, sections))


def _chunks(model: ReportModel, sections: Sequence[ReportSection]) -> Iterator[str]:
    template = _environment().get_template("index.html.j2")
    return template.generate(
        model=model,
        sections=list(sections),
        order=[STYLES[o] for o in ORDER],
        css=Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
        script=Markup((TEMPLATES / "report.js").read_text(encoding="utf-8")),
    )


_ENVIRONMENT: jinja2.Environment | None = None


def _environment() -> jinja2.Environment:
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            bytecode_cache=template_cache(),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.globals.update(
            style=STYLES.__getitem__, config_label=config_label, matrix_cell=matrix_cell
        )
        environment.filters.update(
            duration=_duration, score=_score, web_link=_web_link, plural=_plural, yes_no=_yes_no
        )
        _ENVIRONMENT = environment
    return _ENVIRONMENT


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _web_link(url: str) -> str | None:
    """The link if it is http(s), else None (never a javascript: or data: URL)."""
    return url if isinstance(url, str) and url.lower().startswith(("https://", "http://")) else None


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")
