"""The accounts explorer (the API's filters, paginated, CSV export of the current filter) and one account."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template, request

from whalefall.core.errors import NotFoundError, ValidationError
from whalefall.engines.inventory import LEVELS
from whalefall.models.account import ACCOUNT_KINDS, ACCOUNT_STATUSES
from whalefall.services import inventory_queries as queries
from whalefall.web.pages.access import known_args, page_arg, role_required
from whalefall.web.pages.auth import pages

TEXT_FILTERS = ("instance", "engine", "name", "role", "privilege", "level", "database", "column", "kind", "status")
QUERY_KEYS = (*TEXT_FILTERS, "superuser", "locked", "sort")
EXPORT_LIMIT = 50_000


def _criteria() -> queries.AccountFilter:
    values = {key: (request.args.get(key) or "").strip() or None for key in TEXT_FILTERS}
    for flag in ("superuser", "locked"):
        raw = request.args.get(flag, "")
        values[flag] = {"true": True, "false": False}.get(raw)
    return queries.AccountFilter(**values)


@pages.get("/accounts")
@role_required("viewer")
def accounts():
    try:
        result = queries.list_accounts(_criteria(), sort=request.args.get("sort", "name"), page=page_arg(), per_page=50)
    except ValidationError as exc:
        abort(400, str(exc))
    return render_template(
        "accounts.html",
        result=result,
        args=known_args(*QUERY_KEYS),
        levels=LEVELS,
        kinds=ACCOUNT_KINDS,
        statuses=ACCOUNT_STATUSES,
    )


@pages.get("/accounts.csv")
@role_required("viewer")
def accounts_csv():
    """The current filter as CSV, one line per account (up to 50,000 lines)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = ["id", "instance", "engine", "name", "host", "kind", "status", "superuser", "locked", "can_login",
               "changed_at", "last_seen_at"]  # fmt: skip
    writer.writerow(columns)
    page, written = 1, 0
    while written < EXPORT_LIMIT:
        try:
            result = queries.list_accounts(_criteria(), sort=request.args.get("sort", "name"), page=page, per_page=200)
        except ValidationError as exc:
            abort(400, str(exc))
        for item in result.items:
            writer.writerow([spreadsheet_safe(item[column]) for column in columns])
        written += len(result.items)
        if len(result.items) < 200:
            break
        page += 1
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=whalefall-accounts.csv"},
    )


def spreadsheet_safe(value):
    """Account names come from the monitored servers: one starting with = + - @ would run as a formula when the
    file is opened in a spreadsheet, so such text gets a leading apostrophe (OWASP's advice for CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@pages.get("/accounts/<int:account_id>")
@role_required("viewer")
def account(account_id: int):
    try:
        detail = queries.account_detail(account_id)
    except NotFoundError:
        abort(404)
    return render_template("account.html", account=detail)
