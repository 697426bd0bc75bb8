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
    "NOT_INSTALLED",
    "contract_problems",
    "describe_problems",
    "find_adapters",
    "load_adapter",
    "resolve_adapter",
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


#: The distribution column of an adapter loaded by ``module:Class``.
NOT_INSTALLED = "(not installed: loaded by module:Class)"


def resolve_adapter(spec: str) -> FoundAdapter:
    """Find an adapter by entry-point name, or take ``module:Class`` as it is; import nothing."""
    if ":" in spec:
        return FoundAdapter(spec, spec, NOT_INSTALLED, "")
    installed = find_adapters()
    matches = [item for item in installed if item.name == spec]
    if not matches:
        known = ", ".join(item.name for item in installed) or "none"
        raise AdapterLoadError(
            f"no adapter named {spec!r} is installed (installed: {known}). "
            "Install its distribution with pip, or pass module:Class for one in development."
        )
    if len(matches) > 1:
        owners = "; ".join(f"{m.distribution} {m.distribution_version} ({m.target})" for m in matches)
        raise AdapterLoadError(
            f"{len(matches)} installed distributions register an adapter named {spec!r}: "
            f"{owners}. Uninstall all but one, or pass module:Class."
        )
    return matches[0]


def load_adapter(spec: str) -> tuple[FoundAdapter, type[Adapter]]:
    """Load by entry-point name, or by ``module:Class`` (not installed, for development).

    Raises ``AdapterLoadError`` saying what to do: the adapter is unknown, its
    import fails, or it does not keep the contract (each problem listed).
    """
    found = resolve_adapter(spec)
    cls = found.load()
    problems = contract_problems(cls)
    if problems:
        raise AdapterLoadError(describe_problems(found, problems))
    return found, cls


def describe_problems(found: FoundAdapter, problems: list[str]) -> str:
    """The message for an adapter that does not keep the contract: one line per problem."""
    origin = found.target
    if found.distribution != NOT_INSTALLED:
        origin += f", from {found.distribution} {found.distribution_version}".rstrip()
    return (
        f"adapter {found.name!r} ({origin}) does not keep the contract of this suite "
        f"(contract version {CONTRACT_VERSION}); fix these, or install a release of the "
        "adapter made for this suite:\n" + "\n".join(f"  - {problem}" for problem in problems)
    )


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
    # getattr: a capability given as a plain string must give a problem, not a traceback.
    for capability in sorted(capabilities, key=lambda c: getattr(c, "value", str(c))):
        if not isinstance(capability, Capability):
            problems.append(f"capabilities holds {capability!r}, which is not a conformance.Capability")
            continue
        for method in capability.adapter_methods:
            if getattr(cls, method) is getattr(Adapter, method):
                problems.append(
                    f"it declares capability {capability.value!r} but does not implement {method}()"
                )
    return problems
