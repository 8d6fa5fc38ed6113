"""One page of a listing, and the bounds every listing checks its page numbers against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from whalefall.core.errors import ValidationError
from whalefall.core.extensions import db

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Select

MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    page: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "page": self.page, "per_page": self.per_page, "total": self.total}


def check_page(page: int, per_page: int) -> tuple[int, int]:
    """Out-of-range numbers are refused with a message rather than overflowing the database's OFFSET."""
    if not 1 <= page <= MAX_PAGE:
        raise ValidationError(f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    return page, per_page


def paginate(query: Select, summarize: Callable[[Any], dict[str, Any]], page: int, per_page: int) -> Page:
    """Count the query, then fetch one page of it (already ordered by the caller), each row summarized."""
    page, per_page = check_page(page, per_page)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page([summarize(row) for row in rows], page, per_page, total)
