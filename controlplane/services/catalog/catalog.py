"""The service catalog: admin CRUD, public browsing of ACTIVE entries, categories, lookups."""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from controlplane.db.models import Service, Subscription
from controlplane.services.errors import Conflict, Invalid, NotFound
from controlplane.services.ids import parse_id
from controlplane.services.paging import page
from shared.enums import ServiceStatus, SubscriptionStatus
from shared.wire.catalog import (
    CatalogResources,
    GivenResources,
    ServiceTemplate,
    catalog_resources,
)
from shared.wire.common import PageQuery, Pagination
from shared.wire.services import (
    CategoryCount,
    CategoryList,
    Pricing,
    PublicServiceList,
    PublicServiceOut,
    PublicServiceQuery,
    ServiceCreate,
    ServiceList,
    ServiceListQuery,
    ServiceOut,
    ServiceSetting,
    ServiceUpdate,
    UsagePrices,
)

SORT_COLUMNS = {"createdAt": "created_at", "name": "name", "price": "monthly_price"}
# A subscription in any other state still holds (or may again hold) an instance.
TERMINAL = (SubscriptionStatus.CANCELLED, SubscriptionStatus.EXPIRED)
NOT_FOUND = "Service not found"
SLUG_MAX = 63


def slug_from_name(name: str) -> str:
    """A DNS label made of the name: "N8N Automation" → "n8n-automation"; "" when none fits."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower())
    # A DNS label (as Kubernetes names use it) starts with a letter.
    return words.lstrip("-0123456789")[:SLUG_MAX].rstrip("-")


def template_of(service: Service) -> ServiceTemplate | None:
    """The service's template; None while it has none (created with resources only)."""
    return ServiceTemplate.model_validate(service.template) if service.template else None


def resources_of(service: Service, template: ServiceTemplate | None) -> CatalogResources:
    """What the service sells: derived from its template, else the figures it was given."""
    if template is not None:
        return catalog_resources(template)
    return CatalogResources.model_validate(service.resources)


def settings_of(template: ServiceTemplate) -> list[ServiceSetting]:
    """The customer-settable variables of the pod, each once, in template order."""
    seen: dict[str, ServiceSetting] = {}
    for var in template.all_env():
        if var.customer_settable and var.name not in seen:
            seen[var.name] = ServiceSetting(name=var.name, default=var.value)
    return list(seen.values())


def public_out(service: Service) -> PublicServiceOut:
    return _public_out(service, template_of(service))


def _public_out(service: Service, template: ServiceTemplate | None) -> PublicServiceOut:
    return PublicServiceOut(
        id=service.id,
        name=service.name,
        slug=service.slug,
        description=service.description,
        category=service.category,
        version=service.version,
        pricing=Pricing(
            monthly=service.monthly_price,
            usage=UsagePrices.model_validate(service.usage_prices)
            if service.usage_prices
            else None,
        ),
        resources=resources_of(service, template),
        settings=settings_of(template) if template is not None else [],
        subscribable=template is not None,
    )


def admin_out(service: Service) -> ServiceOut:
    template = template_of(service)
    return ServiceOut.model_validate(
        {
            **dict(_public_out(service, template)),
            "status": service.status,
            "template": template,
            "created_at": service.created_at,
            "updated_at": service.updated_at,
        }
    )


async def get_service(raw_id: str) -> Service:
    service = await Service.get_or_none(id=parse_id(raw_id, "Service"))
    if service is None:
        raise NotFound(NOT_FOUND)
    return service


async def active_service(raw_id: str, *, lock: bool = False) -> tuple[Service, ServiceTemplate]:
    """An ACTIVE service and its template, for subscribing; NotFound for any other,
    Conflict for one that has no template yet (nothing could run it).

    With `lock`, the row is locked (PostgreSQL) until the caller's transaction
    ends, so a concurrent DELETE or deactivation waits for the subscription to
    be written and then sees it.
    """
    qs = Service.filter(id=parse_id(raw_id, "Service"), status=ServiceStatus.ACTIVE)
    if lock:
        qs = qs.select_for_update()
    service = await qs.first()
    if service is None:
        raise NotFound(NOT_FOUND)
    template = template_of(service)
    if template is None:
        raise Conflict(
            f"{service.name} has no template yet, so nothing could run it: it cannot be "
            "subscribed to until an administrator sets one"
        )
    return service, template


async def _ensure_unique(name: str, slug: str, exclude: uuid.UUID | None = None) -> None:
    """A readable 409 before the insert; the unique indexes still decide under races."""
    others = Service.all() if exclude is None else Service.exclude(id=exclude)
    # Names differing only in case would look the same in the catalog.
    if await others.filter(name__iexact=name).exists():
        raise Conflict(f"A service named {name!r} already exists")
    if await others.filter(slug=slug).exists():
        raise Conflict(f"The slug {slug!r} is taken; choose another")


def _given_resources(
    template: ServiceTemplate | None, given: GivenResources | None
) -> dict[str, Any] | None:
    """The figures to store: none beside a template (they are derived from it, and
    given ones must agree), the given ones without."""
    if template is not None:
        derived = catalog_resources(template)
        if given is not None and given.model_dump() != derived.model_dump():
            raise Invalid.field(
                "resources",
                "with a template the resources are derived from it (cpu "
                f"{derived.cpu}, memory {derived.memory} MB, storage {derived.storage} MB); "
                "leave them out or make them agree",
            )
        return None
    if given is None:
        raise Invalid.field(
            "resources", "give the resources this service sells, or a template to derive them"
        )
    return given.wire()


async def create_service(body: ServiceCreate) -> Service:
    slug = body.slug or slug_from_name(body.name)
    if not slug:
        raise Invalid.field("slug", "cannot derive a slug from the name; give one")
    resources = _given_resources(body.template, body.resources)
    await _ensure_unique(body.name, slug)
    service = Service(
        id=uuid.uuid4(),
        name=body.name,
        slug=slug,
        description=body.description,
        category=body.category,
        version=body.version,
        status=body.status,
        monthly_price=body.pricing.monthly,
        usage_prices=_usage_prices(body.pricing),
        template=body.template.wire() if body.template is not None else {},
        resources=resources,
    )
    try:
        await service.save()
    except IntegrityError:
        raise Conflict("A service with this name or slug already exists") from None
    return service


async def update_service(raw_id: str, body: ServiceUpdate) -> Service:
    service = await get_service(raw_id)
    given = body.model_fields_set
    if "name" in given or "slug" in given:
        await _ensure_unique(body.name or service.name, body.slug or service.slug, service.id)
    for field in ("name", "slug", "description", "category", "version", "status"):
        if field in given:
            setattr(service, field, getattr(body, field))
    if body.pricing is not None:
        service.monthly_price = body.pricing.monthly
        service.usage_prices = _usage_prices(body.pricing)
    if body.template is not None or body.resources is not None:
        template = body.template or template_of(service)
        # Checked against the template the service will have, given or kept.
        service.resources = _given_resources(template, body.resources)
        if body.template is not None:
            service.template = body.template.wire()
    try:
        await service.save()
    except IntegrityError:
        raise Conflict("A service with this name or slug already exists") from None
    return service


async def delete_service(raw_id: str) -> None:
    """Deletes a service nobody is subscribed to; live subscriptions make it a 409."""
    service_id = parse_id(raw_id, "Service")
    async with in_transaction():
        # Locked so a subscription taking it with `active_service(lock=True)` is seen.
        service = await Service.filter(id=service_id).select_for_update().first()
        if service is None:
            raise NotFound(NOT_FOUND)
        live = await Subscription.filter(service_id=service_id).exclude(status__in=TERMINAL).count()
        if live:
            raise Conflict(
                f"{live} live subscription(s) use this service; set its status to "
                "INACTIVE to stop new subscriptions, and delete it once they have ended"
            )
        await service.delete()


def _search(qs: QuerySet[Service], text: str | None) -> QuerySet[Service]:
    if not text:
        return qs
    return qs.filter(Q(name__icontains=text) | Q(description__icontains=text))


async def _page(
    qs: QuerySet[Service], query: PageQuery, sort_by: str
) -> tuple[list[Service], Pagination]:
    return await page(qs, query, SORT_COLUMNS[sort_by])


async def list_services(query: ServiceListQuery) -> ServiceList:
    qs = _search(Service.all(), query.search)
    if query.category is not None:
        qs = qs.filter(category=query.category)
    if query.status is not None:
        qs = qs.filter(status=query.status)
    rows, pagination = await _page(qs, query, query.sort_by)
    return ServiceList(services=[admin_out(s) for s in rows], pagination=pagination)


async def list_public(query: PublicServiceQuery) -> PublicServiceList:
    qs = _search(Service.filter(status=ServiceStatus.ACTIVE), query.search)
    if query.category is not None:
        qs = qs.filter(category=query.category)
    rows, pagination = await _page(qs, query, query.sort_by)
    return PublicServiceList(services=[public_out(s) for s in rows], pagination=pagination)


async def get_public(raw_id: str) -> PublicServiceOut:
    service = await Service.get_or_none(id=parse_id(raw_id, "Service"), status=ServiceStatus.ACTIVE)
    if service is None:
        raise NotFound(NOT_FOUND)
    return public_out(service)


async def categories() -> CategoryList:
    """Categories of the ACTIVE catalog with how many services each holds, counted by the DB."""
    rows = (
        await Service.filter(status=ServiceStatus.ACTIVE)
        .annotate(count=Count("id"))
        .group_by("category")
        .order_by("category")
        .values("category", "count")
    )
    return CategoryList(
        categories=[CategoryCount(name=r["category"], count=r["count"]) for r in rows]
    )


def _usage_prices(pricing: Pricing) -> dict[str, int] | None:
    return pricing.usage.model_dump(by_alias=True) if pricing.usage is not None else None
