"""Adapter bugs are the adapter's, never the library's; faults outside a test end the run in one line.

One fault adapter (``fault_adapters``) per fault of issue 10: wrong return types, SystemExit and
KeyboardInterrupt inside a call, a 40 MB error text, a constructor or ``facts()`` that breaks.
"""

from __future__ import annotations

import pytest

from conformance import Outcome, RunState

RESUMING = """
    import pytest
    from conformance import Capability

    pytestmark = pytest.mark.clause("use", configs=("tls13",))

    @pytest.mark.needs(Capability.REUSE_FLAG, why="the reuse flag")
    def test_resumes(lab, config):
        server, client = lab.server(config), lab.client(config)
        handshake = lab.connect(client, server, session=lab.fresh_session(client, server))
        lab.check("the reuse flag", True, lab.reused(handshake.client))
"""


def outcomes(battery, adapter: str, *options: str) -> list:
    battery.write(RESUMING)
    battery.run_subprocess(f"fault_adapters:{adapter}", *options)
    run = battery.results(f"fault_adapters:{adapter}")
    assert run.end is not None and run.end.state is RunState.COMPLETE
    return run.tests


@pytest.mark.parametrize(
    "adapter, words",
    [
        ("NoneHandshakeFake", "do_handshake() returned None; expected a bool"),
        ("StringReusedFake", "session_reused() returned str 'True'; expected a bool"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_error_naming_the_method(battery, adapter: str, words: str) -> None:
    [test] = outcomes(battery, adapter)
    assert test.outcome is Outcome.ERROR, test.reason
    assert words in test.reason


@pytest.mark.parametrize("isolation", [(), ("--no-isolation",)], ids=["isolated", "in-process"])
@pytest.mark.parametrize(
    "adapter, words",
    [
        ("SystemExitFake", "SystemExit(5) raised inside the test"),
        ("KeyboardInterruptFake", "KeyboardInterrupt raised inside the test"),
    ],
)
def test_system_exit_and_keyboard_interrupt_in_a_call_are_named(
    battery, adapter: str, words: str, isolation: tuple[str, ...]
) -> None:
    [test] = outcomes(battery, adapter, *isolation)
    assert test.outcome is Outcome.ERROR and words in test.reason


def test_a_huge_error_text_is_an_error_cut_not_a_timeout(battery) -> None:
    [test] = outcomes(battery, "HugeErrorFake", "--test-timeout", "60")
    assert test.outcome is Outcome.ERROR
    assert "characters in all; the rest cut" in test.reason and len(test.reason) < 100_000
    assert test.duration < 30


@pytest.mark.parametrize(
    "adapter, words",
    [
        ("ConstructorFake", "ConstructorFake() raised RuntimeError: the fake cannot start"),
        ("FactsRaisingFake", "facts() raised RuntimeError: no facts today"),
        ("FactsNoneFake", "facts() returned NoneType, not a valid Facts"),
    ],
)
def test_a_fault_outside_any_test_ends_the_run_in_one_line(battery, adapter: str, words: str) -> None:
    battery.write(RESUMING)
    result = battery.run_subprocess(f"fault_adapters:{adapter}")
    assert result.ret == 6
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output and "Traceback" not in output
    result.stderr.fnmatch_lines([f"Exit: adapter 'fault-*' broke outside any test: {words}*"])
    assert not battery.results_dir.exists() or not list(battery.results_dir.iterdir())


# -- hostile expectations files --------------------------------------------------------------


@pytest.mark.parametrize(
    "content, words",
    [
        (b'[[deviation]]\ntest = "*"\noutcome = "fail"\nreason = ["a"]\n', "'reason' must be a string"),
        (b'[[deviation]]\ntest = "*"\noutcome = "fail"\nreason = "caf\xe9"\n', "not UTF-8 text"),
        (b'deviation = "everything"\n', "tables; found deviation = 'everything'"),
    ],
    ids=["reason-a-list", "not-utf8", "not-tables"],
)
def test_a_broken_expectations_file_is_one_line(battery, content: bytes, words: str) -> None:
    battery.write(RESUMING)
    path = battery.pytester.path / "expectations.toml"
    path.write_bytes(content)
    result = battery.run_subprocess("FakeAdapter", "--expectations", str(path))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output and "Traceback" not in output
    result.stderr.fnmatch_lines([f"ERROR: {path}*{words}*"])


# -- the private key ---------------------------------------------------------------------------


def test_credentials_live_in_a_private_folder_removed_after() -> None:
    from conformance._credentials import private_credentials

    with private_credentials() as credentials:
        folder = credentials.key_file.parent
        assert folder.stat().st_mode & 0o777 == 0o700
        for path in (credentials.key_file, credentials.ca_file, credentials.cert_chain_file):
            assert path.stat().st_mode & 0o777 == 0o600
    assert not folder.exists()


def test_the_folder_of_a_run_that_died_is_removed_by_the_next(tmp_path, monkeypatch) -> None:
    import os
    import subprocess
    import sys

    from conformance._credentials import FOLDER_PREFIX, private_credentials

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead = tmp_path / f"{FOLDER_PREFIX}{int(gone.stdout)}-abc123"  # its run is over
    alive = tmp_path / f"{FOLDER_PREFIX}{os.getppid()}-def456"  # its run is still going
    unrelated = tmp_path / f"{FOLDER_PREFIX}x7_q2k9z"  # no pid in the name: not ours to judge
    for folder in (dead, alive, unrelated):
        folder.mkdir()
        (folder / "key.pem").write_text("a key")
    with private_credentials() as credentials:
        assert credentials.key_file.parent.name.startswith(f"{FOLDER_PREFIX}{os.getpid()}-")
        assert not dead.exists()
        assert alive.exists() and unrelated.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([alive.name, unrelated.name])


def test_a_real_run_leaves_no_key_file_in_tmpdir(tmp_path, monkeypatch) -> None:
    import subprocess
    import sys

    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    command = [sys.executable, "-m", "conformance", "run", "stdlib", "--clause", "use", "--config", "tls13"]
    command += ["--results-dir", str(tmp_path / "results"), "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        command, cwd=tmp_path, env={**__import__("os").environ, "TMPDIR": str(tmpdir)}, capture_output=True
    )
    assert done.returncode == 0, done.stdout.decode()[-2000:]
    assert not [path for path in tmpdir.rglob("*") if path.name.endswith(".pem")]
