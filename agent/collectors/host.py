"""Where the host's /proc, /sys and / are mounted, so collectors read the node and not the pod."""

from dataclasses import dataclass
from pathlib import Path

import psutil


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


@dataclass(frozen=True)
class HostPaths:
    proc: Path
    sys: Path
    root: Path

    def point_psutil_here(self) -> None:
        """psutil reads /proc through one module-level setting; collectors set it before reading."""
        psutil.PROCFS_PATH = str(self.proc)

    def proc_file(self, relative: str) -> str | None:
        """A file under the host's /proc, or None when the host does not have it."""
        return _read(self.proc / relative)

    def sys_file(self, relative: str) -> str | None:
        return _read(self.sys / relative)

    def root_file(self, relative: str) -> str | None:
        return _read(self.root / relative)
