"""Blobs as files in a local directory (the default: under the data folder)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from controlplane.blobs.store import CHUNK, BlobInfo, BlobMissing

# Files being written carry this in their name until they are whole.
PARTIAL = ".partial-"


class DirectoryBlobStore:
    """Keys are relative paths ("blobs/ab/abcd…"). Files are written under a partial name
    and renamed into place, so a reader never sees half a blob; blocking file work runs
    in a worker thread so the event loop never waits on the disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def open(self) -> DirectoryBlobStore:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
        return self

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"blob key outside the store: {key!r}")
        return path

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        path = self._path(key)
        partial = path.with_name(f"{path.name}{PARTIAL}{uuid.uuid4().hex}")

        def open_partial() -> BinaryIO:
            path.parent.mkdir(parents=True, exist_ok=True)
            return partial.open("wb")

        handle = await asyncio.to_thread(open_partial)
        size = 0
        try:
            try:
                async for chunk in chunks:
                    await asyncio.to_thread(handle.write, chunk)
                    size += len(chunk)
                await asyncio.to_thread(os.fsync, handle.fileno())
            finally:
                await asyncio.to_thread(handle.close)
            await asyncio.to_thread(os.replace, partial, path)
        except BaseException:
            await asyncio.to_thread(partial.unlink, True)
            raise
        return size

    async def move(self, source: str, target: str) -> None:
        src, dst = self._path(source), self._path(target)

        def rename() -> None:
            dst.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(src, dst)
            except FileNotFoundError:
                raise BlobMissing(source) from None
            os.utime(dst)  # written now, as far as the sweeper's grace period goes

        await asyncio.to_thread(rename)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise BlobMissing(key) from None
        try:
            await asyncio.to_thread(handle.seek, start)
            left = None if end is None else max(0, end - start)
            while left is None or left > 0:
                want = CHUNK if left is None else min(CHUNK, left)
                chunk = await asyncio.to_thread(handle.read, want)
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    async def stat(self, key: str) -> BlobInfo | None:
        path = self._path(key)
        try:
            found = await asyncio.to_thread(path.stat)
        except FileNotFoundError:
            return None
        return BlobInfo(key, found.st_size, datetime.fromtimestamp(found.st_mtime, UTC))

    async def list(self, prefix: str) -> list[BlobInfo]:
        def walk() -> list[BlobInfo]:
            base = self.root / prefix
            if not base.is_dir():
                return []
            found = []
            for path in base.rglob("*"):
                if not path.is_file():
                    continue
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue  # renamed or deleted meanwhile
                key = path.relative_to(self.root).as_posix()
                found.append(BlobInfo(key, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC)))
            return sorted(found, key=lambda b: b.key)

        return await asyncio.to_thread(walk)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def close(self) -> None:
        return None
