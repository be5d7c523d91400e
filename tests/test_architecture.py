"""Imports point down: formats and models at the bottom, then store, git, rules, ops, and the CLI on top."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gitcontracts"
LAYERS = [
    {"errors", "names", "timeutil", "ids", "model", "formats"},
    {"rules"},
    {"store", "gitlayer"},
    {"workspace"},
    {"referee"},
    {"ops"},
    {"protocol"},
    {"watch"},
    {"api", "demo"},
    {"cli", "__main__"},
]


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    return next(i for i, names in enumerate(LAYERS) if top in names)


def test_imports_point_down() -> None:
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.name == "__init__" and len(rel.parts) == 1:
            continue
        own = layer_of(rel.parts[0])
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gitcontracts."):
                target = node.module.split(".", 1)[1]
                assert layer_of(target) <= own, f"{rel} imports {node.module} (a higher layer)"


def test_click_and_watchdog_stay_at_their_edges() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        if "import click" in text:
            assert path.parent.name == "cli", path
        if "watchdog" in text:
            assert path.name == "watch.py", path
