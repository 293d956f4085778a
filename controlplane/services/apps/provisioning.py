"""Turning a placed instance into cluster objects, and taking them away again."""

from __future__ import annotations

from dataclasses import dataclass

from controlplane.cluster.gateway import ClusterGateway, Drift, InstanceState
from controlplane.cluster.spec import TenantSpec, generate_secrets, namespace_for
from controlplane.db.models import Instance, Subscription, WorkerNode
from controlplane.services.apps.tenant_locks import TenantLocks
from controlplane.services.sealing import SecretBox, reseal_rows
from shared.enums import SubscriptionStatus
from shared.wire.catalog import ServiceTemplate


@dataclass(frozen=True)
class ClusterSettings:
    base_domain: str
    tls_issuer: str | None = None
    ingress_class: str | None = None
    storage_class: str | None = None


# The reasons a cluster gives while an instance is on its way up; any other
# reason for a pod that does not serve is a failure worth showing the customer.
_PROGRESS = ("Starting", "Pending: no pod created yet")


def is_failure(state: InstanceState) -> bool:
    return state.exists and not state.available and state.reason not in (None, *_PROGRESS)


class Provisioner:
    """Applies and deletes instances, one change at a time per tenant namespace (the
    namespace's quota is shared by its instances: see tenant_locks)."""

    def __init__(
        self,
        gateway: ClusterGateway,
        settings: ClusterSettings,
        box: SecretBox,
        locks: TenantLocks | None = None,
    ) -> None:
        self.gateway = gateway
        self.settings = settings
        self._box = box
        self._locks = locks or TenantLocks()

    def new_secrets(self, template: ServiceTemplate) -> dict[str, str]:
        """The credentials a new instance of `template` gets, sealed for storing."""
        return self._box.seal(generate_secrets(template))

    def spec(
        self,
        instance: Instance,
        subscription: Subscription,
        template: ServiceTemplate,
        node: WorkerNode,
    ) -> TenantSpec:
        s = self.settings
        return TenantSpec.for_instance(
            owner_id=str(instance.team_id),
            instance_id=str(instance.id),
            subscription_id=str(subscription.id),
            subdomain=subscription.subdomain,
            base_domain=s.base_domain,
            node_name=node.name,
            template=template,
            env_overrides=subscription.env,
            generated_secrets=self._box.open(instance.secrets),
            tls_issuer=s.tls_issuer,
            ingress_class=s.ingress_class,
            storage_class=s.storage_class,
            replicas=0 if subscription.status is SubscriptionStatus.SUSPENDED else 1,
        )

    async def apply(
        self,
        instance: Instance,
        subscription: Subscription,
        template: ServiceTemplate,
        node: WorkerNode,
    ) -> TenantSpec:
        spec = self.spec(instance, subscription, template, node)
        async with self._locks.hold(spec.namespace):
            await self.gateway.apply(spec)
        return spec

    async def drift(
        self,
        instance: Instance,
        subscription: Subscription,
        template: ServiceTemplate,
        node: WorkerNode,
    ) -> list[Drift]:
        """What of the instance's objects the cluster lacks or holds otherwise than we apply."""
        return await self.gateway.drift(self.spec(instance, subscription, template, node))

    async def remove(self, instance: Instance) -> None:
        await self.remove_by_id(str(instance.id), instance.namespace)

    async def remove_by_id(self, instance_id: str, namespace: str) -> None:
        """Deletes what the cluster holds of an instance, known to the database or not."""
        async with self._locks.hold(namespace):
            await self.gateway.delete(instance_id, namespace)

    async def state(self, instance: Instance) -> InstanceState:
        return await self.gateway.status(str(instance.id), instance.namespace)


def namespace_of(team_id: object) -> str:
    """A team's apps share its namespace (a personal team's is `tenant-<user id>`)."""
    return namespace_for(str(team_id))


async def reseal_secrets(box: SecretBox, batch: int = 500) -> int:
    """Every instance's credentials sealed under the first key (after a key rotation, or
    for rows stored before sealing); returns how many rows changed. Safe to run again."""
    return await reseal_rows(box, Instance, "secrets", batch)
