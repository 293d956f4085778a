"""Chooses the cluster gateway for this run: Kubernetes when credentials exist, else in-memory."""

from __future__ import annotations

import logging

from controlplane.cluster.gateway import ClusterGateway
from controlplane.cluster.kubernetes import KubernetesCluster
from controlplane.cluster.memory import InMemoryCluster

log = logging.getLogger(__name__)


def cluster_from_config(kubeconfig: str | None, in_cluster_available: bool) -> ClusterGateway:
    """A kubeconfig wins; then the pod's service account; else the in-memory stand-in.

    Pass `kubernetes.in_cluster_credentials_available()` as `in_cluster_available`
    unless configuration says otherwise. Raises ClusterUnavailable when the
    chosen credentials cannot be loaded (a set but broken kubeconfig is an
    operator's mistake, not a reason to fall back to a fake cluster).
    """
    if kubeconfig:
        cluster = KubernetesCluster.from_config(kubeconfig)
        log.info("cluster gateway: Kubernetes at %s (kubeconfig %s)", cluster.host, kubeconfig)
        return cluster
    if in_cluster_available:
        cluster = KubernetesCluster.from_config(None, in_cluster=True)
        log.info("cluster gateway: Kubernetes at %s (in-cluster service account)", cluster.host)
        return cluster
    log.warning(
        "cluster gateway: in-memory (no kubeconfig, not in a cluster); "
        "instances are simulated, nothing is deployed"
    )
    return InMemoryCluster()
