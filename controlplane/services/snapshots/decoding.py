"""An uploaded body's bytes as they were before the client compressed them, within a limit.

The limit is on the decompressed size and is enforced while decompressing: a
zip bomb (a few kilobytes that expand to gigabytes) is refused once it passes
the limit, and no step ever holds more than a bounded slice of its output.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator

import zstandard

from controlplane.services.errors import Invalid, TooLarge

ENCODINGS = ("identity", "gzip", "zstd")
# Output asked of the decompressor per step: bounds what one step holds in memory.
STEP = 256 * 1024
# zstd's decompressor (python-zstandard's decompressobj) cannot be asked for a bounded
# output, and a block of 3 to 4 bytes may expand to 128 KiB: input goes in by slices
# this small, so one step's output stays under about 6 MiB whatever the input.
ZSTD_SLICE = 128


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"Snapshot larger than {limit} bytes (uncompressed)")


async def decoded(chunks: AsyncIterable[bytes], encoding: str, limit: int) -> AsyncIterator[bytes]:
    """The body decompressed by `encoding` (one of ENCODINGS), refused past `limit` bytes."""
    expand = {"identity": _identity, "gzip": _gzip, "zstd": _zstd}[encoding]()
    total = 0
    async for chunk in chunks:
        for piece in expand(chunk):
            total += len(piece)
            if total > limit:
                raise too_large(limit)
            yield piece
    for piece in expand(None):
        total += len(piece)
        if total > limit:
            raise too_large(limit)
        yield piece


Expander = Callable[[bytes | None], Iterator[bytes]]  # None: the body has ended


def _identity() -> Expander:
    def expand(chunk: bytes | None) -> Iterator[bytes]:
        if chunk:
            yield chunk

    return expand


def _gzip() -> Expander:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)

    def expand(chunk: bytes | None) -> Iterator[bytes]:
        if chunk is None:
            if not inflater.eof:
                raise Invalid.field("body", "gzip body is truncated")
            return
        data = chunk
        while data and not inflater.eof:
            try:
                out = inflater.decompress(data, STEP)
            except zlib.error as exc:
                raise Invalid.field("body", f"not valid gzip: {exc}") from None
            if out:
                yield out
            data = inflater.unconsumed_tail
        if inflater.unused_data or data:
            raise Invalid.field("body", "data after the end of the gzip stream")

    return expand


def _zstd() -> Expander:
    inflater = zstandard.ZstdDecompressor().decompressobj()

    def expand(chunk: bytes | None) -> Iterator[bytes]:
        if chunk is None:
            if not inflater.eof:
                raise Invalid.field("body", "zstd body is truncated")
            return
        view = memoryview(chunk)
        for start in range(0, len(view), ZSTD_SLICE):
            if inflater.eof:
                raise Invalid.field("body", "data after the end of the zstd frame")
            try:
                out = inflater.decompress(view[start : start + ZSTD_SLICE])
            except zstandard.ZstdError as exc:
                raise Invalid.field("body", f"not valid zstd: {exc}") from None
            if out:
                yield out

    return expand
