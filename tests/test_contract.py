"""The contract checks: what keeps a class from being an adapter, said so an author can act."""

from __future__ import annotations

import inspect

import fake_adapter
import pytest
from fake_adapter import FakeAdapter

from conformance import CONTRACT_VERSION, Adapter, Capability
from conformance._registry import AdapterLoadError, contract_problems, load_adapter

#: The contract's required methods, as the fake implements them.
CORE = {name: getattr(FakeAdapter, name) for name in Adapter.__abstractmethods__}


def core_adapter(name: str = "core", without: str = "", **attributes: object) -> type:
    """An adapter class with the core methods only (minus ``without``), plus ``attributes``."""
    namespace = {key: value for key, value in CORE.items() if key != without}
    namespace.update(name=name, contract_version=CONTRACT_VERSION)
    namespace.update(attributes)
    return type(f"Core{name.title()}", (Adapter,), namespace)


@pytest.mark.parametrize(
    "cls",
    [obj for obj in vars(fake_adapter).values() if inspect.isclass(obj) and issubclass(obj, FakeAdapter)],
    ids=lambda cls: cls.__name__,
)
def test_every_fake_keeps_the_contract(cls: type) -> None:
    assert contract_problems(cls) == []


def test_the_core_alone_keeps_the_contract() -> None:
    assert contract_problems(core_adapter()) == []


def test_a_missing_contract_version_is_asked_for() -> None:
    unversioned = core_adapter()
    del unversioned.contract_version
    assert contract_problems(unversioned) == [
        f"set the class attribute contract_version = {CONTRACT_VERSION} "
        "(the contract version the adapter was written for)"
    ]


@pytest.mark.parametrize("method", sorted(Adapter.__abstractmethods__))
def test_a_missing_method_is_named(method: str) -> None:
    [problem] = contract_problems(core_adapter(without=method))
    assert problem.startswith(f"implement {method}(")
    assert "required by the contract" in problem


def test_a_stale_contract_version_names_both_versions() -> None:
    stale = core_adapter(contract_version=CONTRACT_VERSION - 1)
    [problem] = contract_problems(stale)
    assert f"contract_version = {CONTRACT_VERSION - 1}" in problem
    assert f"version {CONTRACT_VERSION}" in problem


def test_a_capability_without_its_method_names_both() -> None:
    # CACHE_EVENTS needs two methods; the class implements only one.
    half = core_adapter(
        capabilities=frozenset({Capability.CACHE_EVENTS}),
        cache_removals=FakeAdapter.cache_removals,
    )
    [problem] = contract_problems(half)
    assert "capability 'cache-events'" in problem
    assert "does not implement flush_cache(" in problem


def test_every_capability_is_checked() -> None:
    claims_all = core_adapter(capabilities=frozenset(Capability))
    problems = contract_problems(claims_all)
    expected = [m for c in Capability for m in c.adapter_methods]
    assert len(problems) == len(expected)
    for method in expected:
        assert any(f"does not implement {method}(" in problem for problem in problems)


def test_a_capability_given_as_a_string_is_a_problem_not_a_traceback() -> None:
    [problem] = contract_problems(core_adapter(capabilities=frozenset({"reuse-flag"})))
    assert "'reuse-flag'" in problem and "not a conformance.Capability" in problem


def test_a_missing_name_is_a_problem() -> None:
    [problem] = contract_problems(core_adapter(name=""))
    assert "set the class attribute 'name'" in problem


@pytest.mark.parametrize("thing", [object, FakeAdapter(), "fake"])
def test_a_non_adapter_is_named(thing: object) -> None:
    [problem] = contract_problems(thing)
    assert problem.startswith(f"{thing!r} is not a subclass of conformance.Adapter")


def test_problems_are_all_listed_at_once() -> None:
    broken = core_adapter(name="", without="read", contract_version=0)
    assert len(contract_problems(broken)) == 3


# -- loading by module:Class ------------------------------------------------------------
def test_load_adapter_by_module_and_class() -> None:
    found, cls = load_adapter("fake_adapter:BareFake")
    assert cls is fake_adapter.BareFake
    assert found.name == found.target == "fake_adapter:BareFake"
    assert "not installed" in found.distribution


def test_loading_a_class_that_breaks_the_contract_lists_the_problems(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fake_adapter, "Broken", core_adapter(without="shutdown"), raising=False)
    with pytest.raises(AdapterLoadError) as caught:
        load_adapter("fake_adapter:Broken")
    message = str(caught.value)
    assert "'fake_adapter:Broken'" in message and "does not keep the contract" in message
    assert "  - implement shutdown(" in message


@pytest.mark.parametrize(
    "spec, words",
    [
        ("fake_adapter:NoSuchClass", "module 'fake_adapter' has no attribute 'NoSuchClass'"),
        ("no_such_module_here:Adapter", "importing 'no_such_module_here' failed with ModuleNotFoundError"),
    ],
)
def test_a_bad_module_class_spec_says_what_is_wrong(spec: str, words: str) -> None:
    with pytest.raises(AdapterLoadError, match=words):
        load_adapter(spec)
