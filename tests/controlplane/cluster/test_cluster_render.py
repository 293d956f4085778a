"""Rendering a tenant instance: valid Kubernetes objects, pinned, isolated, secrets kept secret."""

from __future__ import annotations

import base64
import json
from typing import Any

import kubernetes_validate
import pytest

from controlplane.cluster.render import (
    INSTANCE_LABEL,
    MANAGED_BY_LABEL,
    OWNER_LABEL,
    QUOTA_ANNOTATION,
    QuotaShare,
    quota_share,
    render,
)
from controlplane.cluster.spec import TenantSpec, app_name_for, namespace_for
from controlplane.services.catalog.templates import GHOST, N8N, WORDPRESS
from shared.wire.catalog import ServiceTemplate

from .conftest import OWNER, SpecFactory

# K3s releases in use; kubernetes-validate 1.37 ships schemas from 1.25 on.
K8S_VERSION = "1.30"
TEMPLATES = {"n8n": N8N, "ghost": GHOST, "wordpress": WORDPRESS}


def _one(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind]
    return found


def _containers(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    containers: list[dict[str, Any]] = _one(objects, "Deployment")["spec"]["template"]["spec"][
        "containers"
    ]
    return containers


@pytest.mark.parametrize("issuer", ["letsencrypt-prod", None], ids=["tls", "plain"])
@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_every_rendered_object_is_valid_for_kubernetes(
    make_spec: SpecFactory, slug: str, issuer: str | None
) -> None:
    spec = make_spec(TEMPLATES[slug], tls_issuer=issuer, ingress_class="traefik")
    objects = render(spec)
    assert objects
    for obj in objects:
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)


def test_the_validator_used_above_does_catch_a_misspelt_field(make_spec: SpecFactory) -> None:
    deployment = _one(render(make_spec()), "Deployment")
    deployment["spec"]["replica"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def test_objects_come_in_apply_order(make_spec: SpecFactory) -> None:
    kinds = [o["kind"] for o in render(make_spec(WORDPRESS))]
    assert kinds == [
        "Namespace",
        "RoleBinding",
        "ResourceQuota",
        "LimitRange",
        "NetworkPolicy",
        "Secret",
        "PersistentVolumeClaim",
        "PersistentVolumeClaim",
        "Deployment",
        "Service",
        "Ingress",
    ]


def test_a_template_without_generated_values_gets_no_secret(make_spec: SpecFactory) -> None:
    assert "Secret" not in [o["kind"] for o in render(make_spec(GHOST))]


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_the_deployment_is_pinned_to_the_placed_node_with_limits_and_probes(
    make_spec: SpecFactory, slug: str
) -> None:
    template = TEMPLATES[slug]
    deployment = _one(render(make_spec(template, node_name="worker-7")), "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["nodeSelector"]["kubernetes.io/hostname"] == "worker-7"
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    for container in pod["containers"]:
        assert set(container["resources"]) == {"requests", "limits"}
        assert set(container["resources"]["limits"]) == {"cpu", "memory"}
    main = pod["containers"][0]
    assert main["image"] == template.image
    assert main["ports"] == [
        {"name": "http", "containerPort": template.container_port, "protocol": "TCP"}
    ]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert main[probe]["httpGet"] == {"path": template.health_check_path, "port": "http"}


def test_requests_and_limits_are_rendered_as_kubernetes_quantities(make_spec: SpecFactory) -> None:
    main = _containers(render(make_spec(N8N)))[0]
    assert main["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }


def test_a_template_without_health_path_is_probed_on_its_port(make_spec: SpecFactory) -> None:
    template = N8N.model_copy(update={"health_check_path": None})
    main = _containers(render(make_spec(template)))[0]
    assert main["readinessProbe"]["tcpSocket"] == {"port": "http"}


def test_template_tolerations_and_node_selector_reach_the_pod(make_spec: SpecFactory) -> None:
    template = ServiceTemplate.model_validate(
        {
            **N8N.wire(),
            "nodeSelector": {"minispod.io/pool": "apps"},
            "tolerations": [
                {"key": "dedicated", "operator": "Equal", "value": "apps", "effect": "NoSchedule"}
            ],
        }
    )
    objects = render(make_spec(template, node_name="worker-2"))
    pod = _one(objects, "Deployment")["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {
        "minispod.io/pool": "apps",
        "kubernetes.io/hostname": "worker-2",
    }
    assert pod["tolerations"] == [
        {"key": "dedicated", "operator": "Equal", "value": "apps", "effect": "NoSchedule"}
    ]
    kubernetes_validate.validate(_one(objects, "Deployment"), K8S_VERSION, strict=True)


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_generated_secrets_reach_containers_only_through_secret_refs(
    make_spec: SpecFactory, slug: str
) -> None:
    spec = make_spec(TEMPLATES[slug])
    objects = render(spec)
    secret_values = set(spec.generated_secrets.values())
    dumped = json.dumps([o for o in objects if o["kind"] != "Secret"])
    for value in secret_values:
        assert value not in dumped
    generated = {v.name for v in spec.template.all_env() if v.generated}
    for container in _containers(objects):
        for var in container.get("env", []):
            if var["name"] in generated:
                ref = var["valueFrom"]["secretKeyRef"]
                assert ref["name"] == f"{spec.app_name}-secrets"
                assert "value" not in var
    if secret_values:
        data = _one(objects, "Secret")["data"]
        decoded = {k: base64.b64decode(v).decode() for k, v in data.items()}
        assert decoded == dict(spec.generated_secrets)


def test_wordpress_and_mariadb_read_the_same_password_key(make_spec: SpecFactory) -> None:
    app, db = _containers(render(make_spec(WORDPRESS)))
    app_ref = {e["name"]: e for e in app["env"]}["WORDPRESS_DB_PASSWORD"]["valueFrom"]
    db_ref = {e["name"]: e for e in db["env"]}["MARIADB_PASSWORD"]["valueFrom"]
    assert app_ref == db_ref
    assert db["volumeMounts"] == [{"name": "mariadb-data", "mountPath": "/var/lib/mysql"}]


def test_placeholders_become_the_instance_url(make_spec: SpecFactory) -> None:
    env = {e["name"]: e.get("value") for e in _containers(render(make_spec(N8N)))[0]["env"]}
    assert env["N8N_HOST"] == "myapp.apps.example.com"
    assert env["WEBHOOK_URL"] == "https://myapp.apps.example.com/"
    assert env["N8N_PROTOCOL"] == "https"
    assert env["N8N_SECURE_COOKIE"] == "true"
    assert env["N8N_PORT"] == "5678"
    plain = {
        e["name"]: e.get("value")
        for e in _containers(render(make_spec(N8N, tls_issuer=None)))[0]["env"]
    }
    assert plain["WEBHOOK_URL"] == "http://myapp.apps.example.com/"
    assert plain["N8N_SECURE_COOKIE"] == "false"


def test_the_ingress_serves_the_subdomain_with_tls_when_an_issuer_is_set(
    make_spec: SpecFactory,
) -> None:
    spec = make_spec(GHOST, subdomain="blog", base_domain="paas.example.org")
    ingress = _one(render(spec), "Ingress")
    assert [r["host"] for r in ingress["spec"]["rules"]] == ["blog.paas.example.org"]
    assert ingress["metadata"]["annotations"] == {
        "cert-manager.io/cluster-issuer": "letsencrypt-prod"
    }
    assert ingress["spec"]["tls"] == [
        {"hosts": ["blog.paas.example.org"], "secretName": f"{spec.app_name}-tls"}
    ]
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": spec.app_name, "port": {"name": "http"}}


def test_without_an_issuer_the_ingress_has_no_tls(make_spec: SpecFactory) -> None:
    ingress = _one(render(make_spec(GHOST, tls_issuer=None)), "Ingress")
    assert "tls" not in ingress["spec"]
    assert "annotations" not in ingress["metadata"]
    assert ingress["spec"]["rules"][0]["host"] == "myapp.apps.example.com"


def test_customer_env_overrides_apply_to_settable_names_literally(make_spec: SpecFactory) -> None:
    spec = make_spec(N8N, env_overrides={"GENERIC_TIMEZONE": "Asia/Jakarta {url}"})
    env = {e["name"]: e.get("value") for e in _containers(render(spec))[0]["env"]}
    assert env["GENERIC_TIMEZONE"] == "Asia/Jakarta {url}"
    assert env["TZ"] == "UTC"


@pytest.mark.parametrize("name", ["N8N_ENCRYPTION_KEY", "N8N_HOST", "LD_PRELOAD"])
def test_customer_env_overrides_of_other_names_are_refused(
    make_spec: SpecFactory, name: str
) -> None:
    with pytest.raises(ValueError, match="cannot be set by the customer"):
        make_spec(N8N, env_overrides={name: "x"})


def test_every_object_is_labelled_for_finding_and_removing(make_spec: SpecFactory) -> None:
    spec = make_spec(WORDPRESS, instance_id="inst-42")
    for obj in render(spec):
        labels = obj["metadata"]["labels"]
        assert labels[MANAGED_BY_LABEL] == "minispod"
        assert labels[OWNER_LABEL] == OWNER
        if obj["kind"] in ("Namespace", "RoleBinding", "ResourceQuota", "LimitRange"):
            # Shared by the customer's instances: they go with the namespace.
            assert INSTANCE_LABEL not in labels
        else:
            assert labels[INSTANCE_LABEL] == "inst-42"
            assert obj["metadata"]["namespace"] == spec.namespace
    pod_labels = _one(render(spec), "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert pod_labels[INSTANCE_LABEL] == "inst-42"


def test_names_are_deterministic_and_dns_safe(make_spec: SpecFactory) -> None:
    spec = make_spec(WORDPRESS, instance_id="7d1e2f3a-1111-4222-8333-444455556666")
    again = TenantSpec.for_instance(
        owner_id=spec.owner_id,
        instance_id=spec.instance_id,
        subscription_id=spec.subscription_id,
        subdomain=spec.subdomain,
        base_domain=spec.base_domain,
        node_name=spec.node_name,
        template=spec.template,
        generated_secrets=spec.generated_secrets,
        tls_issuer=spec.tls_issuer,
    )
    assert render(spec) == render(again)
    assert spec.namespace == f"tenant-{OWNER}"
    assert spec.app_name == "app-7d1e2f3a-1111-4222-8333-444455556666"
    names = [o["metadata"]["name"] for o in render(spec)]
    assert all(len(n) <= 63 for n in names)


@pytest.mark.parametrize("raw", ["A" * 80, "Owner_With.Odd*Chars", "x" * 60, "42"])
def test_odd_ids_still_give_valid_distinct_names(raw: str) -> None:
    namespace, app = namespace_for(raw), app_name_for(raw)
    for name, limit in ((namespace, 63), (app, 40)):
        assert len(name) <= limit
        assert name == name.lower()
        assert name[0].isalpha()
        assert name[-1].isalnum()
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


def test_ids_that_differ_only_in_odd_characters_get_different_names() -> None:
    assert namespace_for("Owner_1") != namespace_for("owner-1")
    assert app_name_for("a.b") != app_name_for("a-b")
    assert app_name_for("x" * 60) != app_name_for("x" * 61)


def test_the_pod_runs_each_image_as_its_own_user(make_spec: SpecFactory) -> None:
    n8n = _one(render(make_spec(N8N)), "Deployment")["spec"]["template"]["spec"]
    assert n8n["securityContext"]["fsGroup"] == 1000
    main = n8n["containers"][0]["securityContext"]
    assert main["runAsUser"] == 1000
    assert main["runAsNonRoot"] is True
    assert main["capabilities"] == {"drop": ["ALL"]}
    assert n8n["automountServiceAccountToken"] is False
    assert n8n["enableServiceLinks"] is False
    wordpress = _one(render(make_spec(WORDPRESS)), "Deployment")["spec"]["template"]["spec"]
    for container in wordpress["containers"]:
        context = container["securityContext"]
        assert "runAsUser" not in context
        assert context["allowPrivilegeEscalation"] is False
    assert "fsGroup" not in wordpress["securityContext"]


def test_claims_are_sized_from_the_template(make_spec: SpecFactory) -> None:
    spec = make_spec(WORDPRESS, storage_class="local-path")
    claims = {
        o["metadata"]["name"]: o["spec"]
        for o in render(spec)
        if o["kind"] == "PersistentVolumeClaim"
    }
    assert claims == {
        f"{spec.app_name}-data": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "10Gi"}},
            "storageClassName": "local-path",
        },
        f"{spec.app_name}-mariadb-data": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "5Gi"}},
            "storageClassName": "local-path",
        },
    }


def test_the_network_policy_admits_only_the_ingress_controller_and_the_tenant(
    make_spec: SpecFactory,
) -> None:
    policy = _one(render(make_spec(WORDPRESS, ingress_namespace="traefik")), "NetworkPolicy")
    spec = policy["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    (rule,) = spec["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 80}]  # never MariaDB's 3306
    assert {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}}
    } in rule["from"]
    assert {"podSelector": {}} in rule["from"]
    internet = spec["egress"][-1]["to"][0]["ipBlock"]
    assert internet["cidr"] == "0.0.0.0/0"
    # Pod and service networks of K3s (10.42/16, 10.43/16) and node LANs stay closed.
    assert {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} <= set(internet["except"])


def test_the_quota_covers_this_instance_and_its_siblings(make_spec: SpecFactory) -> None:
    own = quota_share(N8N)
    sibling = quota_share(WORDPRESS)
    objects = render(make_spec(N8N), siblings=[sibling])
    hard = _one(objects, "ResourceQuota")["spec"]["hard"]
    assert hard["limits.cpu"] == f"{own.cpu_limits_m + sibling.cpu_limits_m}m"
    assert hard["requests.memory"] == f"{256 + 512}Mi"
    assert hard["requests.storage"] == f"{5120 + 15360}Mi"
    assert hard["persistentvolumeclaims"] == "3"
    assert hard["services.nodeports"] == "0"
    annotation = _one(objects, "Deployment")["metadata"]["annotations"][QUOTA_ANNOTATION]
    assert QuotaShare.from_annotation(annotation) == own


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"subdomain": "Not_A_Label"}, "subdomain"),
        ({"node_name": "Worker 1"}, "node_name"),
        ({"instance_id": "x" * 64}, "instance_id"),
        ({"base_domain": "-bad-.example.com"}, "host"),
    ],
)
def test_a_spec_that_cannot_be_rendered_is_refused(
    make_spec: SpecFactory, overrides: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        make_spec(**overrides)


def test_for_instance_keeps_given_secrets_and_generates_missing_ones(
    make_spec: SpecFactory,
) -> None:
    spec = make_spec(WORDPRESS, generated_secrets={"db-password": "kept-value"})
    assert spec.generated_secrets["db-password"] == "kept-value"
    assert len(spec.generated_secrets["db-root-password"]) == 32
    assert len(make_spec(N8N).generated_secrets["N8N_ENCRYPTION_KEY"]) == 32


def test_a_spec_built_by_hand_must_carry_every_generated_secret(make_spec: SpecFactory) -> None:
    spec = make_spec(WORDPRESS)
    fields = {f: getattr(spec, f) for f in spec.__dataclass_fields__}
    fields["generated_secrets"] = {"db-password": "x"}
    with pytest.raises(ValueError, match="db-root-password"):
        TenantSpec(**fields)
