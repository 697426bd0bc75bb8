"""The records of a run, typed: one schema for the writer, the readers and the child's pipe.

Design: every record a run writes or a reader reads is a ``msgspec.Struct``
below, tagged by its ``kind`` field. The classes *are* the schema: writing is
``record.to_json()``, reading is ``Record.from_json(line)``, and msgspec checks
every field's type on the way in (a wrong type, a missing field, a number too
large, an unknown outcome), so a reader never holds a dict whose shape it has
to guess and a template reads attributes, never keys. Fields a reader does not
know are ignored, so a newer writer may add one (give it a default).

=================  =======  ============================================================
record             kind     where
=================  =======  ============================================================
``RunHeader``      run      line 1 of a results file
``TestResult``     test     one line per finished test
``RunEnd``         end      the last line; ``state`` says how the run ended
``Step``           step     child -> parent pipe: one evidence step as it happens
``Traced``         op       child -> parent pipe: one trace entry (``_evidence.Op``)
``Ending``         ending   child -> parent pipe: how the test body ended
=================  =======  ============================================================

How a run ended (``RunState``): ``complete`` (every selected test ran),
``interrupted`` (Ctrl-C, SIGTERM), ``stopped-early`` (``-x``, ``--maxfail``, or
tests that left no record) and ``crashed`` (the harness itself broke). A file
with no end record is a run that was killed; readers call it ``lost``.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, ClassVar, TypeVar

import msgspec

from ._evidence import Check, EvidenceRecord, Op
from ._outcomes import Outcome

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "AdapterInfo",
    "Check",
    "ClauseEntry",
    "ConfigEntry",
    "Ending",
    "EvidenceRecord",
    "FactsRecord",
    "MappingEntry",
    "Record",
    "RecordError",
    "RunEnd",
    "RunHeader",
    "RunState",
    "StaleExpectation",
    "Step",
    "TestResult",
    "Traced",
    "decode_line",
    "decode_pipe_line",
]

SCHEMA = "ssl-set-session-conformance/results"
#: 2: expected/observed are fields of a test record; the end record has a ``state``.
SCHEMA_VERSION = 2

_Self = TypeVar("_Self", bound="Record")
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
Seconds = Annotated[float, msgspec.Meta(ge=0)]
Count = Annotated[int, msgspec.Meta(ge=0)]


class RecordError(ValueError):
    """A record that does not match the schema; the message says where and what."""


class RunState(enum.Enum):
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"
    STOPPED_EARLY = "stopped-early"
    CRASHED = "crashed"


class Record(msgspec.Struct, kw_only=True, tag_field="kind"):
    """A typed record with one way in and one way out."""

    _decoders: ClassVar[dict[type, msgspec.json.Decoder[Any]]] = {}

    def to_json(self) -> bytes:
        """One line of JSON (no newline)."""
        return _ENCODER.encode(self)

    @classmethod
    def from_json(cls: type[_Self], data: bytes | str) -> _Self:
        """Decode and validate; raise ``RecordError`` saying which field is wrong."""
        decoder = Record._decoders.get(cls)
        if decoder is None:
            decoder = Record._decoders[cls] = msgspec.json.Decoder(cls)
        return _decoded(decoder, data)


# -- the header ---------------------------------------------------------------------------


class MappingEntry(msgspec.Struct, kw_only=True):
    """For one clause, the library call that stands for the documented one (``CallMapping``)."""

    clause: str
    call: str
    meaning: str = ""


class FactsRecord(msgspec.Struct, kw_only=True):
    """What the adapter said about itself (``Facts``)."""

    library: str = ""
    library_version: str = ""
    tls_library: str = ""
    tls_library_version: str = ""
    notes: list[str] = []
    mapping: list[MappingEntry] = []
    openssl_documentation: str = ""


class AdapterInfo(msgspec.Struct, kw_only=True):
    name: NonEmpty
    #: The run's label (``--label``, or the adapter's name plus the version of a named build).
    label: str = ""
    target: str = ""
    distribution: str = ""
    distribution_version: str = ""
    contract_version: int | None = None
    capabilities: list[str] = []
    facts: FactsRecord = msgspec.field(default_factory=FactsRecord)
    #: Empty, or why the library could not be loaded (then no test ran).
    unavailable: str = ""
    #: The expectations file used (package folder and name).
    expectations: str = ""


class ClauseEntry(msgspec.Struct, kw_only=True):
    id: NonEmpty
    section: str = ""
    summary: str = ""
    documented_since: str = ""
    note: str = ""
    configs: list[str] = []


class ConfigEntry(msgspec.Struct, kw_only=True):
    id: NonEmpty
    description: str = ""
    tls_version: str = ""
    tickets: bool | None = None
    server_cache: bool | None = None


class RunHeader(Record, tag="run", kw_only=True):
    schema: str = SCHEMA
    schema_version: int = SCHEMA_VERSION
    suite_version: str
    adapter: AdapterInfo
    python: str = ""
    python_implementation: str = ""
    platform: str = ""
    started: str = ""
    command: str = ""
    catalogue: list[ClauseEntry] = []
    configs: list[ConfigEntry] = []


# -- tests ----------------------------------------------------------------------------------


class TestResult(Record, tag="test", kw_only=True):
    """One (test, adapter) outcome with its evidence."""

    __test__: ClassVar[bool] = False  # not a pytest test class

    test_id: NonEmpty
    title: str = ""
    clauses: tuple[NonEmpty, ...]
    config: str | None = None
    outcome: Outcome
    reason: str = ""
    #: For a fail: the comparison that did not hold (else None).
    expected: str | None = None
    observed: str | None = None
    evidence: EvidenceRecord = msgspec.field(default_factory=EvidenceRecord)
    duration: Seconds = 0.0
    #: From the adapter's expectations: the outcome that was expected, and why.
    expected_outcome: Outcome = Outcome.PASS
    expectation_reason: str = ""
    expectation_link: str = ""
    #: Written for readers of the file; always recomputed from the two outcomes.
    as_expected: bool = True
    rerun: str = ""

    def __post_init__(self) -> None:
        self.as_expected = self.outcome is Outcome.NOT_OBSERVABLE or self.outcome is self.expected_outcome


# -- the end --------------------------------------------------------------------------------


class StaleExpectation(msgspec.Struct, kw_only=True):
    test: str
    outcome: Outcome
    reason: str = ""


class RunEnd(Record, tag="end", kw_only=True):
    state: RunState
    finished: str = ""
    counts: dict[Outcome, Count] = {}
    unexpected: Count = 0
    exit_status: int = 0
    #: Tests selected to run, and tests that left a record.
    selected: Count = 0
    recorded: Count = 0
    #: False when the run was narrowed to some clauses, configurations or tests.
    complete_selection: bool = True
    stale_expectations: list[StaleExpectation] = []


# -- the child's pipe -----------------------------------------------------------------------


class Step(Record, tag="step", kw_only=True):
    text: str


class Traced(Record, tag="op", kw_only=True):
    """Trace entry number ``at``, sent before the call it describes (a crash keeps it) and again,
    complete, when the next is made (the latest of each number wins)."""

    at: Annotated[int, msgspec.Meta(ge=0)]
    op: Op


class Ending(Record, tag="ending", kw_only=True):
    """How a test body ended, as the child (or the parent, for a crash) tells it."""

    outcome: Outcome
    reason: str = ""
    expected: str | None = None
    observed: str | None = None
    evidence: EvidenceRecord = msgspec.field(default_factory=EvidenceRecord)


# -- decoding -------------------------------------------------------------------------------

_ENCODER = msgspec.json.Encoder()
_LINE = msgspec.json.Decoder(RunHeader | TestResult | RunEnd)
_PIPE_LINE = msgspec.json.Decoder(Step | Traced | Ending)


def decode_line(line: bytes | str) -> RunHeader | TestResult | RunEnd:
    """One line of a results file, validated; ``RecordError`` says what is wrong."""
    return _decoded(_LINE, line)


def decode_pipe_line(line: bytes) -> Step | Traced | Ending:
    """One line the child sent, validated; ``RecordError`` if it is not one."""
    return _decoded(_PIPE_LINE, line)


def _decoded(decoder: msgspec.json.Decoder[Any], data: bytes | str) -> Any:
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as error:
        raise RecordError(f"a field has the wrong type or value ({error})") from None
    except msgspec.DecodeError as error:
        raise RecordError(f"not JSON ({error})") from None
    except UnicodeDecodeError as error:
        raise RecordError(f"not JSON: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except RecursionError:
        raise RecordError("nested too deeply to be a record") from None
