"""The fleet snapshot believes the cluster's Nodes, and places on MinisPod's own view when the
cluster cannot say."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from controlplane.cluster.gateway import ClusterUnavailable
from controlplane.db import database
from controlplane.db.models import WorkerNode
from controlplane.services.apps.placement import Fleet
from shared.enums import NodeStatus


@pytest.fixture
async def worker(database_url: str) -> AsyncIterator[WorkerNode]:
    async with database.connected(database_url):
        yield await WorkerNode.create(
            id=uuid.uuid4(),
            name="worker-a",
            hostname="worker-a",
            ip_address="10.0.0.5",
            cpu_cores=4,
            cpu_architecture="x86_64",
            total_memory=8192,
            total_storage=102400,
            architecture="amd64",
            operating_system="linux",
            status=NodeStatus.ACTIVE,
            taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}],
        )


def _answering(*views: dict[str, Any]):
    async def list_nodes() -> list[dict[str, Any]]:
        return list(views)

    return list_nodes


async def test_the_clusters_readiness_and_taints_join_the_snapshot(worker: WorkerNode) -> None:
    unreachable = {"key": "node.kubernetes.io/unreachable", "value": None, "effect": "NoExecute"}
    fleet = Fleet(
        cluster_nodes=_answering({"name": "worker-a", "ready": False, "taints": [unreachable]})
    )
    (node,) = await fleet.snapshot()
    assert (node.ready, node.unready) == (False, True)
    assert set(node.taints) == {
        ("dedicated", "db", "NoSchedule"),
        ("node.kubernetes.io/unreachable", None, "NoExecute"),
    }


async def test_a_worker_the_cluster_does_not_list_is_not_ready(worker: WorkerNode) -> None:
    fleet = Fleet(cluster_nodes=_answering({"name": "worker-b", "ready": True, "taints": []}))
    (node,) = await fleet.snapshot()
    assert node.unready


async def test_without_an_answer_from_the_cluster_placement_uses_our_view(
    worker: WorkerNode,
) -> None:
    async def unreachable() -> list[dict[str, Any]]:
        raise ClusterUnavailable("GET /api/v1/nodes: cluster unreachable")

    async def hanging() -> list[dict[str, Any]]:
        await asyncio.sleep(60)
        return []

    for source in (unreachable, hanging, _answering()):
        (node,) = await Fleet(cluster_nodes=source, cluster_wait=0.05).snapshot()
        assert (node.ready, node.unready) == (True, False)
