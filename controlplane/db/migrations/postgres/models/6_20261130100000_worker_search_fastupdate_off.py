from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# Hand-written (aerich has no index storage parameters): the worker-search trigram
# indexes take new entries at once instead of into GIN's pending list. With the
# list on, every search also scans the list linearly until autovacuum merges it,
# which after registering thousands of nodes took a narrow search from 0.4 ms to
# 15 ms. Nodes are registered rarely and heartbeats are HOT updates that touch no
# index, so paying at insert is cheap. Whatever is pending now is merged here.
_INDEXES = (
    "idx_worker_nodes_name_trgm",
    "idx_worker_nodes_hostname_trgm",
    "idx_worker_nodes_ip_trgm",
)


def _each(statement: str) -> str:
    blocks = [
        f"""DO $$
BEGIN
    IF to_regclass('{index}') IS NOT NULL THEN
        {statement.format(index=index)}
    END IF;
END $$;"""
        for index in _INDEXES
    ]
    return "\n".join(blocks)


async def upgrade(db: BaseDBAsyncClient) -> str:
    return _each(
        "ALTER INDEX {index} SET (fastupdate = off); "
        "PERFORM gin_clean_pending_list('{index}'::regclass);"
    )


async def downgrade(db: BaseDBAsyncClient) -> str:
    return _each("ALTER INDEX {index} RESET (fastupdate);")
