"""Blob storage: one interface (`BlobStore`), a local directory and S3-compatible object storage."""
