"""The house's layout holds: layers import one way, domains form no cycle, the kernel imports no domain.

Read from the source with `ast`, every import counted (also the ones inside
functions), so a new module cannot quietly reverse an arrow.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("shared", "agent", "controlplane")

# Control-plane layers, highest first: a module may import its own layer or lower.
LAYERS: list[tuple[str, ...]] = [
    ("controlplane.app", "controlplane.cli", "controlplane.__main__"),
    ("controlplane.api", "controlplane.jobs"),
    # The typed keys under which the app factory hands its long-lived objects to the edges.
    ("controlplane.appkeys",),
    ("controlplane.services",),
    (
        "controlplane.scheduler",
        "controlplane.cluster",
        "controlplane.db",
        "controlplane.blobs",
        "controlplane.egress",
    ),
    ("controlplane.config", "controlplane.metrics", "controlplane.logs", "controlplane"),
]
KERNEL = ("errors", "clock", "ids", "paging", "ownership", "tallies", "sealing", "bearer")
DOMAINS = (
    "fleet",
    "accounts",
    "catalog",
    "apps",
    "billing",
    "events",
    "teams",
    "snapshots",
    "capacity",
    "alerts",
    "audit",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """Module name -> the project modules it imports (absolute names)."""
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = _module_name(path)
            found: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module)
                    found.update(f"{node.module}.{alias.name}" for alias in node.names)
            graph[name] = {m for m in found if m.split(".")[0] in PACKAGES}
    return graph


GRAPH = _imports()


def _layer(module: str) -> int:
    best = (-1, len(LAYERS))
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best[0]:
                best = (len(prefix), rank)
    return best[1]


def _domain(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["controlplane", "services"] and len(parts) > 2 and parts[2] in DOMAINS:
        return parts[2]
    return None


def test_the_programs_meet_only_in_shared() -> None:
    crossings = [
        (module, target)
        for module, targets in GRAPH.items()
        for target in targets
        if (module.startswith("shared") and not target.startswith("shared"))
        or (module.startswith("agent") and target.startswith("controlplane"))
        or (module.startswith("controlplane") and target.startswith("agent"))
    ]
    assert crossings == []


def test_control_plane_layers_import_only_downwards() -> None:
    upward = [
        (module, target)
        for module, targets in GRAPH.items()
        if module.startswith("controlplane")
        for target in targets
        if target.startswith("controlplane") and _layer(target) < _layer(module)
    ]
    assert upward == []


def test_the_admin_cli_speaks_only_the_rest_api() -> None:
    """`minispod` works against a remote control plane only if it needs nothing but HTTP."""
    reaching = [
        (module, target)
        for module, targets in GRAPH.items()
        if module.startswith("controlplane.admin")
        for target in targets
        if target.startswith("controlplane") and not target.startswith("controlplane.admin")
    ]
    assert reaching == []


def test_services_never_see_http() -> None:
    seen = []
    for path in (ROOT / "controlplane" / "services").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            seen += [(path.name, n) for n in names if n.split(".")[0] == "aiohttp"]
    assert seen == []


@pytest.mark.parametrize("kernel", KERNEL)
def test_the_kernel_imports_no_domain(kernel: str) -> None:
    module = f"controlplane.services.{kernel}"
    assert module in GRAPH, f"{module} is missing"
    assert {t for t in GRAPH[module] if _domain(t)} == set()


def test_every_service_module_lives_in_a_domain_or_the_kernel() -> None:
    stray = [
        m
        for m in GRAPH
        if m.startswith("controlplane.services.")
        and _domain(m) is None
        and m.split(".")[2] not in (*KERNEL, "seed")
    ]
    assert stray == []


def test_domains_form_no_cycle() -> None:
    arrows: dict[str, set[str]] = defaultdict(set)
    for module, targets in GRAPH.items():
        source = _domain(module)
        for target in targets:
            dest = _domain(target)
            if source and dest and dest != source:
                arrows[source].add(dest)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in arrows[start]
        )

    cycles = sorted(d for d in list(arrows) if reaches(d, d, {d}))
    assert cycles == [], f"domain arrows {dict(arrows)} have a cycle through {cycles}"
