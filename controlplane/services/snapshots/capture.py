"""A snapshot document of our own cluster, taken through the cluster gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import orjson

from controlplane.cluster.gateway import ClusterExport
from shared import snapshot_document

# Bytes handed on per step, so a large cluster's document streams like an upload.
PIECE = 256 * 1024


def document(exported: ClusterExport, cluster_name: str, taken_at: datetime) -> dict[str, Any]:
    return snapshot_document.document(
        exported.objects,
        exported.secret_names,
        exported.kubernetes_version,
        cluster_name,
        taken_at,
    )


async def pieces(doc: dict[str, Any]) -> AsyncIterator[bytes]:
    encoded = orjson.dumps(doc)
    for start in range(0, len(encoded), PIECE):
        yield encoded[start : start + PIECE]
