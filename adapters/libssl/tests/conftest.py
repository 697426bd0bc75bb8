"""Fixtures for the libssl adapters' own tests: real libraries, skipped where not installed."""

from __future__ import annotations

import pytest
from conformance_libssl import BoringsslAdapter, ReferenceAdapter, WolfsslAdapter

from conformance import LibraryUnavailable
from conformance._credentials import make_credentials

ADAPTERS = {"reference": ReferenceAdapter, "boringssl": BoringsslAdapter, "wolfssl": WolfsslAdapter}
_made: dict[str, object] = {}


def _adapter(name: str):
    # One instance per library for the whole run: the libraries' hooks are process-wide.
    if name not in _made:
        try:
            _made[name] = ADAPTERS[name]()
        except LibraryUnavailable as error:
            _made[name] = error
    made = _made[name]
    if isinstance(made, LibraryUnavailable):
        pytest.skip(f"{name}: {made}")
    return made


@pytest.fixture(params=sorted(ADAPTERS))
def adapter(request):
    return _adapter(request.param)


@pytest.fixture
def reference():
    return _adapter("reference")


@pytest.fixture(scope="session")
def credentials(tmp_path_factory):
    return make_credentials(tmp_path_factory.mktemp("certificates"))
