"""The author's guide stays true to the code: generated sections, every method, the generator."""

from __future__ import annotations

import re
import sys

import pytest
from guide_example import GUIDE

from conformance import Adapter, Capability
from conformance.docs import SECTIONS, render_capabilities, stale_sections


def test_the_generated_sections_are_up_to_date() -> None:
    stale = stale_sections(GUIDE)
    assert not stale, (
        f"{GUIDE.name}: the sections {stale} no longer match the code; "
        "run 'python -m conformance.docs' from the project folder"
    )


def test_every_capability_is_in_the_glossary() -> None:
    glossary = render_capabilities()
    for capability in Capability:
        assert f"**`{capability.value}`** (`Capability.{capability.name}`): {capability.meaning}" in glossary
        for method in capability.adapter_methods:
            assert f"`{method}(" in glossary


def _hand_written(text: str) -> str:
    for name in SECTIONS:
        text = re.sub(rf"<!-- generated: {name} .*?<!-- end: {name} -->", "", text, flags=re.DOTALL)
    return text


def test_every_required_method_has_its_own_section() -> None:
    prose = _hand_written(GUIDE.read_text(encoding="utf-8"))
    missing = [
        m for m in sorted(Adapter.__abstractmethods__) if not re.search(rf"^### `{m}\(", prose, re.MULTILINE)
    ]
    assert not missing, f"{GUIDE.name} has no '### `METHOD(...)`' section for {missing}"


def test_every_capability_method_is_explained() -> None:
    prose = _hand_written(GUIDE.read_text(encoding="utf-8"))
    methods = [method for capability in Capability for method in capability.adapter_methods]
    missing = [method for method in methods if f"`{method}(" not in prose]
    assert not missing, f"{GUIDE.name} does not explain {missing} outside the generated sections"


# -- the generator ------------------------------------------------------------------------------


@pytest.fixture
def guide_copy(pytester: pytest.Pytester):
    copy = pytester.path / "guide.md"
    copy.write_text(GUIDE.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def docs(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    result = pytester.run(sys.executable, "-m", "conformance.docs", *args)
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    return result


def test_check_fails_on_an_out_of_date_glossary_and_the_generator_fixes_it(
    pytester: pytest.Pytester, guide_copy
) -> None:
    text = guide_copy.read_text(encoding="utf-8")
    guide_copy.write_text(text.replace(Capability.REUSE_FLAG.meaning, "An old meaning."), encoding="utf-8")
    checked = docs(pytester, "--check", str(guide_copy))
    assert checked.ret == 1
    checked.stdout.fnmatch_lines(["*guide.md: out of date: capabilities; run 'python -m conformance.docs'"])
    assert docs(pytester, str(guide_copy)).ret == 0
    assert guide_copy.read_text(encoding="utf-8") == text
    assert docs(pytester, "--check", str(guide_copy)).ret == 0


def test_the_generator_leaves_the_prose_alone(pytester: pytest.Pytester, guide_copy) -> None:
    text = guide_copy.read_text(encoding="utf-8") + "\nA paragraph of the author's own.\n"
    guide_copy.write_text(text, encoding="utf-8")
    docs(pytester, str(guide_copy))
    assert guide_copy.read_text(encoding="utf-8") == text


def test_a_guide_without_the_markers_is_a_clear_error(pytester: pytest.Pytester) -> None:
    bare = pytester.path / "bare.md"
    bare.write_text("# A guide\n\nNo generated sections here.\n", encoding="utf-8")
    result = docs(pytester, "--check", str(bare))
    assert result.ret == 2
    result.stderr.fnmatch_lines(
        [
            "error: *bare.md: no section 'capabilities'; expected the lines "
            "'<!-- generated: capabilities (python -m conformance.docs) -->' and '<!-- end: capabilities -->' around it",
        ]
    )


def test_a_missing_guide_says_where_to_run_from(pytester: pytest.Pytester) -> None:
    result = docs(pytester, "--check")
    assert result.ret == 2
    result.stderr.fnmatch_lines(
        ["error: cannot read the guide docs/writing-an-adapter.md (No such file or directory)*"]
    )
