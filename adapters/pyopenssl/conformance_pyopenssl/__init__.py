"""The ``pyopenssl`` adapter: pyOpenSSL's ``OpenSSL.SSL.Connection`` over memory BIOs.

The TLS calls are pyOpenSSL's public API. pyOpenSSL offers no public reuse
flag or session identity, so those observations go through its private cffi
bindings (``_bindings``); ``Facts.notes`` names each one.
"""

from ._adapter import PyOpenSSLAdapter

__all__ = ["PyOpenSSLAdapter"]
