"""The lab, driven in process over the fake: the handshake pump, the wire check, evidence."""

from __future__ import annotations

import pytest
from fake_adapter import CERTIFICATE_EXTRA, FAKE_LEAF_LENGTH, BareFake, FakeAdapter

from conformance import CONFIGS, Capability, HandshakeFailed, NotObservable, config_by_id
from conformance._evidence import Contradiction, Evidence
from conformance._lab import MAX_ROUNDS, Lab, UndeclaredNeed

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


def test_a_declared_need_the_adapter_lacks_is_not_observable_at_the_observation(fake_credentials) -> None:
    lab = Lab(BareFake(), fake_credentials, Evidence(), needs={Capability.CACHE_SIZE: "the cache"})
    config = config_by_id("tls13")
    server = lab.server(config)  # the core goes on: the gate is at the observation
    with pytest.raises(NotObservable) as caught:
        lab.cache(server)
    message = str(caught.value)
    assert "'fake-bare' lacks capability 'cache-size'" in message
    assert Capability.CACHE_SIZE.meaning in message and message.endswith("the cache")


def test_an_undeclared_need_is_a_bug_of_the_test(fake_credentials) -> None:
    lab = Lab(FakeAdapter(), fake_credentials, Evidence(), needs={})
    handshake = lab.connect(lab.client(config_by_id("tls13")), lab.server(config_by_id("tls13")))
    with pytest.raises(UndeclaredNeed, match=r"add @pytest.mark.needs\(Capability.REUSE_FLAG"):
        lab.reused(handshake.client)


def test_tracking_without_the_capability_is_asked_at_the_probe(fake_credentials) -> None:
    needs = {Capability.SESSION_LIFETIME: "when it is freed"}
    lab = Lab(BareFake(), fake_credentials, Evidence(), needs=needs)
    config = config_by_id("tls13")
    session = lab.fresh_session(lab.client(config), lab.server(config))
    freed = lab.track(session)  # no error yet: the documented calls come first
    lab.set_session(lab.connection(lab.client(config)), session)
    with pytest.raises(NotObservable, match="when it is freed"):
        freed()


def test_no_session_after_a_full_handshake_is_a_precondition_naming_the_step(lab: Lab) -> None:
    lab.adapter.get_session = lambda connection: None  # type: ignore[method-assign]
    config = config_by_id("tls13")
    with pytest.raises(NotObservable) as caught:
        lab.fresh_session(lab.client(config), lab.server(config))
    assert "the client after a full handshake holds a session; observed no session" in str(caught.value)
    assert "got no session from C1" in str(caught.value)


def test_connect_sets_whatever_session_it_is_given_none_included(lab: Lab) -> None:
    config = config_by_id("tls13")
    lab.connect(lab.client(config), lab.server(config), session=None)
    assert "set no session on C1" in lab.evidence.steps


def test_a_session_that_does_not_resume_on_its_own_is_a_precondition(lab: Lab) -> None:
    lab.adapter.set_session = lambda connection, session: None  # type: ignore[method-assign]
    config = config_by_id("tls12-sessionid")
    with pytest.raises(NotObservable, match="the session resumes on its own"):
        lab.resumable_session(lab.client(config), lab.server(config))


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
