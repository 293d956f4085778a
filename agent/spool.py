"""The on-disk spool of samples the control plane has not acknowledged yet.

Samples are JSON lines in segment files named by the first seq they hold, appended in seq
order and fsynced one by one, so a sample the agent took survives a crash or a reboot. The
spool is bounded: when full, the oldest samples go first, and every drop is logged and counted.
Only segment names and line counts are kept in memory, never the samples themselves.

The sample of a heartbeat on its way is written ahead to a file of its own (`hold`) before
it is sent, and forgotten once the control plane answered (`release`) or moved into the
spool when it could not (`keep_held`). An agent killed with the request in flight finds it
there at its next start, so "nothing is lost" holds for every kill, not only a clean stop;
if the control plane had stored it after all, the replay is counted as a duplicate.
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
# Not a segment (the suffix differs): the one sample in flight, or nothing (empty).
IN_FLIGHT = "in-flight.json"


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
        self._in_flight = directory / IN_FLIGHT
        self._recover_in_flight()

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

    def hold(self, sample: UsageSample) -> None:
        """Write ahead the sample about to be sent (one fsync; the file is reused, so
        no directory sync either)."""
        line = json.dumps(sample.wire(), separators=(",", ":")).encode() + b"\n"
        fd = os.open(self._in_flight, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, line, 0)
            os.fsync(fd)
        finally:
            os.close(fd)

    def release(self) -> None:
        """The held sample was answered for (stored, or refused for good). Not synced: a
        sample that reappears after a power cut is replayed and counted as a duplicate."""
        with open(self._in_flight, "r+b") as fh:
            fh.truncate(0)

    def keep_held(self) -> int:
        """The held sample could not be delivered: into the spool with it. Returns how many
        of the oldest samples were dropped to make room."""
        sample = self._read_in_flight()
        dropped = self.append(sample) if sample is not None else 0
        self.release()
        return dropped

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

    def _read_in_flight(self) -> UsageSample | None:
        try:
            data = self._in_flight.read_bytes()
        except FileNotFoundError:
            return None
        if not data.strip():
            return None
        try:
            return UsageSample.from_wire(json.loads(data))
        except ValueError:
            # Torn by a power cut while it was being written, so it was never sent either.
            log.warning("spool: an unreadable in-flight sample was discarded")
            return None

    def _recover_in_flight(self) -> None:
        if not self._in_flight.exists():
            return
        sample = self._read_in_flight()
        tail = self._tail_seq()
        if sample is not None and (tail is None or sample.seq > tail):
            self.append(sample)
            log.info(
                "spool: the sample in flight when the agent stopped (seq %d) is kept", sample.seq
            )
        self.release()

    def _tail_seq(self) -> int | None:
        if not self._segments:
            return None
        lines = self._read_lines(self._segments[-1])
        return _line_seq(lines[-1]) if lines else None

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
