"""Generate the next aerich migration for both dialects (SQLite and PostgreSQL) from the models.

Usage: .venv/bin/python scripts/makemigrations.py NAME

Aerich writes dialect-specific SQL, and we support two databases, so each
schema change is one migration per dialect, generated from the same models
against a scratch database of each kind brought to the current head first.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aerich import Command
from tortoise import Tortoise

from controlplane.db.database import APP, MIGRATIONS, tortoise_config
from tests.pgserver import PostgresServer


async def generate(url: str, dialect: str, name: str) -> None:
    location = MIGRATIONS / dialect
    config = tortoise_config(url)
    command = Command(tortoise_config=config, app=APP, location=str(location))
    if not (location / APP).exists() or not any((location / APP).glob("*.py")):
        await command.init_db(safe=True)
        print(f"{dialect}: initial migration written")
    else:
        async with command:
            await command.init()
            await command.upgrade()
            await command.init()  # reload the head's model state, now in the database
            made = await command.migrate(name, no_input=True)
            print(f"{dialect}: {made or 'no changes'}")
    await Tortoise.close_connections()


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "update"
    # One process per dialect: tortoise binds model executors to the first
    # dialect it meets, so a second one in the same process writes bad SQL.
    if len(sys.argv) > 2 and sys.argv[2] == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(generate(f"sqlite://{tmp}/scratch.sqlite3", "sqlite", name))
    elif len(sys.argv) > 2 and sys.argv[2] == "postgres":
        server = PostgresServer().start()
        try:
            asyncio.run(
                generate(server.url.replace("postgresql://", "asyncpg://"), "postgres", name)
            )
        finally:
            server.stop()
    else:
        for dialect in ("sqlite", "postgres"):
            subprocess.run([sys.executable, __file__, name, dialect], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
