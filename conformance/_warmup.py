"""A warm parent: what every test child would otherwise do again, done once before the forks.

Design: each battery test runs in a child forked from the pytest process, so the
child starts with whatever the parent holds. A cold parent makes every child pay
again for the library's lazy set-up (first handshake, ctypes look-ups, lazily
imported codecs such as ``encodings.idna``) and for building its contexts. So,
before the first test, the parent

- warms up: one full and one resumed handshake per configuration, on contexts
  of its own that no test sees (tried first in a forked child: a library that
  crashes or hangs there is not warmed in the parent, and the run goes on cold);
- prepares contexts: a few pristine contexts per side and configuration, never
  used by the parent; each child takes them in order through the lab (its own
  copy-on-write copy, so every test still gets a context no other test touched);
- freezes the garbage collector's view of everything it holds, so that a child's
  collections do not walk (and copy) the parent's objects.

None of this changes what a test sees: a prepared context is exactly the one the
test would have made, made a little earlier, in a process that never used it.
"""

from __future__ import annotations

import gc
from typing import Any

from ._configs import CONFIGS, Side
from ._contract import Adapter, Credentials
from ._evidence import Evidence
from ._outcomes import Outcome

__all__ = ["PreparedContexts", "warm_parent"]

#: Pristine contexts made per side and configuration (most tests use one or two of each).
PREPARED_PER_SIDE = 3
#: Seconds the trial warm-up in a child may take.
TRIAL_TIMEOUT = 20.0

#: (side, config id) -> contexts not yet taken, in the order the lab hands them out.
PreparedContexts = dict[tuple[Side, str], list[Any]]


def warm_parent(adapter: Adapter, credentials: Credentials) -> PreparedContexts:
    """Warm this process up for ``adapter`` and return its prepared contexts (see the module doc)."""
    import encodings.idna  # noqa: F401  (server names are encoded with it, lazily)

    from ._isolation import run_in_child

    trial = run_in_child(lambda: _handshakes(adapter, credentials), Evidence(), TRIAL_TIMEOUT)
    prepared: PreparedContexts = {}
    if trial.outcome is Outcome.PASS:
        _handshakes(adapter, credentials)
        prepared = _prepare(adapter, credentials)
    gc.freeze()  # no collection first: a full one costs more than the little garbage it would free
    return prepared


def _handshakes(adapter: Adapter, credentials: Credentials) -> None:
    """One full and one resumed handshake per configuration (those the adapter can build)."""
    from ._lab import Lab

    for config in CONFIGS:
        lab = Lab(adapter, credentials, Evidence())
        try:
            server, client = lab.server(config), lab.client(config)
            session = lab.fresh_session(client, server)
            lab.close(lab.connect(client, server, session=session))
        except Exception:
            continue  # a configuration the library cannot do: its tests will say so


def _prepare(adapter: Adapter, credentials: Credentials) -> PreparedContexts:
    prepared: PreparedContexts = {}
    for config in CONFIGS:
        for side in Side:
            try:
                made = [adapter.make_context(side, config, credentials) for _ in range(PREPARED_PER_SIDE)]
            except Exception:  # the test that needs it makes it, and reports the failure
                continue
            prepared[(side, config.id)] = made
    return prepared
