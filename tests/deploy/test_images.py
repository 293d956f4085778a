"""The container images, checked without a container engine: the Dockerfiles parse, copy only
what the repository has, build in one stage and run in a slim one as a non-root user, and
their build stage's script really builds a virtualenv whose console scripts start. The
agent's image installs only the agent's own dependencies: none of the control plane's."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

REPO = Path(__file__).resolve().parents[2]
IMAGES = {"Dockerfile.controlplane": "minispod-controlplane", "Dockerfile.agent": "minispod-agent"}
VENV = "/opt/minispod"
# Each image's build stage ends in build-venv with its install set (pyproject.toml: the plain
# install for the agent, the `controlplane` extra for the control plane).
INSTALL_SETS = {"Dockerfile.controlplane": "controlplane", "Dockerfile.agent": "agent"}
BUILD_STEP = f"sh scripts/build-venv /src {VENV}"
# Distributions only the control plane uses: the ORM and its migrations, the database
# drivers, the web framework, the wire types' validator and the Kubernetes client.
CONTROL_PLANE_ONLY = {
    "tortoise-orm",
    "aerich",
    "asyncpg",
    "aiosqlite",
    "aiohttp",
    "pydantic",
    "kubernetes",
}
COMPILERS = ("build-essential", "gcc", "g++", "clang", "make")


def _stages(dockerfile: str) -> list[list[dict]]:
    """The instructions of each stage, FROM first, comments left out."""
    parsed = DockerfileParser(fileobj=(REPO / dockerfile).open("rb"))
    stages: list[list[dict]] = []
    for instruction in parsed.structure:
        if instruction["instruction"] == "FROM":
            stages.append([])
        if stages and instruction["instruction"] != "COMMENT":
            stages[-1].append(instruction)
    return stages


def _values(stage: list[dict], kind: str) -> list[str]:
    return [i["value"] for i in stage if i["instruction"] == kind]


def _copies(stage: list[dict]) -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY from the build context (not from another stage)."""
    copies = []
    for value in _values(stage, "COPY"):
        *sources, destination = value.split()
        if not any(s.startswith("--from=") for s in sources):
            copies.append((sources, destination))
    return copies


@pytest.mark.parametrize("dockerfile", IMAGES)
def test_every_copy_source_exists_in_the_repository(dockerfile):
    ignored = (REPO / ".dockerignore").read_text().split()
    sources = [s for stage in _stages(dockerfile) for srcs, _ in _copies(stage) for s in srcs]

    assert sources
    for source in sources:
        assert (REPO / source).exists(), source
        assert source not in ignored, source


@pytest.mark.parametrize(("dockerfile", "script"), IMAGES.items())
def test_the_entrypoint_is_the_console_script_the_package_declares(dockerfile, script):
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    runtime = _stages(dockerfile)[-1]

    (entrypoint,) = _values(runtime, "ENTRYPOINT")
    assert json.loads(entrypoint) == [script]
    assert script in scripts
    # Found on the PATH the runtime stage sets, in the virtualenv it copies from the build.
    (env,) = _values(runtime, "ENV")
    assert f"PATH={VENV}/bin:" in env


@pytest.mark.parametrize("dockerfile", IMAGES)
def test_the_image_runs_as_the_numeric_non_root_user_the_manifests_name(dockerfile):
    (user,) = _values(_stages(dockerfile)[-1], "USER")
    uid, _, gid = user.partition(":")

    # Numeric, so the kubelet can check runAsNonRoot without reading /etc/passwd.
    assert uid.isdigit() and int(uid) != 0
    assert (uid, gid) == ("65532", "65532")


@pytest.mark.parametrize("dockerfile", IMAGES)
def test_the_runtime_stage_takes_only_the_built_venv_and_installs_no_compiler(dockerfile):
    build, runtime = _stages(dockerfile)

    assert build[0]["value"].endswith(" AS build")
    assert _values(build, "RUN")[-1] == f"{BUILD_STEP} {INSTALL_SETS[dockerfile]}"
    assert _copies(runtime) == []
    assert _values(runtime, "COPY") == [f"--from=build {VENV} {VENV}"]
    for run in _values(runtime, "RUN"):
        assert "apt-get install" not in run and "pip install" not in run, run
        assert not any(c in run.split() for c in COMPILERS), run
    # The same slim interpreter the build stage's virtualenv was made with.
    assert runtime[0]["value"] == "${PYTHON_IMAGE}"
    assert build[0]["value"] == "${PYTHON_IMAGE} AS build"


@pytest.mark.parametrize("dockerfile", IMAGES)
def test_the_image_writes_only_to_its_data_dir_and_says_what_it_is(dockerfile):
    parsed = DockerfileParser(fileobj=(REPO / dockerfile).open("rb"))
    runtime = _stages(dockerfile)[-1]
    (env,) = _values(runtime, "ENV")
    (workdir,) = _values(runtime, "WORKDIR")

    assert "PYTHONDONTWRITEBYTECODE=1" in env
    # The one writable place is made for the image's user; the manifests mount it.
    assert any(
        "-o 65532 -g 65532 -m 07" in run and workdir in run for run in _values(runtime, "RUN")
    )
    assert parsed.baseimage.startswith("python:3.11-slim")
    assert parsed.labels["org.opencontainers.image.title"] == IMAGES[dockerfile]
    for key in ("version", "revision", "source", "description"):
        assert f"org.opencontainers.image.{key}" in parsed.labels


def test_both_images_share_one_build_stage_but_for_the_install_set():
    first, second = (_stages(d)[0] for d in IMAGES)
    # The same steps on the same context, up to the last, which names the image's install set.
    assert [(i["instruction"], i["value"]) for i in first[:-1]] == [
        (i["instruction"], i["value"]) for i in second[:-1]
    ]
    for dockerfile, stage in zip(IMAGES, (first, second), strict=True):
        assert (stage[-1]["instruction"], stage[-1]["value"]) == (
            "RUN",
            f"{BUILD_STEP} {INSTALL_SETS[dockerfile]}",
        )


def _name(requirement: str) -> str:
    """A requirement's distribution name, normalised (PEP 503)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[;\s]", requirement, maxsplit=1)[0]).lower()


def _agent_third_party_imports() -> set[str]:
    """The top-level modules outside the standard library and this project that the agent can
    import: every module of agent/, and the shared/ modules (and their packages) it reaches."""
    todo = list((REPO / "agent").rglob("*.py"))
    seen: set[Path] = set()
    found: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "shared":
                    parts = name.split(".")
                    for depth in range(1, len(parts) + 1):
                        base = REPO.joinpath(*parts[:depth])
                        todo += [
                            p for p in (base.with_suffix(".py"), base / "__init__.py") if p.exists()
                        ]
                elif top != "agent" and top not in sys.stdlib_module_names:
                    found.add(top)
    return found


def test_the_agents_install_set_is_what_the_agent_imports_and_none_of_the_control_planes():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    agent_set = {_name(r) for r in project["dependencies"]}
    control_plane_set = {_name(r) for r in project["optional-dependencies"]["controlplane"]}
    providers = packages_distributions()  # import name -> distributions (this suite's venv)

    imported = _agent_third_party_imports()
    needed = {_name(d) for module in imported for d in providers.get(module, [module])}

    assert imported, "the agent imports psutil and prometheus_client at least"
    assert needed == agent_set, "the plain install is exactly what the agent imports"
    assert agent_set.isdisjoint(CONTROL_PLANE_ONLY)
    assert control_plane_set >= CONTROL_PLANE_ONLY


def test_the_images_workflow_builds_both_dockerfiles_for_two_architectures():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "images.yml").read_text())
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    builds = [s for s in steps if s.get("uses", "").startswith("docker/build-push-action@")]
    matrix = [job.get("strategy", {}).get("matrix", {}) for job in workflow["jobs"].values()]

    files = {entry["dockerfile"] for m in matrix for entry in m.get("include", [])}
    assert files == set(IMAGES)
    assert all(Path(REPO / f).is_file() for f in files)
    (build,) = builds
    assert build["with"]["file"] == "${{ matrix.dockerfile }}"
    assert set(build["with"]["platforms"].split(",")) == {"linux/amd64", "linux/arm64"}
    assert any(s.get("uses", "").startswith("docker/setup-buildx-action@") for s in steps)
    assert any(s.get("uses", "").startswith("docker/setup-qemu-action@") for s in steps)


def _run_build_stage(dockerfile: str, tmp_path: Path) -> Path:
    """The build stage's COPY lines assemble a context, and its last RUN step (build-venv with
    the image's install set) runs on it; the virtualenv it made."""
    (build, _) = _stages(dockerfile)
    context = tmp_path / "src"
    context.mkdir()
    for sources, destination in _copies(build):
        for source in sources:
            target = (
                context / destination / (Path(source).name if destination.endswith("/") else "")
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            if (REPO / source).is_dir():
                shutil.copytree(REPO / source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(REPO / source, target)
    venv = tmp_path / "venv"
    sh, script, source, _, install_set = _values(build, "RUN")[-1].split()
    assert (sh, script, source) == ("sh", "scripts/build-venv", "/src")

    built = subprocess.run(
        ["sh", str(context / script), str(context), str(venv), install_set],
        check=False,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert built.returncode == 0, built.stderr
    return venv


def _installed(venv: Path) -> set[str]:
    listed = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m; print('\\n'.join(d.metadata['Name'] for d in m.distributions()))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return {_name(line) for line in listed.stdout.split()}


@pytest.mark.slow
def test_the_agents_build_stage_makes_a_venv_without_the_control_planes_packages(tmp_path):
    venv = _run_build_stage("Dockerfile.agent", tmp_path)

    installed = _installed(venv)
    assert {"minispod", "psutil", "prometheus-client"} <= installed
    assert installed.isdisjoint(CONTROL_PLANE_ONLY), installed & CONTROL_PLANE_ONLY
    shown = subprocess.run(
        [str(venv / "bin" / "minispod-agent"), "--help"], check=True, capture_output=True, text=True
    )
    assert shown.stdout.startswith("usage: minispod-agent")
    # The control plane's entry point is in the shared wheel but cannot start without its set.
    refused = subprocess.run(
        [str(venv / "bin" / "minispod-controlplane"), "--help"], capture_output=True, text=True
    )
    assert refused.returncode != 0 and "ModuleNotFoundError" in refused.stderr
    assert not (venv / "bin" / "pip").exists()


@pytest.mark.slow
def test_the_build_stage_makes_a_venv_whose_console_scripts_start(tmp_path):
    """The control plane's build stage: its venv starts both programs."""
    venv = _run_build_stage("Dockerfile.controlplane", tmp_path)
    assert _installed(venv) >= CONTROL_PLANE_ONLY
    for script in IMAGES.values():
        shown = subprocess.run(
            [str(venv / "bin" / script), "--help"], check=True, capture_output=True, text=True
        )
        assert shown.stdout.startswith(f"usage: {script}")
    # What the wheel must carry besides code: the migrations serve applies, the dashboard's files.
    site = next(venv.glob("lib/python3.*/site-packages"))
    assert list((site / "controlplane" / "db" / "migrations").rglob("*.py"))
    shipped = {p.name for p in (site / "controlplane" / "api" / "static").iterdir()}
    assert shipped == {p.name for p in (REPO / "controlplane" / "api" / "static").iterdir()}
    assert not (venv / "bin" / "pip").exists()
