"""Run ``reference`` on several OpenSSL builds: Python's own and those vendored by pinned wheels.

Design: the builds are data (``builds/openssl.toml``: a pinned wheel, the
folder in it that holds libssl and libcrypto, the version they report). For
each: ``pip download`` the wheel into a cache folder (never installed, never
imported), take its libssl and libcrypto out, check the version the library
reports against the table, and run the battery on it with
``conformance run reference --library``. A build that cannot be fetched (no
network, another machine type) is reported unavailable with the reason, as a
missing Debian library is, and is not a failure; a build that reports another
version than the table says, or a battery that fails, is.

    python -m conformance_libssl.versions [--cache DIR] [--results-dir DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["PinnedBuild", "main", "pinned_builds"]

TABLE = Path(__file__).with_name("builds") / "openssl.toml"
EXPECTATIONS = Path(__file__).with_name("expectations")
ADAPTER = "reference"
_MACHINES = {"manylinux2014_x86_64": ("Linux", "x86_64")}


@dataclasses.dataclass(frozen=True)
class PinnedBuild:
    """One row of the table: an OpenSSL build inside a pinned wheel."""

    version: str
    wheel: str
    python: str
    platform: str
    folder: str
    #: A file of ``../expectations`` with this build's known deviations ("": the adapter's own).
    expectations: str = ""

    @property
    def label(self) -> str:
        return f"{ADAPTER}-{self.version}"


class Unavailable(Exception):
    """The build cannot be had on this machine; the message says why."""


def pinned_builds(table: Path = TABLE) -> list[PinnedBuild]:
    with table.open("rb") as file:
        return [PinnedBuild(**row) for row in tomllib.load(file)["build"]]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance_libssl.versions", description=__doc__)
    parser.add_argument("--cache", type=Path, default=_default_cache(), help="where wheels and builds go")
    parser.add_argument("--results-dir", default="reports/results", help="where the results files go")
    args, extra = parser.parse_known_args(argv)
    status = _run_battery([], "reference (Python's own OpenSSL)", args.results_dir, extra)
    for build in pinned_builds():
        try:
            libssl = fetch(build, args.cache)
            check_version(build, libssl)
        except Unavailable as reason:
            print(f"versions: {build.label}: unavailable: {reason}", flush=True)
            continue
        except ValueError as mismatch:
            print(f"versions: {build.label}: {mismatch}", flush=True)
            status = status or 1
            continue
        options = ["--library", str(libssl), "--label", build.label]
        if build.expectations:
            options += ["--expectations", str(EXPECTATIONS / build.expectations)]
        status = _run_battery(options, build.label, args.results_dir, extra) or status
    return status


def fetch(build: PinnedBuild, cache: Path) -> Path:
    """The build's libssl, taken out of its wheel (downloaded into ``cache`` once)."""
    system, machine = _MACHINES.get(build.platform, ("", ""))
    if (platform.system(), platform.machine()) != (system, machine):
        raise Unavailable(
            f"the wheel {build.wheel} is for {build.platform}; this machine is "
            f"{platform.system()} {platform.machine()}"
        )
    target = cache / build.label
    found = sorted(target.glob("libssl*")) if target.is_dir() else []
    if found:
        return found[0]
    wheels = cache / "wheels"
    # Exactly the pinned wheel, for the table's Python and platform, whatever this Python is.
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--python-version", build.python, "--platform", build.platform]
    command += ["--implementation", "cp", "--dest", str(wheels), "--quiet", build.wheel]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise Unavailable(f"pip download {build.wheel} failed: {last}")
    name, _, version = build.wheel.partition("==")
    stem = f"{name.replace('-', '_')}-{version}-"
    wheel = next((path for path in sorted(wheels.glob("*.whl")) if path.name.startswith(stem)), None)
    if wheel is None:
        raise Unavailable(f"pip download {build.wheel} left no {stem}*.whl in {wheels}")
    return _take_out(wheel, build, target)


def _take_out(wheel: Path, build: PinnedBuild, target: Path) -> Path:
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            folder, _, name = member.rpartition("/")
            if folder == build.folder and name.startswith(("libssl", "libcrypto")):
                (partial / name).write_bytes(archive.read(member))
    found = sorted(partial.glob("libssl*"))
    if not found or not any(partial.glob("libcrypto*")):
        raise ValueError(f"{wheel.name} has no libssl and libcrypto in {build.folder}/; fix the table")
    partial.rename(target)
    return target / found[0].name


def check_version(build: PinnedBuild, libssl: Path) -> None:
    """Raise ValueError unless the build reports the table's version (asked in a child process)."""
    script = "import conformance_libssl as c; print(c.ReferenceAdapter().version)"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "CONFORMANCE_LIBSSL": str(libssl), "CONFORMANCE_LIBCRYPTO": ""},
        check=False,
    )
    reported = done.stdout.strip()
    if done.returncode != 0 or reported != build.version:
        seen = reported or (done.stderr.strip().splitlines() or ["nothing"])[-1]
        raise ValueError(f"the table says OpenSSL {build.version}; {libssl} reports {seen}")
    print(f"versions: {build.label}: {libssl.name} reports OpenSSL {reported}, as the table says", flush=True)


def _run_battery(options: list[str], what: str, results_dir: str, extra: list[str]) -> int:
    print(f"versions: running the battery on {what}", flush=True)
    command = [sys.executable, "-m", "conformance", "run", ADAPTER, *options]
    # Only the build named here: none that the environment names for other runs.
    env = {k: v for k, v in os.environ.items() if k not in ("CONFORMANCE_LIBSSL", "CONFORMANCE_LIBCRYPTO")}
    return subprocess.run([*command, "--results-dir", results_dir, *extra], env=env, check=False).returncode


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ssl-set-session-conformance" / "builds"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
