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
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from .._outcomes import Outcome
from .._records import TestResult
from .._results import Run, TestLine, decode_test
from .._terminal import safe
from ._model import Column

__all__ = ["MARKER", "JUnitWriter"]

#: The name of the root element; a file with it is ours and may be replaced.
MARKER = "ssl-set-session-conformance"

_ERRORS = (Outcome.CRASH, Outcome.ERROR)
_PASS = Outcome.PASS
# XML 1.0 forbids most control characters; library error text may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Stands for a test case's class name in the scratch file until the run's slug is known:
#: ``_text`` turns every control character of the input into visible text, so none is left.
_CLASSNAME = "\x01"
#: Test cases are written to the scratch file a megabyte (or so) at a time.
_FLUSH_CHARACTERS = 1 << 20


class _Suite:
    """One run's test cases: where they are in the scratch file, and their counts."""

    def __init__(self, start: int) -> None:
        self.start = self.stop = start
        self.counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}


class JUnitWriter:
    """Writes junit/<slug>.xml as the runs stream by.

    Each test case is written once, as it is read, to a scratch file; when the
    report model is made (slugs, scores), ``write`` puts each run's suite head,
    its test cases and its tail together. The XML is written by hand in the
    shape ``ElementTree.indent`` gives, escaped as ``ElementTree`` escapes.
    """

    def __init__(self) -> None:
        self._scratch: IO[bytes] = tempfile.TemporaryFile()
        #: Test cases not yet written, and how many characters they hold.
        self._parts: list[str] = []
        self._pending = 0
        self._suites: dict[int, _Suite] = {}
        #: Files written under a hidden name (``prepare``), and where each goes.
        self._prepared: list[tuple[Path, Path]] = []
        self._folder = Path()
        self._made_folder: Path | None = None

    def __enter__(self) -> JUnitWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._scratch.close()

    def start(self, run: Run) -> _Suite:
        self._flush()
        suite = self._suites[id(run)] = _Suite(self._scratch.tell())
        return suite

    def add(self, suite: _Suite, test: TestResult | TestLine, line: bytes = b"") -> None:
        """A test case of ``suite``, made now (the record is not kept) and written in batches; of a
        ``TestLine`` that did not pass as expected, the whole record is read from its ``line``."""
        suite.counts["tests"] += 1
        if test.outcome is _PASS and test.expected_outcome is _PASS:  # as expected
            # the evidence of passes is in index.html and merged.json
            case = (
                f'    <testcase classname="\x01" name="{_attr(test.test_id)}" time="{test.duration:.6f}" />\n'
            )
        else:
            case = _case(test if isinstance(test, TestResult) else decode_test(line), suite.counts)
        self._parts.append(case)
        self._pending += len(case)
        if self._pending > _FLUSH_CHARACTERS:
            self._flush()

    def drop(self, run: Run) -> None:
        """Forget a run (read twice); its test cases stay in the scratch file, unused."""
        self._flush()
        del self._suites[id(run)]

    def end(self, suite: _Suite) -> None:
        self._flush()
        suite.stop = self._scratch.tell()

    def _flush(self) -> None:
        if self._parts:
            self._scratch.write("".join(self._parts).encode("utf-8", "xmlcharrefreplace"))
            self._parts.clear()
            self._pending = 0

    def write(self, columns: Sequence[Column], folder: Path) -> list[Path]:
        """One file per column of the report model (each of a run this writer was given); our own
        files of runs no longer there are removed."""
        written = self.prepare(columns, folder)
        self.commit()
        return written

    def prepare(self, columns: Sequence[Column], folder: Path) -> list[Path]:
        """``write``'s files, each under a hidden name beside its own until ``commit`` puts them in
        place (``discard`` removes them, and the folder if it made it)."""
        self._flush()
        self._folder = folder
        self._made_folder = None if folder.exists() else folder
        folder.mkdir(parents=True, exist_ok=True)
        self._prepared = []
        try:
            for column in columns:
                path = folder / f"{column.slug}.xml"
                part = path.with_name(f".{path.name}.part")
                self._prepared.append((part, path))
                suite = self._suites.get(id(column.run)) or _Suite(0)
                with part.open("wb") as file:
                    self._write_suite(file, column, suite)
        except BaseException:
            self.discard()
            raise
        return [path for _, path in self._prepared]

    def commit(self) -> None:
        for part, path in self._prepared:
            part.replace(path)
        _remove_stale(self._folder, {path for _, path in self._prepared})
        self._prepared = []

    def discard(self) -> None:
        for part, _ in self._prepared:
            part.unlink(missing_ok=True)
        self._prepared = []
        if self._made_folder is not None and not any(self._made_folder.iterdir()):
            self._made_folder.rmdir()

    def _write_suite(self, file: IO[bytes], column: Column, suite: _Suite) -> None:
        counts = dict(suite.counts)
        classname = f"conformance.{column.slug}"
        extra = ""
        if column.unavailable:
            message = _attr(f"adapter unavailable: {column.unavailable}")
            skipped = _element("skipped", f' message="{message}"', indent=6)
            extra = _element("testcase", f' classname="{classname}" name="adapter available"', [skipped], 4)
            _count(counts, "skipped")
        elif not column.complete:
            message = _attr(f"the run did not complete: {column.state_text}")
            error = _element("error", f' message="{message}" type="incomplete"', indent=6)
            extra = _element("testcase", f' classname="{classname}" name="run complete"', [error], 4)
            _count(counts, "error")
        time = f"{column.duration:.3f}"
        totals = f' time="{time}"' + "".join(f' {key}="{value}"' for key, value in counts.items())
        head = (
            "<?xml version='1.0' encoding='utf-8'?>\n"
            f'<testsuites name="{MARKER}"{totals}>\n'
            f'  <testsuite name="{_attr(column.key)}" timestamp="{_attr(column.started)}"{totals}>\n'
            + _properties(_suite_properties(column), indent=4)
        )
        file.write(head.encode("utf-8", "xmlcharrefreplace"))
        self._scratch.seek(suite.start)
        remaining = suite.stop - suite.start
        marker, replacement = _CLASSNAME.encode(), classname.encode()
        while remaining > 0:
            chunk = self._scratch.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)
            file.write(chunk.replace(marker, replacement))
        self._scratch.seek(0, 2)
        tail = extra + "  </testsuite>\n</testsuites>"
        file.write(tail.encode("utf-8", "xmlcharrefreplace"))


def _suite_properties(column: Column) -> dict[str, str]:
    return {
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
    }


_PLURAL = {"failure": "failures", "error": "errors", "skipped": "skipped"}


def _case(test: TestResult, counts: dict[str, int]) -> str:
    kind = _kind(test)
    counts[_PLURAL[kind]] += 1
    name = _attr(test.test_id)
    properties = (
        ("outcome", test.outcome.value),
        ("expected_outcome", test.expected_outcome.value),
        ("clauses", " ".join(test.clauses)),
        ("config", test.config or ""),
        ("rerun", test.rerun),
        ("expectation_link", test.expectation_link),
    )
    listed = "".join(
        f'        <property name="conformance.{key}" value="{_attr(value)}" />\n'
        for key, value in properties
        if value
    )
    details = _cdata(_details(test))
    message = f' message="{_attr(_message(test))}" type="{_attr(test.outcome.value)}"'
    verdict = f"<{kind}{message}>{details}</{kind}>" if details else f"<{kind}{message} />"
    steps = _cdata("\n".join(test.evidence.steps)) if test.evidence.steps else None
    out = "" if steps is None else (f"<system-out>{steps}</system-out>" if steps else "<system-out />")
    return (
        f'    <testcase classname="{_CLASSNAME}" name="{name}" time="{test.duration:.6f}">\n'
        f"      <properties>\n{listed}      </properties>\n"
        f"      {verdict}\n" + (f"      {out}\n" if out else "") + "    </testcase>\n"
    )


def _element(tag: str, attributes: str, children: Sequence[str] = (), indent: int = 0) -> str:
    pad = " " * indent
    if children:
        return f"{pad}<{tag}{attributes}>\n{''.join(children)}{pad}</{tag}>\n"
    return f"{pad}<{tag}{attributes} />\n"


def _properties(values: dict[str, str], indent: int) -> str:
    children = [
        _element("property", f' name="conformance.{name}" value="{_attr(value)}"', indent=indent + 2)
        for name, value in values.items()
        if value
    ]
    return _element("properties", "", children, indent=indent)


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


def _count(counts: dict[str, int], kind: str) -> None:
    counts["tests"] += 1
    plural = _PLURAL.get(kind)
    if plural:
        counts[plural] += 1


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", safe(str(value)))


# Text with none of these characters is written as it is.
_CDATA_WORK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f&<>\ufffe\uffff]")
_ATTRIBUTE_WORK = re.compile('[\x00-\x1f\x7f-\x9f&<>"\ufffe\uffff]').search


def _cdata(value: str) -> str:
    """Element text, as ``ElementTree`` escapes it."""
    if not _CDATA_WORK.search(value):
        return value
    return _text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    """An attribute value, as ``ElementTree`` escapes it."""
    if not _ATTRIBUTE_WORK(value):
        return value
    text = _text(value)
    for char, entity in _ATTRIBUTE_ENTITIES:
        if char in text:
            text = text.replace(char, entity)
    return text


_ATTRIBUTE_ENTITIES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\r", "&#13;"),
    ("\n", "&#10;"),
    ("\t", "&#09;"),
)


def _remove_stale(folder: Path, written: set[Path]) -> None:
    """Remove our own files of adapters no longer in the report (CI would read them), and the
    hidden parts a report killed before putting them in place left behind."""
    for path in [*folder.glob("*.xml"), *folder.glob(".*.xml.part")]:
        if path in written:
            continue
        with path.open("rb") as file:
            head = file.read(300).decode("utf-8", errors="replace")
        if f'<testsuites name="{MARKER}"' in head:
            path.unlink()
