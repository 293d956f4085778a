"""Chooses the blob store of snapshots from configuration: a directory or an S3 bucket."""

from __future__ import annotations

from controlplane.blobs.directory import DirectoryBlobStore
from controlplane.blobs.s3 import S3BlobStore, S3Settings
from controlplane.blobs.store import BlobStore
from controlplane.config import Config


def snapshot_store(config: Config) -> BlobStore:
    """Not opened yet: the app opens it in its cleanup context."""
    if config.snapshot_store == "s3":
        assert config.snapshot_s3_bucket is not None  # the config refuses s3 without one
        return S3BlobStore(
            S3Settings(
                bucket=config.snapshot_s3_bucket,
                endpoint_url=config.snapshot_s3_endpoint,
                region=config.snapshot_s3_region,
                access_key_id=config.snapshot_s3_access_key_id,
                secret_access_key=config.snapshot_s3_secret_access_key,
                prefix=config.snapshot_s3_prefix,
            )
        )
    return DirectoryBlobStore(config.snapshot_directory)
