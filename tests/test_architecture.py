"""Dependencies point one way (docs/architecture.md):

    platform ← security, accounts, audit ← cases ← review ← family mode ← frameworks ← outcomes ← main

A lower layer never imports a higher one, no feature imports another feature's routes, no package
import cycle, and no `app` import hides inside a function to dodge one. The imports are read with
`ast`, so the test needs nothing running; the checker itself is proven on synthetic graphs below.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Lowest first. "platform" is every module directly in app/ (config, db, templating, features…).
LAYERS: list[set[str]] = [
    {"platform", "core", "pwa"},
    {"security", "accounts", "audit", "admin", "sync"},
    {"cases"},
    # Review is a service the frameworks submit into and plug their review kinds and flags into
    # (app/features.py); it imports no framework, so it sits below them.
    {"review"},
    # Family mode: the hand-over and what every family screen shares (app/family/screens.py); the
    # frameworks draw their family screens on it, so it imports none of them.
    {"family"},
    {"signs_of_safety", "diamond", "base", "network", "endings"},
    # Outcomes reads across the frameworks (ratings, scales, endings) to measure the service.
    {"outcomes"},
    # The composition root: it lists the features, so it alone may import all of them.
    {"main", "cli", "demo", "demo_supervision", "models", "errors"},
]
COMPOSITION = LAYERS[-1]

# Modules that live in a lower package but work on cases, so they sit in the cases layer. Each is
# the HTTP edge (or the case authorisation) of a lower service; moving them is a rename across
# every feature, left for a later step.
SITS_WITH_CASES = {
    "app.security.permissions": "authorises access to a Case (get_case, can_change_case)",
    "app.audit.routes": "the case's audit trail page",
    "app.audit.case_section": "the case page's link to the audit trail",
    "app.audit.feature": "declares the two above",
    "app.sync.routes": "the outbox and conflict pages, and the case's offline pages",
    "app.sync.feature": "declares the routes above",
    "app.sync.held": "keeps items whose case moved to another worker or closed, for the supervisor",
    "app.sync.ledger": "applies each outbox item once, holding it when its case moved on (app.sync.held)",
}

# The rule's line names security/accounts/audit as one layer, and they are one unit for cycles:
# accounts' models are below security's sessions while accounts' service uses its passwords.
ONE_UNIT = {
    "security": "security/accounts/audit",
    "accounts": "security/accounts/audit",
    "audit": "security/accounts/audit",
}

# No module imports an app module inside a function, the command line included.
LAZY_IMPORTS_ALLOWED: set[str] = set()


@dataclass(frozen=True)
class Import:
    source: str  # importing module, e.g. "app.review.service"
    target: str  # imported module or name, e.g. "app.cases.models"
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_imports() -> list[Import]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        source = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(function)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from app.cases import service` names the module app.cases.service.
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                if target == "app" or target.startswith("app."):
                    found.append(Import(source, target, node.lineno, id(node) in inside))
    return found


def unit(module: str) -> str:
    """The layered unit a module belongs to: its package, or the module itself when it sits apart."""
    for name in SITS_WITH_CASES:
        if module == name or module.startswith(name + "."):
            return "cases"
    parts = module.split(".")
    if len(parts) < 2:
        return "platform"
    if (APP / parts[1]).is_dir():
        return ONE_UNIT.get(parts[1], parts[1])
    return parts[1] if parts[1] in COMPOSITION else "platform"


def layer_of(name: str) -> int:
    name = name.split("/")[0]
    for index, names in enumerate(LAYERS):
        if name in names:
            return index
    raise AssertionError(f"{name} is in no layer: add it to LAYERS in tests/test_architecture.py")


def upward(edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Edges (from unit, to unit) that import a higher layer."""
    return [(a, b) for a, b in edges if a != b and layer_of(b) > layer_of(a)]


def cycles(edges: list[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected groups of more than one unit (Tarjan), each sorted."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        if a != b:
            graph[a].add(b)
            graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def unit_edges(imports: list[Import]) -> list[tuple[str, str]]:
    return sorted({(unit(i.source), unit(i.target)) for i in imports})


# --- The rule on the real code ------------------------------------------------------------------


def test_every_import_points_down_the_layers():
    imports = app_imports()
    wrong = sorted(
        f"{i.source}:{i.line} imports {i.target}"
        for i in imports
        if (unit(i.source), unit(i.target)) in set(upward(unit_edges([i])))
    )
    assert wrong == []


def test_no_import_cycle_between_packages():
    assert cycles(unit_edges(app_imports())) == []


def test_no_feature_imports_another_features_routes():
    wrong = sorted(
        f"{i.source}:{i.line} imports {i.target}"
        for i in app_imports()
        if ".routes" in i.target
        and unit(i.source) not in COMPOSITION
        and i.target.split(".")[1] != i.source.split(".")[1]
    )
    assert wrong == []


def test_no_app_import_inside_a_function():
    wrong = sorted(
        f"{i.source}:{i.line} imports {i.target}"
        for i in app_imports()
        if i.in_function and i.source not in LAZY_IMPORTS_ALLOWED
    )
    assert wrong == []


def test_every_package_has_a_layer():
    for path in APP.iterdir():
        if path.is_dir() and (path / "__init__.py").exists():
            layer_of(path.name)


# --- The checker, proven on synthetic graphs ----------------------------------------------------


def test_checker_finds_a_cycle_between_two_features():
    edges = [("review", "cases"), ("endings", "review"), ("review", "endings"), ("endings", "cases")]
    assert cycles(edges) == [["endings", "review"]]


def test_checker_finds_a_longer_cycle_and_ignores_a_package_importing_itself():
    edges = [("network", "signs_of_safety"), ("signs_of_safety", "base"), ("base", "network"), ("cases", "cases")]
    assert cycles(edges) == [["base", "network", "signs_of_safety"]]
    assert cycles([("network", "cases"), ("cases", "security")]) == []


def test_checker_finds_an_import_against_the_layers():
    assert upward([("cases", "endings"), ("endings", "cases"), ("review", "base"), ("platform", "security")]) == [
        ("cases", "endings"),
        ("review", "base"),
        ("platform", "security"),
    ]


def test_checker_reads_imports_inside_functions(tmp_path, monkeypatch):
    package = tmp_path / "app" / "toy"
    package.mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "service.py").write_text(
        "from app.cases import service\n\n\ndef later():\n    from app.review import service as review\n"
    )
    monkeypatch.setattr("tests.test_architecture.APP", tmp_path / "app")
    found = {(i.target, i.in_function) for i in app_imports()}
    assert ("app.cases.service", False) in found
    assert ("app.review.service", True) in found
