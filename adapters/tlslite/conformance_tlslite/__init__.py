"""The ``tlslite`` adapter of the SSL_set_session() conformance suite: tlslite-ng.

Install it with ``pip install adapters/tlslite``; it registers as ``tlslite``
in the ``ssl_set_session_conformance.adapters`` entry-point group. See
``_adapter`` for how tlslite's handshake-time sessions map onto the contract.
"""

from ._adapter import TLSLiteAdapter

__all__ = ["TLSLiteAdapter"]
