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

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .._outcomes import Outcome, TestResult
from ._model import ReportModel
from ._verdicts import ORDER, STYLES, config_label

__all__ = ["ReportSection", "render_html", "render_section"]

TEMPLATES = Path(__file__).with_name("templates")


@dataclasses.dataclass(frozen=True)
class ReportSection:
    """An extra section of the report, after the matrix (for example the kill matrix).

    ``html`` is inserted as markup: make it with ``render_section``, which escapes
    every value. ``markdown`` (optional) is appended to summary.md as it is.
    """

    id: str
    title: str
    html: Markup
    markdown: str = ""


def render_section(template_source: str, **context: Any) -> Markup:
    """Render a section body from Jinja2 source with the report's (escaping) environment."""
    return Markup(_environment().from_string(template_source).render(**context))


def render_html(model: ReportModel, sections: Sequence[ReportSection] = ()) -> str:
    template = _environment().get_template("index.html.j2")
    return template.render(
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
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.globals.update(
            style=STYLES.__getitem__, config_label=config_label, evidence=evidence_view
        )
        environment.filters.update(duration=_duration, score=_score, web_link=_web_link, plural=_plural)
        _ENVIRONMENT = environment
    return _ENVIRONMENT


@dataclasses.dataclass
class EvidenceView:
    """A test's evidence, tolerant of whatever shape the results file gave it."""

    steps: list[str]
    checks: list[dict[str, str]]
    notes: list[str]
    expected: str | None
    observed: str | None
    extra: list[tuple[str, str]]


_KNOWN_KEYS = {"steps", "checks", "notes", "expected", "observed"}


def evidence_view(test: TestResult) -> EvidenceView:
    evidence = test.evidence if isinstance(test.evidence, dict) else {"evidence": test.evidence}
    checks = [_check(c) for c in _list(evidence.get("checks"))]
    expected, observed = evidence.get("expected"), evidence.get("observed")
    if expected is None and test.outcome is Outcome.FAIL:
        failed = [c for c in checks if c["ok"] == "no"]
        if failed:
            expected, observed = failed[0]["expected"], failed[0]["observed"]
    return EvidenceView(
        steps=[str(s) for s in _list(evidence.get("steps"))],
        checks=checks,
        notes=[str(n) for n in _list(evidence.get("notes"))],
        expected=None if expected is None else str(expected),
        observed=None if observed is None else str(observed),
        extra=[(str(k), _json(v)) for k, v in evidence.items() if k not in _KNOWN_KEYS],
    )


def _check(check: Any) -> dict[str, str]:
    if not isinstance(check, dict):
        return {"what": str(check), "expected": "", "observed": "", "ok": "?"}
    ok = check.get("ok")
    return {
        "what": str(check.get("what", "")),
        "expected": str(check.get("expected", "")),
        "observed": str(check.get("observed", "")),
        "ok": "yes" if ok is True else "no" if ok is False else "?",
    }


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=1, ensure_ascii=False, default=str)


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _web_link(url: str) -> str | None:
    """The link if it is http(s), else None (never a javascript: or data: URL)."""
    return url if isinstance(url, str) and url.lower().startswith(("https://", "http://")) else None


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")
