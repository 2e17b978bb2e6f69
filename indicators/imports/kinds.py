"""The kinds of data that can be imported: modules with SHEETS (or read_tables), prepare, write, after_commit."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

MODULES = {
    "figures": "indicators.imports.figures",
    "task_updates": "indicators.imports.task_updates",
    "agencies": "indicators.imports.agencies",
    "users": "indicators.imports.users",
    "plan": "indicators.imports.plan",
}


def get(kind: str) -> ModuleType:
    if kind not in MODULES:
        raise ValueError(f"Loại dữ liệu không hợp lệ: {kind}")
    return import_module(MODULES[kind])
