"""The kinds of data that can be imported, each a module with SHEETS, prepare, write, undo, after_commit."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

MODULES = {
    "figures": "indicators.imports.figures",
    "task_updates": "indicators.imports.task_updates",
    "agencies": "indicators.imports.agencies",
    "users": "indicators.imports.users",
}


def get(kind: str) -> ModuleType:
    if kind not in MODULES:
        raise ValueError(f"Loại dữ liệu không hợp lệ: {kind}")
    return import_module(MODULES[kind])
