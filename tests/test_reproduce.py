"""``conformance reproduce``: a standalone program from a results file alone (here, over the fake)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance._cli import main

TESTS = Path(__file__).resolve().parent

BATTERY = """
import pytest
from conformance import Capability

@pytest.mark.clause("reused-flag")
@pytest.mark.needs(Capability.REUSE_FLAG, why="the client's report of the resumption")
def test_resumed(lab, config):
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    handshake = lab.connect(client, server, session=session)
    lab.expect_resumed(handshake, "the handshake with the session set")
    lab.check("client reuse flag after resuming", True, lab.reused(handshake.client))
"""


def _reproduce(battery, adapter: str, tmp_path: Path, capsys) -> tuple[Path, str]:
    battery.write(BATTERY)
    battery.run(adapter, "--config", "tls13")
    results = battery.results(adapter).path
    out = tmp_path / "repro.py"
    assert main(["reproduce", str(results), "test_battery.py::test_resumed[tls13]", "-o", str(out)]) == 0
    assert f"wrote {out} (a Python script)" in capsys.readouterr().out
    return out, out.read_text()


def _run(script: Path) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_a_passing_test_replays_as_documented(battery, tmp_path, capsys) -> None:
    script, text = _reproduce(battery, "FakeAdapter", tmp_path, capsys)
    assert "Clause reused-flag (DESCRIPTION ¶1; SEE ALSO SSL_session_reused)" in text
    assert 'Man page, SSL_set_session(3): "Whether the session was reused can be queried' in text
    assert "Library: fake-tls 0" in text and "Configuration: tls13" in text
    assert "Made by: conformance reproduce " in text
    assert "from fake_adapter import FakeAdapter" in text and "conformance._lab" not in text
    completed = _run(script)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "CHECK client reuse flag after resuming\n  expected: True\n  observed: True" in completed.stdout
    assert completed.stdout.rstrip().endswith("RESULT: as documented")


def test_a_refused_call_replays_as_a_deviation(battery, tmp_path, capsys) -> None:
    script, _ = _reproduce(battery, "RefusingFake", tmp_path, capsys)
    completed = _run(script)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "expected: the call is accepted\n  observed: refused: set_session was refused" in completed.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.jsonl", "x::y"], "missing.jsonl: cannot read it"),
        (
            ["RESULTS", "test_battery.py::test_nothing[tls13]"],
            "no test 'test_battery.py::test_nothing[tls13]'",
        ),
    ],
)
def test_bad_input_gets_one_line(battery, tmp_path, capsys, arguments, message) -> None:
    battery.write(BATTERY)
    battery.run("FakeAdapter", "--config", "tls13")
    results = str(battery.results("FakeAdapter").path)
    arguments = [results if argument == "RESULTS" else argument for argument in arguments]
    assert main(["reproduce", *arguments, "-o", str(tmp_path / "r.py")]) == 2
    error = capsys.readouterr().err
    assert message in error and len(error.strip().splitlines()) == 1 and "Traceback" not in error


def test_the_report_offers_the_command_for_a_deviation(battery, tmp_path, capsys) -> None:
    battery.write(BATTERY)
    battery.run("RefusingFake", "--config", "tls13")
    results = battery.results("RefusingFake").path
    assert main(["report", str(results), "--out", str(tmp_path / "report")]) == 0
    page = (tmp_path / "report" / "index.html").read_text()
    command = f"conformance reproduce {results.name} &#39;test_battery.py::test_resumed[tls13]&#39; -o repro-"
    assert command in page
    out = tmp_path / "repro-x"
    assert main(["reproduce", str(results), "test_battery.py::test_resumed[tls13]", "-o", str(out)]) == 0
    assert (tmp_path / "repro-x.py").exists()


def test_an_adapter_may_write_its_own(battery, tmp_path, capsys, monkeypatch) -> None:
    import fake_adapter

    from conformance import Reproducer

    written = []

    def write_reproducer(cls, scenario):
        written.append(scenario)
        return Reproducer("python", f"# {scenario.test_id} in the library's own terms\n")

    monkeypatch.setattr(fake_adapter.FakeAdapter, "write_reproducer", classmethod(write_reproducer))
    _, text = _reproduce(battery, "FakeAdapter", tmp_path, capsys)
    assert text == "# test_battery.py::test_resumed[tls13] in the library's own terms\n"
    assert [event.op.op for event in written[0].events][:2] == ["context", "context"]
