"""What happened: the privilege change log, sync sessions (with live progress) and WhaleFall's own audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from whalefall.core.errors import NotFoundError, WhaleFallError
from whalefall.models.account import CHANGE_TYPES
from whalefall.models.sync import SESSION_STATUSES
from whalefall.services import inventory_queries as queries
from whalefall.services.audit import search
from whalefall.services.sync_sessions import list_sessions, session_report
from whalefall.web.launches import start_sync
from whalefall.web.pages.access import choice_arg, date_arg, known_args, page_arg, role_required, text_arg
from whalefall.web.pages.auth import pages

PER_PAGE = 50


@pages.get("/changes")
@role_required("viewer")
def changes():
    criteria = queries.ChangeFilter(
        since=date_arg("since"),
        until=date_arg("until", end_of_day=True),
        instance=text_arg("instance"),
        account=text_arg("account"),
        change_type=choice_arg("change_type", CHANGE_TYPES),
    )
    result = queries.list_changes(criteria, page=page_arg(), per_page=PER_PAGE)
    args = known_args("since", "until", "instance", "account", "change_type")
    return render_template("changes.html", result=result, args=args, change_types=CHANGE_TYPES)


@pages.get("/sync")
@role_required("viewer")
def sync_sessions():
    status = choice_arg("status", SESSION_STATUSES)
    result = list_sessions(page=page_arg(), per_page=PER_PAGE, status=status)
    return render_template("sync_sessions.html", result=result, args=known_args("status"), statuses=SESSION_STATUSES)


@pages.post("/sync")
@role_required("operator")
def sync_start():
    """Every active instance, at once; the session page then follows its progress."""
    try:
        session = start_sync(None, current_user.username)
    except WhaleFallError as exc:
        flash(str(exc), "error")
        return redirect(url_for("pages.sync_sessions"))
    return redirect(url_for("pages.sync_session", session_id=session.id))


@pages.get("/sync/<int:session_id>")
@role_required("viewer")
def sync_session(session_id: int):
    try:
        session, records = session_report(session_id)
    except NotFoundError:
        abort(404, f"no sync session {session_id}")
    return render_template("sync_session.html", session=session, records=records)


@pages.get("/audit")
@role_required("admin")
def audit():
    page = page_arg(maximum=100_000)
    events = search(
        actor=text_arg("actor"),
        action=text_arg("action"),
        since=date_arg("since"),
        until=date_arg("until", end_of_day=True),
        limit=PER_PAGE + 1,
        offset=(page - 1) * PER_PAGE,
    )
    shown, has_next = events[:PER_PAGE], len(events) > PER_PAGE
    args = known_args("actor", "action", "since", "until")
    return render_template("audit.html", events=shown, has_next=has_next, page=page, args=args)
