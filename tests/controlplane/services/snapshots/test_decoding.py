"""Compressed bodies expand within the limit, one bounded piece at a time."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import pytest
import zstandard

from controlplane.services.errors import Invalid, TooLarge
from controlplane.services.snapshots.decoding import STEP, decoded

BOMB_SIZE = 256 * 1024 * 1024


async def body(data: bytes, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


async def pieces(data: bytes, encoding: str, limit: int) -> list[int]:
    return [len(p) async for p in decoded(body(data), encoding, limit)]


@pytest.mark.parametrize(
    ("encoding", "compress", "bound"),
    [
        ("gzip", gzip.compress, STEP),
        # One slice of 128 bytes holds at most ~40 blocks of 128 KiB each.
        ("zstd", zstandard.ZstdCompressor(level=19).compress, 6 * 1024 * 1024),
    ],
)
async def test_a_bomb_is_stopped_at_the_limit_and_no_piece_is_large(
    encoding: str, compress: object, bound: int
) -> None:
    bomb = compress(b"\0" * BOMB_SIZE)  # type: ignore[operator]
    seen: list[int] = []

    async def expand() -> None:
        async for piece in decoded(body(bomb), encoding, 16 * 1024 * 1024):
            seen.append(len(piece))

    with pytest.raises(TooLarge):
        await expand()
    assert sum(seen) <= 16 * 1024 * 1024
    assert max(seen) <= bound


@pytest.mark.parametrize("encoding", ["gzip", "zstd"])
async def test_within_the_limit_the_original_comes_out(encoding: str) -> None:
    data = b"".join(b"line %d\n" % i for i in range(200_000))
    packed = (
        gzip.compress(data) if encoding == "gzip" else zstandard.ZstdCompressor().compress(data)
    )
    out = b"".join([p async for p in decoded(body(packed, 777), encoding, len(data))])
    assert out == data
    with pytest.raises(TooLarge):
        await pieces(packed, encoding, len(data) - 1)


async def test_identity_counts_too_and_garbage_is_invalid() -> None:
    with pytest.raises(TooLarge):
        await pieces(b"x" * 2000, "identity", 1999)
    with pytest.raises(Invalid):
        await pieces(b"garbage", "gzip", 1000)
    with pytest.raises(Invalid):
        await pieces(gzip.compress(b"x") + b"trailing", "gzip", 1000)
    with pytest.raises(Invalid):
        await pieces(zstandard.ZstdCompressor().compress(b"x" * 1000)[:-3], "zstd", 10_000)
