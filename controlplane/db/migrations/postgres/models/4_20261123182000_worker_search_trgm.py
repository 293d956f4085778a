from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# Hand-written (aerich cannot express it): trigram indexes that serve the worker
# search, which tortoise writes as UPPER(CAST(col AS VARCHAR)) LIKE UPPER('%term%'):
# PostgreSQL plans that as upper(col::text), the expression indexed here.
# pg_trgm is a trusted extension (PostgreSQL 13+), so a database owner may create
# it; where that is not allowed the search still works, by a table scan.


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_trgm not available: worker search will scan';
END $$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS idx_worker_nodes_name_trgm
            ON worker_nodes USING gin (UPPER(name::text) gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS idx_worker_nodes_hostname_trgm
            ON worker_nodes USING gin (UPPER(hostname::text) gin_trgm_ops);
        CREATE INDEX IF NOT EXISTS idx_worker_nodes_ip_trgm
            ON worker_nodes USING gin (UPPER(ip_address::text) gin_trgm_ops);
    END IF;
END $$;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
DROP INDEX IF EXISTS idx_worker_nodes_name_trgm;
DROP INDEX IF EXISTS idx_worker_nodes_hostname_trgm;
DROP INDEX IF EXISTS idx_worker_nodes_ip_trgm;"""
