"""The cluster gateway interface: what the control plane asks of a cluster, whichever it is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from controlplane.cluster.drift import Drift, JsonDict
from controlplane.cluster.spec import TenantSpec


class Trouble(StrEnum):
    """What kind of trouble a ClusterError is, for callers that must explain it in their
    own words (the message itself is the API server's, for administrators and logs)."""

    UNAVAILABLE = "unavailable"
    # The namespace is being deleted: nothing new may be created in it until it is gone.
    NAMESPACE_TERMINATING = "namespace-terminating"
    QUOTA_EXCEEDED = "quota-exceeded"
    FORBIDDEN = "forbidden"
    REFUSED = "refused"


class ClusterError(Exception):
    """The cluster refused or could not do what was asked."""

    trouble = Trouble.REFUSED


class ClusterRefused(ClusterError):
    """The API server refused the request (a 4xx): as it is, it will not succeed.

    `causes` are the `type`s of the Status body's `details.causes`
    (e.g. "NamespaceTerminating").
    """

    def __init__(self, status: int, message: str, causes: tuple[str, ...] = ()) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.causes = causes
        self.trouble = _trouble_of(status, message, causes)


def _trouble_of(status: int, message: str, causes: tuple[str, ...]) -> Trouble:
    # Older API servers say it only in the message.
    if "NamespaceTerminating" in causes or "because it is being terminated" in message:
        return Trouble.NAMESPACE_TERMINATING
    if status == 403 and "exceeded quota" in message:
        return Trouble.QUOTA_EXCEEDED
    if status in (401, 403):
        return Trouble.FORBIDDEN
    return Trouble.REFUSED


class ClusterUnavailable(ClusterError):
    """The cluster could not be reached, or answered with a server-side error; retry later."""

    trouble = Trouble.UNAVAILABLE


class InstanceNotFound(ClusterError):
    """The cluster holds no Deployment for that instance."""


@dataclass(frozen=True)
class InstanceState:
    """What the cluster says about one instance.

    `available` means its Deployment has a ready pod; `reason` says why not
    (e.g. "ImagePullBackOff: …", "Unschedulable: …", "Starting").
    """

    exists: bool
    available: bool
    reason: str | None = None
    pod_name: str | None = None


@dataclass(frozen=True)
class ClusterExport:
    """What a snapshot keeps of a cluster: its objects as the API server returns them, by
    plural kind (`nodes`, `pods`, …), and of its Secrets only (namespace, name)."""

    objects: dict[str, list[JsonDict]]
    secret_names: list[tuple[str, str]]
    kubernetes_version: str | None


class ClusterGateway(Protocol):
    """Provisioning and monitoring, implemented by `KubernetesCluster` and `InMemoryCluster`.

    Monitoring reads return JSON-ready dicts with camelCase keys; CPU in
    cores (float), memory in MB (int), times as ISO-8601 strings or None:

    pod:        {name, namespace, node, phase, ready, restarts, podIP, instanceId,
                 labels, containers: [{name, image, ready, restarts, state,
                 usage: {cpu, memory} | None}], metricsTimestamp, metricsWindow,
                 createdAt}
    deployment: {name, namespace, replicas, readyReplicas, availableReplicas,
                 updatedReplicas, available, strategy, images, nodeSelector,
                 instanceId, labels, conditions: [{type, status, reason,
                 message}], createdAt}
    node:       {name, ready, unschedulable, roles, labels, taints: [{key, value,
                 effect}], capacity: {cpu, memory, pods}, allocatable: {cpu,
                 memory, pods}, internalIP, kubeletVersion, osImage,
                 containerRuntime, architecture, conditions, createdAt}
    namespace:  {name, phase, ownerId, managed, labels, createdAt}
    service:    {name, namespace, type, clusterIP, ports: [{name, port,
                 targetPort, protocol, nodePort}], selector, instanceId, labels,
                 createdAt}
    ingress:    {name, namespace, ingressClassName, hosts, tls: [{hosts,
                 secretName}], rules: [{host, paths: [{path, pathType,
                 serviceName, servicePort}]}], loadBalancer: [ip or hostname],
                 annotations, instanceId, labels, createdAt}
    """

    async def apply(self, spec: TenantSpec) -> None:
        """Creates or updates every object of the instance; applying twice changes nothing."""
        ...

    async def delete(self, instance_id: str, namespace: str) -> None:
        """Removes every object labelled with the instance; the namespace too when it was the
        last instance there. Deleting what is not there is not an error."""
        ...

    async def status(self, instance_id: str, namespace: str) -> InstanceState: ...

    async def drift(self, spec: TenantSpec) -> list[Drift]:
        """Every object `apply(spec)` would write that the cluster lacks or holds otherwise
        (deleted or edited behind our back); empty when the cluster holds them all."""
        ...

    async def restart(self, instance_id: str, namespace: str) -> None:
        """Rolls the pod (kubectl.kubernetes.io/restartedAt); InstanceNotFound if absent."""
        ...

    async def logs(self, instance_id: str, namespace: str, tail: int = 100) -> list[str]:
        """The last `tail` lines of the main container; InstanceNotFound if absent."""
        ...

    async def list_instances(self) -> list[tuple[str, str]]:
        """(namespace, instance id) of every instance the cluster runs, for reconciling."""
        ...

    async def list_pods(self, namespace: str | None = None) -> list[JsonDict]: ...

    async def list_deployments(self, namespace: str | None = None) -> list[JsonDict]: ...

    async def list_nodes(self) -> list[JsonDict]: ...

    async def list_namespaces(self) -> list[JsonDict]: ...

    async def list_services(self, namespace: str | None = None) -> list[JsonDict]: ...

    async def list_ingresses(self, namespace: str | None = None) -> list[JsonDict]: ...

    async def export(self) -> ClusterExport:
        """Every object of the kinds a snapshot holds (nodes, namespaces, deployments,
        replicasets, pods, services, ingresses, persistentvolumeclaims, resourcequotas,
        events) that MinisPod may read, and the names of the Secrets there: never their
        data."""
        ...

    async def close(self) -> None:
        """Releases connections; called from the app's cleanup context."""
        ...
