"""The package tree shows the pipeline: every import (lazy and type-only ones included) points down the
stages, and no two modules import each other, directly or round a loop."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "advisor"

# Lowest first. A module may import from its own stage or any stage below it, never above.
STAGES = [
    ("config", "errors", "registry", "console", "database"),
    ("text",),
    ("kb",),
    ("index",),
    ("grounding",),
    ("llm",),
    ("answering",),
    ("planning",),
    ("cards", "feedback", "progress"),
    ("service",),
    ("web",),
    ("cli", "__init__"),
]
LEVEL = {name: i for i, names in enumerate(STAGES) for name in names}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.parts[-1] == "__init__" else rel.parts
    return ".".join(parts)


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path) -> set[str]:
    """Every ``advisor`` module this file imports anywhere in it (a name imported from a package counts
    as the submodule when one exists)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "advisor" or node.module.startswith("advisor."):
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    out.add(sub if MODULES.get(sub) else node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            pytest.fail(f"{path}: relative import; the layout uses absolute advisor.* imports")
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("advisor")}
    return out


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}
GRAPH = {m: imports_of(p) - {m} for m, p in MODULES.items()}


def test_every_stage_is_known():
    unknown = {stage(m) for m in MODULES} - set(LEVEL)
    assert not unknown, f"place these in STAGES: {unknown}"


def test_imports_point_down_the_pipeline():
    upward = [
        f"{m} ({stage(m)}) imports {dep} ({stage(dep)})"
        for m, deps in GRAPH.items()
        for dep in deps
        if dep in MODULES and LEVEL[stage(dep)] > LEVEL[stage(m)]
    ]
    assert not upward, "\n".join(upward)


def test_stages_at_one_level_do_not_import_each_other():
    sideways = [
        f"{m} imports {dep}"
        for m, deps in GRAPH.items()
        for dep in deps
        if dep in MODULES
        and stage(dep) != stage(m)
        and LEVEL[stage(dep)] == LEVEL[stage(m)]
        and LEVEL[stage(m)]
    ]
    assert not sideways, "\n".join(sideways)


def test_no_import_cycles():
    done: set[str] = set()
    cycles: list[str] = []

    def visit(m: str, trail: list[str]) -> None:
        if m in trail:
            cycles.append(" → ".join([*trail[trail.index(m) :], m]))
            return
        if m in done:
            return
        for dep in sorted(GRAPH.get(m, ())):
            # a package's __init__ re-exporting its own modules is not a loop back into it
            if dep in MODULES and not (MODULES[m].name == "__init__" and dep.startswith(m + ".")):
                visit(dep, [*trail, m])
        done.add(m)

    for m in sorted(MODULES):
        visit(m, [])
    assert not cycles, "\n".join(cycles)


def test_upward_import_is_caught():
    """The check itself can fail: an index module importing the answering layer is reported."""
    GRAPH["advisor.index.bm25"] = GRAPH["advisor.index.bm25"] | {"advisor.answering.compose"}
    try:
        with pytest.raises(AssertionError, match=r"advisor\.index\.bm25"):
            test_imports_point_down_the_pipeline()
    finally:
        GRAPH["advisor.index.bm25"].discard("advisor.answering.compose")
