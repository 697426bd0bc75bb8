"""Protocol configurations: the handshake settings every clause is run under.

Design: the three configurations of the coverage contract are data. An
adapter builds a context from a ``ProtocolConfig`` and must honour every field;
one it cannot honour raises ``NotObservable`` naming the field.
"""

from __future__ import annotations

import dataclasses
import enum

from ._lookup import by_id

__all__ = ["CONFIGS", "ProtocolConfig", "Side", "config_by_id"]


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

    def __str__(self) -> str:
        return self.id


CONFIGS: tuple[ProtocolConfig, ...] = (
    ProtocolConfig(
        "tls12-sessionid",
        "1.2",
        tickets=False,
        server_cache=True,
        description="TLS 1.2 only, tickets off on both sides, the server's session-ID cache on",
    ),
    ProtocolConfig(
        "tls12-ticket",
        "1.2",
        tickets=True,
        server_cache=False,
        description="TLS 1.2 only, tickets on, the server's session cache off",
    ),
    ProtocolConfig(
        "tls13",
        "1.3",
        tickets=True,
        server_cache=True,
        description="TLS 1.3 only, tickets (PSK resumption)",
    ),
)


def config_by_id(config_id: str) -> ProtocolConfig:
    return by_id(CONFIGS, config_id, "protocol configuration")
