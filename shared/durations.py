"""Calendar durations as ISO 8601 writes them (P1M, P3D, PT1M): what billing periods are.

A month is a calendar month, clamped to the month's last day (31 Jan + P1M is
28/29 Feb), so a monthly subscription renews on the same day each month;
weeks, days and time parts are exact. Years and months may not be mixed with
nothing else: "P1M", "P1Y2M", "P3D", "PT1M" and "P1DT12H" are all valid.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_ISO = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class CalendarDuration:
    months: int
    exact: timedelta

    @classmethod
    def parse(cls, text: str) -> "CalendarDuration":
        match = _ISO.match(text.strip().upper())
        if not match:
            raise ValueError(f"not an ISO 8601 duration such as P1M, P3D or PT1M: {text!r}")
        years, months, weeks, days, hours, minutes, seconds = match.groups()
        duration = cls(
            int(years or 0) * 12 + int(months or 0),
            timedelta(
                weeks=int(weeks or 0),
                days=int(days or 0),
                hours=int(hours or 0),
                minutes=int(minutes or 0),
                seconds=float(seconds or 0),
            ),
        )
        if duration.months == 0 and duration.exact <= timedelta(0):
            raise ValueError(f"a duration must be longer than zero: {text!r}")
        return duration

    def after(self, moment: datetime) -> datetime:
        return add_months(moment, self.months) + self.exact
