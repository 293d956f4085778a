"""What one tenant instance is, in cluster terms: the input of rendering and of the gateway."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from shared.wire.catalog import ServiceTemplate

_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_UNSAFE = re.compile(r"[^a-z0-9-]+")
# K3s ships Traefik in kube-system; the NetworkPolicy lets it in.
DEFAULT_INGRESS_NAMESPACE = "kube-system"


def _dns_part(raw: str, prefix: str, max_len: int) -> str:
    """A readable DNS-1123 label `<prefix><id>`; ids too long or too odd get a hash suffix."""
    clean = _UNSAFE.sub("-", raw.lower()).strip("-")
    room = max_len - len(prefix)
    if clean and len(clean) <= room and clean == raw:
        return prefix + clean
    digest = hashlib.sha256(raw.encode()).hexdigest()[:10]
    head = clean[: room - 11].rstrip("-")
    return f"{prefix}{head}-{digest}" if head else f"{prefix}{digest}"


def namespace_for(owner_id: str) -> str:
    """The customer's namespace: `tenant-<owner id>`, one per customer."""
    return _dns_part(owner_id, "tenant-", 63)


def app_name_for(instance_id: str) -> str:
    """The name of an instance's Deployment, Service, Ingress (DNS-1035: starts with a letter).

    Short enough that `<app>-<companion>-data` and ReplicaSet/pod suffixes still fit in 63.
    """
    return _dns_part(instance_id, "app-", 40)


def generate_secret(kind: str) -> str:
    if kind == "hex32":
        return secrets.token_hex(16)
    if kind == "password":
        return secrets.token_urlsafe(24)
    raise ValueError(f"unknown secret kind {kind!r}")


def generate_secrets(
    template: ServiceTemplate, existing: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every secret the template needs: the existing values kept, the missing ones created.

    Callers persist the result: regenerating would lock an app out of its own data.
    """
    kept = dict(existing or {})
    for key, kind in template.secret_kinds().items():
        if not kept.get(key):
            kept[key] = generate_secret(kind)
    return kept


@dataclass(frozen=True)
class TenantSpec:
    """One instance of a catalog service for one customer, placed on one node.

    `env_overrides` may only name customer-settable variables of the template;
    `generated_secrets` must hold every key the template generates (see
    `generate_secrets`). `tls_issuer` is a cert-manager ClusterIssuer; None
    serves plain HTTP.
    """

    owner_id: str
    instance_id: str
    subscription_id: str
    namespace: str
    app_name: str
    subdomain: str
    base_domain: str
    node_name: str
    template: ServiceTemplate
    env_overrides: Mapping[str, str] = field(default_factory=dict)
    generated_secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    tls_issuer: str | None = None
    ingress_class: str | None = None
    ingress_namespace: str = DEFAULT_INGRESS_NAMESPACE
    storage_class: str | None = None
    # 0 while the subscription is suspended: the pod stops, its volumes stay.
    replicas: int = 1

    def __post_init__(self) -> None:
        if self.replicas not in (0, 1):
            raise ValueError("replicas must be 0 (suspended) or 1")
        for name in ("owner_id", "instance_id", "subscription_id"):
            if not _LABEL_VALUE.match(getattr(self, name)):
                raise ValueError(f"{name} must be a Kubernetes label value (≤63 alphanumerics)")
        if not _DNS_LABEL.match(self.namespace) or not _DNS_LABEL.match(self.ingress_namespace):
            raise ValueError("namespace must be a DNS-1123 label")
        if not _DNS_LABEL.match(self.app_name) or len(self.app_name) > 40:
            raise ValueError("app_name must be a DNS-1123 label of at most 40 characters")
        if not _DNS_LABEL.match(self.subdomain):
            raise ValueError(f"subdomain {self.subdomain!r} must be a DNS-1123 label")
        host = self.host
        if len(host) > 253 or not _DNS_SUBDOMAIN.match(host):
            raise ValueError(f"host {host!r} is not a valid DNS name")
        if len(self.node_name) > 253 or not _DNS_SUBDOMAIN.match(self.node_name):
            raise ValueError(f"node_name {self.node_name!r} is not a Kubernetes node name")
        allowed = self.template.customer_settable()
        refused = sorted(set(self.env_overrides) - allowed)
        if refused:
            raise ValueError(f"env {refused} cannot be set by the customer")
        for name, value in self.env_overrides.items():
            if not isinstance(value, str) or len(value) > 4096 or "\x00" in value:
                raise ValueError(f"env {name}: value must be a string of at most 4096 characters")
        missing = sorted(
            k for k in self.template.secret_kinds() if not self.generated_secrets.get(k)
        )
        if missing:
            raise ValueError(f"generated secrets missing for {missing}")
        # Frozen all the way down: nobody edits a spec after validation.
        object.__setattr__(self, "env_overrides", MappingProxyType(dict(self.env_overrides)))
        object.__setattr__(
            self, "generated_secrets", MappingProxyType(dict(self.generated_secrets))
        )

    @classmethod
    def for_instance(
        cls,
        *,
        owner_id: str,
        instance_id: str,
        subscription_id: str,
        subdomain: str,
        base_domain: str,
        node_name: str,
        template: ServiceTemplate,
        env_overrides: Mapping[str, str] | None = None,
        generated_secrets: Mapping[str, str] | None = None,
        tls_issuer: str | None = None,
        ingress_class: str | None = None,
        ingress_namespace: str = DEFAULT_INGRESS_NAMESPACE,
        storage_class: str | None = None,
        replicas: int = 1,
    ) -> TenantSpec:
        """The usual way to build a spec: namespace and app name derived from the ids."""
        return cls(
            owner_id=owner_id,
            instance_id=instance_id,
            subscription_id=subscription_id,
            namespace=namespace_for(owner_id),
            app_name=app_name_for(instance_id),
            subdomain=subdomain,
            base_domain=base_domain,
            node_name=node_name,
            template=template,
            env_overrides=env_overrides or {},
            generated_secrets=generate_secrets(template, generated_secrets),
            tls_issuer=tls_issuer,
            ingress_class=ingress_class,
            ingress_namespace=ingress_namespace,
            storage_class=storage_class,
            replicas=replicas,
        )

    @property
    def host(self) -> str:
        return f"{self.subdomain}.{self.base_domain}".lower()

    @property
    def tls(self) -> bool:
        return self.tls_issuer is not None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}"
