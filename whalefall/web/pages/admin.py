"""Scheduler jobs (pause, resume, run now, edit the trigger), users, and API tokens.

Everyone reads the jobs and manages their own tokens; admins act on jobs and manage users and every token.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from whalefall.core.errors import NotFoundError, WhaleFallError
from whalefall.scheduler import control
from whalefall.services import tokens as token_service
from whalefall.services import users as user_service
from whalefall.web.launches import start_job_run
from whalefall.web.pages.access import can, role_required
from whalefall.web.pages.auth import pages
from whalefall.web.pages.forms import TokenForm, TriggerForm, UserCreateForm, UserEditForm


@pages.get("/jobs")
@role_required("viewer")
def jobs():
    statuses = control.list_jobs()
    forms = {
        s.job.id: TriggerForm(formdata=None, kind=s.job.trigger.kind, value=s.job.trigger.short_form) for s in statuses
    }
    return render_template("jobs.html", jobs=[s.as_dict() for s in statuses], forms=forms)


@pages.post("/jobs/<job_id>/<any(pause, resume, run):action>")
@role_required("admin")
def job_action(job_id: str, action: str):
    try:
        if action == "run":
            run_id = start_job_run(job_id, current_user.username)
            flash(f"Job {job_id} started (run {run_id}); its outcome shows here when it ends.", "ok")
        else:
            {"pause": control.pause, "resume": control.resume}[action](job_id, current_user.username)
            flash(f"Job {job_id} {action}d.", "ok")
    except NotFoundError as exc:
        abort(404, str(exc))
    except WhaleFallError as exc:
        flash(str(exc), "error")
    return redirect(url_for("pages.jobs"))


@pages.post("/jobs/<job_id>/trigger")
@role_required("admin")
def job_trigger(job_id: str):
    form = TriggerForm()
    if not form.validate_on_submit():
        flash(f"Job {job_id}: {_form_errors(form)}", "error")
        return redirect(url_for("pages.jobs"))
    value = (form.value.data or "").strip()
    try:
        if form.kind.data == "file":
            trigger = None
        elif form.kind.data == "interval":
            trigger = control.interval_trigger(value)
        else:
            trigger = {"cron": value}
        control.edit_trigger(job_id, trigger, current_user.username)
    except NotFoundError as exc:
        abort(404, str(exc))
    except WhaleFallError as exc:
        flash(str(exc), "error")
        return redirect(url_for("pages.jobs"))
    flash(f"Job {job_id}: trigger saved.", "ok")
    return redirect(url_for("pages.jobs"))


@pages.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = UserCreateForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = user_service.create_user(
                form.username.data.strip(), form.password.data, form.role.data, actor=current_user.username
            )
        except WhaleFallError as exc:
            flash(str(exc), "error")
            status = 400
        else:
            flash(f"User {user.username} created ({user.role}).", "ok")
            return redirect(url_for("pages.users"))
    elif form.is_submitted():
        flash(_form_errors(form), "error")
        status = 400
    return render_template("users.html", users=user_service.list_users(), form=form), status


@pages.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def user_edit(user_id: int):
    try:
        user = user_service.user_by_id(user_id)
    except NotFoundError as exc:
        abort(404, str(exc))
    form = UserEditForm(data=None if request.method == "POST" else {"role": user.role, "enabled": user.is_enabled})
    if form.validate_on_submit():
        changes = {"role": form.role.data, "enabled": form.enabled.data}
        if form.password.data:
            changes["password"] = form.password.data
        try:
            user_service.update_user(user.id, changes, actor=current_user.username)
        except WhaleFallError as exc:
            flash(str(exc), "error")
            return render_template("user.html", user=user, form=form), 400
        flash(f"User {user.username} saved.", "ok")
        return redirect(url_for("pages.users"))
    if form.is_submitted():
        flash(_form_errors(form), "error")
        return render_template("user.html", user=user, form=form), 400
    return render_template("user.html", user=user, form=form)


@pages.route("/tokens", methods=["GET", "POST"])
@role_required("viewer")
def tokens():
    """The new token's secret is rendered into this one response, never flashed (the session cookie is only
    signed, not encrypted) and never stored."""
    admin = can("admin")
    form = TokenForm()
    usernames = [u.username for u in user_service.list_users()] if admin else [current_user.username]
    form.username.choices = usernames
    if request.method == "GET":
        form.username.data = current_user.username
    new_token, status = None, 200
    if form.validate_on_submit():
        owner = form.username.data if admin and form.username.data in usernames else current_user.username
        try:
            token, new_token = token_service.create_token(owner, form.name.data.strip(), actor=current_user.username)
        except WhaleFallError as exc:
            flash(str(exc), "error")
            status = 400
        else:
            flash(f"Token {token.name} created for {owner}: copy it now, it is shown only once.", "ok")
    elif form.is_submitted():
        flash(_form_errors(form), "error")
        status = 400
    listed = token_service.list_tokens(None if admin else current_user.username)
    return render_template("tokens.html", tokens=listed, form=form, new_token=new_token, admin=admin), status


@pages.post("/tokens/<int:token_id>/revoke")
@role_required("viewer")
def token_revoke(token_id: int):
    owner = None if can("admin") else current_user.username
    try:
        token = token_service.revoke_token(token_id, actor=current_user.username, owner=owner)
    except NotFoundError as exc:
        abort(404, str(exc))
    flash(f"Token {token.name} revoked.", "ok")
    return redirect(url_for("pages.tokens"))


def _form_errors(form) -> str:
    return "; ".join(f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items())
