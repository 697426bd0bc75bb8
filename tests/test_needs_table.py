"""The report's capability legend (``_needs_table``) is the battery's ``needs`` marks, written out.

The marks are the one source; the table lets a report list the tests behind
each capability without importing pytest or the battery. These tests fail when
a mark is added, moved or dropped and the table was not written again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_report_support import result, write_run

from conformance import Capability
from conformance._needs import TABLE, battery_needs, table_source
from conformance._needs_table import BATTERY_NEEDS


def test_the_table_is_what_the_battery_marks_declare() -> None:
    declared = {capability.value: tuple(tests) for capability, tests in battery_needs().items()}
    assert BATTERY_NEEDS == declared, (
        "conformance/_needs_table.py differs from the battery's needs marks; "
        "write it again: python -m conformance._needs"
    )
    assert TABLE.read_text(encoding="utf-8") == table_source(battery_needs()), (
        "conformance/_needs_table.py is not as python -m conformance._needs writes it"
    )


def test_the_written_table_reads_back_as_the_marks_gave_it() -> None:
    needs = {capability: [] for capability in Capability}
    needs[Capability.REUSE_FLAG] = ["test_x.py::test_one"]
    needs[Capability.SESSION_ID] = ["test_x.py::test_one", "test_y.py::test_two[a param]"]
    needs[Capability.RAW_RETURN] = [f"test_{'long_' * 30}name.py::test_case"]
    namespace: dict[str, object] = {}
    exec(table_source(needs), namespace)
    assert namespace["BATTERY_NEEDS"] == {c.value: tuple(tests) for c, tests in needs.items()}


def test_a_report_imports_neither_pytest_nor_the_battery_nor_adapter_machinery(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    write_run(tmp_path / "results" / "fake.jsonl", [result()])
    heavy = ["pytest", "conformance._registry", "conformance._contract", "conformance._repro_python"]
    probe = (
        f"HEAVY = {heavy!r}; "
        "import sys; from pathlib import Path; from conformance._cli import main; "
        f"status = main(['report', {str(tmp_path / 'results')!r}, '--out', {str(tmp_path / 'out')!r}]); "
        "loaded = sorted(m for m in sys.modules if m in HEAVY or m.startswith('conformance.battery')); "
        "print(status, loaded)"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert shown.stdout.splitlines()[-1] == "0 []"
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "test_reused_flag.py::test_false_after_a_full_handshake" in page  # the legend, from the table
