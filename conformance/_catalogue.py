"""The clause catalogue: one testable behaviour of SSL_set_session() each.

Design: the coverage contract (``clauses.md``) as data. Each clause has a
stable id, the man page section it comes from, a summary in this project's own
words, and the oldest OpenSSL man page known to document it ("documented
since"), so that a report on an older library can say which clauses its own
documentation promised. Tests name clauses by id with ``@pytest.mark.clause("id")``; the
project's own tests fail when an id has no test or a test names an unknown id.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from ._configs import CONFIGS
from ._lookup import by_id

__all__ = ["CATALOGUE", "Clause", "clause_by_id", "documentation_level", "documented_for", "version_key"]

ALL_CONFIGS = tuple(c.id for c in CONFIGS)


@dataclasses.dataclass(frozen=True)
class Clause:
    """One testable behaviour of the documented API."""

    id: str
    #: Where the man page says it: "DESCRIPTION ¶1", "NOTES", "RETURN VALUES".
    section: str
    #: The behaviour, in this project's words.
    summary: str
    #: The oldest OpenSSL man page known to carry the clause.
    documented_since: str
    #: Protocol configurations where the clause means something.
    configs: tuple[str, ...] = ALL_CONFIGS
    #: A note for the report (for example: documented by newer pages only).
    note: str = ""


CATALOGUE: tuple[Clause, ...] = (
    Clause(
        "use",
        "DESCRIPTION ¶1",
        "A session set on a client before the handshake is offered; if the server "
        "accepts it, the connection resumes it. Without one, the handshake is full.",
        "1.0.2",
    ),
    Clause(
        "get",
        "DESCRIPTION ¶1; SEE ALSO SSL_get_session",
        "Between the set and the handshake, the connection reports the set session as its own.",
        "1.0.2",
    ),
    Clause(
        "client-only",
        "DESCRIPTION ¶1",
        "Setting a session only matters on clients: on a server connection it leaves "
        "the server's handshakes as they were, or is refused with a clear error.",
        "1.0.2",
    ),
    Clause(
        "ref-taken",
        "DESCRIPTION ¶1",
        "The set takes its own reference: the caller may drop its handle at once and the "
        "session still resumes; the reference goes when the connection goes.",
        "1.0.2",
    ),
    Clause(
        "ref-dropped-on-miss",
        "DESCRIPTION ¶1",
        "When the server does not resume the set session, the connection lets go of it "
        "during the handshake and holds a new one; the caller's handle stays good.",
        "1.0.2",
    ),
    Clause(
        "reused-flag",
        "DESCRIPTION ¶1; SEE ALSO SSL_session_reused",
        "The reuse query is false before a handshake (and right after a set), false after "
        "a full or declined handshake, true after a resumed one.",
        "1.0.2",
    ),
    Clause(
        "replace",
        "DESCRIPTION ¶2",
        "A second set replaces the first: the newer session is offered and the older "
        "one's reference is released.",
        "1.0.2",
    ),
    Clause(
        "replace-after-use",
        "DESCRIPTION ¶2",
        "Setting a session on a connection that already did a handshake releases the "
        "session of that earlier handshake.",
        "1.0.2",
    ),
    Clause(
        "bad-if-open",
        "DESCRIPTION ¶2",
        "Replacing the session of a connection that is still open (no shutdown sent) "
        "makes it bad: it leaves the cache and does not resume again. After a shutdown, "
        "or with the sent-shutdown flag set, it stays good.",
        "1.1.1",
        note="The paragraph is absent from the 1.0.2 man page.",
    ),
    Clause(
        "one-context",
        "NOTES",
        "A session belongs to the context that made it. Using it with another context is "
        "refused clearly, or accepted without harm to either context's cache.",
        "1.0.2",
    ),
    Clause(
        "return-value",
        "RETURN VALUES",
        "Success is reported as success with no error left behind; failure as failure "
        "with a reason; wrong input gets a clear error, never a crash.",
        "1.0.2",
    ),
    Clause(
        "clear-with-null",
        "DESCRIPTION ¶2 (newer man pages)",
        "Setting no session clears the set one: it is released as in a replace and the handshake is full.",
        "3.5",
        note="Documented by newer man pages only: absent from 1.1.1 and 3.0, present in 3.5.",
    ),
)


def clause_by_id(clause_id: str) -> Clause:
    return by_id(CATALOGUE, clause_id, "clause")


def version_key(version: str) -> tuple[int, ...]:
    """The leading numbers of a version, for ordering: "1.1.1r" -> (1, 1, 1); "" -> ()."""
    found = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(part) for part in found.group(0).split(".")) if found else ()


def documentation_level(facts: Mapping[str, Any]) -> str:
    """The OpenSSL man pages a run is judged by, from its facts; "" means the newest.

    The adapter's own word (``openssl_documentation``) first; else, for OpenSSL, its version.
    """
    chosen = str(facts.get("openssl_documentation") or "")
    if chosen:
        return chosen
    if str(facts.get("tls_library") or "").lower() == "openssl":
        return str(facts.get("tls_library_version") or "")
    return ""


def documented_for(documented_since: str, level: str) -> bool:
    """Whether the man pages of ``level`` carry a clause documented since ``documented_since``."""
    since, have = version_key(documented_since), version_key(level)
    return not since or not have or have >= since
