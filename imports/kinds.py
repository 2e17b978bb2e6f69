"""The kinds of data that can be imported: modules with SHEETS (or read_tables), prepare, write, after_commit;
optionally recheck (re-check kept rows at commit), undo, and discard (delete what the kind kept beside the upload)."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

MODULES = {
    "figures": "imports.figures",
    "task_updates": "imports.task_updates",
    "agencies": "imports.agencies",
    "users": "imports.users",
    "plan": "imports.plan",
    "central_mapping": "imports.central_mapping",
}


def get(kind: str) -> ModuleType:
    if kind not in MODULES:
        raise ValueError(f"Loại dữ liệu không hợp lệ: {kind}")
    return import_module(MODULES[kind])
