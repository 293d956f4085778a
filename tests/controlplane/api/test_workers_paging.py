"""Fleet reads at scale: keyset (cursor) paging, recent totals flagged as such, the read
pool apart from the ingest's, and fleet figures kept for a short while. Both dialects."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from contextlib import closing
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from controlplane.appkeys import FLEET_READS, READS
from controlplane.db.database import READ_POOL
from tests.conftest import (
    ADMIN_PASSWORD,
    AppFactory,
    bearer,
    create_account,
    libpq_url,
    sign_in,
)
from tests.controlplane.api.test_workers import add_node, beat, join_token, listing, register


async def admin_of(client: TestClient) -> dict[str, str]:
    await create_account(client, "admin@paas.com", ADMIN_PASSWORD, "ADMINISTRATOR", "Admin")
    return bearer((await sign_in(client, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])


async def counts_kept_with_nodes(make_client: AppFactory, n: int) -> tuple[TestClient, dict]:
    """A control plane that keeps counts an hour and never counts exactly, with nodes
    n-0 … n-<n-1>, and an administrator's headers."""
    client = await make_client(fleet_count_ttl=3600, fleet_exact_count_below=0)
    admin = await admin_of(client)
    for i in range(n):
        await add_node(client, admin, f"n-{i}")
    return client, admin


async def walk(
    client: TestClient, admin: dict[str, str], query: str, between: Any = None
) -> list[str]:
    """Every page by cursor, calling `between(k)` after page k; the names in order."""
    names: list[str] = []
    cursor: str | None = None
    for k in range(100):
        page = await listing(client, admin, query + (f"&cursor={cursor}" if cursor else ""))
        names += [w["name"] for w in page["workers"]]
        cursor = page["pagination"]["nextCursor"]
        assert page["pagination"]["hasNext"] is (cursor is not None)
        if cursor is None:
            return names
        if between is not None:
            await between(k)
    raise AssertionError("the cursor never reached the end")


async def test_cursor_paging_returns_every_node_once_while_nodes_are_added_and_changed(
    client, admin_headers
):
    ids = {
        f"node-{i:02d}": await add_node(client, admin_headers, f"node-{i:02d}") for i in range(13)
    }

    async def churn(k: int) -> None:
        # Nodes join (newest first: ahead of the cursor) and others change under the reader.
        await add_node(client, admin_headers, f"late-{k}")
        for name in (f"node-{k:02d}", f"node-{12 - k:02d}"):
            resp = await client.patch(
                f"/api/v1/workers/{ids[name]}/schedulable", headers=admin_headers
            )
            assert resp.status == 200
            resp = await client.put(
                f"/api/v1/workers/{ids[name]}",
                json={"labels": {"changed": str(k)}},
                headers=admin_headers,
            )
            assert resp.status == 200

    seen = await walk(client, admin_headers, "limit=4", churn)
    originals = [n for n in seen if n.startswith("node-")]
    assert sorted(originals) == sorted(ids) and len(set(originals)) == len(originals)
    assert originals == sorted(ids, reverse=True)  # created one after another: newest first


async def test_cursor_paging_by_name_takes_in_nodes_added_past_the_cursor(client, admin_headers):
    for i in range(9):
        await add_node(client, admin_headers, f"m-{i}")

    async def join(k: int) -> None:
        await add_node(client, admin_headers, f"z-{k}")  # sorts after every page read so far

    seen = await walk(client, admin_headers, "limit=4&sortBy=name&sortOrder=asc", join)
    assert seen[:9] == [f"m-{i}" for i in range(9)]
    assert len(seen) == len(set(seen)) and {"z-0", "z-1"} <= set(seen)
    assert seen == sorted(seen)


async def test_a_page_by_offset_hands_out_the_cursor_of_the_next(client, admin_headers):
    for i in range(5):
        await add_node(client, admin_headers, f"n-{i}")
    first = await listing(client, admin_headers, "page=1&limit=2&sortBy=status")
    second = await listing(client, admin_headers, "page=2&limit=2&sortBy=status")
    by_cursor = await listing(
        client, admin_headers, f"limit=2&sortBy=status&cursor={first['pagination']['nextCursor']}"
    )
    assert by_cursor["workers"] == second["workers"]
    assert by_cursor["pagination"]["hasPrev"] is True


async def test_a_cursor_from_another_sort_or_not_ours_is_refused(client, admin_headers):
    for i in range(3):
        await add_node(client, admin_headers, f"n-{i}")
    by_name = await listing(client, admin_headers, "limit=1&sortBy=name")
    cursor = by_name["pagination"]["nextCursor"]
    for query in (
        f"limit=1&sortBy=createdAt&cursor={cursor}",
        f"limit=1&sortBy=name&sortOrder=asc&cursor={cursor}",
        "limit=1&cursor=not-a-cursor",
        "limit=1&cursor=WyJuYW1lIl0",  # base64 JSON of the wrong shape
        f"limit=1&sortBy=lastHeartbeat&cursor={cursor}",
    ):
        resp = await client.get(f"/api/v1/workers?{query}", headers=admin_headers)
        body = await resp.json()
        assert resp.status == 400, (query, body)
        assert body["code"] == "VALIDATION_ERROR" and body["errors"][0]["field"] == "cursor"
    # NULL sorts at opposite ends on the two databases: that order pages by offset only.
    by_heartbeat = await listing(client, admin_headers, "limit=1&sortBy=lastHeartbeat")
    assert by_heartbeat["pagination"]["hasNext"] is True
    assert by_heartbeat["pagination"]["nextCursor"] is None


async def test_a_recent_total_is_flagged_estimated_and_pages_stay_current(
    make_client: AppFactory,
):
    client, admin = await counts_kept_with_nodes(make_client, 3)
    counted = await listing(client, admin, "limit=3")
    assert counted["pagination"]["total"] == 3
    assert counted["pagination"]["totalEstimated"] is False
    await add_node(client, admin, "n-3")
    kept = await listing(client, admin, "limit=3")
    # The total is the count from before, and says so; the page and hasNext are current.
    assert kept["pagination"]["total"] == 3 and kept["pagination"]["totalEstimated"] is True
    assert kept["workers"][0]["name"] == "n-3" and kept["pagination"]["hasNext"] is True
    # Another filter is counted for itself.
    other = await listing(client, admin, "limit=3&search=n-3")
    assert other["pagination"]["total"] == 1
    assert other["pagination"]["totalEstimated"] is False


async def test_a_small_listing_is_counted_exactly_every_time(make_client: AppFactory):
    client = await make_client(fleet_count_ttl=3600, fleet_exact_count_below=10)
    admin = await admin_of(client)
    await add_node(client, admin, "n-0")
    assert (await listing(client, admin, "limit=3"))["pagination"]["total"] == 1
    await add_node(client, admin, "n-1")
    again = await listing(client, admin, "limit=3")
    assert again["pagination"]["total"] == 2 and again["pagination"]["totalEstimated"] is False


async def test_a_search_of_few_nodes_is_counted_by_its_own_page_exactly(
    make_client: AppFactory,
):
    # Counts kept an hour and never made again, yet a search that finds few nodes counts
    # them in the statement that reads its page: the node just added is in the total.
    client, admin = await counts_kept_with_nodes(make_client, 3)
    assert (await listing(client, admin, "limit=2&search=n-"))["pagination"]["total"] == 3
    await add_node(client, admin, "n-3")
    again = await listing(client, admin, "limit=2&search=n-")
    assert (again["pagination"]["total"], again["pagination"]["totalEstimated"]) == (4, False)
    assert again["pagination"]["totalPages"] == 2 and again["pagination"]["hasNext"] is True
    # A page past the end reads no row to count with: the kept count, said so.
    past = await listing(client, admin, "limit=2&search=n-&page=9")
    assert past["workers"] == [] and past["pagination"]["totalEstimated"] is True


async def test_fleet_stats_are_kept_for_their_ttl_and_say_when_they_were_computed(
    make_client: AppFactory,
):
    client = await make_client(fleet_stats_ttl=300)
    admin = await admin_of(client)
    await add_node(client, admin, "n-0")

    async def stats() -> dict[str, Any]:
        resp = await client.get("/api/v1/workers/stats", headers=admin)
        assert resp.status == 200
        return dict((await resp.json())["data"])

    first = await stats()
    await add_node(client, admin, "n-1")
    kept = await stats()
    assert kept == first and kept["total"] == 1 and kept["asOf"]
    fresh_client = await make_client(fleet_stats_ttl=0)
    fresh_admin = bearer(
        (await sign_in(fresh_client, "admin@paas.com", ADMIN_PASSWORD))["accessToken"]
    )
    resp = await fresh_client.get("/api/v1/workers/stats", headers=fresh_admin)
    assert (await resp.json())["data"]["total"] == 2


async def test_dashboard_reads_wait_for_the_read_pool_while_heartbeats_go_through(
    client, admin_headers
):
    """The read pool held entirely (as a room of dashboards would): a fleet listing
    waits for it, and heartbeats, on the main pool, are answered meanwhile."""
    node = await register(client, await join_token(client, admin_headers))
    pool = client.app[READS]
    assert pool.separate
    # SQLite's read connection is one (held by its lock); PostgreSQL's pool has READ_POOL.
    size = READ_POOL if pool.db.capabilities.dialect == "postgres" else 1
    holders = [pool.db.acquire_connection() for _ in range(size)]
    for h in holders:
        await h.__aenter__()
    try:
        waiting = asyncio.create_task(listing(client, admin_headers, "limit=5"))
        for seq in (1, 2):
            resp = await asyncio.wait_for(beat(client, node, seq), timeout=10)
            assert resp.status == 200, await resp.json()
        await asyncio.sleep(0.2)
        assert not waiting.done()
    finally:
        for h in reversed(holders):
            await h.__aexit__(None, None, None)
    page = await asyncio.wait_for(waiting, timeout=10)
    assert [w["id"] for w in page["workers"]] == [node["nodeId"]]


async def test_the_summary_view_lists_a_dashboards_fields_as_the_full_one_names_them(
    client, admin_headers
):
    for i in range(3):
        await add_node(client, admin_headers, f"n-{i}")
    full = await listing(client, admin_headers, "limit=2&sortBy=name")
    summary = await listing(client, admin_headers, "limit=2&sortBy=name&view=summary")
    assert summary["pagination"] == full["pagination"]
    assert [w["id"] for w in summary["workers"]] == [w["id"] for w in full["workers"]]
    for short, whole in zip(summary["workers"], full["workers"], strict=True):
        assert {"name", "status", "allocatedCPU", "lastHeartbeat"} <= short.keys()
        assert "labels" not in short and "conditions" not in short
        assert short == {k: whole[k] for k in short}
    after = await listing(
        client,
        admin_headers,
        f"limit=2&sortBy=name&view=summary&cursor={summary['pagination']['nextCursor']}",
    )
    assert [w["name"] for w in after["workers"]] == ["n-0"]


async def test_fleet_reads_past_the_limit_wait_their_turn_while_heartbeats_are_answered(
    make_client: AppFactory,
):
    client = await make_client(fleet_reads_in_flight=1)
    admin = await admin_of(client)
    node = await register(client, await join_token(client, admin))
    turn = client.app[FLEET_READS]
    await turn.acquire()  # the one read in flight, as a slow dashboard's would be
    try:
        waiting = [
            asyncio.create_task(client.get(path, headers=admin))
            for path in ("/api/v1/workers?limit=5", f"/api/v1/workers/{node['nodeId']}/metrics")
        ]
        resp = await asyncio.wait_for(beat(client, node, 1), timeout=10)
        assert resp.status == 200, await resp.json()
        await asyncio.sleep(0.2)
        assert not any(t.done() for t in waiting)
    finally:
        turn.release()
    for t in waiting:
        assert (await asyncio.wait_for(t, timeout=10)).status == 200


async def test_a_page_shows_every_column_as_the_node_read_through_the_orm_shows_it(
    client, admin_headers
):
    # The listing reads with fixed SQL text; a node read whole by the ORM is the reference,
    # with every kind of column filled: JSON (labels, taints, conditions), datetimes,
    # floats, booleans, the status enum, the UUID.
    from controlplane.db.models import WorkerNode
    from shared.wire.workers import WorkerOut

    token = await join_token(client, admin_headers)
    for i in range(3):
        node = await register(client, token, name=f"full-{i}", labels={"zone": f"z{i}"})
        assert (await beat(client, node, seq=1)).status == 200
    await add_node(
        client, admin_headers, "never-seen", taints=[{"key": "k", "effect": "NoSchedule"}]
    )
    for query in (
        "limit=10&sortBy=name",
        "limit=10&sortBy=lastHeartbeat",
        "limit=2&sortBy=createdAt&sortOrder=asc",
    ):
        page = await listing(client, admin_headers, query)
        assert page["workers"], query
        for shown in page["workers"]:
            orm = WorkerOut.model_validate(await WorkerNode.get(id=shown["id"]))
            assert shown == orm.model_dump(mode="json", by_alias=True), query
        cursor = page["pagination"]["nextCursor"]
        if cursor is not None:
            after = await listing(client, admin_headers, f"{query}&cursor={cursor}")
            assert after["workers"] and after["workers"][0]["id"] not in {
                w["id"] for w in page["workers"]
            }


async def test_a_search_matches_any_case_and_takes_its_wildcards_as_plain_characters(
    client, admin_headers
):
    for name, host in (
        ("a", "web_1.example"),
        ("b", "webx1.example"),
        ("c", "WEB_2.Example"),
        ("d", "cpu-100%.example"),
        ("e", "cpu-1000.example"),
        ("f", "back\\slash.example"),
    ):
        await add_node(client, admin_headers, name, hostname=host)

    async def found(term: str) -> list[str]:
        from urllib.parse import quote

        page = await listing(
            client, admin_headers, f"limit=50&sortBy=name&sortOrder=asc&search={quote(term)}"
        )
        assert page["pagination"]["total"] == len(page["workers"])
        return [w["name"] for w in page["workers"]]

    assert await found("web_") == ["a", "c"]  # not webx1: _ is not "any character"
    assert await found("EXAMPLE") == ["a", "b", "c", "d", "e", "f"]
    assert await found("100%") == ["d"]  # not cpu-1000: % is not "anything"
    assert await found("k\\s") == ["f"]
    assert await found("nothing-like-it") == []


async def test_usage_history_of_an_unknown_or_malformed_node_is_not_found(client, admin_headers):
    node = await register(client, await join_token(client, admin_headers))
    assert (await beat(client, node, seq=1)).status == 200
    known = await client.get(
        f"/api/v1/workers/{node['nodeId']}/metrics?step=300", headers=admin_headers
    )
    assert known.status == 200
    assert (await known.json())["data"]["buckets"][0]["samples"] == 1
    for missing in ("00000000-0000-4000-8000-000000000000", "not-a-node"):
        resp = await client.get(f"/api/v1/workers/{missing}/metrics", headers=admin_headers)
        body = await resp.json()
        assert resp.status == 404, body
        assert body["code"] == "NOT_FOUND" and body["message"] == "Worker node not found"


async def test_a_search_pages_alike_found_first_or_walked_in_the_sorts_order(
    client, admin_headers, monkeypatch
):
    # A search matching few nodes reads them all, then sorts; one matching many walks
    # the sort's index. Both must give the same pages, by offset and by cursor.
    from controlplane.services.fleet import workers

    for i in range(7):
        await add_node(client, admin_headers, f"match-{(i * 3) % 7}", hostname=f"h{i}.example")
    await add_node(client, admin_headers, "other", hostname="elsewhere.example")

    async def pages() -> list[list[str]]:
        seen = []
        for sort in ("sortBy=name&sortOrder=asc", "sortBy=createdAt", "sortBy=lastHeartbeat"):
            query = f"limit=2&{sort}&search=MATCH"
            offsets = []
            for page in range(1, 6):
                got = await listing(client, admin_headers, f"{query}&page={page}")
                offsets += [w["name"] for w in got["workers"]]
                # Counted by the page's own statement or apart: exact either way.
                assert (got["pagination"]["total"], got["pagination"]["totalEstimated"]) == (
                    7,
                    False,
                )
            seen.append(offsets)
            if "lastHeartbeat" not in sort:  # NULLs sort apart: offsets only
                seen.append(await walk(client, admin_headers, query))
        return seen

    found_first = await pages()
    monkeypatch.setattr(workers, "FOUND_FIRST_UPTO", 0)
    walked = await pages()

    assert found_first == walked
    assert all(len(names) == 7 and "other" not in names for names in found_first)
    assert found_first[0] == [f"match-{i}" for i in range(7)]


async def test_a_search_paged_by_cursor_keeps_the_whole_searchs_total(make_client: AppFactory):
    # Found first and counted by the statement that reads the page: the count is of the
    # search, not of the rows past the cursor.
    client, admin = await counts_kept_with_nodes(make_client, 3)
    first = await listing(client, admin, "limit=2&search=n-")
    cursor = first["pagination"]["nextCursor"]
    second = await listing(client, admin, f"limit=2&search=n-&cursor={cursor}")
    assert [w["name"] for w in second["workers"]] == ["n-0"]
    assert (second["pagination"]["total"], second["pagination"]["totalEstimated"]) == (3, False)
    assert second["pagination"]["totalPages"] == 2 and second["pagination"]["hasNext"] is False


async def _plan_of_a_status_page(database_url: str) -> str:
    """How the database reads a status filter's second page of ids (the late row
    lookup's inner query, services/paging.page_values), as its EXPLAIN prints it."""
    sql = (
        "SELECT id FROM worker_nodes WHERE (status = {}) "
        "ORDER BY created_at DESC, id DESC LIMIT 3 OFFSET 2"
    )
    if database_url.startswith("sqlite://"):
        with closing(sqlite3.connect(database_url[len("sqlite://") :])) as db:
            rows = db.execute(f"EXPLAIN QUERY PLAN {sql.format('?')}", ["MAINTENANCE"])
            return "\n".join(str(r[-1]) for r in rows.fetchall())
    conn = await asyncpg.connect(libpq_url(database_url))
    try:
        async with conn.transaction():
            # A test's table fits a page, which a sequential scan reads cheapest; what is
            # asked is which index the order comes from, as it does at a fleet's size.
            await conn.execute("SET LOCAL enable_seqscan = off")
            return "\n".join(
                r[0] for r in await conn.fetch(f"EXPLAIN {sql.format('$1')}", "MAINTENANCE")
            )
    finally:
        await conn.close()


async def test_a_status_filter_pages_through_its_index_in_order_without_sorting_the_status(
    client, admin_headers, database_url
):
    ids = [await add_node(client, admin_headers, f"node-{i}") for i in range(7)]
    for node_id in ids[1::2]:
        resp = await client.patch(
            f"/api/v1/workers/{node_id}/status",
            json={"status": "MAINTENANCE"},
            headers=admin_headers,
        )
        assert resp.status == 200, await resp.json()
    pages = [
        [
            w["name"]
            for w in (await listing(client, admin_headers, f"status=MAINTENANCE&limit=2&page={p}"))[
                "workers"
            ]
        ]
        for p in (1, 2)
    ]
    assert pages == [["node-5", "node-3"], ["node-1"]]  # newest first, within the status

    plan = await _plan_of_a_status_page(database_url)
    # The status is where the index scan starts, and no sort follows it: the page's
    # rows come in order from (status, created_at, id), not from reading every node of
    # the status and sorting them (or walking the whole fleet by created_at).
    if database_url.startswith("sqlite://"):
        assert "(status=?)" in plan and "TEMP B-TREE" not in plan, plan
    else:
        assert "Index Cond: (status = " in plan and "Sort" not in plan, plan


async def _keys_and_nodes(conn: asyncpg.Connection) -> tuple[list[tuple], list[tuple]]:
    columns = "id, created_at, status, is_schedulable, name, hostname, ip_address"
    keys = await conn.fetch(f"SELECT {columns} FROM worker_listing_keys ORDER BY id")  # noqa: S608 - fixed names
    nodes = await conn.fetch(f"SELECT {columns} FROM worker_nodes ORDER BY id")  # noqa: S608 - fixed names
    return [tuple(r) for r in keys], [tuple(r) for r in nodes]


async def test_postgresql_listing_keys_follow_every_node_change_but_no_heartbeat(
    client, admin_headers, database_url, dialect
):
    if dialect == "sqlite":
        pytest.skip("the listing keys are PostgreSQL's: SQLite pages worker_nodes itself")
    ids = [await add_node(client, admin_headers, f"node-{i}") for i in range(4)]
    node = await register(client, await join_token(client, admin_headers))
    assert (await beat(client, node, 1)).status == 200  # PENDING -> ACTIVE: keys follow
    await client.patch(f"/api/v1/workers/{ids[0]}/schedulable", headers=admin_headers)
    await client.patch(
        f"/api/v1/workers/{ids[1]}/status", json={"status": "MAINTENANCE"}, headers=admin_headers
    )
    await client.put(
        f"/api/v1/workers/{ids[2]}", json={"labels": {"a": "b"}}, headers=admin_headers
    )
    moved = await client.put(
        f"/api/v1/workers/{ids[2]}",
        json={"hostname": "moved.example", "ipAddress": "10.9.8.7"},
        headers=admin_headers,
    )
    assert moved.status == 200, await moved.json()
    assert (await client.delete(f"/api/v1/workers/{ids[3]}", headers=admin_headers)).status == 200

    conn = await asyncpg.connect(libpq_url(database_url))
    try:
        keys, nodes = await _keys_and_nodes(conn)
        assert keys == nodes and len(keys) == 4
        assert {(str(k[0]), k[2], k[3]) for k in keys} >= {
            (ids[0], "PENDING", False),
            (ids[1], "MAINTENANCE", True),
            (node["nodeId"], "ACTIVE", True),
        }

        def versions(table: str) -> str:
            return f"SELECT xmin::text FROM {table} WHERE id = $1"  # noqa: S608 - fixed names

        key_before = await conn.fetchval(versions("worker_listing_keys"), uuid.UUID(node["nodeId"]))
        row_before = await conn.fetchval(versions("worker_nodes"), uuid.UUID(node["nodeId"]))
        for seq in (2, 3):
            assert (await beat(client, node, seq)).status == 200
        # The node's row was rewritten by its heartbeats; its keys were not touched.
        assert (
            await conn.fetchval(versions("worker_nodes"), uuid.UUID(node["nodeId"])) != row_before
        )
        key_after = await conn.fetchval(versions("worker_listing_keys"), uuid.UUID(node["nodeId"]))
        assert key_after == key_before

        # Pages by offset, filtered or not, list what worker_nodes holds, in its order.
        everyone = await listing(client, admin_headers, "limit=2&page=2")
        assert [w["id"] for w in everyone["workers"]] == [
            str(r[0])
            for r in await conn.fetch(
                "SELECT id FROM worker_nodes ORDER BY created_at DESC, id DESC LIMIT 2 OFFSET 2"
            )
        ]
        cordoned = await listing(client, admin_headers, "isSchedulable=false")
        assert [w["id"] for w in cordoned["workers"]] == [ids[0]]
        assert cordoned["pagination"]["total"] == 1
        # Searches find what the node holds now, found first or walked, by either keyed
        # sort: the edit reached the keys, and the old hostname is found no more.
        for sort in ("sortBy=createdAt", "sortBy=name&sortOrder=asc"):
            for term, found in (
                ("MOVED.exa", [ids[2]]),
                ("10.9.8", [ids[2]]),
                ("node-0", [ids[0]]),
            ):
                page = await listing(client, admin_headers, f"{sort}&search={term}")
                assert [w["id"] for w in page["workers"]] == found, (sort, term)
                assert page["pagination"]["total"] == len(found)
        by_name = await listing(client, admin_headers, "sortBy=name&sortOrder=asc&limit=2&page=2")
        assert [w["id"] for w in by_name["workers"]] == [
            str(r[0])
            for r in await conn.fetch(
                "SELECT id FROM worker_nodes ORDER BY name, id LIMIT 2 OFFSET 2"
            )
        ]

        # With pg_trgm, each searched column of the keys has its trigram index, in the
        # shape Where.contains writes (migration 29). Four rows would be read cheapest
        # through any index holding the column, so the (name, id) one is set aside.
        if await conn.fetchval("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"):
            aside = conn.transaction()
            await aside.start()
            try:
                await conn.execute("SET LOCAL enable_seqscan = off")
                await conn.execute("DROP INDEX idx_worker_listing_keys_name")
                for column in ("name", "hostname", "ip_address"):
                    plan = "\n".join(
                        r[0]
                        for r in await conn.fetch(
                            f"EXPLAIN SELECT id FROM worker_listing_keys "  # noqa: S608 - fixed names
                            f"WHERE UPPER({column}::text) LIKE UPPER($1) ESCAPE '\\'",
                            "%moved%",
                        )
                    )
                    assert f"idx_worker_listing_keys_{column.split('_')[0]}_trgm" in plan, plan
            finally:
                await aside.rollback()

        await conn.execute("TRUNCATE worker_nodes CASCADE")
        assert await conn.fetchval("SELECT count(*) FROM worker_listing_keys") == 0
    finally:
        await conn.close()
