"""The blob store interface: whole blobs under keys, written and read as streams."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# What one read step hands on, and what a write buffers at most before it goes out.
CHUNK = 256 * 1024


class BlobMissing(Exception):
    """No blob under that key."""


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    modified: datetime  # aware, UTC: when it was last written (or moved into place)


class BlobStore(Protocol):
    """Implemented by `DirectoryBlobStore` and `S3BlobStore`.

    A blob appears under its key only whole: a write that fails or is cancelled
    part-way leaves nothing under the key (and nothing behind that `list` shows
    once the store cleaned up after it).
    """

    async def open(self) -> BlobStore:
        """Connects (S3) or makes the directory; called from the app's cleanup context."""
        ...

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        """Writes the chunks as the blob `key` (replacing one there); returns its size."""
        ...

    async def move(self, source: str, target: str) -> None:
        """Renames `source` to `target`, replacing it; `target` counts as written now."""
        ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes [start, end) of the blob (to its end when `end` is None); BlobMissing
        if there is none."""
        ...

    async def stat(self, key: str) -> BlobInfo | None: ...

    async def list(self, prefix: str) -> list[BlobInfo]: ...

    async def delete(self, key: str) -> None:
        """Deleting what is not there is not an error."""
        ...

    async def close(self) -> None: ...
