"""The repository's own docs stay true: links resolve, the settings and routes they list are
the ones the code has, and the README's first calls work against a real control plane."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.processes import ControlPlane, child_env

DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [ROOT / "README.md", *DOCS]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
VARIABLE = re.compile(r"\bMINISPOD_[A-Z0-9_]*[A-Z0-9]\b")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading slugs: lowercase, punctuation dropped, spaces as hyphens."""
    slugs = set()
    for line in page.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slugs.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return slugs


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(page: Path) -> None:
    broken = []
    for target in LINK.findall(page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if (
            not resolved.is_relative_to(ROOT)
            or not resolved.exists()
            or (anchor and anchor not in _anchors(resolved))
        ):
            broken.append(target)
    assert broken == []


def test_nothing_in_the_repository_points_outside_it() -> None:
    outside = ".." + "/shared"
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    pointing = [
        name
        for name in tracked
        if (ROOT / name).is_file()
        and not name.startswith("tests/")
        and outside in (ROOT / name).read_text(errors="ignore")
    ]
    assert pointing == []


def _variables_in(paths: list[Path]) -> set[str]:
    return {v for path in paths for v in VARIABLE.findall(path.read_text())}


def test_the_configuration_reference_lists_exactly_the_variables_the_programs_read() -> None:
    code = [
        p
        for package in ("controlplane", "agent", "shared")
        for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts
    ]
    read = _variables_in(code)
    documented = _variables_in([ROOT / "docs" / "configuration.md"])
    assert read, "no MINISPOD_ variable found in the code"
    assert sorted(read - documented) == [], "read by the code but not documented"
    assert sorted(documented - read) == [], "documented but read by nothing"


def _route_table() -> object:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import route_table
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return route_table


def test_the_api_document_lists_every_route_as_declared() -> None:
    route_table = _route_table()
    text = (ROOT / "docs" / "api.md").read_text()
    assert route_table.documented(text) == route_table.render(), (  # type: ignore[attr-defined]
        "docs/api.md is behind the routes: run scripts/route_table.py --write"
    )


def test_the_api_document_explains_every_error_code() -> None:
    sources = [ROOT / "controlplane/services/errors.py", ROOT / "controlplane/api/routing.py"]
    codes = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [
                "code"
            ]:
                codes.add(ast.literal_eval(node.value))
    from controlplane.api.pipeline import HTTP_CODES

    codes |= set(HTTP_CODES.values())
    text = (ROOT / "docs" / "api.md").read_text()
    assert len(codes) >= 10
    assert sorted(c for c in codes if f"`{c}`" not in text) == []


def _first_calls() -> str:
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- first calls:", 1)[1].split("<!-- end of first calls -->", 1)[0]
    return block.split("```sh\n", 1)[1].split("```", 1)[0]


@pytest.mark.slow
def test_the_readme_first_calls_sign_in_list_workers_and_subscribe(
    sqlite_template: Path, tmp_path: Path
) -> None:
    assert shutil.which("curl"), "the README's calls use curl"
    database = tmp_path / "readme.sqlite3"
    shutil.copyfile(sqlite_template, database)
    url = f"sqlite://{database}"
    seeded = run_cli("seed", database_url=url, MINISPOD_DATA_DIR=str(tmp_path / "data"))
    assert seeded.returncode == 0, seeded.stderr
    control_plane = ControlPlane(url, tmp_path)
    try:
        control_plane.start()
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", _first_calls()],
            env=child_env(API=control_plane.url + "/api/v1"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        control_plane.kill()
    assert result.returncode == 0, result.stderr + control_plane.log()[-3000:]
    decoder, out = json.JSONDecoder(), result.stdout.strip()
    workers, end = decoder.raw_decode(out)
    subscription, _ = decoder.raw_decode(out[end:].lstrip())
    assert workers == [], "the fleet of a fresh control plane is empty"
    assert subscription["status"] == "PENDING"
    assert subscription["subdomain"].startswith("n8n-")
    assert subscription["instance"]["status"] in ("PENDING", "PROVISIONING", "RUNNING")
