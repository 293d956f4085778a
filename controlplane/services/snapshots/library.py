"""The snapshots a caller may see: upload, take, list, read, download and delete them."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from controlplane.blobs.store import BlobStore
from controlplane.cluster.gateway import ClusterError, ClusterGateway
from controlplane.db.models import Snapshot, User
from controlplane.services.bearer import hash_token, new_secret_token
from controlplane.services.clock import Clock
from controlplane.services.errors import NotFound, Unavailable
from controlplane.services.ids import parse_id
from controlplane.services.ownership import find_visible, owns, visible_to
from controlplane.services.paging import page
from controlplane.services.snapshots import capture, diff, search, storage
from controlplane.services.snapshots.retention import Kept, Policy, expired
from shared.enums import SnapshotSource, SnapshotVisibility
from shared.wire.common import PageQuery
from shared.wire.snapshots import (
    DiffQuery,
    ShareLink,
    SnapshotDiff,
    SnapshotList,
    SnapshotListQuery,
    SnapshotOut,
    SnapshotUpdate,
)

# Share links' tokens say what they are: msh_… (a MinisPod share).
SHARE_PREFIX = "msh"

log = logging.getLogger("minispod.snapshots")


@dataclass(frozen=True)
class SnapshotSettings:
    max_bytes: int  # of a document, uncompressed
    blob_grace: timedelta  # an unreferenced blob younger than this is kept
    cluster_name: str  # what our own cluster is called in its snapshots
    retention: Policy


# Rows deleted per statement by retention: a short transaction each.
RETENTION_BATCH = 500


class Snapshots:
    def __init__(
        self, store: BlobStore, gateway: ClusterGateway, settings: SnapshotSettings, clock: Clock
    ) -> None:
        self.store = store
        self._gateway = gateway
        self._settings = settings
        self._clock = clock

    @property
    def max_bytes(self) -> int:
        return self._settings.max_bytes

    async def upload(self, actor: User, body: AsyncIterable[bytes], encoding: str) -> SnapshotOut:
        return await self._keep(actor, SnapshotSource.UPLOAD, body, encoding)

    async def take(self, actor: User | None) -> SnapshotOut:
        """A snapshot of our own cluster; `actor` None for the schedule's."""
        try:
            exported = await self._gateway.export()
        except ClusterError as exc:
            raise Unavailable(f"Cluster unavailable: {exc}", 10) from exc
        doc = capture.document(exported, self._settings.cluster_name, self._clock())
        return await self._keep(actor, SnapshotSource.CLUSTER, capture.pieces(doc), "identity")

    async def _keep(
        self,
        actor: User | None,
        source: SnapshotSource,
        body: AsyncIterable[bytes],
        encoding: str,
    ) -> SnapshotOut:
        stored = await storage.store_document(self.store, body, encoding, self._settings.max_bytes)
        meta = stored.summary.metadata
        row = await Snapshot.create(
            id=uuid.uuid4(),
            user_id=actor.id if actor else None,
            source=source,
            cluster_name=meta.cluster_name,
            taken_at=meta.taken_at,
            kubernetes_version=meta.kubernetes_version,
            object_counts=stored.summary.object_counts,
            secret_count=stored.summary.secret_count,
            search_terms=stored.summary.terms,
            size=stored.size,
            stored_size=stored.stored_size,
            sha256=stored.sha256,
        )
        log.info(
            "snapshot %s of %s stored (%d bytes, %d compressed)",
            row.id,
            row.cluster_name,
            row.size,
            row.stored_size,
        )
        return SnapshotOut.model_validate(row)

    async def list_visible(self, actor: User, query: SnapshotListQuery) -> SnapshotList:
        """A customer's own; administrators all (or one user's)."""
        if query.public:
            qs = Snapshot.filter(visibility=SnapshotVisibility.PUBLIC)
        else:
            qs = visible_to(actor, Snapshot.all(), query.user_id)
        if query.q is not None:
            qs = qs.filter(id__in=await search.matching(query.q))
        if query.cluster is not None:
            qs = qs.filter(cluster_name=query.cluster)
        if query.taken_from is not None:
            qs = qs.filter(taken_at__gte=query.taken_from)
        if query.taken_to is not None:
            qs = qs.filter(taken_at__lt=query.taken_to)
        if query.kubernetes_version is not None:
            qs = qs.filter(kubernetes_version=query.kubernetes_version)
        if query.source is not None:
            qs = qs.filter(source=query.source)
        rows, pagination = await page(qs, query, "taken_at")
        return SnapshotList(
            snapshots=[SnapshotOut.model_validate(r) for r in rows], pagination=pagination
        )

    async def history(self, actor: User, cluster: str, query: PageQuery) -> SnapshotList:
        """One cluster's snapshots the caller may see, newest first by default."""
        return await self.list_visible(
            actor, SnapshotListQuery(cluster=cluster, **query.model_dump())
        )

    async def diff(self, actor: User, raw_id: str, query: DiffQuery) -> SnapshotDiff:
        """What changed from `query.against` to this snapshot; both must be visible."""
        newer = await self.find(actor, raw_id)
        older = await self.find(actor, str(query.against))
        added, removed, changed, truncated = await diff.compare(
            lambda: self.document(older, 0, None),
            lambda: self.document(newer, 0, None),
            query.limit,
        )
        return SnapshotDiff(
            snapshot_id=newer.id,
            against_id=older.id,
            added=added,
            removed=removed,
            changed=changed,
            truncated=truncated,
        )

    async def find(self, actor: User, raw_id: str) -> Snapshot:
        """A snapshot the caller may read: their own, a PUBLIC one, or (administrators)
        any. Any other is reported missing, not forbidden."""
        row = await Snapshot.get_or_none(id=parse_id(raw_id, "Snapshot"))
        if row is None or not (
            row.visibility is SnapshotVisibility.PUBLIC or owns(actor, row.user_id)
        ):
            raise NotFound("Snapshot not found")
        return row

    async def _own(self, actor: User, raw_id: str) -> Snapshot:
        """A snapshot the caller may change: their own, or (administrators) any."""
        return await find_visible(actor, Snapshot.all(), raw_id, "Snapshot")

    async def get(self, actor: User, raw_id: str) -> SnapshotOut:
        return SnapshotOut.model_validate(await self.find(actor, raw_id))

    async def shared(self, token: str) -> Snapshot:
        """The snapshot a share link leads to, while the link is live and the snapshot is
        not PRIVATE again; else missing, like any unknown one."""
        row = await Snapshot.get_or_none(share_token_hash=hash_token(token))
        if row is None or row.visibility is SnapshotVisibility.PRIVATE:
            raise NotFound("Snapshot not found")
        return row

    async def share(self, actor: User, raw_id: str) -> ShareLink:
        """A new share link (the one before stops working); a PRIVATE snapshot becomes
        UNLISTED, so the link reaches it."""
        row = await self._own(actor, raw_id)
        token = new_secret_token(SHARE_PREFIX)
        row.share_token_hash = hash_token(token)
        row.shared_at = self._clock()
        if row.visibility is SnapshotVisibility.PRIVATE:
            row.visibility = SnapshotVisibility.UNLISTED
        await row.save(update_fields=["share_token_hash", "shared_at", "visibility"])
        return ShareLink(
            token=token,
            path=f"/api/v1/shared/snapshots/{token}",
            snapshot=SnapshotOut.model_validate(row),
        )

    async def unshare(self, actor: User, raw_id: str) -> SnapshotOut:
        row = await self._own(actor, raw_id)
        row.share_token_hash = None
        row.shared_at = None
        await row.save(update_fields=["share_token_hash", "shared_at"])
        return SnapshotOut.model_validate(row)

    def document(self, row: Snapshot, start: int, end: int | None) -> AsyncIterator[bytes]:
        return storage.document_bytes(self.store, row.sha256, row.size, start, end)

    def compressed(self, row: Snapshot, start: int, end: int | None) -> AsyncIterator[bytes]:
        return storage.compressed_bytes(self.store, row.sha256, start, end)

    async def update(self, actor: User, raw_id: str, body: SnapshotUpdate) -> SnapshotOut:
        row = await self._own(actor, raw_id)
        if body.pinned is not None:
            row.pinned = body.pinned
        if body.visibility is not None and body.visibility is not row.visibility:
            row.visibility = body.visibility
            # A link made for an UNLISTED snapshot does not outlive that choice.
            row.share_token_hash = None
            row.shared_at = None
        await row.save(update_fields=["pinned", "visibility", "share_token_hash", "shared_at"])
        return SnapshotOut.model_validate(row)

    async def apply_retention(self) -> int:
        """Deletes the snapshots the policy lets go; their blobs follow once unreferenced
        and past the grace period (now, or on a later sweep)."""
        policy = self._settings.retention
        if policy.keeps_everything:
            return 0
        fields = ("id", "user_id", "cluster_name", "taken_at", "created_at", "pinned")
        rows = await Snapshot.all().values(*fields)
        gone = expired([Kept(**r) for r in rows], policy, self._clock())
        shas: set[str] = set()
        for start in range(0, len(gone), RETENTION_BATCH):
            batch = gone[start : start + RETENTION_BATCH]
            names = await Snapshot.filter(id__in=batch).values_list("sha256", flat=True)
            shas.update(str(sha) for sha in names)
            await Snapshot.filter(id__in=batch).delete()
        if gone:
            log.info("retention deleted %d snapshot(s)", len(gone))
            await self._sweep(only=shas)
        return len(gone)

    async def housekeeping(self) -> str | None:
        """The periodic job: retention, then the sweep of unreferenced blobs."""
        deleted, swept = await self.apply_retention(), await self.sweep()
        return (
            f"{deleted} snapshot(s) expired, {swept} blob(s) removed" if deleted or swept else None
        )

    async def delete(self, actor: User, raw_id: str) -> None:
        """The row goes at once; its blob when no other row names it, by the sweep's rule
        (unreferenced and older than the grace period), now or on a later sweep."""
        row = await self._own(actor, raw_id)
        await row.delete()
        await self._sweep(only={row.sha256})

    async def sweep(self) -> int:
        """Removes unreferenced blobs past the grace period (the sweeper job)."""
        return len(await self._sweep())

    async def _sweep(self, only: set[str] | None = None) -> list[str]:
        async def referenced(shas: set[str]) -> set[str]:
            if not shas:
                return set()
            rows = (
                await Snapshot.filter(sha256__in=list(shas))
                .distinct()
                .values_list("sha256", flat=True)
            )
            return {str(r) for r in rows}

        before = self._clock() - self._settings.blob_grace
        removed = await storage.sweep(self.store, referenced, before, only)
        if removed:
            log.info("removed %d unreferenced snapshot blob(s)", len(removed))
        return removed


async def counted(kind: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """How many objects of `kind` the snapshots of our own cluster (source CLUSTER) taken in
    [start, end) counted, oldest first: the cluster's history as its snapshots saw it,
    every workload included (not only MinisPod's instances)."""
    rows = await (
        Snapshot.filter(source=SnapshotSource.CLUSTER, taken_at__gte=start, taken_at__lt=end)
        .order_by("taken_at")
        .values_list("taken_at", "object_counts")
    )
    return [(taken_at, int((counts or {}).get(kind, 0))) for taken_at, counts in rows]
