"""The tests' own layout (issue #16 item 6): test modules share helpers through ``tests/support/`` and fixtures
through ``tests/conftest.py``, never by importing another test module (a helper that lives in a test module drags
that module's tests along and ties two features' tests together); the tests mirror ``bot/features/``."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT

TESTS = ROOT / "tests"
SHARED = ("tests.support", "tests.conftest")  # the only parts of the tests package a test module may import


def _package(path: Path, root: Path) -> list[str]:
    return list(path.relative_to(root).with_suffix("").parts[:-1])


def imports_of_tests(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, dotted name) of everything ``path`` imports from the ``tests`` package, relative imports resolved:
    ``from tests.x import a`` gives ``tests.x.a`` (``a`` may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = node.module.split(".") if node.module else []
            if node.level:
                package = _package(path, root)
                parts = package[: len(package) - node.level + 1] + parts
            found += [(node.lineno, ".".join([*parts, alias.name])) for alias in node.names]
    return [(line, name) for line, name in found if name == "tests" or name.startswith("tests.")]


def cross_imports(root: Path = ROOT) -> list[str]:
    """Every import, in any module under ``root/tests``, of a part of the tests package other than the shared ones."""
    bad = []
    for path in sorted((root / "tests").rglob("*.py")):
        for line, name in imports_of_tests(path, root):
            if not any(name == shared or name.startswith(shared + ".") for shared in SHARED):
                bad.append(f"{path.relative_to(root)}:{line} imports {name}")
    return bad


def test_no_test_module_imports_another() -> None:
    bad = cross_imports()
    assert not bad, "move the helper into tests/support/ and import it from there:\n" + "\n".join(bad)


def test_the_check_sees_absolute_relative_and_module_imports(tmp_path: Path) -> None:
    package = tmp_path / "tests" / "features" / "needs"
    package.mkdir(parents=True)
    (package / "test_a.py").write_text(
        "import tests.features.stock.test_b\n"
        "from tests.features.stock import test_b\n"
        "from .test_c import helper\n"
        "from .. import stock\n"
        "from tests.support.world import member\n"
        "from tests.conftest import q\n"
        "from tests import support\n"
        "import os\n",
        encoding="utf-8",
    )
    assert cross_imports(tmp_path) == [
        "tests/features/needs/test_a.py:1 imports tests.features.stock.test_b",
        "tests/features/needs/test_a.py:2 imports tests.features.stock.test_b",
        "tests/features/needs/test_a.py:3 imports tests.features.needs.test_c.helper",
        "tests/features/needs/test_a.py:4 imports tests.features.stock",
    ]


def test_every_test_folder_is_a_package() -> None:
    """Two folders may hold a module of the same name only if both are packages (pytest imports them by name)."""
    folders = {path.parent for path in TESTS.rglob("*.py") if "__pycache__" not in path.parts}
    missing = sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())
    assert not missing, f"add an __init__.py to: {missing}"


def test_feature_tests_mirror_the_feature_packages() -> None:
    features = {p.name for p in (ROOT / "bot" / "features").iterdir() if (p / "__init__.py").exists()}
    mirrored = {p.name for p in (TESTS / "features").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert mirrored <= features, f"tests/features/ folders without a feature in bot/features/: {mirrored - features}"
