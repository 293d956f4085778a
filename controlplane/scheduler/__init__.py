"""Placement: decide on a fleet snapshot which node takes a new instance."""

from controlplane.scheduler.framework import Decision, Profile, schedule
from controlplane.scheduler.profiles import profile_from_config
from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest

__all__ = [
    "Decision",
    "NodeSnapshot",
    "PlacementRequest",
    "Profile",
    "profile_from_config",
    "schedule",
]
