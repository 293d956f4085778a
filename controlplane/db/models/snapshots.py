"""Cluster snapshots: what the database keeps of each (the document itself is a blob)."""

from typing import Any

from tortoise import fields
from tortoise.models import Model

from shared.enums import SnapshotSource, SnapshotVisibility


class Snapshot(Model):
    """One snapshot of a cluster. Its document is the blob named by `sha256` (content
    addressed: identical documents share one blob, which lives while a row names it)."""

    id = fields.UUIDField(primary_key=True)
    # Who uploaded or took it; NULL for the scheduled snapshots of our own cluster.
    user_id = fields.UUIDField(null=True, db_index=True)
    source = fields.CharEnumField(SnapshotSource, max_length=16)
    cluster_name = fields.CharField(max_length=63)
    taken_at = fields.DatetimeField()
    kubernetes_version = fields.CharField(max_length=64, null=True)
    # Objects per kind (plural), as counted while the document streamed in.
    object_counts: dict[str, Any] = fields.JSONField()
    secret_count = fields.IntField(default=0)
    size = fields.BigIntField()  # bytes of the document as uploaded, uncompressed
    stored_size = fields.BigIntField()  # bytes of its zstd blob
    sha256 = fields.CharField(max_length=64, db_index=True)
    # The words search finds it by (names, namespaces, labels, images), space-separated:
    # indexed by a GIN index over to_tsvector('simple', …) on PostgreSQL and by the FTS5
    # table snapshot_search (filled by triggers) on SQLite; see services/snapshots/search.py.
    search_terms = fields.TextField(null=True)
    visibility = fields.CharEnumField(
        SnapshotVisibility, max_length=16, default=SnapshotVisibility.PRIVATE, db_index=True
    )
    # The SHA-256 of its share link's token (the token is shown once); null: no link.
    share_token_hash = fields.CharField(max_length=64, null=True, unique=True)
    shared_at = fields.DatetimeField(null=True)
    # Kept whatever the retention policy says, until unpinned.
    pinned = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "snapshots"
        # A cluster's history, newest first.
        indexes = (("cluster_name", "taken_at"),)
