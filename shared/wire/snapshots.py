"""Wire types of cluster snapshots: the document a snapshot is, and what the API says of one.

A snapshot document is one JSON object:

    {"metadata": {"clusterName", "takenAt", "kubernetesVersion"},
     "objects": {"nodes": [...], "pods": [...], ...},   # plural kind -> objects
     "secrets": [{"namespace", "name"}, ...]}           # names only, never their data

Objects are kept as the API server returns them (any fields); each must at least
have `metadata.name`. Secrets are never part of a snapshot: an object list named
`secrets` is refused, and a secret reference carries nothing but its name.
"""

from datetime import datetime
from typing import Any, Literal, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.enums import SnapshotSource, SnapshotVisibility
from shared.wire.base import WireModel, WireOut
from shared.wire.common import PageQuery, Pagination

# The kinds a snapshot may hold, by the plural the API server's paths use.
SnapshotKind = Literal[
    "nodes",
    "namespaces",
    "deployments",
    "replicasets",
    "pods",
    "services",
    "ingresses",
    "persistentvolumeclaims",
    "resourcequotas",
    "events",
]
SNAPSHOT_KINDS: tuple[str, ...] = get_args(SnapshotKind)
# A DNS-1123 label, as Kubernetes names contexts and clusters are usually spelled.
CLUSTER_NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
KUBERNETES_NAME = r"^[A-Za-z0-9]([-A-Za-z0-9_.:]*[A-Za-z0-9])?$"


class SnapshotMetadata(WireModel):
    cluster_name: str = Field(min_length=1, max_length=63, pattern=CLUSTER_NAME)
    taken_at: datetime
    kubernetes_version: str | None = Field(
        default=None, max_length=64, pattern=r"^[A-Za-z0-9][-A-Za-z0-9.+_]*$"
    )


class ObjectMeta(BaseModel):
    """The part of an object every snapshot object must have; the rest is kept as it is."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=253, pattern=KUBERNETES_NAME)
    namespace: str | None = Field(default=None, max_length=63, pattern=KUBERNETES_NAME)


class SnapshotObject(BaseModel):
    model_config = ConfigDict(extra="allow")

    metadata: ObjectMeta


class SecretName(WireModel):
    """A Secret by name: what a snapshot may say of secrets (never their data)."""

    namespace: str = Field(min_length=1, max_length=63, pattern=KUBERNETES_NAME)
    name: str = Field(min_length=1, max_length=253, pattern=KUBERNETES_NAME)


class SnapshotDocument(WireModel):
    """The document as uploaded and as downloaded (byte for byte as it came in)."""

    metadata: SnapshotMetadata
    objects: dict[SnapshotKind, list[SnapshotObject]] = Field(default_factory=dict)
    secrets: list[SecretName] = Field(default_factory=list)


class SnapshotOut(WireOut):
    id: UUID
    cluster_name: str
    taken_at: datetime
    kubernetes_version: str | None
    object_counts: dict[str, int] = Field(description="objects per kind (plural)")
    secret_count: int = Field(description="secrets named (their data is never stored)")
    size: int = Field(description="bytes of the document as uploaded (uncompressed)")
    stored_size: int = Field(description="bytes it takes in storage (zstd)")
    sha256: str = Field(description="of the document: its download's ETag")
    source: SnapshotSource
    pinned: bool = Field(description="kept whatever the retention policy says")
    visibility: SnapshotVisibility = Field(
        description="PRIVATE (its owner's), PUBLIC (every signed-in user's to read),"
        " UNLISTED (whoever holds its share link)"
    )
    shared_at: datetime | None = Field(description="when its live share link was made")
    user_id: UUID | None = Field(description="who uploaded or took it; null for the schedule")
    created_at: datetime


class SnapshotUpdate(WireModel):
    """Fields left out are left alone. Leaving UNLISTED (or PUBLIC) revokes the link."""

    pinned: bool | None = None
    visibility: SnapshotVisibility | None = None


class ShareLink(WireOut):
    token: str = Field(description="shown this once: the link works until revoked")
    path: str = Field(
        description="where the link leads: GET it (and …/download) without signing in"
    )
    snapshot: SnapshotOut


class SnapshotListQuery(PageQuery):
    q: str | None = Field(
        default=None,
        max_length=500,
        description="words every result holds, among its objects' names, namespaces, labels"
        " and images (whole words: `nginx`, `app=web`, `nginx:1.25`)",
    )
    cluster: str | None = Field(default=None, max_length=63)
    taken_from: datetime | None = Field(
        default=None, alias="from", description="taken at or after (ISO 8601)"
    )
    taken_to: datetime | None = Field(
        default=None, alias="to", description="taken before (ISO 8601)"
    )
    kubernetes_version: str | None = Field(default=None, max_length=64)
    source: SnapshotSource | None = None
    user_id: UUID | None = Field(default=None, description="administrators only")
    public: bool = Field(default=False, description="every PUBLIC snapshot, anyone's")


class SnapshotList(WireOut):
    snapshots: list[SnapshotOut]
    pagination: Pagination


class SnapshotDownloadQuery(WireModel):
    format: Literal["json", "zst"] | None = Field(
        default=None,
        description="zst: the stored zstd form as a file; json (default): the document",
    )


class DiffQuery(WireModel):
    against: UUID = Field(description="the snapshot to compare with (the older, usually)")
    limit: int = Field(default=200, ge=1, le=1000, description="changed objects detailed")


class ObjectRef(WireOut):
    kind: str = Field(description="plural, as in the document: pods, deployments, …")
    namespace: str | None
    name: str


class FieldChange(WireOut):
    path: str = Field(description='e.g. "spec.template.spec.containers[0].image"')
    before: Any = Field(description="null when the field was added")
    after: Any = Field(description="null when the field was removed")


class ObjectChange(ObjectRef):
    fields: list[FieldChange]


class SnapshotDiff(WireOut):
    """From `against` to `snapshot`: what `snapshot` has that `against` had not, and so on."""

    snapshot_id: UUID
    against_id: UUID
    added: list[ObjectRef]
    removed: list[ObjectRef]
    changed: list[ObjectChange]
    truncated: bool = Field(description="more objects changed than `limit` detailed")
