"""ISO 8601 durations as billing periods: calendar months clamp, exact parts add."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.durations import CalendarDuration

JAN_31 = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P1M", datetime(2026, 2, 28, 12, 0, tzinfo=UTC)),
        ("P1Y", datetime(2027, 1, 31, 12, 0, tzinfo=UTC)),
        ("P1Y1M", datetime(2027, 2, 28, 12, 0, tzinfo=UTC)),
        ("P3D", JAN_31 + timedelta(days=3)),
        ("P2W", JAN_31 + timedelta(weeks=2)),
        ("PT1M", JAN_31 + timedelta(minutes=1)),
        ("P1DT12H", JAN_31 + timedelta(days=1, hours=12)),
        ("pt90s", JAN_31 + timedelta(seconds=90)),
    ],
)
def test_a_duration_moves_a_moment_as_a_calendar_does(text: str, expected: datetime) -> None:
    assert CalendarDuration.parse(text).after(JAN_31) == expected


@pytest.mark.parametrize("text", ["", "P", "PT", "1M", "P1H", "P-1D", "P0D", "monthly", "P1MT"])
def test_what_is_not_a_positive_iso_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        CalendarDuration.parse(text)
