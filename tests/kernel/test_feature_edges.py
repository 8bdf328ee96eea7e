"""The features' dependency edges are declared, not implied: every import from one feature package into another
is listed in the importing feature's manifest (``depends_on``), and every manifest is installed by bot/app.py."""

from __future__ import annotations

import grimp

from bot import app as app_module

FEATURES = "bot.features"


def _feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and module.startswith(FEATURES + ".") else None


def test_every_cross_feature_import_is_a_declared_edge() -> None:
    graph = grimp.build_graph("bot")
    declared = {f.name: set(f.depends_on) for f in app_module.FEATURES}
    undeclared: list[str] = []
    for module in sorted(graph.modules):
        importer = _feature_of(module)
        if importer is None:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            target = _feature_of(imported)
            if target is not None and target != importer and target not in declared.get(importer, set()):
                undeclared.append(f"{module} -> {imported} ({importer} does not declare {target})")
    assert undeclared == [], "\n".join(undeclared)


def test_every_feature_package_has_a_manifest_in_the_one_list() -> None:
    import pkgutil

    import bot.features

    packages = {m.name for m in pkgutil.iter_modules(bot.features.__path__) if m.ispkg}
    installed = {f.name for f in app_module.FEATURES}
    assert packages - installed == set(), f"feature packages missing from bot/app.py FEATURES: {packages - installed}"
