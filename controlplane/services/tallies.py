"""Counts of rows by state, one grouped query each: what the state gauges show."""

from __future__ import annotations

from enum import Enum

from tortoise.functions import Count
from tortoise.models import Model


async def by_status(model: type[Model], states: type[Enum]) -> dict[str, int]:
    """Every state of `states` with its row count (0 where none), in one pass."""
    rows = await model.annotate(n=Count("id")).group_by("status").values_list("status", "n")
    counts = {str(state.value): 0 for state in states}
    for status, n in rows:
        counts[str(getattr(status, "value", status))] = int(n)
    return counts
