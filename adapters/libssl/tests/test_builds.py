"""Builds the user names (--library, or each adapter's variable): loaded from their path, or refused in one line."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conformance_libssl import BoringsslAdapter, ReferenceAdapter, WolfsslAdapter, _loading, versions

from conformance import LibraryUnavailable

ADAPTERS = {"reference": ReferenceAdapter, "boringssl": BoringsslAdapter, "wolfssl": WolfsslAdapter}


def _debian(name: str) -> Path:
    path = _loading.debian_multiarch_dir() / name
    if not path.exists():
        pytest.skip(f"{path} is not installed")
    return path


def _pythons(part: str) -> Path:
    library = _loading.open_python_libssl()
    return library.ssl.path if part == "libssl" else library.crypto.path


def _text(tmp_path: Path) -> Path:
    path = tmp_path / "libssl.so.3"
    path.write_text("This is a text file, not a shared library: the adapters must refuse it.\n" * 4)
    return path


# Per adapter: a file that is not its library, and the words of the one-line refusal.
WRONG_FILES = {
    ("reference", "a libcrypto"): (lambda tmp: _pythons("libcrypto"), "exports no SSL_new"),
    ("reference", "a text file"): (_text, "not a shared library the dynamic linker can load"),
    ("reference", "another dialect"): (
        lambda tmp: _debian("android/libssl.so.0"),
        "reports version 'BoringSSL', not one of OpenSSL",
    ),
    ("boringssl", "a libcrypto"): (lambda tmp: _debian("android/libcrypto.so.0"), "exports no SSL_new"),
    ("boringssl", "a text file"): (_text, "not a shared library"),
    ("boringssl", "another dialect"): (
        lambda tmp: _pythons("libssl"),
        "not one of BoringSSL: a library of another dialect",
    ),
    ("wolfssl", "a libcrypto"): (lambda tmp: _pythons("libcrypto"), "exports no wolfSSL_CTX_new"),
    ("wolfssl", "a text file"): (_text, "not a shared library"),
    ("wolfssl", "another dialect"): (lambda tmp: _pythons("libssl"), "exports no wolfSSL_CTX_new"),
}


@pytest.mark.parametrize(("adapter", "wrong"), sorted(WRONG_FILES), ids=lambda v: v.replace(" ", "-"))
def test_a_wrong_file_is_refused_in_one_line(monkeypatch, tmp_path, adapter, wrong):
    make, words = WRONG_FILES[adapter, wrong]
    path = make(tmp_path)
    adapter_class = ADAPTERS[adapter]
    monkeypatch.setenv(adapter_class.build_variable, str(path))
    with pytest.raises(LibraryUnavailable, match=words) as caught:
        adapter_class()
    assert "\\n" not in str(caught.value) and str(path) in str(caught.value)


def test_the_run_refuses_a_wrong_build_with_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "wolfssl", "--library", str(_text(tmp_path))],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "CONFORMANCE_WOLFSSL": ""},
        check=False,
    )
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 4, lines
    assert lines == [
        f"ERROR: adapter 'wolfssl': CONFORMANCE_WOLFSSL names {_text(tmp_path)}, which is "
        "not a shared library the dynamic linker can load (invalid ELF header)"
    ]
    assert not (tmp_path / "reports").exists()


# A copy of the Debian library, at another path: loaded from there, and the facts say so.
# In a child process: where the original is loaded already, its soname would win.
COPIES = {
    "boringssl": ("android/libssl.so.0", "android/libcrypto.so.0"),
    "wolfssl": ("libwolfssl.so.35",),
}


@pytest.mark.parametrize("adapter", sorted(COPIES))
def test_a_copy_of_the_debian_library_is_loaded_from_its_path(tmp_path, adapter):
    copies = [Path(shutil.copy(_debian(name), tmp_path / Path(name).name)) for name in COPIES[adapter]]
    variable = ADAPTERS[adapter].build_variable
    command = [sys.executable, "-m", "conformance", "run", adapter, "--library", str(copies[0])]
    command += ["--clause", "get", "--config", "tls13", "--results-dir", str(tmp_path / "results")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    [results] = (tmp_path / "results").iterdir()
    header = json.loads(results.read_text(encoding="utf-8").splitlines()[0])
    facts = header["adapter"]["facts"]
    assert (
        results.name
        == f"{header['adapter']['label']}.jsonl"
        == f"{adapter}-{facts['tls_library_version']}.jsonl"
    )
    loaded = [note for note in facts["notes"] if note.startswith("loaded ")]
    assert [note.split(" ")[1] for note in loaded] == [str(path) for path in copies]
    assert all("(sha256 " in note for note in loaded)
    assert any(note.startswith(f"{variable} set") for note in facts["notes"])
    assert facts["openssl_documentation"] == "3.5"


def test_a_build_takes_the_version_it_reports(reference):
    facts = reference.facts()
    assert facts.tls_library_version == reference.version
    assert reference.version_text.startswith(f"OpenSSL {reference.version}")
    assert facts.openssl_documentation == ".".join(reference.version.split(".")[:2])


def test_the_table_of_pinned_builds():
    builds = versions.pinned_builds()
    assert [b.label for b in builds] == ["reference-1.1.1r", "reference-3.5.9"]
    assert all("==" in b.wheel and b.folder.endswith(".libs") for b in builds)
    assert all((versions.EXPECTATIONS / b.expectations).is_file() for b in builds if b.expectations)


def test_a_build_for_another_machine_is_unavailable(monkeypatch, tmp_path):
    monkeypatch.setattr(versions.platform, "machine", lambda: "riscv64")
    with pytest.raises(versions.Unavailable, match="is for manylinux2014_x86_64; this machine is"):
        versions.fetch(versions.pinned_builds()[0], tmp_path)
    assert not any(tmp_path.iterdir())


def test_a_build_missing_symbols_is_refused_in_one_line():
    # libcrypto alone: the OpenSSL dialect's libssl calls are missing from it.
    from conformance_libssl._api import Api
    from conformance_libssl._dialects import OPENSSL
    from conformance_libssl._loading import Library, Symbols

    path = _pythons("libcrypto")
    crypto = Symbols(path, ctypes.CDLL(str(path)))
    with pytest.raises(
        LibraryUnavailable, match=r"lacks SSL_\w+, SSL_\w+, SSL_\w+ and \d+ more, which the OpenSSL"
    ) as caught:
        Api(OPENSSL, Library(crypto, crypto))
    assert "\n" not in str(caught.value)
