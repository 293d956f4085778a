"""Enumerations that cross the wire between agent, control plane and frontends."""

from enum import StrEnum


class Role(StrEnum):
    USER = "USER"
    ADMINISTRATOR = "ADMINISTRATOR"


class NodeStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    NOT_READY = "NOT_READY"
    INACTIVE = "INACTIVE"
    MAINTENANCE = "MAINTENANCE"


class SubscriptionStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class InstanceStatus(StrEnum):
    PENDING = "PENDING"
    PROVISIONING = "PROVISIONING"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    STOPPED = "STOPPED"


class ServiceStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    DEPRECATED = "DEPRECATED"
