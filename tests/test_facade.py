"""The package's facade: ``conformance.NAME`` for each name of ``__all__``, imported when first used."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import conformance


def test_every_public_name_is_the_object_of_the_module_the_facade_names() -> None:
    assert set(conformance.__all__) == {*conformance._HOMES, "__version__"}
    for name, home in conformance._HOMES.items():
        assert getattr(conformance, name) is getattr(importlib.import_module(home, "conformance"), name)
    assert set(conformance.__all__) <= set(dir(conformance))


def test_a_name_the_facade_does_not_have_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'conformance' has no attribute 'Nothing'"):
        conformance.Nothing  # noqa: B018
    with pytest.raises(ImportError):
        from conformance import Nothing  # noqa: F401


def test_importing_the_package_imports_none_of_its_modules_yet() -> None:
    probe = (
        "import sys, conformance; "
        "print(sorted(m for m in sys.modules if m.startswith('conformance.') and m != 'conformance._version'))"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"
