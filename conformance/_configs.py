"""Protocol configurations: the handshake settings every clause is run under.

Design: the three configurations of the coverage contract are data. An
adapter builds a context from a ``ProtocolConfig`` and must honour every field;
one it cannot honour raises ``NotObservable`` naming the field. What a test or
a report asks of a configuration is a property here (``resumes_by_server_cache``,
``label``): no code outside this module compares configuration ids.
"""

from __future__ import annotations

import dataclasses
import enum

from ._lookup import by_id

__all__ = ["CONFIGS", "NO_HANDSHAKE_LABEL", "ProtocolConfig", "Side", "config_by_id", "config_label"]


class Side(enum.Enum):
    """Which end of a connection a context or connection is."""

    CLIENT = "client"
    SERVER = "server"


@dataclasses.dataclass(frozen=True)
class ProtocolConfig:
    """One protocol configuration of the coverage contract."""

    id: str
    #: The only TLS version both sides allow: ``"1.2"`` or ``"1.3"``.
    tls_version: str
    #: Session tickets on both sides.
    tickets: bool
    #: The server's session-id cache.
    server_cache: bool
    description: str
    #: A short column label for reports (the description is the long form).
    label: str = ""

    def __str__(self) -> str:
        return self.id

    @property
    def resumes_by_server_cache(self) -> bool:
        """Resumption rests on the server's session-id cache alone (no tickets).

        Only then does the server keep a session that leaving its cache would
        stop, and only then must a session carry a non-empty id to resume.
        """
        return self.server_cache and not self.tickets


CONFIGS: tuple[ProtocolConfig, ...] = (
    ProtocolConfig(
        "tls12-sessionid",
        "1.2",
        tickets=False,
        server_cache=True,
        description="TLS 1.2 only, tickets off on both sides, the server's session-ID cache on",
        label="1.2 id",
    ),
    ProtocolConfig(
        "tls12-ticket",
        "1.2",
        tickets=True,
        server_cache=False,
        description="TLS 1.2 only, tickets on, the server's session cache off",
        label="1.2 ticket",
    ),
    ProtocolConfig(
        "tls13",
        "1.3",
        tickets=True,
        server_cache=True,
        description="TLS 1.3 only, tickets (PSK resumption)",
        label="1.3",
    ),
)


def config_by_id(config_id: str) -> ProtocolConfig:
    return by_id(CONFIGS, config_id, "protocol configuration")


#: The label of tests that run outside any configuration.
NO_HANDSHAKE_LABEL = "no handshake"


def config_label(config_id: str | None) -> str:
    """The short label of a configuration id (an unknown id is its own label)."""
    if config_id is None:
        return NO_HANDSHAKE_LABEL
    try:
        config = config_by_id(config_id)
    except KeyError:
        return config_id
    return config.label or config.id
