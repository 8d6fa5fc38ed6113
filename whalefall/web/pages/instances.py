"""Instances: the list (filter by tag or engine), one instance, add and edit with a connection test, a sync.

Every POST here is CSRF-checked by CSRFProtect before the view runs.

Viewers read; operators add, edit, test, sync and remove; admins also replace the stored credential.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from whalefall.core.errors import NotFoundError, WhaleFallError
from whalefall.engines.base import EngineError
from whalefall.engines.registry import engine_names
from whalefall.services import instances as service
from whalefall.services.inventory_queries import account_counts
from whalefall.services.sync_sessions import instance_records, latest_records
from whalefall.web.launches import start_sync
from whalefall.web.pages.access import can, known_args, role_required
from whalefall.web.pages.auth import pages
from whalefall.web.pages.forms import CredentialForm, InstanceEditForm, InstanceForm, split_tags


def _instance_or_404(instance_id: int):
    try:
        return service.instance_by_id(instance_id)
    except NotFoundError:
        abort(404, f"no instance {instance_id}")


@pages.get("/instances")
@role_required("viewer")
def instances():
    tag, engine = request.args.get("tag") or None, request.args.get("engine") or None
    shown = [
        instance
        for instance in service.list_instances()
        if (tag is None or tag in {t.name for t in instance.tags}) and (engine is None or instance.engine == engine)
    ]
    return render_template(
        "instances.html",
        instances=shown,
        latest=latest_records(),
        tags=service.list_tags(),
        engines=engine_names(),
        args=known_args("tag", "engine"),
    )


@pages.route("/instances/new", methods=["GET", "POST"])
@role_required("operator")
def instance_new():
    form = InstanceForm()
    if not form.validate_on_submit():
        return render_template("instance_form.html", form=form, instance=None), 400 if form.is_submitted() else 200
    data = service.InstanceInput(
        name=form.name.data.strip(),
        engine=form.engine.data,
        host=form.host.data.strip(),
        port=form.port.data,
        username=form.username.data,
        password=form.password.data,
        database=(form.database.data or "").strip() or None,
        tags=split_tags(form.tags.data),
        description=form.description.data or None,
    )
    try:
        if request.form.get("action") == "test":
            info = service.check_unsaved_connection(data)
            flash(f"Connected to {data.host}: {info.version} ({info.elapsed_ms} ms). Nothing saved yet.", "ok")
            return render_template("instance_form.html", form=form, instance=None, keep_password=True)
        instance = service.add_instance(data, actor=current_user.username)
    except EngineError as exc:
        flash(f"Connection failed ({exc.kind}): {exc.message}", "error")
        return render_template("instance_form.html", form=form, instance=None, keep_password=True), 400
    except WhaleFallError as exc:
        flash(str(exc), "error")
        return render_template("instance_form.html", form=form, instance=None, keep_password=True), 400
    flash(f"Instance {instance.name} registered.", "ok")
    _test_and_flash(instance.name)  # its version and reachability show at once on its page
    return redirect(url_for("pages.instance", instance_id=instance.id))


@pages.get("/instances/<int:instance_id>")
@role_required("viewer")
def instance(instance_id: int):
    item = _instance_or_404(instance_id)
    return render_template(
        "instance.html",
        instance=item,
        records=instance_records(item.id),
        counts=account_counts(item.id),
        credential_form=CredentialForm(username=item.credential.username if item.credential else None),
    )


@pages.route("/instances/<int:instance_id>/edit", methods=["GET", "POST"])
@role_required("operator")
def instance_edit(instance_id: int):
    item = _instance_or_404(instance_id)
    form = InstanceEditForm(
        data=None if request.method == "POST" else {
            "host": item.host, "port": item.port, "database": item.database_name, "description": item.description,
            "tags": " ".join(tag.name for tag in item.tags), "active": item.is_active,
        }
    )  # fmt: skip
    if not form.validate_on_submit():
        return render_template("instance_form.html", form=form, instance=item), 400 if form.is_submitted() else 200
    changes = {
        "host": form.host.data.strip(),
        "port": form.port.data,
        "database": (form.database.data or "").strip() or None,
        "description": form.description.data or None,
        "tags": list(split_tags(form.tags.data)),
        "active": form.active.data,
    }
    try:
        service.update_instance(item.id, changes, current_user.username, may_move_credential=can("admin"))
    except WhaleFallError as exc:
        flash(str(exc), "error")
        return render_template("instance_form.html", form=form, instance=item), 400
    flash(f"Instance {item.name} saved.", "ok")
    if request.form.get("action") == "test":
        _test_and_flash(item.name)
    return redirect(url_for("pages.instance", instance_id=item.id))


@pages.post("/instances/<int:instance_id>/test")
@role_required("operator")
def instance_test(instance_id: int):
    item = _instance_or_404(instance_id)
    _test_and_flash(item.name)
    return redirect(url_for("pages.instance", instance_id=item.id))


@pages.post("/instances/<int:instance_id>/sync")
@role_required("operator")
def instance_sync(instance_id: int):
    item = _instance_or_404(instance_id)
    try:
        session = start_sync([item.id], current_user.username)
    except WhaleFallError as exc:
        flash(str(exc), "error")
        return redirect(url_for("pages.instance", instance_id=item.id))
    return redirect(url_for("pages.sync_session", session_id=session.id))


@pages.post("/instances/<int:instance_id>/credential")
@role_required("admin")
def instance_credential(instance_id: int):
    item = _instance_or_404(instance_id)
    form = CredentialForm()
    if not form.validate_on_submit():
        flash("Both the user and the new password are needed.", "error")
        return redirect(url_for("pages.instance", instance_id=item.id))
    service.set_credential(item.id, form.username.data, form.password.data, actor=current_user.username)
    flash("Credential replaced.", "ok")
    _test_and_flash(item.name)
    return redirect(url_for("pages.instance", instance_id=item.id))


@pages.post("/instances/<int:instance_id>/remove")
@role_required("operator")
def instance_remove(instance_id: int):
    item = _instance_or_404(instance_id)
    service.remove_instance(item.name, actor=current_user.username)
    flash(f"Instance {item.name} removed: no longer synced; its accounts and history are kept.", "ok")
    return redirect(url_for("pages.instances"))


def _test_and_flash(name: str) -> None:
    try:
        info = service.check_connection(name)
    except EngineError as exc:
        flash(f"Connection failed ({exc.kind}): {exc.message}", "error")
    except WhaleFallError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Connected: {info.version} ({info.elapsed_ms} ms).", "ok")
