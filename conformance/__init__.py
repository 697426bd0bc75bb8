"""A conformance suite for TLS session resumption: does a library's "set the
session to resume" call behave as OpenSSL documents SSL_set_session()?

The public surface is what an adapter author needs (the contract, its
vocabulary) and what a tool reading results needs. Everything else is
private to the suite.

Names are imported when first used (``__getattr__``), so that a command that needs
few of them (``conformance report``) does not import them all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._capabilities import Capability
    from ._catalogue import CATALOGUE, Clause, clause_by_id
    from ._configs import CONFIGS, ProtocolConfig, Side, config_by_id
    from ._contract import CONTRACT_VERSION, SERVER_NAME, Adapter, CallMapping, Credentials, Facts, RawCall
    from ._errors import (
        AdapterError,
        ContractError,
        HandshakeFailed,
        LibraryFault,
        LibraryUnavailable,
        NotObservable,
        Refused,
    )
    from ._outcomes import Outcome
    from ._records import RunEnd, RunHeader, RunState, TestResult
    from ._registry import ENTRY_POINT_GROUP
    from ._repro_python import python_reproducer
    from ._results import ResultsFileError, Run, read_results
    from ._scenario import Reproducer, Scenario

#: Where each public name lives.
_HOMES = {
    "Capability": "._capabilities",
    "CATALOGUE": "._catalogue",
    "Clause": "._catalogue",
    "clause_by_id": "._catalogue",
    "CONFIGS": "._configs",
    "ProtocolConfig": "._configs",
    "Side": "._configs",
    "config_by_id": "._configs",
    "CONTRACT_VERSION": "._contract",
    "SERVER_NAME": "._contract",
    "Adapter": "._contract",
    "CallMapping": "._contract",
    "Credentials": "._contract",
    "Facts": "._contract",
    "RawCall": "._contract",
    "AdapterError": "._errors",
    "ContractError": "._errors",
    "HandshakeFailed": "._errors",
    "LibraryFault": "._errors",
    "LibraryUnavailable": "._errors",
    "NotObservable": "._errors",
    "Refused": "._errors",
    "Outcome": "._outcomes",
    "RunEnd": "._records",
    "RunHeader": "._records",
    "RunState": "._records",
    "TestResult": "._records",
    "ENTRY_POINT_GROUP": "._registry",
    "python_reproducer": "._repro_python",
    "ResultsFileError": "._results",
    "Run": "._results",
    "read_results": "._results",
    "Reproducer": "._scenario",
    "Scenario": "._scenario",
}

__all__ = [
    "CATALOGUE",
    "CONFIGS",
    "CONTRACT_VERSION",
    "ENTRY_POINT_GROUP",
    "SERVER_NAME",
    "Adapter",
    "AdapterError",
    "CallMapping",
    "Capability",
    "Clause",
    "ContractError",
    "Credentials",
    "Facts",
    "HandshakeFailed",
    "LibraryFault",
    "LibraryUnavailable",
    "NotObservable",
    "Outcome",
    "ProtocolConfig",
    "RawCall",
    "Refused",
    "Reproducer",
    "ResultsFileError",
    "Run",
    "RunEnd",
    "RunHeader",
    "RunState",
    "Scenario",
    "Side",
    "TestResult",
    "__version__",
    "clause_by_id",
    "config_by_id",
    "python_reproducer",
    "read_results",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
