"""Untrusted text (adapter names, library error messages, links) renders as text, never as markup."""

from __future__ import annotations

import html.parser
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_report_support import result, write_run

from conformance.report import make_reports

NAME = '<img src=x onerror="alert(1)">'
REASON = "</pre><script>alert('pwned')</script> & <b>bold</b> | `tick` *star* [link](http://evil)\x07"


class Elements(html.parser.HTMLParser):
    """The start tags of a page and the src attributes of its elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [value or "" for key, value in attrs if key in ("href", "src")]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    tests = [
        result(
            outcome="fail",
            reason=REASON,
            evidence={
                "steps": [REASON],
                "checks": [{"what": REASON, "expected": "<i>x</i>", "observed": REASON, "ok": False}],
                "notes": [REASON],
                "expected": "<i>x</i>",
                "observed": REASON,
                "raw": {"<k>": REASON},
            },
        ),
        result(
            "t.py::linked",
            outcome="refused",
            expected="refused",
            expectation_reason=REASON,
            expectation_link="javascript:alert(1)",
        ),
    ]
    write_run(
        tmp_path / "r" / "evil.jsonl", tests, adapter=NAME, facts={"library": REASON, "notes": [REASON]}
    )
    assert make_reports([tmp_path / "r"], tmp_path / "out") == 0
    return tmp_path / "out"


def test_html_shows_hostile_text_as_text(out: Path) -> None:
    page = (out / "index.html").read_text(encoding="utf-8")
    parser = Elements()
    parser.feed(page)
    assert parser.tags.count("script") == 1  # the page's own filter script
    assert "img" not in parser.tags and "i" not in parser.tags and "b" not in parser.tags
    assert "alert('pwned')" not in page.split("<script>")[0]
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page


def test_a_javascript_link_is_not_a_link(out: Path) -> None:
    parser = Elements()
    parser.feed((out / "index.html").read_text(encoding="utf-8"))
    assert not [link for link in parser.links if "javascript" in link.lower()]


def test_markdown_shows_hostile_text_as_text(out: Path) -> None:
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "<script>" not in summary and "<b>" not in summary
    assert summary.count("<img") == summary.count("`<img")  # only inside code spans, which show text
    assert (
        "&lt;/pre&gt;&lt;script&gt;alert('pwned')&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; "
        "\\| \\`tick\\` \\*star\\* \\[link\\](http://evil)"
    ) in summary
    assert '`<img src=x onerror="alert(1)">`' in summary  # a code span shows it verbatim


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("plain", "`plain`"),
        ("a`b", "`` a`b ``"),
        ("a``b", "``` a``b ```"),
        ("x|y", "`x\\|y`"),
        ("two\nlines", "`two lines`"),
    ],
)
def test_markdown_code_spans_hold_any_text(text: str, span: str) -> None:
    from conformance.report._markdown import code

    assert code(text) == span


def test_junit_is_well_formed_xml_with_the_text_intact(out: Path) -> None:
    [path] = (out / "junit").iterdir()
    root = ET.parse(path).getroot()
    assert root.find("testsuite").get("name") == NAME
    failure = root.find(".//failure")
    assert failure.get("message") == "unexpected fail: " + REASON.replace(
        "\x07", "\\x07"
    )  # shown escaped (conformance._terminal.safe)
