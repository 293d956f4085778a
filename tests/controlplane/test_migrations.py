"""The committed aerich migrations, read as files: what the next `makemigrations` builds on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from controlplane.db.database import MIGRATIONS

FILES = sorted(MIGRATIONS.glob("*/models/*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parents[1].name}/{p.name}")
def test_every_migration_records_the_models_it_leaves(path: Path) -> None:
    # Without MODELS_STATE aerich records the models of whatever code runs the
    # upgrade, so the next migration is diffed against the new models and comes
    # out empty: the column it should add is never added.
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert getattr(module, "MODELS_STATE", None), path.name
