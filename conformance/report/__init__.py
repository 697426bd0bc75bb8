"""Reports from results files: an HTML page, a Markdown summary, JUnit XML, a merged
file; and the merge and diff of result sets.

The ``conformance report``, ``merge`` and ``diff`` commands call the three
functions below. ``ReportSection`` and ``render_section`` let another part of
the suite add a section to the page (the kill matrix of its mutation testing).
"""

from ._commands import diff_results, make_reports, merge_results
from ._html import render_section
from ._model import ReportSection
from ._sources import ReportInputError

__all__ = [
    "ReportInputError",
    "ReportSection",
    "diff_results",
    "make_reports",
    "merge_results",
    "render_section",
]
