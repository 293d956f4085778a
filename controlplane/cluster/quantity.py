"""Kubernetes resource quantities to and from our units (CPU cores, MB = MiB).

Reading is the official client's `kubernetes.utils.parse_quantity` (the
control plane imports the client anyway); writing picks the short forms the
manifests we render use.
"""

from __future__ import annotations

from kubernetes.utils import parse_quantity

from shared.units import BYTES_PER_MB


def cpu_quantity(cores: float) -> str:
    """0.25 → "250m", 2.0 → "2"."""
    millis = round(cores * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def memory_quantity(mb: int) -> str:
    """1024 → "1Gi", 768 → "768Mi"."""
    return f"{mb // 1024}Gi" if mb % 1024 == 0 else f"{mb}Mi"


def parse_cpu(quantity: str | int | float) -> float:
    """CPU cores, to the millicore ("12345678n" → 0.012)."""
    return round(float(parse_quantity(quantity)), 3)


def parse_memory_mb(quantity: str | int | float) -> int:
    """Whole MB (MiB), rounded down like every capacity we report."""
    return int(parse_quantity(quantity) // BYTES_PER_MB)
