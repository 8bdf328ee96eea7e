"""The feature manifest: what a feature package brings to the bot, declared in one typed ``FEATURE`` object.

``bot/app.py`` keeps the one explicit list of manifests and ``install`` wires each of them, in order: its
Telegram handlers, the commands behind /bantuan and the menus, the read level of every command, sub-command,
deep link and button family (enforced by ``bot/kernel/access.py``), its dialogs, deep links and scheduled-job
kinds, its start-up and shutdown hooks, and what it contributes to other features' extension points (events such
as "a need was posted", the situation summary's sections, chat-id migration). Nothing registers by side effect
or by a string key in a shared dictionary, and everything lives per Application (two Applications in one process,
as in the tests, never see each other's features).

An extension point is a typed key (``Point[T]``) that the feature *offering* it defines next to the code that
calls the contributions; a feature *contributing* imports that point (a declared dependency edge, checked by the
import contracts) and lists ``Contribution(point, value)`` in its manifest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bot.kernel.sql import Conn

if TYPE_CHECKING:
    from bot.kernel.runtime import Runtime

T = TypeVar("T")
AnyApp = Any  # telegram.ext.Application[...]; kept untyped here so this module needs no Telegram import
Hook = Callable[[AnyApp], Awaitable[None]]
OwnerOf = Callable[[Conn, int], "int | None"]  # object id -> its cluster

# Read levels (bot/kernel/access.py explains them).
PUBLIC, MEMBERS, APPROVED = "public", "members", "approved"


@dataclass(frozen=True)
class Point(Generic[T]):
    """A typed extension point: ``runtime.contributions(point)`` gives the values every feature listed for it."""

    name: str


# What runs when the demo's clock jumps (the scheduler's due jobs): ``(app) -> None``.
TICK: Point[Hook] = Point("kernel.tick")


@dataclass(frozen=True)
class Contribution(Generic[T]):
    point: Point[T]
    value: T


@dataclass(frozen=True)
class Rule:
    """The read level of a deep link or button family, and where its object's cluster is found."""

    level: str
    # (regex over the callback data or the deep link's argument whose group 1 is the object's id, the owning
    # feature's storage function giving that object's cluster, or None when there is no such object)
    owners: tuple[tuple[str, OwnerOf], ...] = ()
    private_only: bool = False  # deep links: they open a private chat; typed into a group they show nothing


@dataclass(frozen=True)
class Access:
    """A feature's read declarations (see bot/kernel/access.py)."""

    commands: Mapping[str, str] = field(default_factory=dict)
    subcommands: Mapping[tuple[str, str], str] = field(default_factory=dict)
    deeplinks: Mapping[str, Rule] = field(default_factory=dict)
    buttons: Mapping[str, Rule] = field(default_factory=dict)  # callback-data prefix -> rule


@dataclass(frozen=True)
class Feature:
    """One feature package's manifest."""

    name: str
    # Adds the feature's python-telegram-bot handlers (commands through kernel.telegram.add_command, buttons,
    # message filters) to the Application; the only place a feature touches PTB's registry.
    handlers: Callable[[AnyApp], None] | None = None
    access: Access = Access()
    dialogs: Mapping[str, Callable[..., Awaitable[Any]]] = field(default_factory=dict)  # dialog kind -> on_text
    deeplinks: Mapping[str, Callable[..., Awaitable[Any]]] = field(default_factory=dict)  # /start prefix -> handler
    jobs: Mapping[str, Callable[..., Awaitable[tuple[str, str]]]] = field(default_factory=dict)  # job kind -> handler
    on_startup: tuple[Hook, ...] = ()
    on_shutdown: tuple[Hook, ...] = ()
    contributes: tuple[Contribution[Any], ...] = ()
    depends_on: tuple[str, ...] = ()  # other features it imports (documentation; the import contracts hold it)


def install(app: AnyApp, features: list[Feature]) -> None:
    """Wire every manifest into the Application, in the list's order (handler order is registration order)."""
    runtime: Runtime = app.bot_data["runtime"]
    names = [f.name for f in features]
    if len(set(names)) != len(names):
        raise ValueError(f"feature listed twice: {names}")
    for feature in features:
        missing = [d for d in feature.depends_on if d not in names]
        if missing:
            raise ValueError(f"feature {feature.name} needs {missing}, which are not installed")
        declared = feature.access
        _merge(runtime.access.commands, declared.commands, feature.name, "command level")
        _merge(runtime.access.subcommands, declared.subcommands, feature.name, "sub-command level")
        _merge(runtime.access.deeplinks, declared.deeplinks, feature.name, "deep link level")
        _merge(runtime.access.buttons, declared.buttons, feature.name, "button family")
        _merge(runtime.dialogs, feature.dialogs, feature.name, "dialog")
        _merge(runtime.deeplinks, feature.deeplinks, feature.name, "deep link")
        _merge(runtime.job_handlers, feature.jobs, feature.name, "job kind")
        runtime.startup_hooks.extend(feature.on_startup)
        runtime.shutdown_hooks.extend(feature.on_shutdown)
        for contribution in feature.contributes:
            runtime.contributed.setdefault(contribution.point.name, []).append(contribution.value)
        if feature.handlers is not None:
            feature.handlers(app)
        runtime.features.append(feature.name)


def _merge(target: dict[Any, Any], source: Mapping[Any, Any], feature: str, what: str) -> None:
    clash = set(target) & set(source)
    if clash:
        raise ValueError(f"feature {feature} registers the {what} {sorted(clash)} again")
    target.update(source)
