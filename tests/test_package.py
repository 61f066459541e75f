"""The package as a user gets it: a wheel installed without the source checkout, an import that leaves
the environment alone, and a runtime package that does not depend on the developer tools."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT

DEV_TOOLS = ("evals", "bench", "testkit", "tests")


def test_import_leaves_the_environment_alone():
    code = (
        "import os, json; before = dict(os.environ)\n"
        "import advisor, advisor.cli, advisor.index.ingest, advisor.web\n"
        "after = dict(os.environ)\n"
        "print(json.dumps(sorted(set(after.items()) ^ set(before.items()))))"
    )
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_runtime_package_does_not_import_developer_tools():
    offenders = []
    for path in (ROOT / "advisor").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in DEV_TOOLS]
    assert not offenders


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    (whl,) = out.glob("career_advisor-*.whl")
    return whl


def test_wheel_ships_the_runtime_and_the_knowledge_base_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.endswith(".dist-info/") and ".dist-info" not in n}
    assert tops == {"advisor", "advisor_corpus"}
    for needed in (
        "advisor_corpus/knowledge.yaml",
        "advisor_corpus/scope.yaml",
        "advisor/text/stopwords.txt",
    ):
        assert needed in names
    assert sum(n.startswith("advisor_corpus/") and n.endswith(".md") for n in names) >= 4
    for init in sorted((ROOT / "advisor").rglob("__init__.py")):  # every subpackage (pyproject lists them)
        assert init.relative_to(ROOT).as_posix() in names


@pytest.mark.slow
def test_installed_wheel_answers_without_the_checkout(wheel, tmp_path):
    """Install the wheel into a bare folder, then ingest and ask from a directory with no source tree:
    the corpus, its knowledge data and the scope examples all come from the installed package."""
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env.update({"PYTHONPATH": str(site), "ADVISOR_DATA_DIR": str(work / "data")})

    def advisor(*args: str) -> subprocess.CompletedProcess:
        code = (
            "import sys, advisor.cli; print(advisor.__file__, file=sys.stderr); sys.exit(advisor.cli.main())"
        )
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=work,
            timeout=600,
        )

    ingested = advisor("ingest")
    assert ingested.returncode == 0, ingested.stderr
    assert str(site) in ingested.stderr.splitlines()[0]  # the installed copy ran, not the checkout
    assert "4 篇文档" in ingested.stdout
    asked = advisor("ask", "王姐被裁后做了什么？", "--json")
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert not answer["refused"] and answer["citations"]
    assert any("王姐" in c["section"] for c in answer["citations"])
    refused = json.loads(advisor("ask", "明天上海会下雨吗", "--json").stdout)
    assert refused["refused"]
