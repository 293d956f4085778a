"""The on-disk spool of samples the control plane has not acknowledged yet.

Samples are JSON lines in segment files named by the first seq they hold, appended in seq
order and fsynced one by one, so a sample the agent took survives a crash or a reboot. The
spool is bounded: when full, the oldest samples go first, and every drop is logged and counted.
Only segment names and line counts are kept in memory, never the samples themselves.
"""

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from agent.state import fsync_dir, write_atomically
from agent.wire import UsageSample

log = logging.getLogger("minispod.agent.spool")

SUFFIX = ".jsonl"


@dataclass
class _Segment:
    path: Path
    lines: int


def _line_seq(line: bytes) -> int | None:
    """The seq of a spooled line; None for a line that cannot be read back."""
    try:
        seq = json.loads(line)["seq"]
    except (ValueError, KeyError, TypeError):
        return None
    return seq if isinstance(seq, int) else None


class Spool:
    def __init__(self, directory: Path, max_samples: int, segment_size: int = 500) -> None:
        if max_samples < 1 or segment_size < 1:
            raise ValueError("max_samples and segment_size must be at least 1")
        self._dir = directory
        self._max = max_samples
        self._segment_size = segment_size
        directory.mkdir(parents=True, exist_ok=True)
        self._segments = self._open_segments()
        self._depth = sum(s.lines for s in self._segments)
        if self._depth > self._max:
            self._drop_oldest(self._depth - self._max)

    @property
    def depth(self) -> int:
        """Samples waiting to be delivered."""
        return self._depth

    @property
    def capacity(self) -> int:
        return self._max

    def append(self, sample: UsageSample) -> int:
        """Store one sample durably; return how many of the oldest were dropped to make room."""
        line = json.dumps(sample.wire(), separators=(",", ":")).encode() + b"\n"
        created = not self._segments or self._segments[-1].lines >= self._segment_size
        if created:
            tail = _Segment(self._dir / f"{sample.seq:020d}{SUFFIX}", 0)
        else:
            tail = self._segments[-1]
        fd = os.open(tail.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(self._dir)
            self._segments.append(tail)
        tail.lines += 1
        self._depth += 1
        excess = self._depth - self._max
        return self._drop_oldest(excess) if excess > 0 else 0

    def peek(self, limit: int) -> list[UsageSample]:
        """Up to `limit` of the oldest samples, in seq order. Unreadable lines are skipped
        (and logged); `drop_through` removes them with the samples around them."""
        samples: list[UsageSample] = []
        for segment in self._segments:
            for raw in self._read_lines(segment):
                try:
                    samples.append(UsageSample.from_wire(json.loads(raw)))
                except ValueError:
                    log.warning("skipping an unreadable spooled sample in %s", segment.path.name)
                    continue
                if len(samples) >= limit:
                    return samples
        return samples

    def drop_through(self, seq: int) -> int:
        """Forget the leading samples numbered up to `seq` (acknowledged, or refused for
        good), and unreadable lines among them. Returns how many lines went."""
        dropped = 0
        while self._segments:
            segment = self._segments[0]
            lines = self._read_lines(segment)
            keep = 0
            while keep < len(lines):
                line_seq = _line_seq(lines[keep])
                if line_seq is not None and line_seq > seq:
                    break
                keep += 1
            dropped += keep
            if keep < len(lines):
                self._rewrite_head(segment, lines[keep:])
                break
            self._remove_head()
        self._depth -= dropped
        return dropped

    def _drop_oldest(self, count: int) -> int:
        dropped = 0
        first_seq = last_seq = None
        while dropped < count and self._segments:
            segment = self._segments[0]
            lines = self._read_lines(segment)
            take = min(count - dropped, len(lines))
            seqs = [s for s in (_line_seq(x) for x in lines[:take]) if s is not None]
            if seqs:
                first_seq = seqs[0] if first_seq is None else first_seq
                last_seq = seqs[-1]
            dropped += take
            if take < len(lines):
                self._rewrite_head(segment, lines[take:])
            else:
                self._remove_head()
        self._depth -= dropped
        log.warning(
            "spool full (%d samples): dropped the %d oldest (seq %s..%s)",
            self._max,
            dropped,
            first_seq,
            last_seq,
        )
        return dropped

    def _open_segments(self) -> list[_Segment]:
        for leftover in self._dir.glob("*.tmp"):
            leftover.unlink(missing_ok=True)
        segments = []
        for path in sorted(self._dir.glob(f"*{SUFFIX}")):
            data = path.read_bytes()
            if data and not data.endswith(b"\n"):
                # A crash cut the last append short; the sample was never acknowledged as
                # stored, so dropping the fragment loses nothing that was promised.
                data = data[: data.rfind(b"\n") + 1]
                write_atomically(path, data)
                log.warning("spool: removed a partly written sample at the end of %s", path.name)
            lines = data.count(b"\n")
            if lines:
                segments.append(_Segment(path, lines))
            else:
                path.unlink()
        return segments

    @staticmethod
    def _read_lines(segment: _Segment) -> list[bytes]:
        return segment.path.read_bytes().split(b"\n")[:-1]

    def _rewrite_head(self, segment: _Segment, lines: list[bytes]) -> None:
        write_atomically(segment.path, b"".join(line + b"\n" for line in lines))
        segment.lines = len(lines)

    def _remove_head(self) -> None:
        self._segments.pop(0).path.unlink(missing_ok=True)
        fsync_dir(self._dir)
