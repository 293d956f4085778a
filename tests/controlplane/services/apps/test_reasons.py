"""Customers read our words: one short, stable line per kind of trouble, never the cluster's."""

from __future__ import annotations

import pytest

from controlplane.cluster.gateway import ClusterRefused, ClusterUnavailable, Trouble
from controlplane.services.apps import reasons

RAW = (
    "403: PATCH /apis/apps/v1/namespaces/tenant-3f2a/deployments/app-9: deployments "
    '"app-9" is forbidden: unable to create new content in namespace tenant-3f2a because it '
    "is being terminated"
)


@pytest.mark.parametrize("trouble", list(Trouble))
def test_every_kind_of_cluster_trouble_has_words_of_ours(trouble: Trouble) -> None:
    error = ClusterUnavailable("x")
    error.trouble = trouble
    words = reasons.for_cluster_error(error)
    assert words and len(words) <= 120
    for kubernetes_word in ("/api", "namespace", "tenant-", "403", "forbidden", "Forbidden"):
        assert kubernetes_word not in words


def test_a_terminating_namespace_reads_as_a_previous_installation_going_away() -> None:
    refused = ClusterRefused(403, RAW)
    assert refused.trouble is Trouble.NAMESPACE_TERMINATING
    assert reasons.for_cluster_error(refused).startswith(
        "your previous installation is still being removed"
    )


@pytest.mark.parametrize(
    ("said", "ours"),
    [
        ('ImagePullBackOff: Back-off pulling image "n8nio/n8n:9"', "cannot be downloaded"),
        ("CrashLoopBackOff: back-off 5m0s restarting failed container=app", "keeps stopping"),
        ("OOMKilled", "ran out of memory"),
        ("Unschedulable: 0/3 nodes are available: 3 node(s) didn't match", "waiting for room"),
        ("Starting", "starting"),
        ("Pending: no pod created yet", "starting"),
        ("SomethingNewInKubernetes: details", "the app is not healthy"),
    ],
)
def test_pod_troubles_read_in_our_words(said: str, ours: str) -> None:
    words = reasons.for_instance_state(said)
    assert words is not None and ours in words
    assert ":" not in words
