"""The accounts explorer (the API's filters, paginated, CSV export of the current filter) and one account."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, render_template, request
from flask_login import login_required

from whalefall.core.errors import NotFoundError, ValidationError
from whalefall.engines.inventory import LEVELS
from whalefall.models.account import ACCOUNT_KINDS, ACCOUNT_STATUSES
from whalefall.services import inventory_queries as queries
from whalefall.web.pages.auth import pages

TEXT_FILTERS = ("instance", "engine", "name", "role", "privilege", "level", "database", "column", "kind", "status")
EXPORT_LIMIT = 50_000


def _criteria() -> queries.AccountFilter:
    values = {key: (request.args.get(key) or "").strip() or None for key in TEXT_FILTERS}
    for flag in ("superuser", "locked"):
        raw = request.args.get(flag, "")
        values[flag] = {"true": True, "false": False}.get(raw)
    return queries.AccountFilter(**values)


@pages.get("/accounts")
@login_required
def accounts():
    try:
        page = int(request.args.get("page", 1))
        result = queries.list_accounts(_criteria(), sort=request.args.get("sort", "name"), page=page, per_page=50)
    except (ValueError, ValidationError) as exc:
        abort(400, str(exc))
    return render_template(
        "accounts.html", result=result, args=request.args, levels=LEVELS, kinds=ACCOUNT_KINDS, statuses=ACCOUNT_STATUSES
    )


@pages.get("/accounts.csv")
@login_required
def accounts_csv():
    """The current filter as CSV, one line per account (up to 50,000 lines)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = ["id", "instance", "engine", "name", "host", "kind", "status", "superuser", "locked", "can_login",
               "changed_at", "last_seen_at"]  # fmt: skip
    writer.writerow(columns)
    page, written = 1, 0
    while written < EXPORT_LIMIT:
        result = queries.list_accounts(_criteria(), sort=request.args.get("sort", "name"), page=page, per_page=200)
        for item in result.items:
            writer.writerow([item[column] for column in columns])
        written += len(result.items)
        if len(result.items) < 200:
            break
        page += 1
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=whalefall-accounts.csv"},
    )


@pages.get("/accounts/<int:account_id>")
@login_required
def account(account_id: int):
    try:
        detail = queries.account_detail(account_id)
    except NotFoundError:
        abort(404)
    return render_template("account.html", account=detail)
