"""junit/<adapter>.xml: one JUnit XML file per run, for CI test tabs.

Design: the mapping from outcomes to JUnit elements is the table below. Only
unexpected outcomes make a CI run red, as they make ``conformance run`` exit
non-zero. An expected deviation becomes ``<skipped>`` with its reason and link,
not a pass with a property: CI pages show skipped tests and their messages,
but hide properties, and a known deviation is something a reader should see.

=========================================  ==========================
outcome                                    JUnit
=========================================  ==========================
pass, as expected                          (passed)
not-observable                             <skipped> "not-observable: ..."
any other outcome, as expected             <skipped> "expected deviation: ..."
crash or error, unexpected                 <error>
anything else unexpected (pass included)   <failure>
=========================================  ==========================

A test case that did not plainly pass carries its outcome, expected outcome,
clauses, configuration and rerun command as properties, and its evidence
(checks and notes in the element's text, steps as system-out). Plain passes
are bare test cases: their evidence is in index.html and merged.json, and
100 adapters x 1,000 tests would otherwise make ~100 MB of XML. An
incomplete run adds an ``<error>`` test case saying so; an unavailable adapter
is one ``<skipped>`` test case with the reason.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .._outcomes import Outcome
from .._records import TestResult
from .._terminal import safe
from ._model import Column, ReportModel

__all__ = ["MARKER", "junit_element", "write_junit"]

#: The name of the root element; a file with it is ours and may be replaced.
MARKER = "ssl-set-session-conformance"

_ERRORS = {Outcome.CRASH, Outcome.ERROR}
# XML 1.0 forbids most control characters; library error text may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write_junit(model: ReportModel, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for column in model.columns:
        path = folder / f"{column.slug}.xml"
        tree = ET.ElementTree(junit_element(column))
        ET.indent(tree)
        tree.write(path, encoding="utf-8", xml_declaration=True)
        written.append(path)
    _remove_stale(folder, set(written))
    return written


def junit_element(column: Column) -> ET.Element:
    root = ET.Element("testsuites", name=MARKER)
    suite = ET.SubElement(root, "testsuite", name=_text(column.key), timestamp=column.started)
    _properties(
        suite,
        {
            "adapter": column.name,
            "label": column.label,
            "openssl_documentation": column.documentation or "newest",
            "library": column.library,
            "tls_library": column.tls_library,
            "suite_version": column.header.suite_version,
            "python": column.python,
            "platform": column.header.platform,
            "status": column.status,
            # The page's score, the same formula (pass / judged), so CI and the page agree.
            "score": "n/a" if column.score is None else f"{column.score * 100:.1f} %",
            "judged": f"{column.judged} of {column.total}",
        },
    )
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    classname = f"conformance.{column.slug}"
    for test in column.tests:
        _count(counts, _testcase(suite, classname, test))
    if column.unavailable:
        case = ET.SubElement(suite, "testcase", classname=classname, name="adapter available")
        ET.SubElement(case, "skipped", message=_text(f"adapter unavailable: {column.unavailable}"))
        _count(counts, "skipped")
    elif not column.complete:
        case = ET.SubElement(suite, "testcase", classname=classname, name="run complete")
        message = f"the run did not complete: {column.state_text}"
        ET.SubElement(case, "error", message=message, type="incomplete")
        _count(counts, "error")
    time = f"{sum(t.duration for t in column.tests):.3f}"
    for element in (root, suite):
        element.set("time", time)
        for key, value in counts.items():
            element.set(key, str(value))
    return root


def _testcase(suite: ET.Element, classname: str, test: TestResult) -> str:
    case = ET.SubElement(
        suite, "testcase", classname=classname, name=_text(test.test_id), time=f"{test.duration:.6f}"
    )
    kind = _kind(test)
    if kind == "passed":  # the evidence of passes is in index.html and merged.json
        return kind
    _properties(
        case,
        {
            "outcome": test.outcome.value,
            "expected_outcome": test.expected_outcome.value,
            "clauses": " ".join(test.clauses),
            "config": test.config or "",
            "rerun": test.rerun,
            "expectation_link": test.expectation_link,
        },
    )
    element = ET.SubElement(case, kind, message=_text(_message(test)), type=test.outcome.value)
    element.text = _text(_details(test))
    if test.evidence.steps:
        ET.SubElement(case, "system-out").text = _text("\n".join(test.evidence.steps))
    return kind


def _kind(test: TestResult) -> str:
    if test.as_expected:
        return "passed" if test.outcome is Outcome.PASS else "skipped"
    return "error" if test.outcome in _ERRORS else "failure"


def _message(test: TestResult) -> str:
    if test.outcome is Outcome.NOT_OBSERVABLE:
        return f"not-observable: {test.reason}"
    if test.as_expected:
        link = f" ({test.expectation_link})" if test.expectation_link else ""
        return f"expected deviation: {test.outcome.value}: {test.expectation_reason}{link}"
    if test.outcome is Outcome.PASS:
        return f"unexpected pass (expected {test.expected_outcome.value}: {test.expectation_reason})"
    return f"unexpected {test.outcome.value}: {test.reason}"


def _details(test: TestResult) -> str:
    lines = [f"{test.title}", f"rerun: {test.rerun}"]
    if test.expected is not None or test.observed is not None:
        lines += [f"expected: {test.expected}", f"observed: {test.observed}"]
    lines += [
        f"check {c.what}: expected {c.expected}, observed {c.observed} (holds: {'yes' if c.ok else 'no'})"
        for c in test.evidence.checks
    ]
    lines += test.evidence.notes
    return "\n".join(lines)


def _properties(parent: ET.Element, values: dict[str, str]) -> None:
    properties = ET.SubElement(parent, "properties")
    for name, value in values.items():
        if value:
            ET.SubElement(properties, "property", name=f"conformance.{name}", value=_text(value))


def _count(counts: dict[str, int], kind: str) -> None:
    counts["tests"] += 1
    plural = {"failure": "failures", "error": "errors", "skipped": "skipped"}.get(kind)
    if plural:
        counts[plural] += 1


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", safe(str(value)))


def _remove_stale(folder: Path, written: set[Path]) -> None:
    """Remove our own files of adapters no longer in the report (CI would read them)."""
    for path in folder.glob("*.xml"):
        head = path.read_text(encoding="utf-8", errors="replace")[:300]
        if path not in written and f'<testsuites name="{MARKER}"' in head:
            path.unlink()
