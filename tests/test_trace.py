"""The structured trace: each lab call is one entry, and checks name the entries they observed."""

from __future__ import annotations

import json

from conformance import config_by_id
from conformance._evidence import Evidence, Op
from conformance._lab import Lab


def test_every_call_is_traced_with_labels_and_results(lab: Lab) -> None:
    config = config_by_id("tls12-sessionid")
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    handshake = lab.connect(client, server, session=session)
    lab.check("client reuse flag after resuming", True, lab.reused(handshake.client))
    trace = [entry.to_json() for entry in lab.evidence.trace]
    assert [entry["op"] for entry in trace] == [
        "context", "context", "connection", "connection", "handshake", "get_session",
        "shutdown", "release", "shutdown", "release",
        "connection", "connection", "set_session", "handshake", "reused",
    ]  # fmt: skip
    assert trace[0] == {
        "op": "context",
        "args": {"side": "server", "config": "tls12-sessionid"},
        "made": "X1",
    }
    assert trace[5]["made"] == "S1" and trace[5]["fields"] == {"present": True}
    assert trace[12]["args"] == {"connection": "C3", "session": "S1"}
    assert trace[13]["fields"]["resumed"] is True
    check = lab.evidence.checks[-1]
    assert (check.observed_from, check.observed_field) == (14, "")
    json.dumps(lab.evidence.to_json())  # the results file takes it as it is


def test_a_check_names_the_entries_of_observed_and_expected_values() -> None:
    evidence = Evidence()
    evidence.op("session_id", session="S1").returned(b"\x01\x02")
    evidence.op("get_session", connection="C1").returned("S2", present=True)
    evidence.op("session_id", session="S2").returned(b"\x01\x02")
    evidence.check("a session is reported", True, True)
    evidence.check("id of the reported session", b"\x01\x02", b"\x01\x02")
    present, same_id = evidence.checks
    assert (present.observed_from, present.observed_field) == (1, "present")
    assert (same_id.observed_from, same_id.expected_from) == (2, 0)


def test_a_value_the_trace_did_not_see_is_linked_to_nothing() -> None:
    evidence = Evidence()
    evidence.op("reused", connection="C1").returned(False)
    evidence.check_that("the error names a reason", True, "an error with a reason", "bad session")
    assert evidence.checks[0].observed_from is None


def test_entries_round_trip_through_json() -> None:
    entry = Op("set_session_raw", {"connection": "C1", "session": None})
    entry.returned([0, []], "0 with error queue: empty", return_value=0, errors=[])
    assert Op.from_json(json.loads(json.dumps(entry.to_json()))) == entry
