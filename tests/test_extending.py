"""Extending the suite: a 13th clause and a 4th configuration, in a throwaway copy of the tree.

CONTRIBUTING.md says what each needs. A clause: its catalogue entry, one
battery module, one mutant class (one place), and expectations where a library
deviates. A configuration: its entry in ``_configs.py`` and the adapters that
can honour it. This test does exactly that to a copy of the ``conformance``
package (and of the libssl adapter's, where installed) and runs the result:
``conformance check``, a battery run, the self-test and the report. If
anything else had to change, one of them fails here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import conformance

TESTS = Path(__file__).resolve().parent
CLAUSE = "throwaway"
#: A twin of tls13 under another id: every test must behave in it as in tls13.
CONFIG, TWIN_OF = "tls13-twin", "tls13"

CATALOGUE_ENTRY = f"""\
    Clause(
        "{CLAUSE}",
        "DESCRIPTION ¶9 (made up)",
        "A session set twice before the handshake is resumed as if it were set once.",
        "1.0.2",
    ),
"""

BATTERY_MODULE = f'''\
"""{CLAUSE}: a session set twice is resumed (made up by tests/test_extending.py)."""

import pytest

pytestmark = pytest.mark.clause("{CLAUSE}")


def test_a_session_set_twice_is_resumed(lab, config):
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    connection = lab.connection(client)
    lab.set_session(connection, session)
    lab.set_session(connection, session)
    handshake = lab.handshake(connection, lab.connection(server))
    lab.expect_resumed(handshake, "the handshake of a connection whose session was set twice")
'''

# A mutant of the fake adapter, and its distribution's one entry point naming the collection.
FAKE_MUTANT = f'''\
from fake_adapter import FakeAdapter


class ForgetsASecondSet(FakeAdapter):
    name = "mutant-{CLAUSE}"
    breaks = "{CLAUSE}"
    how = "setting the same session a second time unsets it"

    def set_session(self, connection, session):
        if session is not None and getattr(connection, "session", None) is session:
            session = None
        super().set_session(connection, session)


MUTANTS = (ForgetsASecondSet,)
'''
ENTRY_POINTS = "[ssl_set_session_conformance.mutants]\nthrowaway = throwaway_mutants:MUTANTS\n"

# A mutant of the libssl adapter: one class, in the module of its kind, and nothing else.
LIBSSL_MUTANT = f'''

class SetTwiceForgets(Mutant):
    name = "mutant-{CLAUSE}-libssl"
    breaks = "{CLAUSE}"
    how = "setting the same session a second time unsets it"
'''


def _insert_before_end_of(text: str, table: str, entry: str) -> str:
    """``text`` with ``entry`` added as the last item of the tuple assigned to ``table``."""
    start = re.search(rf"^{table}\b.*= \($", text, flags=re.M)
    assert start, f"no tuple {table} = (...) to extend"
    end = text.index("\n)\n", start.end())
    return text[: end + 1] + entry + text[end + 1 :]


def _twin_of(configs_source: str) -> str:
    """The source of the ``TWIN_OF`` configuration, copied under the id ``CONFIG``."""
    match = re.search(
        rf'^    ProtocolConfig\(\n        "{TWIN_OF}",\n.*?^    \),\n', configs_source, re.M | re.S
    )
    assert match, f"no ProtocolConfig({TWIN_OF!r}, ...) entry in _configs.py to copy"
    return match.group(0).replace(f'"{TWIN_OF}"', f'"{CONFIG}"', 1)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the suite with the throwaway clause and configuration added, and nothing else."""
    root = tmp_path_factory.mktemp("extended")
    source = root / "src"
    package = source / "conformance"
    shutil.copytree(Path(conformance.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))

    catalogue = package / "_catalogue.py"
    catalogue.write_text(_insert_before_end_of(catalogue.read_text(), "CATALOGUE", CATALOGUE_ENTRY))
    configs = package / "_configs.py"
    text = configs.read_text()
    configs.write_text(_insert_before_end_of(text, "CONFIGS", _twin_of(text)))
    (package / "battery" / f"test_{CLAUSE}.py").write_text(BATTERY_MODULE)

    (source / "throwaway_mutants.py").write_text(FAKE_MUTANT)
    dist_info = source / "throwaway_mutants-0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: throwaway-mutants\nVersion: 0\n")
    (dist_info / "entry_points.txt").write_text(ENTRY_POINTS)

    libssl = importlib.util.find_spec("conformance_libssl")
    if libssl is not None and libssl.origin:
        copy = source / "conformance_libssl"
        shutil.copytree(Path(libssl.origin).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
        with (copy / "_mutants_setting.py").open("a") as module:
            module.write(LIBSSL_MUTANT)
    return root


def conformance_command(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree / "src"), str(TESTS)])}
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def battery_run(tree: Path) -> dict[str, str]:
    """test id -> outcome, of the extended battery against the fake adapter."""
    done = conformance_command(tree, "run", "fake_adapter:FakeAdapter", "--results-dir", "results", "-q")
    run = conformance.read_results(tree / "results" / "fake.jsonl")
    outcomes = {test.test_id: test.outcome.value for test in run.tests}
    assert outcomes, f"the extended battery ran nothing:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    return outcomes


def test_the_new_clause_is_run_in_every_configuration(battery_run: dict[str, str]) -> None:
    ran = {test: outcome for test, outcome in battery_run.items() if f"test_{CLAUSE}.py" in test}
    configs = {test.rpartition("[")[2].rstrip("]") for test in ran}
    assert configs == {c.id for c in conformance.CONFIGS} | {CONFIG}, ran
    assert set(ran.values()) == {"pass"}, ran


def test_the_new_configuration_behaves_as_its_twin_in_every_test(battery_run: dict[str, str]) -> None:
    twins = {
        test: test.replace(f"[{CONFIG}]", f"[{TWIN_OF}]") for test in battery_run if f"[{CONFIG}]" in test
    }
    assert len(twins) == sum(f"[{TWIN_OF}]" in test for test in battery_run)
    different = {
        test: (battery_run[test], battery_run.get(twin))
        for test, twin in twins.items()
        if battery_run[test] != battery_run.get(twin)
    }
    assert not different, (
        f"outcomes in {CONFIG} that differ from {TWIN_OF} (ids compared somewhere?): {different}"
    )


def test_the_contract_checker_builds_the_new_configuration(tree: Path) -> None:
    done = conformance_command(tree, "check", "fake_adapter:FakeAdapter")
    assert done.returncode == 0, done.stdout + done.stderr
    assert CONFIG in done.stdout


def test_one_mutant_class_is_all_the_self_test_needs(tree: Path) -> None:
    done = conformance_command(tree, "selftest", "--mutant", f"mutant-{CLAUSE}", "--out", "out")
    assert done.returncode == 0, done.stdout + done.stderr
    matrix = json.loads((tree / "out" / "selftest" / "kill-matrix.json").read_text())
    (mutant,) = matrix["mutants"]
    assert mutant["killed"] and set(mutant["own_kills"]) == {c.id for c in conformance.CONFIGS} | {CONFIG}


def test_a_libssl_mutant_registers_itself_by_being_defined(tree: Path) -> None:
    if not (tree / "src" / "conformance_libssl").is_dir():
        pytest.skip("the libssl adapter is not installed")
    script = textwrap.dedent(f"""
        from conformance._mutants import find_mutants, load_mutant
        found = dict(find_mutants())
        mutant = load_mutant("mutant-{CLAUSE}-libssl", found["mutant-{CLAUSE}-libssl"])
        print(mutant.breaks, mutant.baseline)
    """)
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    assert done.stdout.split() == [CLAUSE, "conformance_libssl._libraries:ReferenceAdapter"], done.stderr


def test_the_report_shows_the_new_clause_and_configuration(tree: Path, battery_run: dict[str, str]) -> None:
    done = conformance_command(tree, "report", "results", "--out", "report")
    assert done.returncode == 0, done.stdout + done.stderr
    summary = (tree / "report" / "summary.md").read_text()
    assert CLAUSE in summary and CONFIG in (tree / "report" / "index.html").read_text()
