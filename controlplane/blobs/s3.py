"""Blobs as objects in S3-compatible storage (AWS S3, MinIO, Ceph RGW, …) through aiobotocore.

Large blobs go up as multipart uploads, completed only when the last part is
in: until then nothing is visible under the key, and a failed write aborts
the upload so no parts are left to pay for. Reads ask for byte ranges, so a
download resumes without reading what came before.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Any

from controlplane.blobs.store import CHUNK, BlobInfo, BlobMissing

# S3's smallest part but the last; parts of this size keep a write's buffer small.
PART_SIZE = 8 * 1024 * 1024


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    prefix: str = ""


class S3BlobStore:
    """Opened with `open()` (in the app's cleanup context) and closed with `close()`."""

    def __init__(self, settings: S3Settings) -> None:
        self.settings = settings
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None

    async def open(self) -> S3BlobStore:
        from aiobotocore.config import AioConfig
        from aiobotocore.session import get_session

        s = self.settings
        self._client = await self._stack.enter_async_context(
            get_session().create_client(
                "s3",
                endpoint_url=s.endpoint_url,
                region_name=s.region,
                aws_access_key_id=s.access_key_id,
                aws_secret_access_key=s.secret_access_key,
                config=AioConfig(
                    retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=60,
                    # Path-style: what MinIO and most S3-compatible servers expect.
                    s3={"addressing_style": "path"},
                ),
            )
        )
        return self

    @property
    def client(self) -> Any:
        if self._client is None:
            raise RuntimeError("S3BlobStore used before open()")
        return self._client

    def _key(self, key: str) -> str:
        return f"{self.settings.prefix}{key}"

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        bucket, name = self.settings.bucket, self._key(key)
        buffer = bytearray()
        size = 0
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            async for chunk in chunks:
                buffer += chunk
                size += len(chunk)
                if len(buffer) >= PART_SIZE:
                    if upload_id is None:
                        started = await self.client.create_multipart_upload(Bucket=bucket, Key=name)
                        upload_id = started["UploadId"]
                    parts.append(await self._part(name, upload_id, len(parts) + 1, bytes(buffer)))
                    buffer.clear()
            if upload_id is None:
                await self.client.put_object(Bucket=bucket, Key=name, Body=bytes(buffer))
                return size
            if buffer:
                parts.append(await self._part(name, upload_id, len(parts) + 1, bytes(buffer)))
            await self.client.complete_multipart_upload(
                Bucket=bucket, Key=name, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            if upload_id is not None:
                with contextlib.suppress(Exception):
                    await self.client.abort_multipart_upload(
                        Bucket=bucket, Key=name, UploadId=upload_id
                    )
            raise
        return size

    async def _part(self, name: str, upload_id: str, number: int, data: bytes) -> dict[str, Any]:
        answer = await self.client.upload_part(
            Bucket=self.settings.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=data
        )
        return {"ETag": answer["ETag"], "PartNumber": number}

    async def move(self, source: str, target: str) -> None:
        bucket = self.settings.bucket
        try:
            # Server-side copy (up to 5 GB in one request): the bytes never come back here.
            await self.client.copy_object(
                Bucket=bucket,
                Key=self._key(target),
                CopySource={"Bucket": bucket, "Key": self._key(source)},
            )
        except self.client.exceptions.ClientError as exc:
            if _missing(exc):
                raise BlobMissing(source) from None
            raise
        await self.delete(source)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        if end is not None and end <= start:
            return
        wanted = f"bytes={start}-" if end is None else f"bytes={start}-{end - 1}"
        try:
            answer = await self.client.get_object(
                Bucket=self.settings.bucket, Key=self._key(key), Range=wanted
            )
        except self.client.exceptions.ClientError as exc:
            if _missing(exc):
                raise BlobMissing(key) from None
            if _error_code(exc) == "InvalidRange":
                return  # asked from past the end: nothing there
            raise
        async with answer["Body"] as body:
            while chunk := await body.read(CHUNK):
                yield chunk

    async def stat(self, key: str) -> BlobInfo | None:
        try:
            head = await self.client.head_object(Bucket=self.settings.bucket, Key=self._key(key))
        except self.client.exceptions.ClientError as exc:
            if _missing(exc):
                return None
            raise
        return BlobInfo(key, int(head["ContentLength"]), head["LastModified"])

    async def list(self, prefix: str) -> list[BlobInfo]:
        found = []
        paginator = self.client.get_paginator("list_objects_v2")
        strip = len(self.settings.prefix)
        async for page in paginator.paginate(Bucket=self.settings.bucket, Prefix=self._key(prefix)):
            for item in page.get("Contents", []):
                found.append(BlobInfo(item["Key"][strip:], int(item["Size"]), item["LastModified"]))
        return found

    async def delete(self, key: str) -> None:
        # S3 answers 204 whether or not the key was there.
        await self.client.delete_object(Bucket=self.settings.bucket, Key=self._key(key))

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None


def _error_code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _missing(exc: Any) -> bool:
    return _error_code(exc) in ("NoSuchKey", "404", "NotFound")
