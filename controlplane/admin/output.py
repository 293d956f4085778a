"""How answers are printed: a table for people, JSON or YAML for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "yaml")


def emit(value: Any, fmt: str, columns: Sequence[str] = ()) -> None:
    if fmt == "json":
        print(json.dumps(value, indent=2, sort_keys=True, default=str))
    elif fmt == "yaml":
        print(yaml.safe_dump(value, sort_keys=True, default_flow_style=False).rstrip())
    else:
        _table(value, columns)


def _table(value: Any, columns: Sequence[str]) -> None:
    rows = value if isinstance(value, list) else [value]
    columns = list(columns) or sorted({k for r in rows if isinstance(r, dict) for k in r})
    table = Table(*columns, box=None, pad_edge=False, header_style="bold")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) if isinstance(row, dict) else str(row) for c in columns))
    Console(soft_wrap=True).print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)
