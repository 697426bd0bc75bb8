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
    "NOT_INSTALLED",
    "AdapterLoadError",
    "FoundAdapter",
    "call_signature",
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
    return sorted(found, key=lambda item: (item.name, item.distribution))


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
    except (Exception, SystemExit, KeyboardInterrupt) as error:  # an import may fail in any way
        raise AdapterLoadError(
            f"adapter {name!r}: importing {module_name!r} failed with {type(error).__name__}: {error}"
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
        return [f"{cls!r} is not a subclass of conformance.Adapter: subclass it"]
    problems = []
    version = getattr(cls, "contract_version", None)
    if version is None:
        problems.append(
            f"set the class attribute contract_version = {CONTRACT_VERSION} (the contract version "
            "the adapter was written for)"
        )
    elif version != CONTRACT_VERSION:
        problems.append(
            f"it declares contract_version = {version!r}: it was written for another version "
            f"of the contract; this suite speaks version {CONTRACT_VERSION}. Update it as the "
            f"author's guide says (section 'Contract versions'), then set "
            f"contract_version = {CONTRACT_VERSION}"
        )
    if not isinstance(getattr(cls, "name", None), str) or not cls.name:
        problems.append("set the class attribute 'name' to the adapter's name (a non-empty str)")
    for method in sorted(getattr(cls, "__abstractmethods__", ())):
        problems.append(f"implement {call_signature(method)} (required by the contract: {_summary(method)})")
    declared = _declared(cls, problems)
    for method in _contract_methods(declared):
        problem = _signature_problem(cls, method)
        if problem:
            problems.append(problem)
    return problems


def call_signature(method: str) -> str:
    """How the battery calls a contract method: ``read(connection) -> bytes``."""
    signature = inspect.signature(getattr(Adapter, method))
    parameters = [name for name in signature.parameters if name != "self"]
    returns = signature.return_annotation
    shown = f"{method}({', '.join(parameters)})"
    return shown if returns in (None, "None", inspect.Signature.empty) else f"{shown} -> {returns}"


def _summary(method: str) -> str:
    doc = inspect.getdoc(getattr(Adapter, method)) or ""
    return doc.splitlines()[0].rstrip(".") if doc else method


def _declared(cls: type[Adapter], problems: list[str]) -> list[Capability]:
    """The declared capabilities that are real ``Capability`` members; the rest are problems."""
    capabilities: object = getattr(cls, "capabilities", frozenset())
    if not isinstance(capabilities, (set, frozenset)):
        problems.append(
            f"capabilities is a {type(capabilities).__name__}; make it a frozenset of "
            "conformance.Capability members"
        )
        return []
    declared = []
    for capability in sorted(capabilities, key=str):
        if isinstance(capability, Capability):
            declared.append(capability)
            for method in capability.adapter_methods:
                if getattr(cls, method) is getattr(Adapter, method):
                    problems.append(
                        f"it declares capability {capability.value!r} but does not implement "
                        f"{call_signature(method)}"
                    )
            continue
        member = _capability_named(capability)
        hint = f": write Capability.{member.name}" if member else ""
        problems.append(f"capabilities holds {capability!r}, which is not a conformance.Capability{hint}")
    return declared


def _capability_named(value: object) -> Capability | None:
    return next((c for c in Capability if value in (c.value, c.name)), None)


def _contract_methods(declared: list[Capability]) -> list[str]:
    required = sorted(getattr(Adapter, "__abstractmethods__", ()))
    return required + [method for capability in declared for method in capability.adapter_methods]


def _signature_problem(cls: type[Adapter], method: str) -> str:
    """A method whose parameters cannot take the battery's call (often: an older contract's)."""
    mine = getattr(cls, method, None)
    if mine is None or mine is getattr(Adapter, method) or not callable(mine):
        return ""
    wanted = [name for name in inspect.signature(getattr(Adapter, method)).parameters if name != "self"]
    try:
        signature = inspect.signature(mine)
    except (TypeError, ValueError):  # a builtin or an odd callable: nothing to compare
        return ""
    try:
        signature.bind(None, *wanted)  # self, then one argument per contract parameter
    except TypeError:
        return f"{method}{signature} cannot be called as {call_signature(method)}; change its parameters"
    return ""
