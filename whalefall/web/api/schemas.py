"""Query schemas more than one API module shares."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Integer
from apiflask.validators import Range

from whalefall.services.paging import MAX_PAGE, MAX_PER_PAGE


class Paging(Schema):
    page = Integer(load_default=1, validate=Range(min=1, max=MAX_PAGE))
    per_page = Integer(load_default=50, validate=Range(min=1, max=MAX_PER_PAGE))
