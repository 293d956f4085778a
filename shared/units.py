"""Units on the wire: memory and storage in MB (MiB), CPU in cores (float)."""

BYTES_PER_MB = 1024 * 1024


def bytes_to_mb(n: int | float) -> int:
    """Whole MB, rounded down: we never report capacity we do not have."""
    return int(n // BYTES_PER_MB)


def millicores_to_cores(m: int | float) -> float:
    return round(float(m) / 1000.0, 3)
