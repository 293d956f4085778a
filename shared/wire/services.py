"""Wire types of the service catalog: admin CRUD bodies, public browsing and categories."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

from shared.enums import ServiceStatus
from shared.wire.base import WireModel, WireOut
from shared.wire.catalog import DNS_LABEL, CatalogResources, GivenResources, ServiceTemplate
from shared.wire.common import PageQuery, Pagination


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


# Categories group the public catalog and appear in URLs (?category=cms): lower-case
# words joined by single hyphens. Upper case is folded rather than refused.
Category = Annotated[
    str,
    BeforeValidator(_lower),
    Field(min_length=1, max_length=50, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
]
# The slug names the service in cluster objects, so it is a DNS label.
Slug = Annotated[str, Field(min_length=1, max_length=63, pattern=DNS_LABEL)]
ServiceName = Annotated[str, Field(min_length=1, max_length=100)]
Description = Annotated[str, Field(max_length=5000)]
Version = Annotated[str, Field(min_length=1, max_length=50)]
Search = Annotated[str, Field(max_length=100)]


class UsagePrices(WireModel):
    """Prices of the reservation an instance holds, per unit and hour, charged hourly from
    the wallet (what is left of a cent is carried to the next hour, never lost)."""

    cpu_core_hour: int = Field(ge=0, le=10**9, description="per CPU core-hour, minor units")
    memory_gb_hour: int = Field(ge=0, le=10**9, description="per GiB-hour of memory, minor units")
    storage_gb_hour: int = Field(ge=0, le=10**9, description="per GiB-hour of storage, minor units")


class Pricing(WireModel):
    monthly: int = Field(ge=0, le=10**12, description="per month, smallest currency unit")
    usage: UsagePrices | None = Field(
        default=None,
        description="priced by usage too (or instead: monthly 0): the reservation held,"
        " metered per hour",
    )


TEMPLATE_DESCRIPTION = (
    "How the service runs: image, port, env, resources, volumes. A service without one"
    " is listed in the catalog (with the resources given) but cannot be subscribed to"
    " (409) until an administrator sets one with PUT /services/{serviceId}."
)
RESOURCES_DESCRIPTION = (
    "What the service sells. Required without a template; with one, the figures are"
    " derived from its limits and volumes, and if given they must agree with them."
)
# The seed API's own example (its README's POST /services), accepted as it is.
SEED_EXAMPLE: dict[str, JsonValue] = {
    "name": "N8N Automation",
    "description": "Workflow automation platform",
    "category": "automation",
    "version": "1.0.0",
    "status": "ACTIVE",
    "pricing": {"monthly": 25000},
    "resources": {"cpu": "1 vCPU", "memory": "1GB RAM", "storage": "10GB SSD"},
}


class ServiceCreate(WireModel):
    """A new catalog entry; without a slug, one is derived from the name.

    Give a template, or only the resources it will sell (the seed API's shape)
    and the template later.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [SEED_EXAMPLE]})

    name: ServiceName
    slug: Slug | None = None
    description: Description = ""
    category: Category
    version: Version
    status: ServiceStatus = ServiceStatus.ACTIVE
    pricing: Pricing
    template: ServiceTemplate | None = Field(default=None, description=TEMPLATE_DESCRIPTION)
    resources: GivenResources | None = Field(default=None, description=RESOURCES_DESCRIPTION)


class ServiceUpdate(WireModel):
    """A partial update: only the fields given change; the template is replaced whole."""

    name: ServiceName | None = None
    slug: Slug | None = None
    description: Description | None = None
    category: Category | None = None
    version: Version | None = None
    status: ServiceStatus | None = None
    pricing: Pricing | None = None
    template: ServiceTemplate | None = Field(
        default=None,
        description="Replaces the template whole; the resources are derived from it from"
        " then on. A template cannot be removed: instances may run from it.",
    )
    resources: GivenResources | None = Field(
        default=None,
        description="The figures of a service without a template; with one, they must"
        " agree with it.",
    )

    # Validators run only on given values: an explicit null is refused, an
    # omitted field is left alone.
    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> ServiceUpdate:
        if not self.model_fields_set:
            raise ValueError("nothing to update")
        return self


class ServiceListQuery(PageQuery):
    search: Search | None = None
    category: Category | None = None
    status: ServiceStatus | None = None
    sort_by: Literal["createdAt", "name", "price"] = "createdAt"


class PublicServiceQuery(PageQuery):
    search: Search | None = None
    category: Category | None = None
    sort_by: Literal["name", "price", "createdAt"] = "name"
    sort_order: Literal["asc", "desc"] = "asc"


class ServiceSetting(WireOut):
    """An environment variable a customer may set when subscribing, with its default."""

    name: str
    default: str


class PublicServiceOut(WireOut):
    """What anyone may see of an ACTIVE service: nothing of how it runs."""

    id: UUID
    name: str
    slug: str
    description: str
    category: str
    version: str
    pricing: Pricing
    resources: CatalogResources
    settings: list[ServiceSetting]
    subscribable: bool = Field(
        description="False while the service has no template: it is listed, but"
        " subscribing to it answers 409 until an administrator sets one."
    )


class ServiceOut(PublicServiceOut):
    """The administrator's view: the public one plus status, template and timestamps."""

    status: ServiceStatus
    template: ServiceTemplate | None = Field(description="null until one is set")
    created_at: datetime
    updated_at: datetime


class ServiceList(WireOut):
    services: list[ServiceOut]
    pagination: Pagination


class PublicServiceList(WireOut):
    services: list[PublicServiceOut]
    pagination: Pagination


class CategoryCount(WireOut):
    name: str
    count: int


class CategoryList(WireOut):
    categories: list[CategoryCount]
