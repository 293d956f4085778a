"""Both blob stores keep the same promises: whole blobs only, ranges, moves, listing, deleting.

The S3 one runs against moto's standalone S3 server, a real process on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from controlplane.blobs.directory import DirectoryBlobStore
from controlplane.blobs.s3 import PART_SIZE, S3BlobStore, S3Settings
from controlplane.blobs.store import BlobMissing, BlobStore


@pytest.fixture(params=["directory", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "directory":
        yield DirectoryBlobStore(tmp_path / "blobs")
        return
    settings: S3Settings = request.getfixturevalue("s3_settings")
    s3 = await S3BlobStore(settings).open()
    try:
        yield s3
    finally:
        await s3.close()


async def chunks_of(data: bytes, size: int = 100_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read_all(store: BlobStore, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([c async for c in store.read(key, start, end)])


async def test_a_blob_reads_back_whole_and_by_range(store: BlobStore) -> None:
    data = os.urandom(300_000)
    assert await store.put("blobs/a", chunks_of(data)) == len(data)
    assert await read_all(store, "blobs/a") == data
    assert await read_all(store, "blobs/a", 1000, 2000) == data[1000:2000]
    assert await read_all(store, "blobs/a", 299_990) == data[299_990:]
    info = await store.stat("blobs/a")
    assert info is not None and info.size == len(data)


async def test_a_large_blob_goes_up_in_parts_and_comes_back_identical(store: BlobStore) -> None:
    data = os.urandom(PART_SIZE * 2 + 12345)  # three parts on S3
    await store.put("blobs/big", chunks_of(data, 1 << 20))
    assert await read_all(store, "blobs/big") == data


async def test_a_write_that_fails_part_way_leaves_nothing(store: BlobStore) -> None:
    async def failing() -> AsyncIterator[bytes]:
        yield os.urandom(PART_SIZE + 10)  # past the first part on S3
        raise RuntimeError("client went away")

    with pytest.raises(RuntimeError, match="went away"):
        await store.put("blobs/broken", failing())
    assert await store.stat("blobs/broken") is None
    assert await store.list("blobs/") == []
    if isinstance(store, S3BlobStore):
        uploads = await store.client.list_multipart_uploads(Bucket=store.settings.bucket)
        assert uploads.get("Uploads", []) == []  # aborted: no parts left behind


async def test_move_renames_and_replaces(store: BlobStore) -> None:
    await store.put("staging/x", chunks_of(b"new"))
    await store.put("blobs/x", chunks_of(b"old"))
    await store.move("staging/x", "blobs/x")
    assert await read_all(store, "blobs/x") == b"new"
    assert await store.stat("staging/x") is None
    with pytest.raises(BlobMissing):
        await store.move("staging/none", "blobs/y")


async def test_missing_blobs_and_listing(store: BlobStore) -> None:
    with pytest.raises(BlobMissing):
        await read_all(store, "blobs/none")
    assert await store.stat("blobs/none") is None
    await store.delete("blobs/none")  # not an error
    await store.put("blobs/1", chunks_of(b"one"))
    await store.put("staging/2", chunks_of(b"two"))
    assert [b.key for b in await store.list("blobs/")] == ["blobs/1"]
    await store.delete("blobs/1")
    assert await store.list("blobs/") == []
