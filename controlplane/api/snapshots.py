"""Handlers of /snapshots (customers' own, administrators' all) and /admin/snapshots.

Uploads and downloads stream: a body is decompressed, checked, hashed and
compressed piece by piece on its way to the blob store, and a download is read
from the store (and decompressed, for the JSON form) as it is sent.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import BodyPartReader, web

from controlplane.api import envelope
from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route, UnsupportedMediaType
from controlplane.appkeys import SNAPSHOTS
from controlplane.blobs.store import CHUNK, BlobMissing
from controlplane.db.models import Snapshot
from controlplane.services.errors import Invalid, ServiceError
from controlplane.services.snapshots.decoding import too_large
from shared.wire.common import PageQuery
from shared.wire.snapshots import (
    DiffQuery,
    ShareLink,
    SnapshotDiff,
    SnapshotDocument,
    SnapshotDownloadQuery,
    SnapshotList,
    SnapshotListQuery,
    SnapshotOut,
    SnapshotUpdate,
)

_ENCODINGS = {
    "": "identity",
    "identity": "identity",
    "gzip": "gzip",
    "x-gzip": "gzip",
    "zstd": "zstd",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _encoding(request: web.Request) -> str:
    given = request.headers.get("Content-Encoding", "").strip().lower()
    if given not in _ENCODINGS:
        raise UnsupportedMediaType(
            f"Content-Encoding {given} is not accepted; send identity, gzip or zstd"
        )
    return _ENCODINGS[given]


async def upload(call: Call[Any, Any]) -> web.Response:
    request = call.request
    if request.content_type == "multipart/form-data":
        return await _upload_form(call)
    if "Content-Type" in request.headers and request.content_type != "application/json":
        raise UnsupportedMediaType(
            "A snapshot is application/json (compressed or not), or a multipart/form-data file"
        )
    encoding = _encoding(request)
    snapshots = request.app[SNAPSHOTS]
    limit = snapshots.max_bytes
    # A plain body that says it is too large is refused before any of it is read.
    if encoding == "identity" and (request.content_length or 0) > limit:
        raise too_large(limit)
    if not request.can_read_body:
        raise Invalid.field("body", "a snapshot document is required")
    stored = await snapshots.upload(call.principal, request.content.iter_chunked(CHUNK), encoding)
    return ok(stored, "Snapshot stored", status=201)


# A form's file part says its compression by its type or its name, as browsers send it.
_PART_TYPES = {"application/zstd": "zstd", "application/gzip": "gzip", "application/x-gzip": "gzip"}
_SUFFIXES = {".zst": "zstd", ".zstd": "zstd", ".gz": "gzip"}


async def _upload_form(call: Call[Any, Any]) -> web.Response:
    """A browser's upload: the first file part of a multipart/form-data body, streamed
    like a raw body (never held whole), compressed or not."""
    reader = await call.request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            raise Invalid.field("file", "the form holds no file part")
        if isinstance(part, BodyPartReader) and part.filename:
            break
        if isinstance(part, BodyPartReader):
            await part.release()  # a plain field (a form's other inputs): not ours
    declared = part.headers.get("Content-Encoding", "").strip().lower()
    if declared:
        encoding = _ENCODINGS.get(declared)
        if encoding is None:
            raise UnsupportedMediaType(f"Content-Encoding {declared} is not accepted")
    else:
        kind = part.headers.get("Content-Type", "application/json").split(";")[0].strip().lower()
        suffix = "." + (part.filename or "").rsplit(".", 1)[-1].lower()
        encoding = _PART_TYPES.get(kind) or _SUFFIXES.get(suffix) or "identity"

    async def pieces() -> AsyncIterator[bytes]:
        while piece := await part.read_chunk(CHUNK):
            yield piece

    stored = await call.request.app[SNAPSHOTS].upload(call.principal, pieces(), encoding)
    return ok(stored, "Snapshot stored", status=201)


async def take(call: Call[Any, Any]) -> web.Response:
    taken = await call.request.app[SNAPSHOTS].take(call.principal)
    return ok(taken, "Snapshot of the cluster taken", status=201)


async def list_snapshots(call: Call[Any, SnapshotListQuery]) -> web.Response:
    return ok(
        await call.request.app[SNAPSHOTS].list_visible(call.principal, call.query), "Snapshots"
    )


async def get_snapshot(call: Call[Any, Any]) -> web.Response:
    found = await call.request.app[SNAPSHOTS].get(call.principal, call.param("snapshotId"))
    return ok(found, "Snapshot")


async def history(call: Call[Any, PageQuery]) -> web.Response:
    found = await call.request.app[SNAPSHOTS].history(
        call.principal, call.param("clusterName"), call.query
    )
    return ok(found, "Snapshots of the cluster")


async def diff(call: Call[Any, DiffQuery]) -> web.Response:
    found = await call.request.app[SNAPSHOTS].diff(
        call.principal, call.param("snapshotId"), call.query
    )
    return ok(found, "Changes between the snapshots")


async def update_snapshot(call: Call[SnapshotUpdate, Any]) -> web.Response:
    found = await call.request.app[SNAPSHOTS].update(
        call.principal, call.param("snapshotId"), call.body
    )
    return ok(found, "Snapshot updated")


async def share(call: Call[Any, Any]) -> web.Response:
    link = await call.request.app[SNAPSHOTS].share(call.principal, call.param("snapshotId"))
    return ok(link, "Share link made; its token is shown this once", status=201)


async def unshare(call: Call[Any, Any]) -> web.Response:
    found = await call.request.app[SNAPSHOTS].unshare(call.principal, call.param("snapshotId"))
    return ok(found, "Share link revoked")


async def shared_snapshot(call: Call[Any, Any]) -> web.Response:
    row = await call.request.app[SNAPSHOTS].shared(call.param("token"))
    return ok(SnapshotOut.model_validate(row), "Shared snapshot")


async def shared_download(call: Call[Any, SnapshotDownloadQuery]) -> web.StreamResponse:
    row = await call.request.app[SNAPSHOTS].shared(call.param("token"))
    return await _document(call.request, row, call.query)


async def delete_snapshot(call: Call[Any, Any]) -> web.Response:
    await call.request.app[SNAPSHOTS].delete(call.principal, call.param("snapshotId"))
    return ok(None, "Snapshot deleted")


def _accepts_zstd(header: str) -> bool:
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() == "zstd":
            q = params.strip().removeprefix("q=").strip()
            return not q or _quality(q) > 0
    return False


def _quality(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


class RangeNotSatisfiable(Exception):
    pass


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) of a single `bytes=` range; None to send everything (no Range, or one
    we do not serve: several ranges, another unit). RangeNotSatisfiable past the end."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        start, end = max(0, size - int(last)), size
    else:
        start = int(first)
        end = size if not last else min(int(last) + 1, size)
        if last and int(last) < start:
            return None  # syntactically invalid: ignored, as RFC 9110 says
    if start >= size or start >= end:
        raise RangeNotSatisfiable
    return start, end


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


async def download(call: Call[Any, SnapshotDownloadQuery]) -> web.StreamResponse:
    row = await call.request.app[SNAPSHOTS].find(call.principal, call.param("snapshotId"))
    return await _document(call.request, row, call.query)


async def _document(
    request: web.Request, row: Snapshot, query: SnapshotDownloadQuery
) -> web.StreamResponse:
    """The document (or its zstd form), with ETag, conditional requests and Range."""
    snapshots = request.app[SNAPSHOTS]
    as_file = query.format == "zst"
    compressed = as_file or (
        query.format is None and _accepts_zstd(request.headers.get("Accept-Encoding", ""))
    )
    size = row.stored_size if compressed else row.size
    # Each representation has its own tag (RFC 9110): the document's is its SHA-256.
    etag = f'"{row.sha256}-zst"' if compressed else f'"{row.sha256}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Vary": "Accept-Encoding",
        "Cache-Control": "private, no-cache",
    }
    if _etag_matches(request.headers.get("If-None-Match"), etag):
        return web.Response(status=304, headers=headers)
    if_range = request.headers.get("If-Range")
    try:
        wanted = (
            None
            if if_range and if_range != etag
            else byte_range(request.headers.get("Range"), size)
        )
    except RangeNotSatisfiable:
        return envelope.error(
            416,
            "RANGE_NOT_SATISFIABLE",
            f"Range past the end of the {size} bytes",
            headers={**headers, "Content-Range": f"bytes */{size}"},
        )
    start, end = wanted or (0, size)
    name = f"{row.cluster_name}-{row.taken_at:%Y%m%dT%H%M%SZ}.json"
    if as_file:
        headers["Content-Type"] = "application/zstd"
        name += ".zst"
    else:
        headers["Content-Type"] = "application/json"
        if compressed:
            headers["Content-Encoding"] = "zstd"
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if wanted:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    source = (snapshots.compressed if compressed else snapshots.document)(row, start, end)
    # The first piece is read before anything is sent: a blob missing from the store is
    # still an error envelope, not a cut-off download.
    try:
        first = await anext(source, b"")
    except BlobMissing:
        raise ServiceError("The snapshot's document is missing from storage") from None
    response = web.StreamResponse(status=206 if wanted else 200, headers=headers)
    response.content_length = end - start
    await response.prepare(request)
    if request.method != "HEAD":
        await response.write(first)
        async for piece in source:
            await response.write(piece)
    await response.write_eof()
    return response


ROUTES: list[Route] = [
    Route(
        "POST",
        "/snapshots",
        upload,
        Access.USER,
        "Upload a snapshot document (raw JSON, or Content-Encoding gzip or zstd, or the file"
        " of a multipart/form-data body)",
        "snapshots",
        streamed=SnapshotDocument,
        response=SnapshotOut,
        status=201,
    ),
    Route(
        "GET",
        "/snapshots",
        list_snapshots,
        Access.USER,
        "List snapshots (own; all for administrators, by cluster or userId), or search"
        " them by the words of their objects (q=nginx:1.27)",
        "snapshots",
        query=SnapshotListQuery,
        response=SnapshotList,
    ),
    Route(
        "GET",
        "/snapshots/{snapshotId}",
        get_snapshot,
        Access.USER,
        "One snapshot's metadata",
        "snapshots",
        response=SnapshotOut,
    ),
    Route(
        "GET",
        "/snapshots/{snapshotId}/download",
        download,
        Access.USER,
        "The document as uploaded, or its zstd form (Accept-Encoding: zstd or ?format=zst); "
        "ETag and Range",
        "snapshots",
        query=SnapshotDownloadQuery,
    ),
    Route(
        "GET",
        "/snapshots/{snapshotId}/diff",
        diff,
        Access.USER,
        "Objects added, removed and changed (field by field) since the snapshot `against`",
        "snapshots",
        query=DiffQuery,
        response=SnapshotDiff,
    ),
    Route(
        "GET",
        "/clusters/{clusterName}/snapshots",
        history,
        Access.USER,
        "A cluster's history: its snapshots the caller may see",
        "snapshots",
        query=PageQuery,
        response=SnapshotList,
    ),
    Route(
        "PATCH",
        "/snapshots/{snapshotId}",
        update_snapshot,
        Access.USER,
        "Pin a snapshot (retention keeps it) or unpin it",
        "snapshots",
        body=SnapshotUpdate,
        response=SnapshotOut,
    ),
    Route(
        "DELETE",
        "/snapshots/{snapshotId}",
        delete_snapshot,
        Access.USER,
        "Delete a snapshot (its blob goes once no snapshot references it)",
        "snapshots",
    ),
    Route(
        "POST",
        "/snapshots/{snapshotId}/share-link",
        share,
        Access.USER,
        "Make a share link (the token shown once; the previous link stops working); a"
        " PRIVATE snapshot becomes UNLISTED",
        "snapshots",
        response=ShareLink,
        status=201,
    ),
    Route(
        "DELETE",
        "/snapshots/{snapshotId}/share-link",
        unshare,
        Access.USER,
        "Revoke the share link",
        "snapshots",
        response=SnapshotOut,
    ),
    Route(
        "GET",
        "/shared/snapshots/{token}",
        shared_snapshot,
        Access.ANON,
        "A shared snapshot's metadata, by its share link (no account needed)",
        "snapshots",
        response=SnapshotOut,
        secret_path=True,
    ),
    Route(
        "GET",
        "/shared/snapshots/{token}/download",
        shared_download,
        Access.ANON,
        "A shared snapshot's document, by its share link; ETag and Range as for a download",
        "snapshots",
        query=SnapshotDownloadQuery,
        secret_path=True,
    ),
    Route(
        "POST",
        "/admin/snapshots",
        take,
        Access.ADMIN,
        "Take a snapshot of the control plane's own cluster now",
        "snapshots",
        response=SnapshotOut,
        status=201,
    ),
]
