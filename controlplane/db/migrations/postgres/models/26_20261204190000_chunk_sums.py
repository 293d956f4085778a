from importlib import import_module

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# Hand-written, PostgreSQL only: each hour's chunk of samples keeps its 5-minute sums
# beside its values (controlplane/db/packing.py, `Summary`), so a day of 5-minute
# buckets reads 24 rows of sums.
#
# Sums that do not add up to the chunk's `n` are made again from its values by a
# trigger, whoever wrote the row: the previous release, still packing hours while the
# new one rolls out, writes chunks without sums (and merges late values without
# theirs), and the new one would read those hours as empty. The chunks packed before
# this get theirs here, in one pass (about 0.2 ms a chunk: a minute for 10,000 nodes'
# day of hours; the values' out-of-line arrays are read, not rewritten).

# One chunk's sums, from its own arrays, as `Summary.packed` makes them for many.
_SUMS = """
    SELECT array_agg(b ORDER BY b), array_agg(samples ORDER BY b),
        array_agg(cpu_sum ORDER BY b), array_agg(cpu_max ORDER BY b),
        array_agg(memory_sum ORDER BY b), array_agg(disk_sum ORDER BY b),
        array_agg(load1_sum ORDER BY b)
    FROM (
        SELECT (u.ts / 300000) * 300000 AS b, COUNT(*)::INT AS samples,
            SUM(u.cpu)::DOUBLE PRECISION AS cpu_sum, MAX(u.cpu)::DOUBLE PRECISION AS cpu_max,
            SUM(u.memory)::BIGINT AS memory_sum, SUM(u.disk)::BIGINT AS disk_sum,
            SUM(u.load1)::DOUBLE PRECISION AS load1_sum
        FROM unnest({ts}, {cpu}, {memory}, {disk}, {load1}) AS u(ts, cpu, memory, disk, load1)
        GROUP BY 1
    ) AS g"""

_COLUMNS = (
    "bucket_start",
    "bucket_samples",
    "bucket_cpu_sum",
    "bucket_cpu_max",
    "bucket_memory_sum",
    "bucket_disk_sum",
    "bucket_load1_sum",
)


async def upgrade(db: BaseDBAsyncClient) -> str:
    of_new = _SUMS.format(
        ts="NEW.ts",
        cpu="NEW.cpu_percent",
        memory="NEW.memory_used",
        disk="NEW.disk_used",
        load1="NEW.load1",
    )
    of_row = _SUMS.format(
        ts="c.ts", cpu="c.cpu_percent", memory="c.memory_used", disk="c.disk_used", load1="c.load1"
    )
    return f"""
        ALTER TABLE "node_sample_chunks"
            ADD COLUMN IF NOT EXISTS "bucket_start" INT[] NOT NULL DEFAULT '{{}}',
            ADD COLUMN IF NOT EXISTS "bucket_samples" INT[] NOT NULL DEFAULT '{{}}',
            ADD COLUMN IF NOT EXISTS "bucket_cpu_sum" DOUBLE PRECISION[] NOT NULL DEFAULT '{{}}',
            ADD COLUMN IF NOT EXISTS "bucket_cpu_max" DOUBLE PRECISION[] NOT NULL DEFAULT '{{}}',
            ADD COLUMN IF NOT EXISTS "bucket_memory_sum" BIGINT[] NOT NULL DEFAULT '{{}}',
            ADD COLUMN IF NOT EXISTS "bucket_disk_sum" BIGINT[] NOT NULL DEFAULT '{{}}',
            ADD COLUMN IF NOT EXISTS "bucket_load1_sum" DOUBLE PRECISION[] NOT NULL DEFAULT '{{}}';
        CREATE OR REPLACE FUNCTION "node_sample_chunk_sums"() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF COALESCE((SELECT SUM(x) FROM unnest(NEW.bucket_samples) AS x), 0) <> NEW.n THEN
                {of_new}
                INTO {", ".join(f"NEW.{c}" for c in _COLUMNS)};
            END IF;
            RETURN NEW;
        END $$;
        DROP TRIGGER IF EXISTS "node_sample_chunk_sums" ON "node_sample_chunks";
        CREATE TRIGGER "node_sample_chunk_sums" BEFORE INSERT OR UPDATE ON "node_sample_chunks"
            FOR EACH ROW EXECUTE FUNCTION "node_sample_chunk_sums"();
        UPDATE "node_sample_chunks" AS c SET ({", ".join(_COLUMNS)}) = ({of_row});"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    drops = ", ".join(f'DROP COLUMN IF EXISTS "{c}"' for c in _COLUMNS)
    return f"""
        DROP TRIGGER IF EXISTS "node_sample_chunk_sums" ON "node_sample_chunks";
        DROP FUNCTION IF EXISTS "node_sample_chunk_sums"();
        ALTER TABLE "node_sample_chunks" {drops};"""


# This migration changes no model: the models' state is the one migration 25 recorded
# (aerich reads MODELS_STATE from each migration; without it, it records the models of
# whatever code runs the upgrade, and the next `makemigrations` diffs against those).
MODELS_STATE = import_module(
    "controlplane.db.migrations.postgres.models.25_20261203140000_packed_telemetry"
).MODELS_STATE
