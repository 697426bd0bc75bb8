"""How close the battery runs to the handshakes it does: its floor, and the ratio to it.

For one adapter this script

1. counts the handshakes the battery does, by kind (full / resumed, as seen on
   the wire) and protocol configuration, by running the battery once with the
   lab's handshake counted in every test child;
2. times a tight loop doing the same handshakes with the same library,
   certificates and configurations, in one process, without pytest or fork
   (contexts made once per configuration: that is the floor);
3. times the battery itself (``conformance run ADAPTER``, the whole command), as
   users run it (a test child per core), serially (``-j 1``), and without
   isolation (the same tests in the pytest process: the difference to the serial
   run is what a fork per test costs);

and repeats 2 and 3 interleaved, N times, printing the median, the spread and
the ratio battery / floor. Run from the project root, with the suite and the
adapter installed:

    python benchmarks/battery_floor.py ADAPTER [--repeat 5] [-- extra 'conformance run' options]

Timing depends on the machine's load: compare ratios of interleaved runs, not
absolute seconds of different moments.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("full", "resumed")
#: A -k expression no battery test matches: the "startup" variant runs the command without tests.
NO_TEST = "no_battery_test_is_named_this"


# -- 1. counting (runs inside a child python: the battery with the lab's handshake counted) --------


def _count_run(adapter: str, tally: str, results: str) -> int:
    """Run the battery with every handshake appended to ``tally`` as one JSON line."""
    from conformance import _lab
    from conformance._cli import main

    made, handshake = _lab.Lab.context, _lab.Lab.handshake

    def context(self, side, config):  # type: ignore[no-untyped-def]
        self._floor_config = config.id
        return made(self, side, config)

    def counted(self, client, server, exchange=True):  # type: ignore[no-untyped-def]
        result = handshake(self, client, server, exchange)
        kind = "resumed" if result.resumed_on_wire else "full"
        line = json.dumps([getattr(self, "_floor_config", "?"), kind, exchange]) + "\n"
        fd = os.open(tally, os.O_WRONLY | os.O_APPEND | os.O_CREAT)  # children append whole lines
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        return result

    _lab.Lab.context, _lab.Lab.handshake = context, counted  # type: ignore[method-assign]
    return main(["run", adapter, "--results-dir", results, "-q"])


def count_handshakes(adapter: str) -> dict[tuple[str, str], int]:
    """{(config, kind): how many} over one battery run."""
    with tempfile.TemporaryDirectory() as scratch:
        tally = Path(scratch, "tally.jsonl")
        tally.touch()
        command = [sys.executable, __file__, "--_count", adapter, str(tally), scratch]
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        counts: collections.Counter[tuple[str, str]] = collections.Counter()
        for line in tally.read_text().splitlines():
            config, kind, _ = json.loads(line)
            counts[(config, kind)] += 1
    return dict(counts)


# -- 2. the floor (runs inside a child python: the same handshakes in a tight loop) ----------------


def _floor_run(adapter_name: str, plan_json: str) -> None:
    """Print the seconds the planned handshakes take in a tight loop (JSON on stdout)."""
    from conformance import CONFIGS, Side
    from conformance._credentials import make_credentials
    from conformance._evidence import Evidence
    from conformance._lab import Lab
    from conformance._registry import load_adapter

    plan = {tuple(key.split("/")): n for key, n in json.loads(plan_json).items()}
    _, adapter_class = load_adapter(adapter_name)
    adapter = adapter_class()
    with tempfile.TemporaryDirectory() as scratch:
        credentials = make_credentials(Path(scratch))
        started, cpu = time.perf_counter(), time.process_time()
        seen = collections.Counter[str]()
        for config in CONFIGS:
            full, resumed = plan.get((config.id, "full"), 0), plan.get((config.id, "resumed"), 0)
            if not full and not resumed:
                continue
            server = adapter.make_context(Side.SERVER, config, credentials)
            client = adapter.make_context(Side.CLIENT, config, credentials)
            session = None
            for number in range(full + resumed):
                lab = Lab(adapter, credentials, Evidence())
                if number >= full and session is not None:
                    handshake = lab.connect(client, server, session=session)
                else:
                    handshake = lab.connect(client, server)
                seen["resumed" if handshake.resumed_on_wire else "full"] += 1
                session = lab.get_session(handshake.client)  # a fresh one: TLS 1.3 tickets are single-use
                lab.close(handshake)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "seen": dict(seen)}))


def time_floor(adapter: str, plan: dict[tuple[str, str], int]) -> tuple[float, float, dict[str, int]]:
    encoded = json.dumps({f"{config}/{kind}": n for (config, kind), n in plan.items()})
    command = [sys.executable, __file__, "--_floor", adapter, encoded]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"the tight loop failed for {adapter!r}:\n{done.stderr}")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer["seconds"], answer["cpu"], answer["seen"]


# -- 3. the battery -------------------------------------------------------------------------------


def time_battery(adapter: str, extra: list[str], python: str = sys.executable) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (the command and its test children) and exit status of a battery."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            python,
            "-m",
            "conformance",
            "run",
            adapter,
            "--results-dir",
            scratch,
            "-q",
            *extra,
        ]
        started = time.perf_counter()
        # From a folder of its own: python -m puts the current folder first on the import path.
        done = subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=scratch
        )
        wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, done.returncode


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):6.2f}  (min {min(values):.2f}, max {max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("adapter")
    parser.add_argument("--repeat", "-n", type=int, default=5, help="interleaved repetitions (default 5)")
    parser.add_argument(
        "--compare",
        metavar="PYTHON",
        help="also time the battery with this interpreter's suite (another version), interleaved",
    )
    # Everything after -- goes to 'conformance run' as it is (argparse would take '-j 2' for itself).
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    args.extra = argv[split + 1 :]

    plan = count_handshakes(args.adapter)
    if not plan:
        sys.exit(f"the battery of {args.adapter!r} did no handshake: is the adapter available?")
    configs = sorted({config for config, _ in plan})
    print(f"handshakes the battery of {args.adapter} does (counted in its test children):")
    for config in configs:
        print(f"  {config:<18} " + "  ".join(f"{plan.get((config, k), 0):4d} {k}" for k in KINDS))
    total = {kind: sum(n for (_, k), n in plan.items() if k == kind) for kind in KINDS}
    print(f"  {'total':<18} " + "  ".join(f"{total[k]:4d} {k}" for k in KINDS))

    # The battery as users run it (one test child per core), serially, and without isolation
    # (same tests in the pytest process: what the fork per test costs is the difference).
    variants = {  # label: (what it is, 'conformance run' options)
        "default": ("the battery as run (-j auto: a test child per core)", args.extra),
        "serial": ("the battery, one test child at a time (-j 1)", ["-j", "1", *args.extra]),
        "no-isolation": (
            "the same tests in the pytest process, no fork (-j 1 -- --no-isolation)",
            ["-j", "1", *args.extra, "--", "--no-isolation"],
        ),
        "startup": (
            "the command with no test selected (Python, pytest, the suite, the adapter, collection)",
            [*args.extra, "--", "-k", NO_TEST],
        ),
    }
    if args.compare:
        variants["compared"] = (f"the default battery with {args.compare}", args.extra)
    floors: list[float] = []
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu_ratios: list[float] = []
    for number in range(1, args.repeat + 1):
        floor, floor_cpu, seen = time_floor(args.adapter, plan)
        floors.append(floor)
        line = f"  run {number}: tight loop {floor:.2f} s ({seen.get('full', 0)} full, {seen.get('resumed', 0)} resumed)"
        for name, (_, extra) in variants.items():
            python = args.compare if name == "compared" else sys.executable
            wall, cpu, status = time_battery(args.adapter, extra, python)
            times[name].append(wall)
            if not cpu_ratios or len(cpu_ratios) < number:
                cpu_ratios.append(cpu / floor_cpu)  # of the default battery, the first variant
            line += f"; {name} {wall:.2f} s (exit {status})"
        print(line, flush=True)
    print(f"tight loop (s):  {_spread(floors)}")
    for name, walls in times.items():
        print(f"{name}: {variants[name][0]}")
        print(f"  seconds:           {_spread(walls)}")
        print(f"  ratio to the loop: {_spread([w / f for w, f in zip(walls, floors)])}")
    print(f"CPU ratio (default battery with its children / the loop): {_spread(cpu_ratios)}")
    # What the tests themselves add, the command's start left out: the part a fork per test weighs on.
    tests = [d - s for d, s in zip(times["default"], times["startup"])]
    print("default minus startup: the tests alone")
    print(f"  seconds:           {_spread(tests)}")
    print(f"  ratio to the loop: {_spread([t / f for t, f in zip(tests, floors)])}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--_count":
        sys.exit(_count_run(*sys.argv[2:5]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--_floor":
        _floor_run(*sys.argv[2:4])
    else:
        main()
