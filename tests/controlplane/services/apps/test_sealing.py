"""Instance credentials are sealed at rest, open only with a configured key, and survive a
key rotation; the cluster still receives them in the clear, where the app needs them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from controlplane.appkeys import OUTBOX
from controlplane.db.database import tortoise_config
from controlplane.db.models import Instance, OutboxEvent
from controlplane.services.sealing import SecretBox, SecretsUnreadable
from tests.conftest import TEST_SECRETS_KEY, run_cli
from tests.controlplane.api.test_subscriptions import active_node, customer, reconcile, subscribe

NEW_KEY = Fernet.generate_key().decode()


async def test_credentials_are_stored_sealed_and_reach_the_cluster_in_the_clear(
    platform, admin, services, cluster
) -> None:
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    resp = await subscribe(platform, alice, services["wordpress"])
    assert resp.status == 201, await resp.text()
    await reconcile(platform)

    row = await Instance.get()
    assert set(row.secrets) == {"sealed"}
    opened = SecretBox([TEST_SECRETS_KEY]).open(row.secrets)
    assert opened and all(len(value) >= 16 for value in opened.values())
    assert not any(value in row.secrets["sealed"] for value in opened.values())

    (secret,) = cluster.objects("Secret")
    given = {**secret.get("stringData", {}), **secret.get("data", {})}
    assert given, secret
    assert set(opened) <= set(given)


def test_a_rotated_key_opens_what_the_old_one_sealed_until_it_is_resealed() -> None:
    old = SecretBox([TEST_SECRETS_KEY])
    stored = old.seal({"DB_PASSWORD": "hunter2-hunter2"})
    rotated = SecretBox([NEW_KEY, TEST_SECRETS_KEY])
    assert rotated.open(stored) == {"DB_PASSWORD": "hunter2-hunter2"}
    resealed = rotated.reseal(stored)
    assert resealed is not None and rotated.reseal(resealed) is None
    assert SecretBox([NEW_KEY]).open(resealed) == {"DB_PASSWORD": "hunter2-hunter2"}
    with pytest.raises(SecretsUnreadable):
        SecretBox([NEW_KEY]).open(stored)


def test_credentials_stored_before_sealing_open_as_they_are_and_reseal() -> None:
    box = SecretBox([TEST_SECRETS_KEY])
    legacy = {"DB_PASSWORD": "stored-in-the-clear"}
    assert box.open(legacy) == legacy
    sealed = box.reseal(legacy)
    assert sealed is not None and set(sealed) == {"sealed"}
    assert box.open(sealed) == legacy


async def test_reseal_secrets_moves_every_row_to_the_first_key(
    platform, admin, services, database_url
) -> None:
    await active_node(platform, admin, "worker-a")
    alice = await customer(platform, "alice@example.com")
    for slug in ("wordpress", "n8n"):
        assert (await subscribe(platform, alice, services[slug])).status == 201
    legacy = await Instance.first()
    assert legacy is not None
    await Instance.filter(id=legacy.id).update(secrets={"ADMIN_TOKEN": "from-before-sealing"})
    old = SecretBox([TEST_SECRETS_KEY])
    before = {row.id: old.open(row.secrets) for row in await Instance.all()}
    # A mail not sent yet whose link's token is sealed in its event.
    outbox = platform.app[OUTBOX]
    async with outbox.transaction() as conn:
        await outbox.emit(conn, "user.password_reset_requested", None, {}, {"token": "rt_x"})

    keys = {"MINISPOD_SECRETS_KEY": f"{NEW_KEY},{TEST_SECRETS_KEY}"}
    first = run_cli("reseal-secrets", database_url=database_url, **keys)
    assert first.returncode == 0, first.stderr
    assert "resealed 2 instance(s), 0 webhook secret(s) and 1 event(s)" in first.stdout
    again = run_cli("reseal-secrets", database_url=database_url, **keys)
    assert "resealed 0 instance(s), 0 webhook secret(s) and 0 event(s)" in again.stdout
    [event] = await OutboxEvent.filter(type="user.password_reset_requested")
    assert SecretBox([NEW_KEY]).open(event.payload["sealed"]) == {"token": "rt_x"}

    only_new = SecretBox([NEW_KEY])
    after = {row.id: only_new.open(row.secrets) for row in await Instance.all()}
    assert after == before
    assert after[legacy.id] == {"ADMIN_TOKEN": "from-before-sealing"}


def test_a_new_sqlite_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    tortoise_config(f"sqlite://{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
