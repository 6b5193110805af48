"""The import graph between nightstay's apps: cycles, backward imports, a planner that is a leaf.

Counts every import, including those inside functions and ``apps.get_model("label", ...)``,
between the top-level packages under nightstay/ (migrations aside). The site (settings,
URLs) and the demo may import everything. Clean when there is no cycle between apps, no
import that runs against the night's order, and the planner imports neither Django nor an app.

    python -m tests.architecture.layers     # prints the graph, exits 1 on a problem
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["privacy", "accounts", "hubs", "volunteers", "messaging", "pledges", "intake", "planning", "dispatch", "figures", "network"]
FREE = {"site", "demo"}  # may import every app; no app imports them


def imports(path: Path, pkg: list[str]):
    """Every module name ``path`` imports (``pkg``: its package's dotted parts)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(pkg[: len(pkg) - node.level + 1] + ([node.module] if node.module else []))
                yield from ([f"{base}.{a.name}" for a in node.names] if node.module is None else [base])
            elif node.module:
                yield node.module
                yield from (f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield "nightstay." + first.value.split(".")[0]


@dataclass
class Graph:
    packages: list[str]
    edges: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (from, to): files
    planner_bad: list[str] = field(default_factory=list)

    def cycles(self) -> list[list[str]]:
        """Strongly connected components of more than one app (Tarjan), the free ones aside."""
        graph: dict[str, set[str]] = {}
        for a, b in self.edges:
            if a not in FREE and b not in FREE:
                graph.setdefault(a, set()).add(b)
        index, low, stack, on, comps = {}, {}, [], set(), []

        def visit(v):
            index[v] = low[v] = len(index)
            stack.append(v)
            on.add(v)
            for w in graph.get(v, ()):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))

        for v in list(graph):
            if v not in index:
                visit(v)
        return comps

    def backward(self) -> list[str]:
        rank = {a: i for i, a in enumerate(ORDER)}
        return sorted(f"{a} -> {b} ({', '.join(sorted(files))})" for (a, b), files in self.edges.items()
                      if a in rank and b in rank and rank[b] > rank[a])

    def report(self) -> str:
        lines = [f"{a} -> {', '.join(sorted(b for (x, b) in self.edges if x == a))}"
                 for a in ORDER + sorted(FREE) + ["planner"] if any(x == a for x, _ in self.edges)]
        lines += [f"cycle: {' <-> '.join(c)}" for c in self.cycles()]
        lines += [f"backward: {b}" for b in self.backward()]
        lines += [f"planner not a leaf: {p}" for p in self.planner_bad]
        lines.append(f"{len(self.packages)} packages, {len(self.edges)} app-to-app imports: "
                     f"{len(self.cycles())} cycles, {len(self.backward())} backward, "
                     f"planner {'NOT ' if self.planner_bad else ''}a leaf")
        return "\n".join(lines)

    def clean(self) -> bool:
        return not self.cycles() and not self.backward() and not self.planner_bad


def graph(root: Path = ROOT) -> Graph:
    top = root / "nightstay"
    found = Graph(sorted(d.name for d in top.iterdir() if (d / "__init__.py").is_file()))
    for app in found.packages:
        for path in sorted((top / app).rglob("*.py")):
            if {"migrations", "__pycache__"} & set(path.relative_to(top).parts):
                continue
            rel = str(path.relative_to(root))
            for mod in imports(path, list(path.relative_to(root).parts[:-1])):
                parts = mod.split(".")
                if parts[0] == "nightstay" and len(parts) > 1 and parts[1] in found.packages and parts[1] != app:
                    found.edges.setdefault((app, parts[1]), set()).add(rel)
                if app == "planner" and (parts[0] == "django" or (parts[0] == "nightstay" and len(parts) > 1
                                                                     and parts[1] in found.packages)):
                    if parts[0] == "django" or parts[1] != "planner":
                        found.planner_bad.append(f"{rel} imports {mod}")
    return found


if __name__ == "__main__":
    g = graph(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
    print(g.report())
    sys.exit(0 if g.clean() else 1)
