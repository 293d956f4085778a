"""How the agent logs: one readable line per event on stderr, with its secrets blanked out."""

import logging
import sys

REDACTED = "[redacted]"


class RedactingFormatter(logging.Formatter):
    """Blanks the join token and node token wherever they would appear, tracebacks included.
    The code never logs them on purpose; this is the net under that promise."""

    def __init__(self, fmt: str | None = None) -> None:
        super().__init__(fmt, datefmt="%Y-%m-%dT%H:%M:%S%z")
        self._secrets: set[str] = set()

    def add_secret(self, secret: str) -> None:
        # Very short strings would blank ordinary words; real tokens are long.
        if len(secret) >= 8:
            self._secrets.add(secret)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def configure_logging(level: str) -> RedactingFormatter:
    """Send the agent's logs to stderr; return the formatter so secrets can be added later."""
    formatter = RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    return formatter
