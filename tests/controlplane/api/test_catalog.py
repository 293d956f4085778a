"""The service catalog (/services): admin CRUD, the public ACTIVE-only face, categories, seeding."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.db.models import Subscription
from controlplane.services.catalog.catalog import active_service
from controlplane.services.catalog.templates import DEFAULT_CATALOG
from controlplane.services.errors import NotFound
from controlplane.services.seed import seed_catalog
from shared.enums import SubscriptionStatus
from tests.conftest import TEST_SECRETS_KEY, run_cli
from tests.controlplane.conftest import fund

API = "/api/v1"


async def call(
    client: TestClient, method: str, path: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    resp = await client.request(method, API + path, **kwargs)
    return resp.status, await resp.json()


def template(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "image": "example/app:1.2.3",
        "containerPort": 8080,
        "env": [
            {"name": "APP_URL", "value": "{url}"},
            {"name": "THEME", "value": "light", "customerSettable": True},
            {"name": "APP_SECRET", "generated": "hex32"},
        ],
        "resources": {
            "requests": {"cpu": 0.25, "memory": 128},
            "limits": {"cpu": 1, "memory": 512},
        },
        "volume": {"sizeMb": 2048, "mountPath": "/data"},
    }
    base.update(changes)
    return base


def service(name: str = "Example App", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "description": "An app for examples",
        "category": "tools",
        "version": "1.2.3",
        "pricing": {"monthly": 15000},
        "template": template(),
    }
    body.update(changes)
    return body


def default_entry(slug: str, **changes: Any) -> dict[str, Any]:
    """A DEFAULT_CATALOG entry as an administrator would POST it."""
    entry = next(e for e in DEFAULT_CATALOG if e["slug"] == slug)
    body = {
        "name": entry["name"],
        "slug": entry["slug"],
        "description": entry["description"],
        "category": entry["category"],
        "version": entry["version"],
        "pricing": entry["pricing"],
        "template": entry["template"].wire(),
    }
    body.update(changes)
    return body


async def create(client: TestClient, admin: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    status, got = await call(client, "POST", "/services", json=body, headers=admin)
    assert status == 201, got
    return dict(got["data"])


async def admin_total(client: TestClient, admin: dict[str, str]) -> int:
    status, body = await call(client, "GET", "/services", headers=admin)
    assert status == 200, body
    return int(body["data"]["pagination"]["total"])


async def subscribe(service_id: str, status: SubscriptionStatus) -> Subscription:
    now = datetime.now(UTC)
    owner = uuid.uuid4()
    return await Subscription.create(
        id=uuid.uuid4(),
        team_id=owner,
        user_id=owner,
        service_id=uuid.UUID(service_id),
        subdomain=f"s-{uuid.uuid4().hex[:10]}",
        status=status,
        current_period_start=now,
        current_period_end=now + timedelta(days=30),
    )


# --- who may call what ---------------------------------------------------------


async def test_admin_endpoints_answer_admins_and_refuse_users_and_strangers(
    client, admin_headers, user_headers
):
    target = (await create(client, admin_headers, service("Target")))["id"]
    endpoints = [
        ("GET", "/services", None, 200),
        ("POST", "/services", service("Fresh"), 201),
        ("GET", f"/services/{target}", None, 200),
        ("PUT", f"/services/{target}", {"version": "2.0.0"}, 200),
        ("DELETE", f"/services/{target}", None, 200),
    ]
    for method, path, body, admin_status in endpoints:
        stranger, _ = await call(client, method, path, json=body)
        user, user_body = await call(client, method, path, json=body, headers=user_headers)
        assert (stranger, user) == (401, 403), (method, path)
        assert user_body["code"] == "FORBIDDEN"
        status, got = await call(client, method, path, json=body, headers=admin_headers)
        assert status == admin_status, (method, path, got)
    # Only the administrator's calls had an effect.
    _, listed = await call(client, "GET", "/services", headers=admin_headers)
    assert [s["name"] for s in listed["data"]["services"]] == ["Fresh"]


async def test_public_endpoints_answer_anonymous_callers(client, admin_headers):
    made = await create(client, admin_headers, service())
    for path in ("/services/public", f"/services/public/{made['id']}", "/services/categories"):
        status, body = await call(client, "GET", path)
        assert status == 200, (path, body)
        assert body["success"] is True


# --- the public face -------------------------------------------------------------


async def test_public_catalog_hides_inactive_services_and_template_internals(client, admin_headers):
    wordpress = await create(client, admin_headers, default_entry("wordpress"))
    n8n = await create(client, admin_headers, default_entry("n8n"))
    hidden = await create(client, admin_headers, service("Retired", status="INACTIVE"))
    old = await create(client, admin_headers, service("Old", status="DEPRECATED"))

    resp = await client.get(f"{API}/services/public")
    text = await resp.text()
    listed = (await resp.json())["data"]["services"]
    assert [s["slug"] for s in listed] == ["n8n", "wordpress"]
    for secret in (
        "wordpress:6-apache",
        "mariadb:11.4",
        "n8nio/n8n",
        "db-password",
        "db-root-password",
        "WORDPRESS_DB_PASSWORD",
        "MARIADB_ROOT_PASSWORD",
        "N8N_ENCRYPTION_KEY",
        "/var/www/html",
        "companions",
        "template",
        "image",
    ):
        assert secret not in text, secret

    one = {s["slug"]: s for s in listed}["wordpress"]
    assert set(one) == {
        "id",
        "name",
        "slug",
        "description",
        "category",
        "version",
        "pricing",
        "resources",
        "settings",
        "subscribable",
    }
    # The advertised figures are the pod's limits and volumes, app and database together.
    assert one["resources"] == {"cpu": 1.5, "memory": 1024, "storage": 15360}
    assert one["pricing"] == {"monthly": 30000, "usage": None}
    assert one["settings"] == []
    settings = {s["slug"]: s for s in listed}["n8n"]["settings"]
    assert settings == [
        {"name": "GENERIC_TIMEZONE", "default": "UTC"},
        {"name": "TZ", "default": "UTC"},
    ]

    resp = await client.get(f"{API}/services/public/{wordpress['id']}")
    assert resp.status == 200
    assert "mariadb:11.4" not in await resp.text()
    assert (await resp.json())["data"] == one
    for missing in (hidden["id"], old["id"], str(uuid.uuid4()), "not-an-id"):
        status, body = await call(client, "GET", f"/services/public/{missing}")
        assert (status, body["code"]) == (404, "NOT_FOUND"), missing
    assert n8n["template"]["image"] == "n8nio/n8n:1.116.2"


async def test_categories_count_active_services_only(client, admin_headers):
    for slug in ("n8n", "ghost", "wordpress"):
        await create(client, admin_headers, default_entry(slug))
    await create(client, admin_headers, service("Retired CMS", category="cms", status="INACTIVE"))
    await create(
        client, admin_headers, service("Old Stats", category="analytics", status="DEPRECATED")
    )
    status, body = await call(client, "GET", "/services/categories")
    assert status == 200
    assert body["data"]["categories"] == [
        {"name": "automation", "count": 1},
        {"name": "cms", "count": 2},
    ]


async def test_public_browsing_searches_filters_and_pages(client, admin_headers):
    for slug in ("n8n", "ghost", "wordpress"):
        await create(client, admin_headers, default_entry(slug))
    await create(client, admin_headers, service("Blog Hidden", status="INACTIVE"))

    async def slugs(query: str) -> tuple[list[str], dict[str, Any]]:
        status, body = await call(client, "GET", f"/services/public?{query}")
        assert status == 200, body
        return [s["slug"] for s in body["data"]["services"]], body["data"]["pagination"]

    assert (await slugs(""))[0] == ["ghost", "n8n", "wordpress"]
    assert (await slugs("search=BLOG"))[0] == ["ghost", "wordpress"]  # description, any case
    assert (await slugs("search=automation"))[0] == ["n8n"]  # name
    assert (await slugs("category=cms"))[0] == ["ghost", "wordpress"]
    assert (await slugs("category=CMS&search=press"))[0] == ["wordpress"]
    assert (await slugs("category=nothing"))[0] == []
    assert (await slugs("sortBy=price&sortOrder=desc"))[0] == ["wordpress", "n8n", "ghost"]

    first, page1 = await slugs("limit=2&page=1")
    second, page2 = await slugs("limit=2&page=2")
    assert first + second == ["ghost", "n8n", "wordpress"]
    assert page1 == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
        "hasNext": True,
        "hasPrev": False,
    }
    assert (page2["hasNext"], page2["hasPrev"]) == (False, True)
    status, body = await call(client, "GET", "/services/public?limit=0")
    assert status == 400 and body["errors"][0]["field"] == "limit"


async def test_admin_list_includes_every_status_and_filters_and_sorts(client, admin_headers):
    await create(client, admin_headers, service("Cheap", pricing={"monthly": 0}))
    await create(
        client, admin_headers, service("Dear", pricing={"monthly": 90000}, status="INACTIVE")
    )
    await create(client, admin_headers, service("Middle", category="cms", description="a blog"))

    async def names(query: str) -> list[str]:
        status, body = await call(client, "GET", f"/services?{query}", headers=admin_headers)
        assert status == 200, body
        return [s["name"] for s in body["data"]["services"]]

    assert await names("sortBy=price&sortOrder=asc") == ["Cheap", "Middle", "Dear"]
    assert await names("sortBy=name&sortOrder=desc") == ["Middle", "Dear", "Cheap"]
    assert await names("status=INACTIVE") == ["Dear"]
    assert await names("category=cms") == ["Middle"]
    assert await names("search=blog") == ["Middle"]
    status, body = await call(client, "GET", "/services?sortBy=colour", headers=admin_headers)
    assert status == 400 and body["errors"][0]["field"] == "sortBy"

    _, body = await call(client, "GET", "/services?search=Cheap", headers=admin_headers)
    cheap = body["data"]["services"][0]
    assert cheap["status"] == "ACTIVE"
    assert cheap["template"]["image"] == "example/app:1.2.3"
    assert cheap["resources"] == {"cpu": 1.0, "memory": 512, "storage": 2048}
    assert cheap["settings"] == [{"name": "THEME", "default": "light"}]


# --- writing ---------------------------------------------------------------------


def _with_template(**changes: Any) -> dict[str, Any]:
    return service(template=template(**changes))


INVALID_BODIES = [
    (_with_template(image="example/app"), "template.image"),
    (_with_template(image="example/app:latest"), "template.image"),
    (
        _with_template(
            resources={"requests": {"cpu": 2, "memory": 128}, "limits": {"cpu": 1, "memory": 512}}
        ),
        "template.resources",
    ),
    (
        _with_template(
            resources={"requests": {"cpu": 1, "memory": 1024}, "limits": {"cpu": 1, "memory": 512}}
        ),
        "template.resources",
    ),
    (_with_template(env=[{"name": "X", "value": "{nope}"}]), "template.env.0"),
    (service(pricing={"monthly": -1}), "pricing.monthly"),
    (service(colour="blue"), "colour"),
    (service(category="Not a category!"), "category"),
    (service(slug="-bad-"), "slug"),
    (service(name=""), "name"),
]


async def test_invalid_bodies_are_refused_field_by_field_and_create_nothing(client, admin_headers):
    for body, field in INVALID_BODIES:
        status, got = await call(client, "POST", "/services", json=body, headers=admin_headers)
        assert (status, got["code"]) == (400, "VALIDATION_ERROR"), (field, got)
        assert field in [e["field"] for e in got["errors"]], (field, got["errors"])
    assert await admin_total(client, admin_headers) == 0


async def test_slug_is_derived_from_the_name_as_a_dns_label(client, admin_headers):
    made = await create(client, admin_headers, service("N8N Automation (Café edition)"))
    assert made["slug"] == "n8n-automation-cafe-edition"
    assert (await create(client, admin_headers, service("42 Ghosts!")))["slug"] == "ghosts"
    given = await create(client, admin_headers, service("Anything", slug="my-slug"))
    assert given["slug"] == "my-slug"
    status, body = await call(
        client, "POST", "/services", json=service("1234 !!!"), headers=admin_headers
    )
    assert status == 400 and body["errors"] == [
        {"field": "slug", "message": "cannot derive a slug from the name; give one"}
    ]
    # Categories are folded to lower case rather than refused.
    assert (await create(client, admin_headers, service("Loud", category="CMS")))["category"] == (
        "cms"
    )


async def test_duplicate_names_or_slugs_conflict_and_create_nothing(client, admin_headers):
    first = await create(client, admin_headers, service("My App"))
    other = await create(client, admin_headers, service("Other App"))
    for body in (
        service("My App", slug="another-slug"),
        service("my app", slug="another-slug"),  # names differing only in case
        service("Brand New", slug="my-app"),
        service("My  App!"),  # derives the taken slug "my-app"
    ):
        status, got = await call(client, "POST", "/services", json=body, headers=admin_headers)
        assert (status, got["code"]) == (409, "CONFLICT"), body
    assert await admin_total(client, admin_headers) == 2

    for change in ({"name": "My App"}, {"slug": "my-app"}):
        status, got = await call(
            client, "PUT", f"/services/{other['id']}", json=change, headers=admin_headers
        )
        assert (status, got["code"]) == (409, "CONFLICT"), change
    _, got = await call(client, "GET", f"/services/{other['id']}", headers=admin_headers)
    assert (got["data"]["name"], got["data"]["slug"]) == ("Other App", "other-app")
    # Keeping one's own name and slug is no conflict.
    status, _ = await call(
        client,
        "PUT",
        f"/services/{first['id']}",
        json={"name": "My App", "slug": "my-app"},
        headers=admin_headers,
    )
    assert status == 200


async def test_put_changes_only_the_fields_given(client, admin_headers):
    made = await create(client, admin_headers, service())
    path = f"/services/{made['id']}"

    status, body = await call(
        client, "PUT", path, json={"pricing": {"monthly": 100}}, headers=admin_headers
    )
    assert status == 200, body
    updated = body["data"]
    assert updated["pricing"] == {"monthly": 100, "usage": None}
    unchanged = {k: v for k, v in updated.items() if k not in ("pricing", "updatedAt")}
    assert unchanged == {k: v for k, v in made.items() if k not in ("pricing", "updatedAt")}

    bigger = template(
        resources={"requests": {"cpu": 0.5, "memory": 256}, "limits": {"cpu": 2, "memory": 2048}},
        volume=None,
        env=[],
    )
    status, body = await call(client, "PUT", path, json={"template": bigger}, headers=admin_headers)
    assert status == 200, body
    assert body["data"]["resources"] == {"cpu": 2.0, "memory": 2048, "storage": 0}
    assert body["data"]["settings"] == []
    assert body["data"]["name"] == "Example App"

    status, body = await call(
        client, "PUT", path, json={"status": "INACTIVE"}, headers=admin_headers
    )
    assert status == 200 and body["data"]["status"] == "INACTIVE"
    assert (await call(client, "GET", f"/services/public/{made['id']}"))[0] == 404

    for bad, field in (
        ({}, "body"),
        ({"name": None}, "name"),
        ({"pricing": {"monthly": -5}}, "pricing.monthly"),
        ({"template": template(image="nope")}, "template.image"),
        ({"id": made["id"]}, "id"),
    ):
        status, body = await call(client, "PUT", path, json=bad, headers=admin_headers)
        assert status == 400, (bad, body)
        assert field in [e["field"] for e in body["errors"]], (bad, body["errors"])
    _, body = await call(client, "GET", path, headers=admin_headers)
    assert body["data"]["status"] == "INACTIVE" and body["data"]["pricing"] == {
        "monthly": 100,
        "usage": None,
    }
    for missing in (str(uuid.uuid4()), "nope"):
        status, _ = await call(
            client, "PUT", f"/services/{missing}", json={"version": "9"}, headers=admin_headers
        )
        assert status == 404


async def test_delete_is_refused_while_a_subscription_is_live(client, admin_headers):
    made = await create(client, admin_headers, service())
    path = f"/services/{made['id']}"
    subscription = await subscribe(made["id"], SubscriptionStatus.PENDING)
    for live in (
        SubscriptionStatus.PENDING,
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.SUSPENDED,
    ):
        subscription.status = live
        await subscription.save()
        status, body = await call(client, "DELETE", path, headers=admin_headers)
        assert (status, body["code"]) == (409, "CONFLICT"), live
        assert "INACTIVE" in body["message"]
    assert (await call(client, "GET", path, headers=admin_headers))[0] == 200

    subscription.status = SubscriptionStatus.CANCELLED
    await subscription.save()
    await subscribe(made["id"], SubscriptionStatus.EXPIRED)
    status, body = await call(client, "DELETE", path, headers=admin_headers)
    assert status == 200, body
    assert (await call(client, "GET", path, headers=admin_headers))[0] == 404
    assert (await call(client, "DELETE", path, headers=admin_headers))[0] == 404


async def test_every_default_template_round_trips_through_post(client, admin_headers):
    for entry in DEFAULT_CATALOG:
        made = await create(client, admin_headers, default_entry(entry["slug"]))
        assert made["template"] == entry["template"].wire()
        assert made["resources"] == entry["resources"].wire()
        _, got = await call(client, "GET", f"/services/{made['id']}", headers=admin_headers)
        assert got["data"] == made


# --- the seed's shape: resources without a template --------------------------------

# The seed README's POST /services example, verbatim: the figures as text, no template.
SEED_EXAMPLE: dict[str, Any] = {
    "name": "N8N Automation",
    "description": "Workflow automation platform",
    "category": "automation",
    "version": "1.0.0",
    "status": "ACTIVE",
    "pricing": {"monthly": 25000},
    "resources": {"cpu": "1 vCPU", "memory": "1GB RAM", "storage": "10GB SSD"},
}


async def test_the_seed_example_is_listed_but_not_subscribable_until_it_has_a_template(
    client, admin_headers, user_headers
):
    made = await create(client, admin_headers, SEED_EXAMPLE)
    # GB are read as 1024 MB, as the API's MB are MiB.
    assert made["resources"] == {"cpu": 1.0, "memory": 1024, "storage": 10240}
    assert (made["template"], made["subscribable"], made["settings"]) == (None, False, [])

    _, public = await call(client, "GET", "/services/public")
    (listed,) = public["data"]["services"]
    assert (listed["id"], listed["subscribable"]) == (made["id"], False)
    assert listed["resources"] == made["resources"]

    status, body = await call(
        client, "POST", "/subscriptions", json={"serviceId": made["id"]}, headers=user_headers
    )
    assert (status, body["code"]) == (409, "CONFLICT"), body
    assert "template" in body["message"]
    assert await Subscription.all().count() == 0

    status, body = await call(
        client,
        "PUT",
        f"/services/{made['id']}",
        json={"template": template()},
        headers=admin_headers,
    )
    assert status == 200, body
    # From now on the figures are the template's: what is sold is what the pod gets.
    assert body["data"]["resources"] == {"cpu": 1.0, "memory": 512, "storage": 2048}
    assert body["data"]["subscribable"] is True
    await fund(client, "user@paas.com", body["data"]["pricing"]["monthly"])
    status, body = await call(
        client, "POST", "/subscriptions", json={"serviceId": made["id"]}, headers=user_headers
    )
    assert status == 201, body


async def test_resources_are_taken_as_numbers_or_as_text_with_units(client, admin_headers):
    cases = [
        ({"cpu": 0.5, "memory": 512, "storage": 0}, {"cpu": 0.5, "memory": 512, "storage": 0}),
        (
            {"cpu": "500m", "memory": "1.5 GiB", "storage": "2 TB HDD"},
            {"cpu": 0.5, "memory": 1536, "storage": 2 * 1024 * 1024},
        ),
        (
            {"cpu": "2 cores", "memory": "256MB", "storage": "100"},
            {"cpu": 2.0, "memory": 256, "storage": 100},
        ),
    ]
    for n, (given, stored) in enumerate(cases):
        body = {**SEED_EXAMPLE, "name": f"Sized {n}", "resources": given}
        assert (await create(client, admin_headers, body))["resources"] == stored, given


async def test_unreadable_or_missing_resources_are_refused_on_the_field(client, admin_headers):
    without_template = {k: v for k, v in service().items() if k != "template"}
    for body, field in (
        ({**SEED_EXAMPLE, "resources": {**SEED_EXAMPLE["resources"], "cpu": "fast"}}, "cpu"),
        ({**SEED_EXAMPLE, "resources": {**SEED_EXAMPLE["resources"], "memory": "lots"}}, "memory"),
        (
            {**SEED_EXAMPLE, "resources": {**SEED_EXAMPLE["resources"], "storage": "-1GB"}},
            "storage",
        ),
        ({**SEED_EXAMPLE, "resources": {"cpu": "1 vCPU"}}, "memory"),
        (without_template, "resources"),
        # With a template the figures are derived from it; contradicting them is refused.
        (service("Both", resources={"cpu": 4, "memory": 512, "storage": 2048}), "resources"),
    ):
        status, got = await call(client, "POST", "/services", json=body, headers=admin_headers)
        assert (status, got["code"]) == (400, "VALIDATION_ERROR"), (body, got)
        fields = [e["field"] for e in got["errors"]]
        assert any(f == field or f.endswith("." + field) for f in fields), (field, fields)
    # Agreeing figures beside a template are accepted, so a client may send both.
    agreeing = service("Agreeing", resources={"cpu": "1 vCPU", "memory": "512MB", "storage": "2GB"})
    assert (await create(client, admin_headers, agreeing))["resources"]["memory"] == 512
    assert await admin_total(client, admin_headers) == 1


async def test_resources_of_a_service_without_template_can_be_changed(client, admin_headers):
    made = await create(client, admin_headers, SEED_EXAMPLE)
    path = f"/services/{made['id']}"
    status, body = await call(
        client,
        "PUT",
        path,
        json={"resources": {**SEED_EXAMPLE["resources"], "cpu": "2 vCPU"}},
        headers=admin_headers,
    )
    assert status == 200, body
    assert body["data"]["resources"] == {"cpu": 2.0, "memory": 1024, "storage": 10240}
    templated = await create(client, admin_headers, service())
    status, body = await call(
        client,
        "PUT",
        f"/services/{templated['id']}",
        json={"resources": {"cpu": 8, "memory": 1, "storage": 1}},
        headers=admin_headers,
    )
    assert (status, body["errors"][0]["field"]) == (400, "resources"), body
    status, body = await call(client, "PUT", path, json={"template": None}, headers=admin_headers)
    assert status == 400, body


async def test_the_openapi_document_shows_the_seed_example_and_how_resources_are_read(client):
    spec = await (await client.get(f"{API}/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    create_schema = schemas["ServiceCreate"]
    assert SEED_EXAMPLE in create_schema["examples"]
    assert "subscribed" in create_schema["properties"]["template"]["description"]
    sold = schemas[create_schema["properties"]["resources"]["anyOf"][0]["$ref"].rsplit("/", 1)[1]]
    for name, example in (("cpu", "1 vCPU"), ("memory", "1GB RAM"), ("storage", "10GB SSD")):
        prop = sold["properties"][name]
        assert {"type": "string"} in prop["anyOf"] and example in prop["examples"], prop
    assert "subscrib" in schemas["PublicServiceOut"]["properties"]["subscribable"]["description"]


# --- seeding and lookups -----------------------------------------------------------


async def test_seeding_twice_yields_exactly_the_three_default_services(client, admin_headers):
    assert await seed_catalog() == ["n8n", "ghost", "wordpress"]
    assert await seed_catalog() == []
    _, body = await call(
        client, "GET", "/services?sortBy=name&sortOrder=asc", headers=admin_headers
    )
    seeded = body["data"]["services"]
    assert [s["slug"] for s in seeded] == ["ghost", "n8n", "wordpress"]
    by_slug = {e["slug"]: e for e in DEFAULT_CATALOG}
    for got in seeded:
        assert got["template"] == by_slug[got["slug"]]["template"].wire()
        assert got["status"] == "ACTIVE"


async def test_seeding_skips_an_entry_whose_name_is_already_taken(client, admin_headers):
    await create(client, admin_headers, service("Ghost", slug="our-ghost"))
    assert await seed_catalog() == ["n8n", "wordpress"]
    assert await admin_total(client, admin_headers) == 3


async def test_active_service_gives_the_template_of_active_entries_only(client, admin_headers):
    live = await create(client, admin_headers, default_entry("ghost"))
    off = await create(client, admin_headers, service("Off", status="INACTIVE"))
    row, tmpl = await active_service(live["id"])
    assert str(row.id) == live["id"] and tmpl.image == "ghost:5-alpine"
    for missing in (off["id"], str(uuid.uuid4()), "garbage"):
        with pytest.raises(NotFound):
            await active_service(missing)


def test_seed_catalog_only_runs_in_production_and_creates_no_accounts(
    sqlite_template: Path, tmp_path: Path
):
    path = tmp_path / "prod.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite://{path}"
    production = {
        "MINISPOD_ENV": "production",
        "MINISPOD_JWT_SECRET": "p" * 48,
        "MINISPOD_SECRETS_KEY": TEST_SECRETS_KEY,
    }

    refused = run_cli("seed", database_url=url, **production)
    assert refused.returncode == 2 and "refused in production" in refused.stderr
    seeded = run_cli("seed", "--catalog-only", database_url=url, **production)
    assert seeded.returncode == 0, seeded.stderr
    assert "catalog created: n8n, ghost, wordpress" in seeded.stdout
    again = run_cli("seed", "--catalog-only", database_url=url, **production)
    assert again.returncode == 0 and "catalog already present" in again.stdout

    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM services").fetchone() == (3,)
        assert db.execute("SELECT COUNT(*) FROM users").fetchone() == (0,)
