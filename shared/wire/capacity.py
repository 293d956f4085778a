"""Wire types of capacity planning (`GET /admin/capacity`)."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.wire.base import WireModel, WireOut


class CapacityQuery(WireModel):
    days: int = Field(default=30, ge=1, le=93, description="how far back the history goes")
    step: Literal["PT1H", "P1D"] = Field(default="P1D", description="bucket width")


class CapacityPoint(WireOut):
    start: datetime
    requested: float = Field(description="reserved by MinisPod's instances, mean over the bucket")
    capacity: float = Field(description="what the nodes registered by then offer")
    observed: float | None = Field(
        default=None,
        description="pods only: what the last snapshot of our own cluster in the bucket"
        " counted, every workload included (null: no snapshot then)",
    )


class ResourcePlan(WireOut):
    resource: Literal["cpu", "memory", "storage", "pods"]
    unit: str = Field(description="cores, MiB, MiB or pods")
    capacity: float = Field(description="what the fleet's nodes offer now")
    requested: float = Field(description="what MinisPod's instances reserve now")
    allocated: float = Field(
        description="what the agents report the nodes' pods request now (every workload)"
    )
    growth_per_day: float = Field(
        description="least-squares slope of `requested` over the history, per day"
    )
    projected_full_at: datetime | None = Field(
        description="when `requested` reaches today's capacity at that growth; null when it"
        " does not grow"
    )
    series: list[CapacityPoint]


class CapacityReport(WireOut):
    as_of: datetime
    start: datetime
    step: str
    resources: list[ResourcePlan]
