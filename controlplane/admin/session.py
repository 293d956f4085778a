"""Signing in once and staying signed in: the tokens on disk, refreshed when they expire.

Only the REST API is spoken (standard-library HTTP, JSON envelopes), so the CLI
works against any control plane it can reach, local or remote.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

TIMEOUT = 30.0
# Streamed bodies move in pieces of this size.
CHUNK = 1 << 20
# Names the team every request acts in (`minispod --team`, or this variable).
TEAM_ENV = "MINISPOD_TEAM"


class NotSignedIn(Exception):
    """No stored session, or one the control plane no longer accepts."""


class Unreachable(Exception):
    """The control plane did not answer."""


class Refused(Exception):
    """The control plane answered with an error envelope."""

    def __init__(self, status: int, code: str, message: str, errors: list[dict[str, Any]]):
        super().__init__(message)
        self.status, self.code, self.errors = status, code, errors

    def __str__(self) -> str:
        fields = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in self.errors)
        return f"{self.status} {self.code}: {self.args[0]}" + (f" ({fields})" if fields else "")


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "minispod"


@dataclass
class Session:
    server: str
    # A session's access token, or an API key (mpk_…) when `api_key`.
    access_token: str
    refresh_token: str
    api_key: bool = False

    @property
    def api(self) -> str:
        return self.server.rstrip("/") + "/api/v1"


def _store(path: Path, session: Session) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(vars(session), fh)
    os.replace(tmp, path)


def exchange(
    method: str, url: str, body: Any = None, token: str | None = None
) -> tuple[int, dict[str, Any]]:
    """One JSON call: the body sent as JSON, the envelope read back."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    return send(method, url, data, headers, token)


def send(
    method: str,
    url: str,
    data: bytes | BinaryIO | None,
    headers: dict[str, str],
    token: str | None = None,
    sink: BinaryIO | None = None,
) -> tuple[int, dict[str, Any]]:
    """One HTTP exchange. `data` may be an open file, sent as it is read (a snapshot of
    hundreds of MB is never held whole; `headers` must then give its Content-Length). With
    `sink`, a success's body is copied there piece by piece and the envelope returned is
    a bare success; an error's body is always the JSON envelope."""
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - http(s) only
    for name, value in headers.items():
        request.add_header(name, value)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    team = os.environ.get(TEAM_ENV, "").strip()
    if team:
        # The team the request acts in (`minispod --team`), else the account's own.
        request.add_header("X-Team-ID", team)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            if sink is not None:
                shutil.copyfileobj(response, sink, CHUNK)
                return response.status, {"success": True, "data": None}
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {"code": "ERROR", "message": exc.reason}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise Unreachable(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None


def _data(status: int, envelope: dict[str, Any]) -> Any:
    if 200 <= status < 300 and envelope.get("success") is True:
        return envelope.get("data")
    raise Refused(
        status,
        str(envelope.get("code") or "ERROR"),
        str(envelope.get("message") or "refused"),
        list(envelope.get("errors") or []),
    )


class Client:
    def __init__(self, path: Path | None = None) -> None:
        self._path = path or config_dir() / "session.json"

    def login(self, server: str, email: str, password: str) -> dict[str, Any]:
        if not server.startswith(("http://", "https://")):
            raise Refused(400, "VALIDATION_ERROR", "the server must be an http(s) URL", [])
        api = server.rstrip("/") + "/api/v1"
        data = _data(*exchange("POST", f"{api}/auth/login", {"email": email, "password": password}))
        _store(self._path, Session(server, data["accessToken"], data["refreshToken"]))
        return dict(data["user"])

    def login_with_key(self, server: str, key: str) -> dict[str, Any] | None:
        """Keeps an API key as the credential (nothing to refresh); the account it acts
        for, when the key may read it (account:read)."""
        if not server.startswith(("http://", "https://")):
            raise Refused(400, "VALIDATION_ERROR", "the server must be an http(s) URL", [])
        if not key.startswith("mpk_"):
            raise Refused(400, "VALIDATION_ERROR", "an API key starts with mpk_", [])
        api = server.rstrip("/") + "/api/v1"
        status, envelope = exchange("GET", f"{api}/auth/profile", None, key)
        if status == 403 and envelope.get("code") == "INSUFFICIENT_SCOPE":
            profile = None  # a key for other things: valid, just not for reading the account
        else:
            profile = dict(_data(status, envelope))
        _store(self._path, Session(server, key, "", api_key=True))
        return profile

    def logout(self) -> None:
        session = self._session()
        if session.api_key:
            # A key is revoked on the server (DELETE /api-keys/{id}), not by signing out.
            self._path.unlink(missing_ok=True)
            return
        try:
            exchange(
                "POST",
                f"{session.api}/auth/logout",
                {"refreshToken": session.refresh_token},
                session.access_token,
            )
        finally:
            self._path.unlink(missing_ok=True)

    def check_signed_in(self) -> None:
        """Raises NotSignedIn when there is no stored session or key."""
        self._session()

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """One API call as the signed-in user; an expired access token is refreshed once."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        return _data(*self._authorized(method, path, data, headers))

    def upload(self, path: str, source: BinaryIO, size: int, headers: dict[str, str]) -> Any:
        """POSTs an open file as the body, streamed; answers the envelope's data."""
        headers = {**headers, "Content-Length": str(size)}
        return _data(*self._authorized("POST", path, source, headers))

    def download(self, path: str, sink: BinaryIO) -> None:
        """GETs a body that is not an envelope (a document, a PDF) into `sink`, streamed."""
        _data(*self._authorized("GET", path, None, {}, sink))

    def _authorized(
        self,
        method: str,
        path: str,
        data: bytes | BinaryIO | None,
        headers: dict[str, str],
        sink: BinaryIO | None = None,
    ) -> tuple[int, dict[str, Any]]:
        session = self._session()
        status, envelope = send(
            method, session.api + path, data, headers, session.access_token, sink
        )
        if status == 401 and session.api_key:
            raise NotSignedIn("the control plane refuses this API key (revoked or expired)")
        if status == 401 and envelope.get("code") == "TOKEN_EXPIRED":
            session = self._refresh(session)
            if data is not None and not isinstance(data, bytes):
                data.seek(0)  # the refused attempt may have read some of the file
            status, envelope = send(
                method, session.api + path, data, headers, session.access_token, sink
            )
        if status == 401:
            raise NotSignedIn("the control plane no longer accepts this session: minispod login")
        return status, envelope

    def _session(self) -> Session:
        try:
            return Session(**json.loads(self._path.read_text()))
        except (OSError, ValueError, TypeError):
            raise NotSignedIn("not signed in: minispod login --server URL --email E") from None

    def _refresh(self, session: Session) -> Session:
        status, envelope = exchange(
            "POST", f"{session.api}/auth/refresh", {"refreshToken": session.refresh_token}
        )
        if status != 200:
            raise NotSignedIn("the session ended: minispod login")
        data = envelope["data"]
        renewed = Session(session.server, data["accessToken"], data["refreshToken"])
        _store(self._path, renewed)
        return renewed
