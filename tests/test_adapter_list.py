"""``conformance adapters``, and how ``run``, ``check`` and ``adapters`` refuse a stale adapter.

Adapters are "installed" the way pip leaves them, as ``*.dist-info`` folders
with an ``entry_points.txt``, in a pytester folder put on PYTHONPATH; the
adapter classes are the guide's worked example and small variants of it. The
commands run as the user runs them, so the tests see exactly what the user
reads, and that no traceback is in it.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest
from guide_example import write_example

from conformance import ENTRY_POINT_GROUP
from conformance._adapter_list import adapter_statuses, print_adapters
from conformance._registry import FoundAdapter

VARIANTS = '''
"""Variants of the guide's example: a stale one, one that breaks on import, one without its library."""

from conformance import Adapter, LibraryUnavailable
from conformance_example import ExampleAdapter


class OlderContract(ExampleAdapter):
    contract_version = 0


class WithoutRead(Adapter):
    """An adapter from before read() was in the contract."""

    name = "without-read"
    facts = ExampleAdapter.facts
    make_context = ExampleAdapter.make_context
    make_connection = ExampleAdapter.make_connection
    do_handshake = ExampleAdapter.do_handshake
    put_incoming = ExampleAdapter.put_incoming
    take_outgoing = ExampleAdapter.take_outgoing
    write = ExampleAdapter.write
    shutdown = ExampleAdapter.shutdown
    set_session = ExampleAdapter.set_session
    get_session = ExampleAdapter.get_session
    release = ExampleAdapter.release


class Unavailable(ExampleAdapter):
    def __init__(self):
        raise LibraryUnavailable("libexample.so.1 is missing: apt-get install libexample1")
'''

#: distribution -> (version, {entry-point name: target})
DISTRIBUTIONS = {
    "good-dist": ("1.0", {"example": "conformance_example:ExampleAdapter"}),
    "stale-dist": ("0.3", {"stale": "variants:OlderContract", "old-read": "variants:WithoutRead"}),
    "broken-dist": ("2.0", {"broken": "not_installed_binding:Adapter"}),
    "lacking-dist": ("1.1", {"lacking": "variants:Unavailable"}),
}


def _install(site: Path, distribution: str, version: str, entry_points: dict[str, str]) -> None:
    """What pip leaves behind for a distribution: its metadata and its entry points."""
    info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{name} = {target}" for name, target in entry_points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture
def site(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_example(pytester.path)
    pytester.makepyfile(variants=textwrap.dedent(VARIANTS))
    folder = pytester.path / "site"
    for distribution, (version, entry_points) in DISTRIBUTIONS.items():
        _install(folder, distribution, version, entry_points)
    paths = [str(folder), str(pytester.path), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, paths)))
    return folder


def conformance(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    result = pytester.run(sys.executable, "-m", "conformance", *args, timeout=120)
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    return result


# -- the listing ------------------------------------------------------------------------------


def test_each_adapter_is_listed_with_its_distribution_and_status(
    pytester: pytest.Pytester, site: Path
) -> None:
    result = conformance(pytester, "adapters")
    result.stdout.fnmatch_lines(
        [
            "NAME * DISTRIBUTION * VERSION * STATUS",
            "broken * broken-dist * 2.0 * import failed",
            "    - importing 'not_installed_binding' failed with ModuleNotFoundError: "
            "No module named 'not_installed_binding'",
            "example * good-dist * 1.0 * available: CPython ssl * over *",
            "lacking * lacking-dist * 1.1 * library unavailable",
            "    - libexample.so.1 is missing: apt-get install libexample1",
            "old-read * stale-dist * 0.3 * breaks the contract",
            "    - implement read(connection) -> bytes (required by the contract: *",
            "stale * stale-dist * 0.3 * breaks the contract",
            "    - it declares contract_version = 0: it was written for another version of the contract*",
        ],
        consecutive=False,
    )


def test_broken_adapters_make_the_listing_fail_and_are_named(pytester: pytest.Pytester, site: Path) -> None:
    result = conformance(pytester, "adapters")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "* adapter(s) cannot run: *broken*old-read*stale*. Fix or uninstall them;",
            "'conformance check NAME' says what an adapter lacks.",
        ]
    )
    assert "lacking," not in result.stdout.lines[-2]  # a missing library is not a broken adapter


def test_a_name_two_distributions_register_is_flagged(pytester: pytest.Pytester, site: Path) -> None:
    _install(site, "rival-dist", "9.9", {"example": "conformance_example:ExampleAdapter"})
    result = conformance(pytester, "adapters")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "example * good-dist * available: *",
            "    - another installed distribution also registers 'example': uninstall one of them",
        ]
    )


def test_only_sound_adapters_list_with_exit_0(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_example(pytester.path)
    pytester.makepyfile(variants=textwrap.dedent(VARIANTS))
    pytester.syspathinsert()
    found = [
        FoundAdapter("example", "conformance_example:ExampleAdapter", "good-dist", "1.0"),
        FoundAdapter("lacking", "variants:Unavailable", "lacking-dist", "1.1"),
    ]
    monkeypatch.setattr("conformance._adapter_list.find_adapters", lambda: found)
    assert print_adapters() == 0  # a missing library is normal, not a broken adapter
    assert [status.status for status in adapter_statuses()] == ["available", "library unavailable"]
    assert "cannot run" not in capsys.readouterr().out


def test_no_adapter_at_all_says_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("conformance._adapter_list.find_adapters", lambda: [])
    assert print_adapters() == 0
    assert "No adapter is installed. Install one with pip" in capsys.readouterr().out


# -- a stale adapter is refused by run and check too ------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("stale", "  - it declares contract_version = 0: *then set contract_version = 1"),
        ("old-read", "  - implement read(connection) -> bytes (required by the contract: *"),
    ],
)
def test_run_refuses_a_stale_adapter_with_what_to_fix(
    pytester: pytest.Pytester, site: Path, name: str, problem: str
) -> None:
    result = conformance(pytester, "run", name, "--results-dir", str(pytester.path / "results"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"ERROR: adapter '{name}' (variants:*, from stale-dist 0.3) does not keep the contract of "
            "this suite (contract version 1); fix these, or install a release of the adapter made for this suite:",
            problem,
        ]
    )
    assert not (pytester.path / "results").exists()


def test_check_refuses_a_stale_adapter_with_what_to_fix(pytester: pytest.Pytester, site: Path) -> None:
    result = conformance(pytester, "check", "old-read")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "checking adapter 'old-read' (variants:WithoutRead, from stale-dist 0.3)",
            "FIX   contract: implement read(connection) -> bytes (required by the contract: *",
        ]
    )


def test_run_of_an_adapter_that_fails_to_import_says_why(pytester: pytest.Pytester, site: Path) -> None:
    result = conformance(pytester, "run", "broken")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: adapter 'broken': importing 'not_installed_binding' failed with "
            "ModuleNotFoundError: No module named 'not_installed_binding'",
        ]
    )


def test_run_of_a_name_two_distributions_register_names_both(pytester: pytest.Pytester, site: Path) -> None:
    _install(site, "rival-dist", "9.9", {"example": "conformance_example:ExampleAdapter"})
    result = conformance(pytester, "run", "example")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: 2 installed distributions register an adapter named 'example': "
            "good-dist 1.0 (conformance_example:ExampleAdapter); rival-dist 9.9 "
            "(conformance_example:ExampleAdapter). Uninstall all but one, or pass module:Class.",
        ]
    )


def test_an_adapter_that_crashes_the_process_is_listed_as_broken_and_the_rest_still_are(
    pytester: pytest.Pytester, site: Path
) -> None:
    pytester.makepyfile(
        crashing_adapter=textwrap.dedent(
            """
            import os

            from conformance_example import ExampleAdapter


            class Crashing(ExampleAdapter):
                def __init__(self):
                    os.abort()  # as a library that cannot share the process with another would
            """
        )
    )
    _install(site, "crashing-dist", "0.1", {"crashing": "crashing_adapter:Crashing"})
    result = conformance(pytester, "adapters")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "crashing * crashing-dist * 0.1 * crashes",
            "    - the process died of signal SIGABRT (6)",
            "example * good-dist * 1.0 * available: *",
        ],
        consecutive=False,
    )
