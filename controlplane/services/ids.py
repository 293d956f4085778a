"""Resource ids in paths: a string that is not a UUID names nothing."""

from __future__ import annotations

import uuid

from controlplane.services.errors import NotFound


def parse_id(raw: str, what: str) -> uuid.UUID:
    """NotFound ("<what> not found") for a malformed id, exactly as for an unknown one."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(f"{what} not found") from None
