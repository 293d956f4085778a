"""What the agent keeps on disk between runs: its node secret, its node identity and its
sequence counter.

All are written atomically (temp file, fsync, rename, fsync of the directory), so a crash
leaves either the old or the new content, never a torn file.
"""

import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path


class StateError(RuntimeError):
    """The state directory cannot be used; the agent cannot run safely without it."""


def fsync_dir(directory: Path) -> None:
    """Make a file's creation, rename or removal in `directory` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new file, whole."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


# shared.wire.nodes.NODE_SECRET_MIN_LENGTH and _MAX_LENGTH: what the control plane accepts.
NODE_SECRET_MIN_LENGTH = 32
NODE_SECRET_MAX_LENGTH = 256


def load_node_secret(path: Path) -> str:
    """This agent's node secret, generated and stored the first time, the same ever after.

    The control plane ties the node name to it at the first registration (K3s's "node
    password"): registering the name again takes the same secret, so a join token alone
    cannot take a node over. Losing the file locks this agent out of its node name until an
    administrator deletes the node; the file is readable by the agent's user only.
    """
    try:
        text = path.read_text()
    except FileNotFoundError:
        secret = secrets.token_urlsafe(32)
        write_atomically(path, f"{secret}\n".encode(), mode=0o600)
        return secret
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(f"cannot read the node secret file {path}: {exc}") from exc
    secret = text.strip()
    if not NODE_SECRET_MIN_LENGTH <= len(secret) <= NODE_SECRET_MAX_LENGTH:
        # Never written torn (atomic writes), so someone edited it. A new secret would not
        # be this node's: say so rather than lock the node out behind the operator's back.
        raise StateError(
            f"the node secret file {path} does not hold a node secret "
            f"({NODE_SECRET_MIN_LENGTH} to {NODE_SECRET_MAX_LENGTH} characters); restore it, "
            "or remove it and have an administrator delete this node so it can register anew"
        )
    return secret


@dataclass(frozen=True)
class NodeIdentity:
    """Who the control plane says this node is, and the intervals it asked for."""

    node_id: str
    node_token: str = field(repr=False)
    node_name: str
    server_url: str
    heartbeat_interval: float
    resource_interval: float
    # Obtained by a registration that presented this agent's node secret. False for an
    # identity kept by an agent from before node secrets: it registers again to claim its
    # node name, so nobody else can first.
    claimed: bool = False


class IdentityStore:
    """node.json, readable by the agent's user only: it holds the node token."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def load(self, node_name: str, server_url: str) -> NodeIdentity | None:
        """The stored identity, if it was issued to this node name by this server."""
        try:
            data = json.loads(self._path.read_bytes())
            identity = NodeIdentity(
                node_id=str(data["node_id"]),
                node_token=str(data["node_token"]),
                node_name=str(data["node_name"]),
                server_url=str(data["server_url"]),
                heartbeat_interval=float(data["heartbeat_interval"]),
                resource_interval=float(data["resource_interval"]),
                claimed=data.get("claimed") is True,
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError):
            # Unreadable identity: registering again (same name, same node secret) rebuilds it.
            return None
        if identity.node_name != node_name or identity.server_url != server_url:
            return None
        return identity

    def save(self, identity: NodeIdentity) -> None:
        write_atomically(self._path, json.dumps(asdict(identity)).encode())

    def clear(self) -> None:
        self._path.unlink(missing_ok=True)


def _epoch_ms() -> int:
    return time.time_ns() // 1_000_000


class SequenceCounter:
    """Per-node sample numbers that only ever grow, across crashes and restarts.

    Write-ahead: before handing out a number the counter makes sure a reservation at least
    that high is on disk. After a crash it resumes above the last reservation, so numbers
    may be skipped but are never reused.

    A new counter starts at the wall clock in milliseconds (`origin`), not at 1: an agent
    whose state is gone (a reinstalled node, a removed sequence file) numbers above
    everything its predecessor on that node could have sent, one sample per heartbeat
    being far slower than one per millisecond. Otherwise the control plane, which stores
    each (node, seq) once, would take the samples it spooled meanwhile for replays of the
    old ones and drop them.
    """

    def __init__(self, path: Path, block: int = 100, origin: Callable[[], int] = _epoch_ms) -> None:
        if block < 1:
            raise ValueError("block must be at least 1")
        self._path = path
        self._block = block
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            text = None
        except OSError as exc:
            raise StateError(f"cannot read the sequence file {path}: {exc}") from exc
        self.found_on_disk = text is not None
        try:
            reserved = int(text) if text else origin()
        except ValueError:
            raise StateError(
                f"the sequence file {path} is corrupt ({(text or '')[:40]!r}); remove it and "
                "the agent resumes above what the control plane has stored"
            ) from None
        if reserved < 0:
            raise StateError(f"the sequence file {path} holds a negative number")
        self._reserved = reserved
        self._next = reserved + 1

    def next(self) -> int:
        seq = self._next
        if seq > self._reserved:
            self._reserve(seq + self._block - 1)
        self._next = seq + 1
        return seq

    def advance_past(self, seq: int) -> None:
        """Never hand out `seq` or anything below it (the control plane has stored up to it).
        Written ahead at once: a crash right after must not resume below `seq`."""
        if seq >= self._next:
            self._next = seq + 1
        if seq > self._reserved:
            self._reserve(seq + self._block)

    def _reserve(self, upto: int) -> None:
        write_atomically(self._path, f"{upto}\n".encode(), mode=0o644)
        self._reserved = upto
