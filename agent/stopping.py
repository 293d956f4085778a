"""SIGTERM and SIGINT as a stop request the report loop can sleep on.

A signal handler runs in the main thread between two bytecodes, possibly while that thread
holds a lock, so it must not set a threading.Event (whose lock it could deadlock on). It only
flips a flag; the signal module also writes a byte to a pipe (the wakeup fd), which is what
wakes `wait()`, even if the signal came just before the sleep began.
"""

import contextlib
import os
import select
import signal
from types import FrameType, TracebackType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignal:
    """Install in the main thread; `close()` (or leaving the `with`) restores what was there."""

    def __init__(self, signals: tuple[signal.Signals, ...] = STOP_SIGNALS) -> None:
        self._requested = False
        self._reader, self._writer = os.pipe()
        os.set_blocking(self._reader, False)
        os.set_blocking(self._writer, False)
        self._previous_wakeup_fd = signal.set_wakeup_fd(self._writer, warn_on_full_buffer=False)
        self._previous = {signum: signal.signal(signum, self._handle) for signum in signals}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._requested = True

    def is_set(self) -> bool:
        return self._requested

    def wait(self, timeout: float) -> bool:
        """Sleep until a stop signal or `timeout` seconds; True once a stop was asked for."""
        if not self._requested:
            readable, _, _ = select.select([self._reader], [], [], max(timeout, 0.0))
            if readable:
                with contextlib.suppress(BlockingIOError):
                    os.read(self._reader, 512)
        return self._requested

    def close(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(self._previous_wakeup_fd)
        os.close(self._reader)
        os.close(self._writer)

    def __enter__(self) -> "StopSignal":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
