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

``conformance selftest`` runs the battery against every mutant registered in
the entry-point group ``ssl_set_session_conformance.mutants`` (this
distribution registers each of ``MUTANTS`` there) and expects each to be
killed by a test of its own clause in every configuration where it applies.
The mutants live in ``_mutants_setting`` (DESCRIPTION ¶1) and
``_mutants_replacing`` (the rest); their base is ``_mutant_base``.
"""

from __future__ import annotations

from ._mutant_base import Mutant
from ._mutants_replacing import (
    AbortsOnEmptySession,
    AcceptsWrongType,
    AlwaysBad,
    ClearIgnored,
    ClearLeaksOld,
    FailsOnSuccess,
    FlagDoesNotProtect,
    LeavesStaleError,
    LinksIntoReceiverCache,
    NeverBad,
    PoisonsReceivingContext,
    ReplaceAfterUseIgnored,
    ReplaceAfterUseLeaksEarlier,
    ReplaceKeepsFirst,
    ReplaceLeaksOlder,
    ServerNeverBad,
    TurnsReceiverTicketsOff,
)
from ._mutants_setting import (
    AdoptsSessionContextOnServer,
    AutoOffersLastSession,
    DropsSessionAtHandshake,
    GetReportsACopy,
    GetReportsAnEmptySession,
    KeepsDeclinedReference,
    LeaksOnConnectionFree,
    ReportsDeclinedSession,
    ReusedFlagAlways,
    ReusedFlagNeverOnClient,
    ReusedFlagOnceSet,
    ScrubsDeclinedSession,
    ServerSetFlipsToClient,
    SetTakesNoReference,
    SetTakesTwoReferences,
)

__all__ = [
    "MUTANTS",
    "AbortsOnEmptySession",
    "AcceptsWrongType",
    "AdoptsSessionContextOnServer",
    "AlwaysBad",
    "AutoOffersLastSession",
    "ClearIgnored",
    "ClearLeaksOld",
    "DropsSessionAtHandshake",
    "FailsOnSuccess",
    "FlagDoesNotProtect",
    "GetReportsACopy",
    "GetReportsAnEmptySession",
    "KeepsDeclinedReference",
    "LeaksOnConnectionFree",
    "LeavesStaleError",
    "LinksIntoReceiverCache",
    "NeverBad",
    "PoisonsReceivingContext",
    "ReplaceAfterUseIgnored",
    "ReplaceAfterUseLeaksEarlier",
    "ReplaceKeepsFirst",
    "ReplaceLeaksOlder",
    "ReportsDeclinedSession",
    "ReusedFlagAlways",
    "ReusedFlagNeverOnClient",
    "ReusedFlagOnceSet",
    "ScrubsDeclinedSession",
    "ServerNeverBad",
    "ServerSetFlipsToClient",
    "SetTakesNoReference",
    "SetTakesTwoReferences",
    "TurnsReceiverTicketsOff",
]

#: Every mutant, in the order of the clause catalogue.
MUTANTS: tuple[type[Mutant], ...] = (
    DropsSessionAtHandshake,
    AutoOffersLastSession,
    GetReportsACopy,
    GetReportsAnEmptySession,
    ServerSetFlipsToClient,
    AdoptsSessionContextOnServer,
    SetTakesNoReference,
    SetTakesTwoReferences,
    LeaksOnConnectionFree,
    KeepsDeclinedReference,
    ScrubsDeclinedSession,
    ReportsDeclinedSession,
    ReusedFlagOnceSet,
    ReusedFlagAlways,
    ReusedFlagNeverOnClient,
    ReplaceKeepsFirst,
    ReplaceLeaksOlder,
    ReplaceAfterUseIgnored,
    ReplaceAfterUseLeaksEarlier,
    NeverBad,
    ServerNeverBad,
    AlwaysBad,
    FlagDoesNotProtect,
    PoisonsReceivingContext,
    TurnsReceiverTicketsOff,
    LinksIntoReceiverCache,
    FailsOnSuccess,
    LeavesStaleError,
    AcceptsWrongType,
    AbortsOnEmptySession,
    ClearIgnored,
    ClearLeaksOld,
)
