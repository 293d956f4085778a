"""The services MinisPod sells out of the box (n8n, Ghost, WordPress) and how each one runs.

Env values may use the placeholders of `shared.wire.catalog.PLACEHOLDERS`
({url}, {host}, {protocol}, {tls}, {port}); the cluster gateway fills them in
per instance. Generated variables ("password": 32 URL-safe characters,
"hex32": 32 hex digits) are created once per instance and stored in its
Secret, never in the pod spec.
"""

from __future__ import annotations

from typing import Any

from shared.wire.catalog import (
    CompanionContainer,
    ContainerResources,
    EnvVar,
    ResourceAmounts,
    ServiceTemplate,
    Volume,
    catalog_resources,
)


def _resources(cpu_req: float, mem_req: int, cpu_lim: float, mem_lim: int) -> ContainerResources:
    return ContainerResources(
        requests=ResourceAmounts(cpu=cpu_req, memory=mem_req),
        limits=ResourceAmounts(cpu=cpu_lim, memory=mem_lim),
    )


# n8n runs as the image's `node` user (1000); fsGroup makes its volume writable.
N8N = ServiceTemplate(
    image="n8nio/n8n:1.116.2",
    container_port=5678,
    env=[
        EnvVar(name="N8N_HOST", value="{host}"),
        EnvVar(name="N8N_PORT", value="{port}"),
        EnvVar(name="N8N_PROTOCOL", value="{protocol}"),
        EnvVar(name="WEBHOOK_URL", value="{url}/"),
        EnvVar(name="N8N_EDITOR_BASE_URL", value="{url}/"),
        # Secure cookies need HTTPS; without a certificate n8n's login would refuse them.
        EnvVar(name="N8N_SECURE_COOKIE", value="{tls}"),
        # One ingress hop in front: trust its X-Forwarded-For.
        EnvVar(name="N8N_PROXY_HOPS", value="1"),
        EnvVar(name="N8N_ENCRYPTION_KEY", generated="hex32"),
        EnvVar(name="N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS", value="true"),
        EnvVar(name="N8N_RUNNERS_ENABLED", value="true"),
        EnvVar(name="N8N_DIAGNOSTICS_ENABLED", value="false"),
        EnvVar(name="GENERIC_TIMEZONE", value="UTC", customer_settable=True),
        EnvVar(name="TZ", value="UTC", customer_settable=True),
    ],
    resources=_resources(0.25, 256, 1.0, 1024),
    volume=Volume(size_mb=5120, mount_path="/home/node/.n8n"),
    health_check_path="/healthz",
    run_as_user=1000,
    run_as_group=1000,
    fs_group=1000,
)

# Ghost on SQLite in its content volume: the official image is configured for
# SQLite already, and a MySQL companion would triple the memory of a small blog.
# The image's entrypoint skips its chown when started as `node` (1000).
GHOST = ServiceTemplate(
    image="ghost:5-alpine",
    container_port=2368,
    env=[
        EnvVar(name="url", value="{url}"),
        EnvVar(name="NODE_ENV", value="production"),
        EnvVar(name="server__host", value="0.0.0.0"),
        EnvVar(name="server__port", value="{port}"),
        EnvVar(name="database__client", value="sqlite3"),
        EnvVar(name="database__connection__filename", value="/var/lib/ghost/content/data/ghost.db"),
        EnvVar(name="database__useNullAsDefault", value="true"),
        EnvVar(name="database__debug", value="false"),
    ],
    resources=_resources(0.1, 256, 1.0, 768),
    volume=Volume(size_mb=5120, mount_path="/var/lib/ghost/content"),
    health_check_path="/ghost/api/admin/site/",
    run_as_user=1000,
    run_as_group=1000,
    fs_group=1000,
)

# WordPress with MariaDB beside it in the pod. Both official images start as
# root (Apache binds :80, the entrypoints chown their volumes) and drop to
# www-data / mysql themselves, so no user is forced on them.
WORDPRESS = ServiceTemplate(
    image="wordpress:6-apache",
    container_port=80,
    env=[
        EnvVar(name="WORDPRESS_DB_HOST", value="127.0.0.1:3306"),
        EnvVar(name="WORDPRESS_DB_NAME", value="wordpress"),
        EnvVar(name="WORDPRESS_DB_USER", value="wordpress"),
        EnvVar(name="WORDPRESS_DB_PASSWORD", generated="password", secret_key="db-password"),  # noqa: S106
        EnvVar(
            name="WORDPRESS_CONFIG_EXTRA",
            value="define('WP_HOME', '{url}'); define('WP_SITEURL', '{url}');",
        ),
    ],
    resources=_resources(0.1, 256, 1.0, 512),
    volume=Volume(size_mb=10240, mount_path="/var/www/html"),
    health_check_path="/wp-login.php",
    companions=[
        CompanionContainer(
            name="mariadb",
            image="mariadb:11.4",
            port=3306,
            env=[
                EnvVar(name="MARIADB_DATABASE", value="wordpress"),
                EnvVar(name="MARIADB_USER", value="wordpress"),
                EnvVar(name="MARIADB_PASSWORD", generated="password", secret_key="db-password"),  # noqa: S106
                EnvVar(
                    name="MARIADB_ROOT_PASSWORD",
                    generated="password",
                    secret_key="db-root-password",  # noqa: S106
                ),
                # Upgrades the system tables when a newer 11.4 patch image starts.
                EnvVar(name="MARIADB_AUTO_UPGRADE", value="1"),
            ],
            volume=Volume(size_mb=5120, mount_path="/var/lib/mysql"),
            resources=_resources(0.1, 256, 0.5, 512),
        )
    ],
)


def _entry(
    name: str,
    slug: str,
    description: str,
    category: str,
    version: str,
    monthly: int,
    template: ServiceTemplate,
) -> dict[str, Any]:
    return {
        "name": name,
        "slug": slug,
        "description": description,
        "category": category,
        "version": version,
        "pricing": {"monthly": monthly},
        "resources": catalog_resources(template),
        "template": template,
    }


# What `minispod-controlplane seed` inserts. `resources` is derived from the
# template (limits and storage), so the advertised figures never drift from
# what the pod gets.
DEFAULT_CATALOG: list[dict[str, Any]] = [
    _entry(
        "N8N Automation",
        "n8n",
        "Workflow automation platform: connect apps and APIs with visual workflows.",
        "automation",
        "1.116.2",
        25000,
        N8N,
    ),
    _entry(
        "Ghost",
        "ghost",
        "Modern publishing platform for blogs and newsletters.",
        "cms",
        "5",
        20000,
        GHOST,
    ),
    _entry(
        "WordPress",
        "wordpress",
        "The world's most popular website and blog platform, with its own MariaDB.",
        "cms",
        "6",
        30000,
        WORDPRESS,
    ),
]
