"""A snapshot document assembled from a cluster's objects: the one recipe both programs use
(the control plane of its own cluster, `minispod snapshots take --kubeconfig` of any)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from shared.wire.snapshots import SNAPSHOT_KINDS, SnapshotMetadata

JsonDict = dict[str, Any]

# Where each kind's cluster-wide list is on the API server: (path, plural).
CLUSTER_WIDE_PATHS = {
    "nodes": "/api/v1/nodes",
    "namespaces": "/api/v1/namespaces",
    "deployments": "/apis/apps/v1/deployments",
    "replicasets": "/apis/apps/v1/replicasets",
    "pods": "/api/v1/pods",
    "services": "/api/v1/services",
    "ingresses": "/apis/networking.k8s.io/v1/ingresses",
    "persistentvolumeclaims": "/api/v1/persistentvolumeclaims",
    "resourcequotas": "/api/v1/resourcequotas",
    "events": "/api/v1/events",
}
SECRETS_PATH = "/api/v1/secrets"
# Lists as PartialObjectMetadataList: the API server sends each object's metadata only, so
# a Secret's data never leaves it when a snapshot lists the Secrets by name.
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"


def kept(obj: JsonDict) -> JsonDict:
    """The object without managedFields: field ownership bookkeeping, often half an
    object's size, and noise in any comparison of two snapshots."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        obj = {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
    return obj


def document(
    objects: Mapping[str, list[JsonDict]],
    secret_names: Iterable[tuple[str, str]],
    kubernetes_version: str | None,
    cluster_name: str,
    taken_at: datetime,
) -> dict[str, Any]:
    metadata = SnapshotMetadata(
        cluster_name=cluster_name, taken_at=taken_at, kubernetes_version=kubernetes_version
    )
    return {
        "metadata": metadata.wire(),
        "objects": {k: [kept(o) for o in objects.get(k, [])] for k in SNAPSHOT_KINDS},
        "secrets": [{"namespace": ns, "name": name} for ns, name in sorted(secret_names)],
    }
