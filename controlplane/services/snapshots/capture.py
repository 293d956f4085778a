"""A snapshot document of our own cluster, taken through the cluster gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import orjson

from controlplane.cluster.gateway import ClusterExport, JsonDict
from shared.wire.snapshots import SNAPSHOT_KINDS, SnapshotMetadata

# Bytes handed on per step, so a large cluster's document streams like an upload.
PIECE = 256 * 1024


def _kept(obj: JsonDict) -> JsonDict:
    """The object without managedFields: field ownership bookkeeping, often half an
    object's size, and noise in any comparison of two snapshots."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        obj = {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
    return obj


def document(exported: ClusterExport, cluster_name: str, taken_at: datetime) -> dict[str, Any]:
    metadata = SnapshotMetadata(
        cluster_name=cluster_name,
        taken_at=taken_at,
        kubernetes_version=exported.kubernetes_version,
    )
    return {
        "metadata": metadata.wire(),
        "objects": {k: [_kept(o) for o in exported.objects.get(k, [])] for k in SNAPSHOT_KINDS},
        "secrets": [{"namespace": ns, "name": name} for ns, name in exported.secret_names],
    }


async def pieces(doc: dict[str, Any]) -> AsyncIterator[bytes]:
    encoded = orjson.dumps(doc)
    for start in range(0, len(encoded), PIECE):
        yield encoded[start : start + PIECE]
