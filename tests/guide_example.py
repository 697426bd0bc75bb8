"""The worked example of the author's guide, as files, for the tests that follow the guide.

The guide (docs/writing-an-adapter.md) marks each file of its example with an
``<!-- example-file: PATH -->`` line right before the file's code block; this
module reads them back, so the tests run exactly what the guide shows.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["GUIDE", "example_files", "write_example"]

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "writing-an-adapter.md"
_EXAMPLE_FILE = re.compile(r"<!-- example-file: (\S+) -->\n```\w*\n(.*?)^```", re.DOTALL | re.MULTILINE)


def example_files() -> dict[str, str]:
    """The example's files, path -> text, in the order the guide shows them."""
    files = dict(_EXAMPLE_FILE.findall(GUIDE.read_text(encoding="utf-8")))
    if not files:
        raise AssertionError(f"{GUIDE}: no '<!-- example-file: PATH -->' blocks found")
    return files


def write_example(folder: Path) -> Path:
    """Write the example's files under ``folder``; return ``folder``."""
    for name, text in example_files().items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder
