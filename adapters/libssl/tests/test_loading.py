"""Finding the libraries: what the adapters say when one is missing or unusable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conformance_libssl import BoringsslAdapter, ReferenceAdapter, WolfsslAdapter, _loading
from conformance_libssl._dialects import BORINGSSL, OPENSSL, WOLFSSL, Fn

from conformance import LibraryUnavailable


@pytest.mark.parametrize(
    ("adapter", "package"),
    [(BoringsslAdapter, "android-libboringssl"), (WolfsslAdapter, "libwolfssl35")],
)
def test_a_missing_package_is_named(monkeypatch, tmp_path, adapter, package):
    monkeypatch.setattr(_loading, "debian_multiarch_dir", lambda: tmp_path)
    with pytest.raises(LibraryUnavailable, match=f"apt-get install {package}"):
        adapter()


def test_the_multiarch_dir_is_the_machines():
    assert _loading.debian_multiarch_dir().parent == Path("/usr/lib")


def test_an_override_that_is_not_a_file(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFORMANCE_LIBSSL", str(tmp_path / "libssl.so.3"))
    with pytest.raises(LibraryUnavailable, match="not a file"):
        ReferenceAdapter()


def test_an_override_with_pythons_soname_is_refused(monkeypatch, tmp_path, reference):
    # A copy of Python's own libssl and libcrypto: same sonames, so the linker would
    # bind the copy of libssl to the libcrypto Python already loaded.
    for path in reference._library.files:
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setenv("CONFORMANCE_LIBSSL", str(tmp_path / reference._library.ssl.path.name))
    with pytest.raises(LibraryUnavailable, match="same soname"):
        ReferenceAdapter()


def test_by_default_the_reference_is_pythons_libssl(reference):
    import ssl

    assert reference.api.version_text(0).decode() == ssl.OPENSSL_VERSION


@pytest.mark.parametrize("dialect", [OPENSSL, BORINGSSL, WOLFSSL], ids=lambda d: d.name)
def test_every_operation_has_its_types(dialect):
    for operation, source in dialect.operations.items():
        if isinstance(source, Fn):
            assert all(t is not None for t in source.argtypes), operation


def test_wolfssl_names_carry_the_prefix():
    symbols = {s.symbol for s in WOLFSSL.operations.values()}
    assert all(symbol.startswith(("wolfSSL", "wolfTLS", "wolfSSLv")) for symbol in symbols)
