"""The kill matrix section: how the battery fared against the mutants of ``conformance selftest``.

Design: ``selftest`` writes ``selftest/kill-matrix.json`` under its ``--out``
folder; when the report's ``--out`` folder holds one, the report gets this
section. One row per mutant (the clause it breaks, and how), one column per
protocol configuration; a cell says how many tests of the mutant's own clause
killed it there, or that it survived (highlighted, and starred when only other
clauses' tests killed it), or that its bug cannot show there. Survivors,
clauses no mutant breaks and tests that killed no mutant are listed below.
The body is rendered with the report's escaping environment (``render_section``);
a file that cannot be read is a ``ReportInputError``, as any bad report input.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from .._matrix_format import MATRIX_FILE, MATRIX_SCHEMA, CellState, cell
from .._matrix_format import Cell as MatrixCell
from ._html import render_section
from ._markdown import code, md
from ._model import ReportSection
from ._sources import ReportInputError

__all__ = ["kill_matrix_sections"]


@dataclasses.dataclass(frozen=True)
class Cell:
    text: str
    #: The outcome colour class of the report's stylesheet.
    css: str
    emoji: str


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    breaks: str
    how: str
    survived: bool
    cells: list[Cell]
    problem: str


# How a cell looks, by its state: (colour class, emoji for Markdown).
_LOOKS = {
    CellState.KILLED: ("o-pass", "✅"),
    CellState.SURVIVED: ("o-fail", "❌"),
    CellState.ONLY_OTHERS: ("o-fail", "❌"),
    CellState.NOT_APPLICABLE: ("o-none", "—"),
}

_HTML = """
<p class="explain">Each mutant is the reference adapter with one documented behaviour broken.
  A cell counts the tests of the mutant's own clause that killed it in that configuration (a test
  the unmutated adapter does not pass kills nothing; an error is no kill). SURVIVED* means only
  other clauses' tests noticed it there.</p>
<p><strong>{{ killed }} of {{ rows | length }}</strong> mutants killed{% if partial %} (a selection of the mutants was run){% endif %}.</p>
<div class="scroll"><table class="kill-matrix">
  <thead><tr><th scope="col">Mutant</th><th scope="col">Breaks</th><th scope="col">How</th>
    {% for config in configs %}<th scope="col">{{ config_label(config) }}</th>{% endfor %}</tr></thead>
  <tbody>
  {% for row in rows %}
    <tr{% if row.survived %} class="survivor"{% endif %}>
      <th scope="row"><span class="adapter">{{ row.name }}</span>
        {% if row.survived %} <span class="tag unexpected">survivor</span>{% endif %}</th>
      <td><code>{{ row.breaks }}</code></td>
      <td class="muted">{{ row.how }}</td>
      {% if row.problem %}<td class="cell o-error" colspan="{{ configs | length }}">not judged: {{ row.problem }}</td>
      {% else %}{% for cell in row.cells %}<td class="cell {{ cell.css }}">{{ cell.text }}</td>{% endfor %}{% endif %}
    </tr>
  {% endfor %}
  </tbody>
</table></div>
{% if uncovered %}<p class="alert bad">No mutant breaks these clauses: {{ uncovered | join(", ") }}.</p>{% endif %}
{% if idle %}<details><summary>{{ idle | length }} test(s) killed no mutant</summary>
  <ul>{% for test in idle %}<li><code>{{ test }}</code></li>{% endfor %}</ul></details>{% endif %}
"""


def kill_matrix_sections(out: Path) -> list[ReportSection]:
    """The kill matrix section, if ``out`` holds a kill matrix; else none."""
    path = out / MATRIX_FILE
    if not path.is_file():
        return []
    matrix = _read(path)
    rows = [_row(mutant, matrix["configs"]) for mutant in matrix["mutants"]]
    context = {
        "rows": rows,
        "configs": matrix["configs"],
        "killed": sum(not row.survived for row in rows),
        "partial": bool(matrix.get("partial")),
        "uncovered": list(matrix.get("clauses_without_mutants") or []),
        "idle": list(matrix.get("idle_tests") or []),
    }
    return [
        ReportSection("kill-matrix", "Kill matrix", render_section(_HTML, **context), _markdown(**context))
    ]


def _read(path: Path) -> dict[str, Any]:
    try:
        matrix = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ReportInputError(
            f"{path}: cannot read the kill matrix ({error}); rerun 'conformance selftest'"
        ) from None
    if (
        not isinstance(matrix, dict)
        or matrix.get("schema") != MATRIX_SCHEMA
        or not isinstance(matrix.get("mutants"), list)
    ):
        raise ReportInputError(
            f"{path}: expected a kill matrix written by 'conformance selftest' (schema {MATRIX_SCHEMA!r}); "
            "rerun it, or remove the file"
        )
    return matrix


def _row(mutant: dict[str, Any], configs: list[str]) -> Row:
    try:
        own, required = mutant["own_kills"], mutant["configs"]
        others = set(mutant.get("only_by_others", []))
        cells = [_looks(cell(config, own, required, others)) for config in configs]
        return Row(
            mutant["name"],
            mutant["breaks"],
            mutant["how"],
            not mutant["killed"],
            cells,
            mutant.get("problem", ""),
        )
    except (KeyError, TypeError) as error:
        raise ReportInputError(
            f"a mutant record of the kill matrix is malformed ({error!r}); rerun 'conformance selftest'"
        ) from None


def _looks(shown: MatrixCell) -> Cell:
    return Cell(shown.text, *_LOOKS[shown.state])


def _markdown(
    rows: list[Row], configs: list[str], killed: int, partial: bool, uncovered: list[str], idle: list[str]
) -> str:
    lines = [
        "## Kill matrix",
        "",
        f"{killed} of {len(rows)} mutants killed by their own clause's tests"
        + (" (a selection of the mutants was run)." if partial else "."),
        "",
        "| Mutant | Breaks | " + " | ".join(code(c) for c in configs) + " |",
        "|---|---|" + "---|" * len(configs),
    ]
    for row in rows:
        name = f"**{md(row.name)}** (survivor)" if row.survived else md(row.name)
        cells = (
            [f"not judged: {md(row.problem)}"] + [""] * (len(configs) - 1)
            if row.problem
            else [f"{cell.emoji} {md(cell.text)}" for cell in row.cells]
        )
        lines.append(f"| {name} | {code(row.breaks)} | " + " | ".join(cells) + " |")
    if uncovered:
        lines += ["", "No mutant breaks: " + ", ".join(code(c) for c in uncovered) + "."]
    if idle:
        lines += ["", f"{len(idle)} test(s) killed no mutant."]
    return "\n".join(lines)
