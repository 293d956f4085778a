"""Full-text search over snapshots: the same words found the same way on both databases.

A snapshot's words (names, namespaces, labels, images; `intake.words`) are stored
space-separated in `snapshots.search_terms`. A query is split the same way and every
word must be there (AND), whole. PostgreSQL matches with its GIN index over
`to_tsvector('simple', …)` (the simple configuration: lower-casing, no stemming, no stop
words), SQLite with the FTS5 table `snapshot_search` the migration's triggers keep equal
to the rows. Since both see only plain lower-case words of letters and digits, their
tokenizers agree, and so do the results.
"""

from __future__ import annotations

import uuid

from controlplane.db.models import Snapshot
from controlplane.db.sql import is_postgres
from controlplane.services.errors import Invalid
from controlplane.services.snapshots.intake import words

# Words a query may have: more say nothing a shorter query would not.
MAX_QUERY_WORDS = 16


def query_words(q: str) -> list[str]:
    found = list(dict.fromkeys(words(q)))
    if not found:
        raise Invalid.field("q", "search for at least one word of letters or digits")
    if len(found) > MAX_QUERY_WORDS:
        raise Invalid.field("q", f"at most {MAX_QUERY_WORDS} words")
    return found


async def matching(q: str) -> list[uuid.UUID]:
    """The ids of the snapshots holding every word of `q` (visibility is the caller's)."""
    terms = query_words(q)
    conn = Snapshot._meta.db
    if is_postgres(conn):
        rows = await conn.execute_query_dict(
            "SELECT id FROM snapshots"
            " WHERE to_tsvector('simple', coalesce(search_terms, ''))"
            " @@ to_tsquery('simple', $1)",
            [" & ".join(terms)],
        )
        return [r["id"] for r in rows]
    # Each word quoted: FTS5 reads it as a plain string, never as query syntax.
    phrase = " ".join(f'"{t}"' for t in terms)
    rows = await conn.execute_query_dict(
        "SELECT snapshot_id FROM snapshot_search WHERE snapshot_search MATCH ?", [phrase]
    )
    return [uuid.UUID(str(r["snapshot_id"])) for r in rows]
