"""The whole battery against adversarial fake libraries: every outcome is one the table allows.

Each table says, test by test (first matching pattern wins), which outcomes the
battery may give a library built that way. A pass the table does not allow is a
pass without a cause; a fail it does not allow is a fail that blames the wrong
clause; an error is a bug of the battery or the plugin. Any of them fails here.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import adversaries
import pytest

import conformance.battery
from conformance import Outcome, read_results

BATTERY = Path(conformance.battery.__file__).parent
PASS, FAIL, REFUSED = {Outcome.PASS}, {Outcome.FAIL}, {Outcome.REFUSED}
NOT_OBSERVABLE, CRASH = {Outcome.NOT_OBSERVABLE}, {Outcome.CRASH}

#: The tests that never set a session: the only ones a library without sessions may pass.
NEVER_SETS = [
    ("test_reused_flag.py::test_false_before_any_handshake[*", PASS),
    ("test_reused_flag.py::test_false_after_a_full_handshake[*", PASS),
    ("test_use.py::test_without_a_session_the_handshake_is_full[*", PASS),
]

TABLES: dict[str, list[tuple[str, set[Outcome]]]] = {
    # No session after a full handshake, and every set rejected: nothing to judge but the controls.
    "NoSessionsFake": [*NEVER_SETS, ("*", NOT_OBSERVABLE)],
    # Every set refused: refused wherever a test sets a session, even where a clause allows a
    # refusal (the control is refused too); the raw result 0 with a reason is return-value's own
    # failure branch, which is documented.
    "RefuseEverySetFake": [
        *NEVER_SETS,
        ("test_return_value.py::test_raw_result_is_success_or_failure_with_a_reason[*", PASS),
        ("*", REFUSED),
    ],
    # A set accepted and ignored: use, get, ref-taken and return-value fail (the set did nothing);
    # whatever needs a session that resumes or is held elsewhere is not-observable, never a fail.
    "IgnoringFake": [
        ("test_use.py::test_without_a_session_the_handshake_is_full[*", PASS),
        ("test_use.py::test_both_sides_report_reuse[*", NOT_OBSERVABLE),
        ("test_use.py::*", FAIL),
        ("test_get.py::test_reported_session_resumes_like_the_set_one[*", NOT_OBSERVABLE),
        ("test_get.py::*", FAIL),
        ("test_client_only.py::test_client_offering_nothing_gets_a_full_handshake[*", PASS),
        ("test_ref_taken.py::test_caller_may_release_its_handle_at_once[*", NOT_OBSERVABLE),
        ("test_ref_taken.py::*", FAIL),
        ("test_return_value.py::test_success_returns_normally[*", FAIL),
        ("test_return_value.py::*", PASS),
        ("test_reused_flag.py::test_true_after_a_resumed_handshake[*", NOT_OBSERVABLE),
        ("test_reused_flag.py::*", PASS),
        ("test_bad_if_open.py::test_open_server_session_is_removed_from_the_cache[*", FAIL),
        ("test_bad_if_open.py::test_closed_server_session_is_not_removed[*", PASS),
        ("*", NOT_OBSERVABLE),
    ],
    # wolfSSL's model: the set copies the session. The set object is not the connection's
    # (get's identity, ref-taken's lifetime) and replacing a copy leaves the original good
    # (bad-if-open); replace's lifetime test cannot judge a set that takes no reference.
    "CopyingFake": [
        ("test_bad_if_open.py::test_open_*", FAIL),
        ("test_clear_with_null.py::*", REFUSED),
        ("test_get.py::test_reported_session_is_the_set_object[*", FAIL),
        ("test_ref_taken.py::test_reference_is_held_until_the_connection_goes[*", FAIL),
        ("test_ref_taken.py::test_unused_connection_releases_its_reference[*", FAIL),
        ("test_replace.py::test_older_session_is_released_at_the_replacing_call[*", NOT_OBSERVABLE),
        ("*", PASS),
    ],
    # BoringSSL's model: a set after a handshake aborts; every other clause passes.
    "AbortAfterHandshakeFake": [
        ("test_bad_if_open.py::*", CRASH),
        ("test_replace_after_use.py::*", CRASH),
        ("*", PASS),
    ],
}


def allowed(table: list[tuple[str, set[Outcome]]], test_id: str) -> set[Outcome]:
    return next(outcomes for pattern, outcomes in table if fnmatch.fnmatchcase(test_id, pattern))


@pytest.mark.parametrize("adversary", sorted(TABLES))
def test_every_outcome_is_one_the_table_allows(battery, adversary: str) -> None:
    battery.pytester.runpytest(
        str(BATTERY),
        *("-c", str(BATTERY / "pytest.ini"), "--rootdir", str(BATTERY)),
        *("--adapter", f"adversaries:{adversary}", "--no-expectations"),
        *("--results-dir", str(battery.results_dir), "-p", "no:cacheprovider"),
        *("-p", "conformance._pytest_plugin"),
    )
    run = read_results(battery.results_dir / f"{getattr(adversaries, adversary).name}.jsonl")
    assert run.complete and len(run.tests) > 100
    table = TABLES[adversary]
    wrong = [
        f"{test.test_id}: {test.outcome.value}, allowed {sorted(o.value for o in allowed(table, test.test_id))}"
        f" ({test.reason})"
        for test in run.tests
        if test.outcome not in allowed(table, test.test_id)
    ]
    assert wrong == []
    assert all(test.evidence.checks for test in run.tests if test.outcome is Outcome.PASS)
