"""A conformance suite for TLS session resumption: does a library's "set the
session to resume" call behave as OpenSSL documents SSL_set_session()?

The public surface is what an adapter author needs (the contract, its
vocabulary) and what a tool reading results needs. Everything else is
private to the suite.
"""

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
from ._version import __version__

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
