"""The lab, driven in process over the fake: the handshake pump, the wire check, evidence."""

from __future__ import annotations

import pytest
from fake_adapter import CERTIFICATE_EXTRA, FAKE_LEAF_LENGTH, BareFake, FakeAdapter

from conformance import CONFIGS, Capability, HandshakeFailed, NotObservable, Refused, config_by_id
from conformance._evidence import Contradiction, Evidence
from conformance._lab import MAX_ROUNDS, Lab

every_config = pytest.mark.parametrize("config", CONFIGS, ids=str)


@every_config
def test_a_first_handshake_is_full_on_the_wire(lab: Lab, config) -> None:
    handshake = lab.connect(lab.client(config), lab.server(config))
    assert not handshake.resumed_on_wire
    assert handshake.server_bytes > FAKE_LEAF_LENGTH + CERTIFICATE_EXTRA
    assert handshake.leaf_der_length == FAKE_LEAF_LENGTH
    assert handshake.describe().startswith(
        f"full on the wire: the server sent {handshake.server_bytes} bytes"
    )
    assert lab.reused(handshake.client) is lab.reused(handshake.server) is False


@every_config
def test_a_set_session_resumes_on_the_wire(lab: Lab, config) -> None:
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    handshake = lab.connect(client, server, session=session)
    assert handshake.resumed_on_wire
    assert 0 < handshake.server_bytes < FAKE_LEAF_LENGTH
    assert handshake.describe().startswith("resumed on the wire")
    assert lab.reused(handshake.client) and lab.reused(handshake.server)
    lab.expect_resumed(handshake, "the resumption")
    assert lab.evidence.checks[-1].ok


def test_another_servers_session_is_not_resumed(lab: Lab) -> None:
    config = config_by_id("tls12-ticket")
    client = lab.client(config)
    session = lab.fresh_session(client, lab.server(config))
    handshake = lab.connect(client, lab.server(config), session=session)
    assert not handshake.resumed_on_wire


def test_the_data_exchange_carries_the_tls13_ticket(lab: Lab) -> None:
    # Without the exchange, a TLS 1.3 client holds a session that cannot resume.
    config = config_by_id("tls13")
    server, client = lab.server(config), lab.client(config)
    unread = lab.handshake(lab.connection(client), lab.connection(server), exchange=False)
    early = lab.get_session(unread.client)
    assert not lab.connect(client, server, session=early).resumed_on_wire
    read = lab.connect(client, server)
    assert lab.connect(client, server, session=lab.get_session(read.client)).resumed_on_wire


def test_a_stuck_handshake_fails_after_the_round_limit(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_by_id("tls13")
    server, client = lab.server(config), lab.client(config)
    monkeypatch.setattr(lab.adapter, "take_outgoing", lambda connection: b"")  # nothing ever moves
    with pytest.raises(HandshakeFailed, match=f"C1 with C2 did not finish in {MAX_ROUNDS} rounds"):
        lab.connect(client, server)


def test_lost_application_data_fails_the_exchange(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_by_id("tls12-sessionid")
    server, client = lab.server(config), lab.client(config)
    monkeypatch.setattr(lab.adapter, "read", lambda connection: b"")
    with pytest.raises(HandshakeFailed, match="C1 did not receive the data C2 sent"):
        lab.connect(client, server)


def test_evidence_names_every_handle_and_step(lab: Lab) -> None:
    config = config_by_id("tls12-sessionid")
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    lab.connect(client, server, session=session)
    steps = lab.evidence.steps
    assert steps[:4] == [
        "made server context X1 (tls12-sessionid)",
        "made client context X2 (tls12-sessionid)",
        "made connection C1 of X2",
        "made connection C2 of X1",
    ]
    assert steps[4].startswith("handshake C1 with C2: full on the wire")
    assert "got session S1 from C1" in steps
    assert "set session S1 on C3" in steps
    assert steps[-1].startswith("handshake C3 with C4: resumed on the wire")
    assert lab.label(session) == "S1" and lab.label(None) == "no session" and lab.label(object()) == "?"


def test_evidence_steps_stream_as_they_happen(fake: FakeAdapter, fake_credentials) -> None:
    streamed: list[str] = []
    lab = Lab(fake, fake_credentials, Evidence(on_step=streamed.append))
    lab.server(config_by_id("tls13"))
    assert streamed == lab.evidence.steps == ["made server context X1 (tls13)"]


def test_a_check_that_holds_is_recorded(lab: Lab) -> None:
    lab.check("an id", b"\x01\x02", b"\x01\x02")
    [check] = lab.evidence.checks
    assert (check.what, check.expected, check.observed, check.ok) == ("an id", "0102", "0102", True)


def test_a_check_that_fails_is_a_contradiction_with_both_values(lab: Lab) -> None:
    with pytest.raises(Contradiction) as caught:
        lab.check("the reuse flag", True, False)
    assert str(caught.value) == "the reuse flag: expected True, observed False"
    assert caught.value.check is lab.evidence.checks[-1] and not caught.value.check.ok


def test_expect_full_on_a_resumption_is_a_contradiction(lab: Lab) -> None:
    config = config_by_id("tls13")
    server, client = lab.server(config), lab.client(config)
    handshake = lab.connect(client, server, session=lab.fresh_session(client, server))
    with pytest.raises(Contradiction) as caught:
        lab.expect_full(handshake, "the second handshake")
    assert caught.value.check.expected == "a full handshake"
    assert caught.value.check.observed.startswith("resumed on the wire")


def test_need_names_adapter_capability_and_purpose(fake_credentials) -> None:
    lab = Lab(BareFake(), fake_credentials, Evidence())
    assert not lab.can(Capability.REUSE_FLAG)
    with pytest.raises(NotObservable) as caught:
        lab.need(Capability.CACHE_SIZE, why="the cache after the handshake")
    message = str(caught.value)
    assert "'fake-bare' lacks capability 'cache-size'" in message
    assert Capability.CACHE_SIZE.meaning in message and message.endswith("the cache after the handshake")


def test_need_passes_when_every_capability_is_declared(lab: Lab) -> None:
    lab.need(*Capability, why="everything")
    assert all(lab.can(capability) for capability in Capability)


def test_a_refusal_the_clause_allows_is_a_note(lab: Lab) -> None:
    lab.adapter.misbehave("set_session", "refuse")
    connection = lab.connection(lab.server(config_by_id("tls13")))
    assert lab.set_session_allowing_refusal(connection, None) is False
    assert lab.evidence.notes[-1].startswith("refused, which this clause allows: fake library:")
    lab.adapter.misbehave("get_session", "refuse")
    with pytest.raises(Refused):
        lab.get_session(connection)


def test_the_session_id_and_identity_observations(lab: Lab) -> None:
    config = config_by_id("tls12-sessionid")
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    handshake = lab.connect(client, server, session=session)
    held = lab.get_session(handshake.client)
    assert lab.session_id(held) == lab.session_id(session) != b""
    assert lab.adapter.same_session(held, session)
    assert lab.evidence.steps[-1] == f"id of S2: {session.id.hex()}"


def test_tracking_sees_a_session_freed_once_every_reference_is_gone(lab: Lab) -> None:
    session = lab.adapter.make_empty_session()
    probe = lab.track(session)
    assert probe() is False
    del session
    lab.collect_garbage()
    assert probe() is True
    assert lab.evidence.steps[-1] == "collected garbage"
