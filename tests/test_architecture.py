"""The layering is a contract: apps import only the apps below them (pyproject.toml, [tool.importlinter]) and
no module imports itself back through others. See docs/architecture.md."""

from __future__ import annotations

import grimp
import pytest
from importlinter.cli import lint_imports

PACKAGES = ["config", "core", "agencies", "indicators", "tasks", "oversight", "entry", "imports", "comments", "demo"]
PACKAGES += ["dashboards", "reports", "opendata"]


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), i.e. import cycles."""
    modules = sorted(m for m in graph.modules if m.split(".")[0] in PACKAGES)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.find_modules_directly_imported_by(node):
            if nxt.split(".")[0] not in PACKAGES:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_the_layer_contracts_hold():
    assert lint_imports(no_cache=True) == 0, "lint-imports found an import that points up a layer (see its output)"


def test_no_module_imports_itself_back():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert _cycles(graph) == []


@pytest.mark.parametrize("package", ["indicators", "tasks", "agencies", "core"])
def test_the_domain_layers_import_no_page_app(package):
    """The domain apps know nothing of the pages, imports or reports built on them."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    above = {"oversight", "entry", "imports", "comments", "demo", "dashboards", "reports", "opendata", "config"}
    imported = {
        m.split(".")[0]
        for module in graph.find_children(package) | graph.find_descendants(package) | {package}
        for m in graph.find_modules_directly_imported_by(module)
    }
    assert not imported & above
