"""Choosing the gateway, and both gateways keeping to the one interface."""

from __future__ import annotations

import inspect
import logging
from pathlib import Path

import pytest

from controlplane.cluster.factory import cluster_from_config
from controlplane.cluster.gateway import ClusterGateway, ClusterUnavailable
from controlplane.cluster.kubernetes import KubernetesCluster
from controlplane.cluster.memory import InMemoryCluster

from .test_kubernetes_cluster import write_kubeconfig

GATEWAY_METHODS = [
    name
    for name, member in inspect.getmembers(ClusterGateway)
    if inspect.iscoroutinefunction(member) and not name.startswith("_")
]


@pytest.mark.parametrize("implementation", [InMemoryCluster, KubernetesCluster])
def test_each_gateway_implements_every_method_of_the_interface(implementation: type) -> None:
    assert len(GATEWAY_METHODS) == 15
    for name in GATEWAY_METHODS:
        method = getattr(implementation, name)
        assert inspect.iscoroutinefunction(method), name
        expected = inspect.signature(getattr(ClusterGateway, name))
        assert list(inspect.signature(method).parameters) == list(expected.parameters), name


def test_a_kubeconfig_selects_the_kubernetes_gateway(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_kubeconfig(tmp_path / "kubeconfig", "https://10.0.0.1:6443")
    with caplog.at_level(logging.INFO, logger="controlplane.cluster.factory"):
        gateway = cluster_from_config(str(path), in_cluster_available=False)
    assert isinstance(gateway, KubernetesCluster)
    assert "Kubernetes at https://10.0.0.1:6443" in caplog.text


def test_with_nothing_configured_the_in_memory_gateway_is_used(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="controlplane.cluster.factory"):
        gateway = cluster_from_config(None, in_cluster_available=False)
    assert isinstance(gateway, InMemoryCluster)
    assert "in-memory" in caplog.text


def test_claimed_in_cluster_credentials_that_are_not_there_fail_loudly() -> None:
    with pytest.raises(ClusterUnavailable):
        cluster_from_config(None, in_cluster_available=True)


def test_a_broken_kubeconfig_never_falls_back_to_the_fake_cluster(tmp_path: Path) -> None:
    with pytest.raises(ClusterUnavailable):
        cluster_from_config(str(tmp_path / "nowhere"), in_cluster_available=False)
