"""The service catalog: what customers can subscribe to, and the template each one runs."""

from typing import Any

from tortoise import fields
from tortoise.models import Model

from shared.enums import ServiceStatus


class Service(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    slug = fields.CharField(max_length=63, unique=True)
    description = fields.TextField(default="")
    category = fields.CharField(max_length=50, db_index=True)
    version = fields.CharField(max_length=50)
    status = fields.CharEnumField(
        ServiceStatus, max_length=16, default=ServiceStatus.ACTIVE, db_index=True
    )
    # pricing.monthly, in the smallest unit of the platform's currency.
    monthly_price = fields.BigIntField()
    # pricing.usage on the wire (minor units per CPU core-hour, memory GiB-hour and
    # storage GiB-hour of the reservation held), charged hourly; NULL: not metered.
    usage_prices: dict[str, int] | None = fields.JSONField(null=True)
    # A ServiceTemplate on the wire (camelCase); validated on every write. `{}`
    # while the service has none yet (it was created with resources only): the
    # column stays NOT NULL because SQLite can drop that only by rebuilding the
    # table, which subscriptions and instances reference.
    template: dict[str, Any] = fields.JSONField()
    # CatalogResources on the wire, for a service without a template only; with
    # one, the figures are derived from it so they never drift from the pod's.
    resources: dict[str, Any] | None = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "services"
