"""Finding adapters: entry points, or ``module:Class`` for development.

Design: adapters are plugins in the entry-point group below. The built-in
adapters register there exactly as a third party's do, each from its own
distribution, and discovery records which distribution (and version)
supplied each one. Loading checks the class against the contract and says
what is missing, naming the adapter and the method, instead of a traceback.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from importlib import metadata

from ._capabilities import Capability
from ._contract import CONTRACT_VERSION, Adapter

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterLoadError",
    "FoundAdapter",
    "contract_problems",
    "find_adapters",
    "load_adapter",
]

ENTRY_POINT_GROUP = "ssl_set_session_conformance.adapters"


class AdapterLoadError(Exception):
    """An adapter could not be found or loaded; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class FoundAdapter:
    name: str
    #: "module:Class"
    target: str
    distribution: str
    distribution_version: str

    def load(self) -> type[Adapter]:
        return _import(self.name, self.target)


def find_adapters() -> list[FoundAdapter]:
    found = []
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = entry.dist
        found.append(
            FoundAdapter(
                entry.name,
                entry.value,
                dist.name if dist else "(unknown)",
                dist.version if dist else "",
            )
        )
    return sorted(found, key=lambda item: item.name)


def load_adapter(spec: str) -> tuple[FoundAdapter, type[Adapter]]:
    """Load by entry-point name, or by ``module:Class`` (not installed, for development)."""
    if ":" in spec:
        found = FoundAdapter(spec, spec, "(not installed: loaded by module:Class)", "")
    else:
        matches = [item for item in find_adapters() if item.name == spec]
        if not matches:
            known = ", ".join(item.name for item in find_adapters()) or "none"
            raise AdapterLoadError(
                f"no adapter named {spec!r} is installed (installed: {known}). "
                "Install its distribution with pip, or pass module:Class for one in development."
            )
        found = matches[0]
    cls = found.load()
    problems = contract_problems(cls)
    if problems:
        raise AdapterLoadError(
            f"adapter {found.name!r} ({found.target}) does not keep the contract:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
    return found, cls


def _import(name: str, target: str) -> type[Adapter]:
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # an adapter's import may fail in any way
        raise AdapterLoadError(
            f"adapter {name!r}: importing {module_name!r} failed with "
            f"{type(error).__name__}: {error}"
        ) from None
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise AdapterLoadError(
            f"adapter {name!r}: module {module_name!r} has no attribute {attribute!r}"
        ) from None


def contract_problems(cls: object) -> list[str]:
    """What keeps ``cls`` from being an adapter, in words an author can act on."""
    if not (inspect.isclass(cls) and issubclass(cls, Adapter)):
        return [f"{cls!r} is not a subclass of conformance.Adapter"]
    problems = []
    if getattr(cls, "contract_version", None) != CONTRACT_VERSION:
        problems.append(
            f"it was written for contract version {getattr(cls, 'contract_version', None)}; "
            f"this suite speaks version {CONTRACT_VERSION}. See the author's guide for the changes."
        )
    if not isinstance(getattr(cls, "name", None), str) or not cls.name:
        problems.append("set the class attribute 'name' to the adapter's name")
    for method in sorted(getattr(cls, "__abstractmethods__", ())):
        problems.append(f"implement {method}() (required by the contract)")
    capabilities = getattr(cls, "capabilities", frozenset())
    for capability in sorted(capabilities, key=lambda c: c.value):
        if not isinstance(capability, Capability):
            problems.append(f"capabilities holds {capability!r}, which is not a conformance.Capability")
            continue
        for method in capability.adapter_methods:
            if getattr(cls, method) is getattr(Adapter, method):
                problems.append(
                    f"it declares capability {capability.value!r} but does not implement {method}()"
                )
    return problems
