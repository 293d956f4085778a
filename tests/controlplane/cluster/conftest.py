"""Builders shared by the cluster tests: tenant specs and a clock the test moves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from controlplane.cluster.spec import TenantSpec
from controlplane.services.catalog.templates import N8N
from shared.wire.catalog import ServiceTemplate

OWNER = "3f2a1c9e-0000-4000-8000-000000000001"

SpecFactory = Callable[..., TenantSpec]


@pytest.fixture
def make_spec() -> SpecFactory:
    """A TenantSpec for one instance; keyword arguments override the defaults."""

    def build(
        template: ServiceTemplate = N8N, instance_id: str = "inst-0001", **overrides: Any
    ) -> TenantSpec:
        fields: dict[str, Any] = {
            "owner_id": OWNER,
            "instance_id": instance_id,
            "subscription_id": "sub-0001",
            "subdomain": "myapp",
            "base_domain": "apps.example.com",
            "node_name": "worker-1",
            "template": template,
            "tls_issuer": "letsencrypt-prod",
        }
        fields.update(overrides)
        return TenantSpec.for_instance(**fields)

    return build


class FakeClock:
    """A monotonic clock that only moves when the test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
