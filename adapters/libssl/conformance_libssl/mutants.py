"""Mutants of the reference adapter: the battery's proof that it can fail.

Design: each mutant is the ``reference`` adapter (OpenSSL's libssl) with one
documented behaviour of ``SSL_set_session()`` broken, the way a plausible
library bug would break it. A mutant never fakes an observation: it changes
what the adapter does around the real C calls (skips a call, takes or drops a
reference too many, calls ``SSL_CTX_remove_session`` at the wrong time,
answers a query wrongly), so that a real handshake shows the bug. Each names
the clause it breaks (``breaks``), says how in one line (``how``) and, where
the bug can only show in some protocol configurations, which ones
(``configs``, with the reason beside it).

``conformance selftest`` runs the battery against every mutant of the
collections named in the entry-point group ``ssl_set_session_conformance.mutants``
(this distribution names one: ``MUTANTS``) and expects each to be killed by a
test of its own clause in every configuration where it applies. The mutants
live in ``_mutants_setting`` (DESCRIPTION ¶1) and ``_mutants_replacing`` (the
rest); their base is ``_mutant_base``, and defining a mutant class there is
all it takes to register it.
"""

from __future__ import annotations

# Importing the modules defines their mutants, and defining one registers it.
from . import _mutants_replacing, _mutants_setting  # noqa: F401
from ._mutant_base import Mutant

__all__ = ["MUTANTS", "Mutant"]

#: Every mutant of the reference adapter, as defined (the self-test orders them by clause).
MUTANTS: tuple[type[Mutant], ...] = tuple(Mutant.registered)
