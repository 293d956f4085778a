"""Opaque bearer secrets (join, node, share, invitation, mailed tokens): made random, kept as
a digest. Kernel: every domain that hands out such a secret uses these two."""

from __future__ import annotations

import hashlib
import secrets


def new_secret_token(prefix: str) -> str:
    """An opaque bearer secret; the prefix tells humans and scanners what it is."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_token(raw: str) -> str:
    """What we store instead of a bearer secret: its SHA-256 (256 random bits need no salt)."""
    return hashlib.sha256(raw.encode()).hexdigest()
