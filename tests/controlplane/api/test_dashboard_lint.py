"""The dashboard's JavaScript passes ESLint: eslint.config.js (flat config) over every file in
controlplane/api/static, at the versions package.json pins and package-lock.json locks
(scripts/setup installs them with `npm ci` where npm exists). The config is proven to be in
force, not only present: it refuses a file that parses API data as HTML."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
STATIC = REPO / "controlplane" / "api" / "static"
ESLINT = REPO / "node_modules" / ".bin" / "eslint"
EXACT = re.compile(r"^\d+\.\d+\.\d+$")


def eslint(*args: str, stdin: str | None = None) -> list[dict[str, Any]]:
    """ESLint's JSON report; skipped (with why) where node or npm is not installed."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed: the dashboard's ESLint cannot run")
    assert ESLINT.exists(), "ESLint is not installed: run scripts/setup (it runs npm ci)"
    result = subprocess.run(
        [str(ESLINT), "--format", "json", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # 0: clean, 1: problems found; anything else is ESLint itself failing (a bad config).
    assert result.returncode in (0, 1), result.stderr
    return list(json.loads(result.stdout))


def problems(report: list[dict[str, Any]], severity: int) -> list[str]:
    return [
        f"{Path(f['filePath']).relative_to(REPO)}:{m.get('line')}: {m['message']} ({m.get('ruleId')})"
        for f in report
        for m in f["messages"]
        if m["severity"] == severity
    ]


def test_the_dashboards_javascript_has_no_eslint_errors() -> None:
    report = eslint("controlplane/api/static")

    linted = {Path(f["filePath"]).name for f in report}
    assert linted == {p.name for p in STATIC.glob("*.js")}, "every file is linted"
    assert problems(report, 2) == []


def test_the_config_refuses_markup_parsed_from_api_data() -> None:
    probe = "export function show(el, data) {\n  el.innerHTML = data.name;\n}\n"

    report = eslint("--stdin", "--stdin-filename", "controlplane/api/static/probe.js", stdin=probe)

    (refused,) = problems(report, 2)
    assert "innerHTML" in refused and "no-restricted-properties" in refused


def test_the_linters_versions_are_pinned_and_locked() -> None:
    manifest = json.loads((REPO / "package.json").read_text())
    lock = json.loads((REPO / "package-lock.json").read_text())
    wanted = manifest["devDependencies"]

    assert {"eslint", "@eslint/js", "globals"} <= set(wanted)
    assert all(EXACT.match(v) for v in wanted.values()), wanted
    assert lock["packages"][""]["devDependencies"] == wanted
    for name, version in wanted.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    # What npm installs stays out of git and out of the images' build context.
    assert "node_modules/" in (REPO / ".gitignore").read_text().split()
    assert "node_modules" in (REPO / ".dockerignore").read_text().split()
