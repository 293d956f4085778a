"""Snapshot documents in the blob store: validated, zstd-compressed and addressed by SHA-256.

A document streams in once: each decompressed piece is hashed, checked by the
intake and compressed on its way to a staging blob. Only once the whole is known
good is it moved under its address, `blobs/<sha256>`; identical documents land
on the same blob. The database row comes after the blob (write-blob-then-row),
so a crash between the two leaves a blob no row names: the sweeper removes such
blobs once they are older than a grace period, which also covers an upload
that is between its blob and its row right now.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import zstandard

from controlplane.blobs.store import BlobStore
from controlplane.services.snapshots.decoding import decoded
from controlplane.services.snapshots.intake import Intake, Summary

BLOBS = "blobs/"
STAGING = "staging/"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# zstd's default level: about 10x on Kubernetes JSON at a few hundred MB/s.
LEVEL = 3


def blob_key(sha256: str) -> str:
    return f"{BLOBS}{sha256}.json.zst"


def sha_of(key: str) -> str | None:
    """The content address a blob key holds, None for anything else (a leftover partial)."""
    name = key.removeprefix(BLOBS).removesuffix(".json.zst")
    return name if key.startswith(BLOBS) and _SHA256.match(name) else None


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int  # of the document
    stored_size: int  # of its zstd blob
    summary: Summary


async def store_document(
    store: BlobStore, body: AsyncIterable[bytes], encoding: str, limit: int
) -> Stored:
    """Validates and stores one uploaded document; raises (Invalid, TooLarge) with nothing
    left under any blob address when it is not a snapshot."""
    hasher = hashlib.sha256()
    intake = Intake()
    compressor = zstandard.ZstdCompressor(level=LEVEL).compressobj()
    size = 0
    summary: Summary | None = None

    def take_in(piece: bytes) -> bytes:
        hasher.update(piece)
        intake.feed(piece)
        return compressor.compress(piece)

    async def compressed() -> AsyncIterator[bytes]:
        nonlocal size, summary
        async for piece in decoded(body, encoding, limit):
            # Tens of milliseconds of CPU per piece: on a worker thread, so the event loop
            # (heartbeats, other requests) gets its turns while a large upload streams.
            out = await asyncio.to_thread(take_in, piece)
            size += len(piece)
            if out:
                yield out
        # Checked before the last bytes go out: a bad document never completes its blob.
        summary = intake.finish()
        yield compressor.flush()

    staging = f"{STAGING}{uuid.uuid4().hex}"
    stored_size = await store.put(staging, compressed())
    assert summary is not None
    sha = hasher.hexdigest()
    await store.move(staging, blob_key(sha))
    return Stored(sha, size, stored_size, summary)


def compressed_bytes(
    store: BlobStore, sha256: str, start: int = 0, end: int | None = None
) -> AsyncIterator[bytes]:
    """The stored zstd form, bytes [start, end)."""
    return store.read(blob_key(sha256), start, end)


async def document_bytes(
    store: BlobStore, sha256: str, size: int, start: int = 0, end: int | None = None
) -> AsyncIterator[bytes]:
    """The document as uploaded, bytes [start, end): decompressed as it streams out (a
    range is found by decompressing up to it: zstd frames have no index)."""
    end = size if end is None else min(end, size)
    position = 0
    async for piece in decoded(store.read(blob_key(sha256)), "zstd", size):
        lo, hi = max(start - position, 0), min(end - position, len(piece))
        position += len(piece)
        if lo < hi:
            yield piece[lo:hi]
        if position >= end:
            return


async def sweep(
    store: BlobStore,
    referenced: Callable[[set[str]], Awaitable[set[str]]],
    before: datetime,
    only: set[str] | None = None,
) -> list[str]:
    """Deletes blobs and staging leftovers no snapshot references that were last written
    before `before` (of the blobs of `only` when given); returns their keys.
    `referenced(shas)` says which of `shas` some snapshot row names."""
    if only is None:
        candidates = await store.list(BLOBS) + await store.list(STAGING)
    else:
        found = [await store.stat(blob_key(sha)) for sha in sorted(only)]
        candidates = [b for b in found if b is not None]
    old = [b for b in candidates if b.modified < before]
    shas = {sha for b in old if (sha := sha_of(b.key)) is not None}
    kept = await referenced(shas)
    removed = []
    for blob in old:
        if sha_of(blob.key) in kept:
            continue
        # Looked at again just before: an upload that landed on this address since the
        # listing refreshed its time (and is about to write its row).
        current = await store.stat(blob.key)
        if current is None or current.modified >= before:
            continue
        await store.delete(blob.key)
        removed.append(blob.key)
    return removed
