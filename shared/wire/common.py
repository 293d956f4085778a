"""Wire types every resource shares: pagination in and out."""

from typing import Literal

from pydantic import Field

from shared.wire.base import WireModel, WireOut


class PageQuery(WireModel):
    page: int = Field(default=1, ge=1, le=1_000_000)
    limit: int = Field(default=10, ge=1, le=100)
    sort_order: Literal["asc", "desc"] = "desc"


class Pagination(WireOut):
    page: int
    limit: int
    total: int
    total_pages: int
    has_next: bool
    has_prev: bool

    @classmethod
    def of(cls, page: int, limit: int, total: int) -> "Pagination":
        pages = (total + limit - 1) // limit if total else 0
        return cls(
            page=page,
            limit=limit,
            total=total,
            total_pages=pages,
            has_next=page < pages,
            has_prev=page > 1,
        )


class CursorPagination(Pagination):
    """Pagination with keyset paging beside offsets: `nextCursor` (null on the last
    page) fetches the rows after this page's last, `?cursor=`. `totalEstimated`:
    `total` (and `totalPages`) is a recent count, not one made for this request;
    `hasNext` is always exact."""

    next_cursor: str | None = None
    total_estimated: bool = False
