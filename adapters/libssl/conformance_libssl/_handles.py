"""Handles: the caller's references to C objects, each released at most once.

Design: the battery holds these, never raw pointers. A handle knows which
adapter instance made it and which C object (``SSL_CTX``, ``SSL``,
``SSL_SESSION``) it refers to; releasing it frees exactly the reference it
stands for, once. A second release, or any use after release, is an adapter
error (what would be a double free or a use-after-free in C), never a call
into the library.

Wrong input to the call under test is a separate matter (see ``WrongInput``).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from conformance import AdapterError, Refused, Side

__all__ = [
    "Connection",
    "Context",
    "Handle",
    "HandleReleased",
    "Session",
    "WrongInput",
    "caller_session",
    "describe",
    "live_handle",
]


class HandleReleased(AdapterError):
    """A handle was used or released after the caller had released it."""


class WrongInput(Refused, TypeError):
    """The set call was given something that is not a live session of this adapter.

    How a C adapter presents "wrong type" honestly: ``SSL_set_session`` is
    declared ``int SSL_set_session(SSL *, SSL_SESSION *)``, so in C a value of
    another type (a context, a connection, a Python object, another adapter's
    session) never reaches the library: the compiler rejects the call. A handle
    the caller already released would be a dangling pointer, which C cannot
    check and the library cannot detect; passing it is undefined behaviour, not
    an answer of the library. In both cases the adapter refuses before calling
    the library, as ``Refused`` (the call is rejected with a clear reason) and
    ``TypeError`` (which is what it is), and says that the library was not
    called. ``None`` is not wrong input: it is passed on as a NULL session.
    """

    def __init__(self, call: str, reason: str) -> None:
        super().__init__(call, f"{reason} (the library was not called)")


class Handle:
    """The caller's reference to one C object of one adapter instance."""

    c_type: ClassVar[str] = "void"

    def __init__(self, owner: object, address: int) -> None:
        self._owner = owner
        self._address = address
        self._released = False

    def belongs_to(self, owner: object) -> bool:
        return self._owner is owner

    @property
    def released(self) -> bool:
        return self._released

    @property
    def address(self) -> int:
        """The C pointer; raises if the caller already released this handle."""
        if self._released:
            raise HandleReleased(
                f"this {self.c_type}* handle was already released; using it would be a use-after-free in C"
            )
        return self._address

    def mark_released(self) -> int:
        """The pointer to free, once; raises on a second release."""
        if self._released:
            raise HandleReleased(
                f"this {self.c_type}* handle was already released; releasing it again would be "
                "a double free in C"
            )
        self._released = True
        return self._address

    def __repr__(self) -> str:
        state = "released" if self._released else "live"
        return f"<{self.c_type}* {self._address:#x} ({state})>"


class Context(Handle):
    c_type = "SSL_CTX"

    def __init__(self, owner: object, address: int, side: Side, server_name: str) -> None:
        super().__init__(owner, address)
        self.side = side
        self.server_name = server_name


class Connection(Handle):
    c_type = "SSL"

    def __init__(self, owner: object, address: int, context: Context, read_bio: int, write_bio: int) -> None:
        super().__init__(owner, address)
        self.context = context
        # Owned by the SSL (SSL_set_bio): freed with it, never on their own.
        self.read_bio = read_bio
        self.write_bio = write_bio


class Session(Handle):
    c_type = "SSL_SESSION"


H = TypeVar("H", bound=Handle)


def describe(value: Any) -> str:
    """What a value is, for a message about a wrong argument."""
    if isinstance(value, Handle):
        return f"{value!r} (an {value.c_type}* handle, possibly of another adapter instance)"
    return f"a {type(value).__module__}.{type(value).__qualname__} object"


def live_handle(handle: Any, kind: type[H], owner: object, adapter: str) -> H:
    """``handle``, once it is a live ``kind`` of ``owner`` (else a clear adapter error)."""
    if not isinstance(handle, kind) or not handle.belongs_to(owner):
        raise AdapterError(
            f"expected a {kind.c_type}* handle of this {adapter!r} adapter; got {describe(handle)}"
        )
    handle.address  # noqa: B018  (raises HandleReleased after a release)
    return handle


def caller_session(value: Any, kind: type[H], owner: object, adapter: str, takes: str) -> H:
    """``value`` as the session argument of the set call, or ``WrongInput`` saying why not.

    ``takes`` names the C call and its parameter type ("SSL_set_session takes an SSL_SESSION*").
    """
    if not isinstance(value, kind) or not value.belongs_to(owner):
        raise WrongInput(
            "set_session",
            f"{takes}; got {describe(value)}, which is not a session of this {adapter!r} adapter: "
            "in C the compiler rejects such a call",
        )
    if value.released:
        raise WrongInput(
            "set_session",
            "the session handle was already released by the caller: in C this would pass "
            "a dangling pointer (undefined behaviour that the library cannot detect)",
        )
    return value
