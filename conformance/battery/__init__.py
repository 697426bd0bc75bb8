"""The battery: one test module per clause of the catalogue.

Run it with ``conformance run ADAPTER`` (or ``pytest --adapter ADAPTER
--pyargs conformance.battery``). Tests speak only to the ``lab`` fixture, name
their clause with ``pytest.mark.clause``, and take ``config`` where a
handshake is involved; the plugin parametrizes it.
"""
