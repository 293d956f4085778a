"""The catalog's templates: the three default services, and what a template may not say."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from controlplane.services.catalog.templates import DEFAULT_CATALOG, GHOST, N8N, WORDPRESS
from shared.wire.catalog import (
    CatalogResources,
    ServiceTemplate,
    catalog_resources,
    requested_resources,
)


def _template(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "image": "example/app:1.2.3",
        "containerPort": 8080,
        "resources": {"requests": {"cpu": 0.1, "memory": 128}, "limits": {"cpu": 1, "memory": 512}},
    }
    base.update(changes)
    return base


def test_default_catalog_lists_n8n_ghost_and_wordpress_with_everything_the_seed_needs() -> None:
    assert [e["slug"] for e in DEFAULT_CATALOG] == ["n8n", "ghost", "wordpress"]
    for entry in DEFAULT_CATALOG:
        assert set(entry) >= {"name", "slug", "description", "category", "version", "pricing"}
        assert isinstance(entry["pricing"]["monthly"], int)
        assert entry["pricing"]["monthly"] > 0
        assert isinstance(entry["template"], ServiceTemplate)
        assert entry["resources"] == catalog_resources(entry["template"])


def test_every_default_image_is_pinned_to_a_tag() -> None:
    images = [t.image for t in (N8N, GHOST, WORDPRESS)] + [
        c.image for t in (N8N, GHOST, WORDPRESS) for c in t.companions
    ]
    assert images == ["n8nio/n8n:1.116.2", "ghost:5-alpine", "wordpress:6-apache", "mariadb:11.4"]


def test_n8n_keeps_its_data_and_generates_its_encryption_key() -> None:
    env = {e.name: e for e in N8N.env}
    assert N8N.container_port == 5678
    assert N8N.volume is not None
    assert N8N.volume.mount_path == "/home/node/.n8n"
    assert N8N.health_check_path == "/healthz"
    assert env["N8N_ENCRYPTION_KEY"].generated == "hex32"
    assert env["GENERIC_TIMEZONE"].customer_settable
    assert env["WEBHOOK_URL"].value == "{url}/"
    assert (N8N.run_as_user, N8N.fs_group) == (1000, 1000)


def test_ghost_runs_on_sqlite_in_its_content_volume() -> None:
    env = {e.name: e.value for e in GHOST.env}
    assert GHOST.container_port == 2368
    assert GHOST.volume is not None
    assert GHOST.volume.mount_path == "/var/lib/ghost/content"
    assert env["database__client"] == "sqlite3"
    assert env["database__connection__filename"].startswith("/var/lib/ghost/content/")
    assert env["url"] == "{url}"
    assert GHOST.companions == []


def test_wordpress_and_its_mariadb_share_one_generated_password() -> None:
    (db,) = WORDPRESS.companions
    app_env = {e.name: e for e in WORDPRESS.env}
    db_env = {e.name: e for e in db.env}
    assert WORDPRESS.container_port == 80
    assert app_env["WORDPRESS_DB_HOST"].value == "127.0.0.1:3306"
    assert db.port == 3306
    assert db.volume is not None
    assert db.volume.mount_path == "/var/lib/mysql"
    assert app_env["WORDPRESS_DB_PASSWORD"].key == db_env["MARIADB_PASSWORD"].key
    assert db_env["MARIADB_ROOT_PASSWORD"].key != db_env["MARIADB_PASSWORD"].key
    assert WORDPRESS.secret_kinds() == {"db-password": "password", "db-root-password": "password"}
    # WordPress's Apache must start as root to bind :80 and chown its files.
    assert WORDPRESS.run_as_user is None


def test_catalog_resources_sum_limits_and_storage_over_all_containers() -> None:
    assert catalog_resources(WORDPRESS) == CatalogResources(cpu=1.5, memory=1024, storage=15360)
    assert requested_resources(WORDPRESS) == CatalogResources(cpu=0.2, memory=512, storage=15360)
    assert catalog_resources(N8N).wire() == {"cpu": 1.0, "memory": 1024, "storage": 5120}


def test_a_template_survives_the_json_round_trip_in_camel_case() -> None:
    wire = WORDPRESS.wire()
    assert wire["containerPort"] == 80
    assert wire["companions"][0]["volume"]["sizeMb"] == 5120
    assert ServiceTemplate.model_validate(wire) == WORDPRESS


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"image": "example/app"}, "must carry a tag"),
        ({"image": "example/app:latest"}, "other than 'latest'"),
        ({"image": "registry:5000/app"}, "must carry a tag"),
        ({"containerPort": 0}, "greater than or equal to 1"),
        ({"containerPort": 70000}, "less than or equal to 65535"),
        (
            {"env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]},
            "duplicate env names",
        ),
        ({"env": [{"name": "1BAD"}]}, "should match pattern"),
        ({"env": [{"name": "A", "value": "{nope}"}]}, "unknown placeholder"),
        ({"env": [{"name": "A", "generated": "password", "value": "x"}]}, "no fixed value"),
        (
            {"env": [{"name": "A", "generated": "password", "customerSettable": True}]},
            "not customer-settable",
        ),
        ({"env": [{"name": "A", "secretKey": "k"}]}, "only for generated"),
        (
            {
                "resources": {
                    "requests": {"cpu": 2, "memory": 128},
                    "limits": {"cpu": 1, "memory": 512},
                }
            },
            "requests.cpu exceeds limits.cpu",
        ),
        (
            {
                "resources": {
                    "requests": {"cpu": 0.1, "memory": 1024},
                    "limits": {"cpu": 1, "memory": 512},
                }
            },
            "requests.memory exceeds limits.memory",
        ),
        ({"healthCheckPath": "healthz"}, "should match pattern"),
        ({"volume": {"sizeMb": 1024, "mountPath": "data"}}, "should match pattern"),
        ({"volume": {"sizeMb": 0, "mountPath": "/data"}}, "greater than or equal to 1"),
        ({"unknownField": 1}, "Extra inputs are not permitted"),
    ],
)
def test_a_template_that_cannot_run_is_refused(changes: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        ServiceTemplate.model_validate(_template(**changes))


def _companion(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "db",
        "image": "mariadb:11.4",
        "port": 3306,
        "resources": {"requests": {"cpu": 0.1, "memory": 128}, "limits": {"cpu": 1, "memory": 512}},
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("companions", "complaint"),
    [
        ([_companion(name="app")], "reserved for the main container"),
        ([_companion(), _companion()], "companion names must be unique"),
        ([_companion(port=8080)], "ports must be unique"),
        (
            [
                _companion(env=[{"name": "P", "generated": "password", "secretKey": "k"}]),
                _companion(
                    name="cache",
                    port=6379,
                    env=[{"name": "Q", "generated": "hex32", "secretKey": "k"}],
                ),
            ],
            "two different kinds",
        ),
    ],
)
def test_companions_that_would_clash_in_the_pod_are_refused(
    companions: list[dict[str, Any]], complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        ServiceTemplate.model_validate(_template(companions=companions))


def test_an_image_pinned_by_digest_is_accepted() -> None:
    digest = "sha256:" + "a" * 64
    template = ServiceTemplate.model_validate(_template(image=f"example/app@{digest}"))
    assert template.image.endswith(digest)
