"""The adapters against their real libraries: handshakes, handles, wrong input, observers."""

from __future__ import annotations

import pytest
from conformance_libssl import HandleReleased, WrongInput

from conformance import CONFIGS, AdapterError, Refused, config_by_id
from conformance._evidence import Evidence
from conformance._lab import Lab


def _lab(adapter, credentials) -> Lab:
    return Lab(adapter, credentials, Evidence())


@pytest.mark.parametrize("config", CONFIGS, ids=[c.id for c in CONFIGS])
def test_a_fresh_session_resumes(adapter, credentials, config):
    lab = _lab(adapter, credentials)
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    handshake = lab.connect(client, server, session=session)
    assert handshake.resumed_on_wire
    assert adapter.session_reused(handshake.client)


def test_the_client_verifies_the_server_name(reference, credentials):
    lab = _lab(reference, credentials)
    config = config_by_id("tls13")
    server = lab.server(config)
    client = lab.client(config)
    client.server_name = "someone-else.test"  # the certificate is not for this name
    with pytest.raises(Exception, match="SSL_do_handshake on the client"):
        lab.connect(client, server)


def test_a_handle_is_released_once(reference, credentials):
    lab = _lab(reference, credentials)
    config = config_by_id("tls12-sessionid")
    session = lab.fresh_session(lab.client(config), lab.server(config))
    reference.release(session)
    with pytest.raises(HandleReleased, match="double free"):
        reference.release(session)
    with pytest.raises(HandleReleased, match="use-after-free"):
        reference.session_id(session)


@pytest.mark.parametrize("wrong", ["not a session", 42, object()])
def test_wrong_input_is_refused_before_the_library(reference, credentials, wrong):
    lab = _lab(reference, credentials)
    connection = lab.connection(lab.client(config_by_id("tls13")))
    with pytest.raises(WrongInput, match="the library was not called") as caught:
        reference.set_session(connection, wrong)
    assert isinstance(caught.value, Refused) and isinstance(caught.value, TypeError)
    with pytest.raises(WrongInput):
        reference.set_session_raw(connection, wrong)


def test_a_released_session_is_refused_as_wrong_input(reference, credentials):
    lab = _lab(reference, credentials)
    config = config_by_id("tls12-sessionid")
    client = lab.client(config)
    session = lab.fresh_session(client, lab.server(config))
    reference.release(session)
    with pytest.raises(WrongInput, match="dangling pointer"):
        reference.set_session(lab.connection(client), session)


def test_another_adapters_handle_is_not_accepted(adapter, reference, credentials):
    if adapter is reference:
        pytest.skip("needs two adapters")
    config = config_by_id("tls13")
    theirs, mine = _lab(reference, credentials), _lab(adapter, credentials)
    session = theirs.fresh_session(theirs.client(config), theirs.server(config))
    connection = mine.connection(mine.client(config))
    with pytest.raises(WrongInput, match="not a session of this"):
        adapter.set_session(connection, session)
    with pytest.raises(AdapterError, match="handle of this"):
        adapter.release(session)


def test_the_lifetime_probe_sees_the_last_reference_go(adapter, credentials):
    lab = _lab(adapter, credentials)
    config = config_by_id("tls12-sessionid")
    session = lab.fresh_session(lab.client(config), lab.server(config))
    freed = adapter.track_session(session)
    assert not freed()
    adapter.release(session)
    assert freed()


def test_the_raw_call_reports_success_and_an_empty_queue(adapter, credentials):
    lab = _lab(adapter, credentials)
    config = config_by_id("tls12-sessionid")
    client = lab.client(config)
    session = lab.fresh_session(client, lab.server(config))
    raw = adapter.set_session_raw(lab.connection(client), session)
    assert (raw.return_value, raw.errors) == (1, ())


def test_facts_name_the_files_loaded(adapter):
    facts = adapter.facts()
    assert facts.library_version and facts.tls_library_version
    assert any(note.startswith("loaded /") for note in facts.notes)
