"""Turns a TenantSpec into the Kubernetes objects that run it, in the order they are applied.

Two kinds of objects come out:
- tenant objects, shared by every instance of one customer: the Namespace,
  the RoleBinding that lets the control plane manage what is in it, its
  ResourceQuota and LimitRange. They carry the owner label, not an instance
  label, and go away with the namespace when its last instance is deleted
  (an instance label on them would let deleting one instance strip the quota
  from its siblings).
- instance objects, labelled `minispod.io/instance=<id>`: NetworkPolicy,
  Secret, PVCs, Deployment, Service, Ingress.

The quota of a namespace is the sum of the shares of its instances; each
Deployment records its own share in an annotation so the gateway can recompute
the sum from what the cluster holds (`render(spec, siblings=...)`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from controlplane.cluster.quantity import cpu_quantity, memory_quantity
from controlplane.cluster.spec import TenantSpec
from shared.wire.catalog import (
    MAIN_CONTAINER,
    PLACEHOLDER_PATTERN,
    CompanionContainer,
    ContainerResources,
    EnvVar,
    ServiceTemplate,
)

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGER = "minispod"
OWNER_LABEL = "minispod.io/owner"
INSTANCE_LABEL = "minispod.io/instance"
SUBSCRIPTION_LABEL = "minispod.io/subscription"
QUOTA_ANNOTATION = "minispod.io/quota-share"
SECRET_HASH_ANNOTATION = "minispod.io/secret-hash"  # noqa: S105 (a name, not a secret)
RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
HOSTNAME_LABEL = "kubernetes.io/hostname"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

# Who the control plane is in the cluster, and the ClusterRole it holds inside each
# tenant namespace only (deploy/base/controlplane-rbac.yaml declares both; a test holds
# them equal).
CONTROLLER_NAMESPACE = "minispod-system"
CONTROLLER_SERVICE_ACCOUNT = "minispod-controlplane"
TENANT_ROLE = "minispod-tenant"
ACCESS_BINDING_NAME = "minispod-controlplane"

QUOTA_NAME = "tenant-quota"
LIMIT_RANGE_NAME = "tenant-limits"
HTTP_PORT_NAME = "http"
SERVICE_PORT = 80

# Kinds in apply order; deletion walks it backwards. The first two are what gives
# the control plane access to the namespace: they are applied before it reads there.
ACCESS_KINDS = ("Namespace", "RoleBinding")
TENANT_KINDS = (*ACCESS_KINDS, "ResourceQuota", "LimitRange")
INSTANCE_KINDS = (
    "NetworkPolicy",
    "Secret",
    "PersistentVolumeClaim",
    "Deployment",
    "Service",
    "Ingress",
)

# Egress to these never leaves the cluster's private networks: pod and service
# CIDRs (K3s: 10.42/16, 10.43/16), node LANs, CGNAT overlays, link-local
# metadata endpoints. Everything else is the internet.
PRIVATE_V4 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16")
PRIVATE_V6 = ("fc00::/7", "fe80::/10")

# Two pods per instance: Recreate waits for the old pod, but an evicted pod
# on a lost node can linger while its replacement starts elsewhere.
PODS_PER_INSTANCE = 2


@dataclass(frozen=True)
class QuotaShare:
    """One instance's part of its namespace's ResourceQuota (millicores, MB, counts)."""

    cpu_requests_m: int = 0
    cpu_limits_m: int = 0
    memory_requests_mb: int = 0
    memory_limits_mb: int = 0
    storage_mb: int = 0
    pvcs: int = 0
    pods: int = 0
    services: int = 0

    def __add__(self, other: QuotaShare) -> QuotaShare:
        return QuotaShare(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def to_annotation(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_annotation(cls, raw: str | None) -> QuotaShare | None:
        """The share recorded on a Deployment; None when absent or unreadable."""
        if not raw:
            return None
        try:
            data = json.loads(raw)
            return cls(**{f.name: int(data.get(f.name, 0)) for f in fields(cls)})
        except (ValueError, TypeError, AttributeError):
            return None


def quota_share(template: ServiceTemplate) -> QuotaShare:
    containers = [template.resources] + [c.resources for c in template.companions]
    volumes = [v for v in [template.volume, *(c.volume for c in template.companions)] if v]
    return QuotaShare(
        cpu_requests_m=sum(round(r.requests.cpu * 1000) for r in containers),
        cpu_limits_m=sum(round(r.limits.cpu * 1000) for r in containers),
        memory_requests_mb=sum(r.requests.memory for r in containers),
        memory_limits_mb=sum(r.limits.memory for r in containers),
        storage_mb=sum(v.size_mb for v in volumes),
        pvcs=len(volumes),
        pods=PODS_PER_INSTANCE,
        services=1,
    )


def quota_share_of(deployment: dict[str, Any]) -> QuotaShare | None:
    annotations = deployment.get("metadata", {}).get("annotations") or {}
    return QuotaShare.from_annotation(annotations.get(QUOTA_ANNOTATION))


def tenant_labels(owner_id: str) -> dict[str, str]:
    return {MANAGED_BY_LABEL: MANAGER, OWNER_LABEL: owner_id}


def instance_labels(spec: TenantSpec) -> dict[str, str]:
    return {
        **tenant_labels(spec.owner_id),
        INSTANCE_LABEL: spec.instance_id,
        SUBSCRIPTION_LABEL: spec.subscription_id,
        "app.kubernetes.io/name": _image_name(spec.template.image),
        "app.kubernetes.io/instance": spec.app_name,
    }


def _image_name(image: str) -> str:
    return image.split("@")[0].rsplit("/", 1)[-1].split(":")[0][:63].strip("-._") or "app"


def secret_name(app_name: str) -> str:
    return f"{app_name}-secrets"


def tls_secret_name(app_name: str) -> str:
    return f"{app_name}-tls"


def claim_name(app_name: str, companion: str | None = None) -> str:
    return f"{app_name}-{companion}-data" if companion else f"{app_name}-data"


def namespace_object(namespace: str, owner_id: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": namespace,
            "labels": {
                **tenant_labels(owner_id),
                # Tenant pods never need more than the baseline profile.
                "pod-security.kubernetes.io/enforce": "baseline",
            },
        },
    }


def access_binding(namespace: str, owner_id: str) -> dict[str, Any]:
    """Grants the control plane the tenant-object verbs in this namespace, and nowhere else:
    its cluster-wide role holds none of them (least privilege; see deploy/base/)."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {
            "name": ACCESS_BINDING_NAME,
            "namespace": namespace,
            "labels": tenant_labels(owner_id),
        },
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": TENANT_ROLE,
        },
        "subjects": [
            {
                "kind": "ServiceAccount",
                "name": CONTROLLER_SERVICE_ACCOUNT,
                "namespace": CONTROLLER_NAMESPACE,
            }
        ],
    }


def resource_quota(namespace: str, owner_id: str, total: QuotaShare) -> dict[str, Any]:
    """The namespace's quota: the sum of its instances' shares; no LoadBalancer or NodePort."""
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": QUOTA_NAME, "namespace": namespace, "labels": tenant_labels(owner_id)},
        "spec": {
            "hard": {
                "requests.cpu": f"{total.cpu_requests_m}m",
                "limits.cpu": f"{total.cpu_limits_m}m",
                "requests.memory": f"{total.memory_requests_mb}Mi",
                "limits.memory": f"{total.memory_limits_mb}Mi",
                "requests.storage": f"{total.storage_mb}Mi",
                "persistentvolumeclaims": str(total.pvcs),
                "pods": str(total.pods),
                "services": str(total.services),
                "services.loadbalancers": "0",
                "services.nodeports": "0",
            }
        },
    }


def limit_range(namespace: str, owner_id: str) -> dict[str, Any]:
    """Defaults for any container that comes without requests/limits, so the quota admits it."""
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {
            "name": LIMIT_RANGE_NAME,
            "namespace": namespace,
            "labels": tenant_labels(owner_id),
        },
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": {"cpu": "500m", "memory": "512Mi"},
                    "defaultRequest": {"cpu": "50m", "memory": "64Mi"},
                }
            ]
        },
    }


def network_policy(spec: TenantSpec) -> dict[str, Any]:
    """Only the ingress controller and the customer's own pods reach the app port; egress
    goes to cluster DNS, the customer's own namespace and the internet, never to other
    tenants or node networks."""
    app_port = [{"protocol": "TCP", "port": spec.template.container_port}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(spec, spec.app_name),
        "spec": {
            "podSelector": {"matchLabels": {INSTANCE_LABEL: spec.instance_id}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {NAMESPACE_NAME_LABEL: spec.ingress_namespace}
                            }
                        },
                        {"podSelector": {}},
                    ],
                    "ports": app_port,
                }
            ],
            "egress": [
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchLabels": {NAMESPACE_NAME_LABEL: "kube-system"}
                            },
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        }
                    ],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                },
                {"to": [{"podSelector": {}}]},
                {
                    "to": [
                        {"ipBlock": {"cidr": "0.0.0.0/0", "except": list(PRIVATE_V4)}},
                        {"ipBlock": {"cidr": "::/0", "except": list(PRIVATE_V6)}},
                    ]
                },
            ],
        },
    }


def _meta(spec: TenantSpec, name: str) -> dict[str, Any]:
    return {"name": name, "namespace": spec.namespace, "labels": instance_labels(spec)}


def secret_object(spec: TenantSpec) -> dict[str, Any]:
    keys = sorted(spec.template.secret_kinds())
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta(spec, secret_name(spec.app_name)),
        "type": "Opaque",
        "data": {
            k: base64.b64encode(spec.generated_secrets[k].encode()).decode("ascii") for k in keys
        },
    }


def _claim(spec: TenantSpec, name: str, size_mb: int) -> dict[str, Any]:
    claim_spec: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": memory_quantity(size_mb)}},
    }
    if spec.storage_class:
        claim_spec["storageClassName"] = spec.storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": _meta(spec, name),
        "spec": claim_spec,
    }


def claims(spec: TenantSpec) -> list[dict[str, Any]]:
    out = []
    if spec.template.volume:
        out.append(_claim(spec, claim_name(spec.app_name), spec.template.volume.size_mb))
    for c in spec.template.companions:
        if c.volume:
            out.append(_claim(spec, claim_name(spec.app_name, c.name), c.volume.size_mb))
    return out


def fill_placeholders(value: str, spec: TenantSpec) -> str:
    """Replaces {url}, {host}, {protocol}, {tls}, {port}; other braces stay as written."""
    known = {
        "url": spec.url,
        "host": spec.host,
        "protocol": "https" if spec.tls else "http",
        "tls": "true" if spec.tls else "false",
        "port": str(spec.template.container_port),
    }
    return PLACEHOLDER_PATTERN.sub(lambda m: known.get(m.group(1), m.group(0)), value)


def _env(variables: list[EnvVar], spec: TenantSpec) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for var in variables:
        if var.generated is not None:
            ref = {"name": secret_name(spec.app_name), "key": var.key}
            out.append({"name": var.name, "valueFrom": {"secretKeyRef": ref}})
        elif var.customer_settable and var.name in spec.env_overrides:
            # The customer's text is taken literally: no placeholders in it.
            out.append({"name": var.name, "value": spec.env_overrides[var.name]})
        else:
            out.append({"name": var.name, "value": fill_placeholders(var.value, spec)})
    return out


def _resources(resources: ContainerResources) -> dict[str, Any]:
    return {
        "requests": {
            "cpu": cpu_quantity(resources.requests.cpu),
            "memory": memory_quantity(resources.requests.memory),
        },
        "limits": {
            "cpu": cpu_quantity(resources.limits.cpu),
            "memory": memory_quantity(resources.limits.memory),
        },
    }


def _container_security(run_as_user: int | None, run_as_group: int | None) -> dict[str, Any]:
    """Non-root images lose every capability; root-start images (they drop to their own
    user in the entrypoint and need chown/setuid for it) keep the runtime defaults minus
    raw sockets. Neither may gain privileges through setuid binaries."""
    context: dict[str, Any] = {"allowPrivilegeEscalation": False}
    if run_as_user is not None:
        context["runAsUser"] = run_as_user
    if run_as_group is not None:
        context["runAsGroup"] = run_as_group
    if run_as_user:
        context["runAsNonRoot"] = True
        context["capabilities"] = {"drop": ["ALL"]}
    else:
        context["capabilities"] = {"drop": ["NET_RAW"]}
    return context


def _probes(template: ServiceTemplate) -> dict[str, Any]:
    if template.health_check_path:
        check: dict[str, Any] = {
            "httpGet": {"path": template.health_check_path, "port": HTTP_PORT_NAME}
        }
    else:
        check = {"tcpSocket": {"port": HTTP_PORT_NAME}}
    # The startup probe gives first boots (migrations, DB init) five minutes
    # before liveness may restart the container.
    return {
        "startupProbe": {**check, "periodSeconds": 10, "timeoutSeconds": 5, "failureThreshold": 30},
        "readinessProbe": {
            **check,
            "periodSeconds": 10,
            "timeoutSeconds": 5,
            "failureThreshold": 3,
        },
        "livenessProbe": {**check, "periodSeconds": 20, "timeoutSeconds": 5, "failureThreshold": 6},
    }


def _main_container(spec: TenantSpec) -> dict[str, Any]:
    template = spec.template
    container: dict[str, Any] = {
        "name": MAIN_CONTAINER,
        "image": template.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [
            {"name": HTTP_PORT_NAME, "containerPort": template.container_port, "protocol": "TCP"}
        ],
        "env": _env(template.env, spec),
        "resources": _resources(template.resources),
        "securityContext": _container_security(template.run_as_user, template.run_as_group),
        **_probes(template),
    }
    if template.volume:
        container["volumeMounts"] = [{"name": "data", "mountPath": template.volume.mount_path}]
    return container


def _companion_container(spec: TenantSpec, companion: CompanionContainer) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": companion.name,
        "image": companion.image,
        "imagePullPolicy": "IfNotPresent",
        "env": _env(companion.env, spec),
        "resources": _resources(companion.resources),
        "securityContext": _container_security(companion.run_as_user, companion.run_as_group),
    }
    if companion.port is not None:
        tcp = {"tcpSocket": {"port": companion.port}}
        container["ports"] = [{"containerPort": companion.port, "protocol": "TCP"}]
        container["startupProbe"] = {**tcp, "periodSeconds": 10, "failureThreshold": 30}
        container["readinessProbe"] = {**tcp, "periodSeconds": 10, "failureThreshold": 3}
        container["livenessProbe"] = {**tcp, "periodSeconds": 20, "failureThreshold": 6}
    if companion.volume:
        container["volumeMounts"] = [
            {"name": f"{companion.name}-data", "mountPath": companion.volume.mount_path}
        ]
    return container


def _volumes(spec: TenantSpec) -> list[dict[str, Any]]:
    out = []
    if spec.template.volume:
        out.append(
            {"name": "data", "persistentVolumeClaim": {"claimName": claim_name(spec.app_name)}}
        )
    for c in spec.template.companions:
        if c.volume:
            out.append(
                {
                    "name": f"{c.name}-data",
                    "persistentVolumeClaim": {"claimName": claim_name(spec.app_name, c.name)},
                }
            )
    return out


def _secret_hash(spec: TenantSpec) -> str:
    """Changes when a secret value changes, so pods roll and pick up the new value."""
    items = sorted(spec.generated_secrets.items())
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]


def deployment(spec: TenantSpec) -> dict[str, Any]:
    template = spec.template
    pod_security: dict[str, Any] = {"seccompProfile": {"type": "RuntimeDefault"}}
    if template.fs_group is not None:
        pod_security["fsGroup"] = template.fs_group
        pod_security["fsGroupChangePolicy"] = "OnRootMismatch"
    pod_spec: dict[str, Any] = {
        # Tenant apps never talk to the Kubernetes API.
        "automountServiceAccountToken": False,
        # Service env links would inject e.g. N8N_PORT=tcp://… into n8n.
        "enableServiceLinks": False,
        "nodeSelector": {**template.node_selector, HOSTNAME_LABEL: spec.node_name},
        "securityContext": pod_security,
        "terminationGracePeriodSeconds": 30,
        "containers": [
            _main_container(spec),
            *(_companion_container(spec, c) for c in template.companions),
        ],
    }
    if template.tolerations:
        pod_spec["tolerations"] = [
            t.model_dump(by_alias=True, exclude_none=True) for t in template.tolerations
        ]
    volumes = _volumes(spec)
    if volumes:
        pod_spec["volumes"] = volumes
    pod_meta: dict[str, Any] = {"labels": instance_labels(spec)}
    if spec.generated_secrets:
        pod_meta["annotations"] = {SECRET_HASH_ANNOTATION: _secret_hash(spec)}
    meta = _meta(spec, spec.app_name)
    meta["annotations"] = {QUOTA_ANNOTATION: quota_share(template).to_annotation()}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "replicas": spec.replicas,
            "revisionHistoryLimit": 3,
            # RWO volumes cannot be attached to two pods: the old one goes first.
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": {INSTANCE_LABEL: spec.instance_id}},
            "template": {"metadata": pod_meta, "spec": pod_spec},
        },
    }


def service(spec: TenantSpec) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(spec, spec.app_name),
        "spec": {
            "type": "ClusterIP",
            "selector": {INSTANCE_LABEL: spec.instance_id},
            "ports": [
                {
                    "name": HTTP_PORT_NAME,
                    "port": SERVICE_PORT,
                    "targetPort": HTTP_PORT_NAME,
                    "protocol": "TCP",
                }
            ],
        },
    }


def ingress(spec: TenantSpec) -> dict[str, Any]:
    meta = _meta(spec, spec.app_name)
    ingress_spec: dict[str, Any] = {
        "rules": [
            {
                "host": spec.host,
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {
                                "service": {
                                    "name": spec.app_name,
                                    "port": {"name": HTTP_PORT_NAME},
                                }
                            },
                        }
                    ]
                },
            }
        ]
    }
    if spec.ingress_class:
        ingress_spec["ingressClassName"] = spec.ingress_class
    if spec.tls_issuer:
        meta["annotations"] = {"cert-manager.io/cluster-issuer": spec.tls_issuer}
        ingress_spec["tls"] = [{"hosts": [spec.host], "secretName": tls_secret_name(spec.app_name)}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta,
        "spec": ingress_spec,
    }


def render(spec: TenantSpec, siblings: Iterable[QuotaShare] = ()) -> list[dict[str, Any]]:
    """Every object of the instance, in apply order.

    `siblings` are the quota shares of the other instances already in the
    namespace; the ResourceQuota covers them and this one.
    """
    total = quota_share(spec.template)
    for share in siblings:
        total = total + share
    objects = [
        namespace_object(spec.namespace, spec.owner_id),
        access_binding(spec.namespace, spec.owner_id),
        resource_quota(spec.namespace, spec.owner_id, total),
        limit_range(spec.namespace, spec.owner_id),
        network_policy(spec),
    ]
    if spec.template.secret_kinds():
        objects.append(secret_object(spec))
    objects += claims(spec)
    objects += [deployment(spec), service(spec), ingress(spec)]
    return objects
