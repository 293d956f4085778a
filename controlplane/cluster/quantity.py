"""Kubernetes resource quantities to and from our units (CPU cores, MB = MiB)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from shared.units import BYTES_PER_MB

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]{0,2})$")


def cpu_quantity(cores: float) -> str:
    """0.25 → "250m", 2.0 → "2"."""
    millis = round(cores * 1000)
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def memory_quantity(mb: int) -> str:
    """1024 → "1Gi", 768 → "768Mi"."""
    return f"{mb // 1024}Gi" if mb % 1024 == 0 else f"{mb}Mi"


def parse_quantity(quantity: str | int | float) -> Decimal:
    """The plain number a Kubernetes quantity stands for ("250m" → 0.25, "1Ki" → 1024)."""
    if isinstance(quantity, int | float):
        return Decimal(str(quantity))
    match = _QUANTITY.match(quantity.strip())
    if not match:
        raise ValueError(f"not a Kubernetes quantity: {quantity!r}")
    number, suffix = match.groups()
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"not a Kubernetes quantity: {quantity!r}") from None
    if suffix in _BINARY:
        return value * _BINARY[suffix]
    if suffix in _DECIMAL:
        return value * _DECIMAL[suffix]
    raise ValueError(f"unknown quantity suffix in {quantity!r}")


def parse_cpu(quantity: str | int | float) -> float:
    """CPU cores, to the millicore."""
    return round(float(parse_quantity(quantity)), 3)


def parse_memory_mb(quantity: str | int | float) -> int:
    """Whole MB (MiB), rounded down like every capacity we report."""
    return int(parse_quantity(quantity) // BYTES_PER_MB)
