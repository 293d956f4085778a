"""Secrets at rest: the credentials an instance runs with, sealed before they are stored.

Fernet (AES-128-CBC with an HMAC-SHA256, from `cryptography`) under the keys
of MINISPOD_SECRETS_KEY: the first seals, every one opens, so a key is
rotated by putting the new one first, running `minispod-controlplane
reseal-secrets`, then dropping the old one. A stored value is
`{"sealed": "<token>"}`; a plain mapping is what rows written before sealing
hold, opened as it is and sealed by the next reseal.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from tortoise.models import Model

SEALED = "sealed"


class SecretsUnreadable(Exception):
    """A sealed value no configured key opens: the key that sealed it is missing."""


class SecretBox:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._box = MultiFernet([Fernet(k.encode()) for k in keys])
        self._first = Fernet(keys[0].encode())

    def seal(self, values: Mapping[str, str]) -> dict[str, str]:
        token = self._box.encrypt(json.dumps(dict(values), sort_keys=True).encode())
        return {SEALED: token.decode()}

    def open(self, stored: Mapping[str, Any]) -> dict[str, str]:
        if SEALED not in stored:
            return {str(k): str(v) for k, v in stored.items()}
        try:
            return dict(json.loads(self._box.decrypt(str(stored[SEALED]).encode())))
        except InvalidToken:
            raise SecretsUnreadable(
                "no key in MINISPOD_SECRETS_KEY opens these secrets; was the key that sealed "
                "them removed?"
            ) from None

    def reseal(self, stored: Mapping[str, Any]) -> dict[str, str] | None:
        """The value sealed under the first key, or None when it already is."""
        if SEALED in stored:
            token = str(stored[SEALED]).encode()
            try:
                self._first.decrypt(token)
                return None
            except InvalidToken:
                pass
        return self.seal(self.open(stored))


async def reseal_rows(box: SecretBox, model: type[Model], column: str, batch: int = 500) -> int:
    """Every row's sealed `column` sealed under the first key (after a key rotation, or
    for rows stored before sealing), a batch at a time by id; returns how many changed.
    Safe to run again."""
    changed = 0
    after = None
    while True:
        query = model.all().order_by("id").limit(batch).only("id", column)
        if after is not None:
            query = query.filter(id__gt=after)
        rows = await query
        for row in rows:
            sealed = box.reseal(getattr(row, column))
            if sealed is not None:
                await model.filter(id=row.pk).update(**{column: sealed})
                changed += 1
        if len(rows) < batch:
            return changed
        after = rows[-1].pk
